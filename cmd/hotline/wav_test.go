package main

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"testing"
	"time"

	"github.com/go-audio/wav"
)

// stereo is a decoded recording.
type stereo struct {
	left, right []int16
	rate        int
	duration    time.Duration
}

// readWAV decodes a recording and checks its format: 8 kHz, 16-bit, 2 channels, PCM.
func readWAV(t *testing.T, path string) stereo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := wav.NewDecoder(f)
	if !d.IsValidFile() {
		t.Fatalf("%s is not a valid WAV file", path)
	}
	if d.SampleRate != 8000 || d.BitDepth != 16 || d.NumChans != 2 || d.WavAudioFormat != 1 {
		t.Fatalf("%s: %d Hz, %d bit, %d channels, format %d; want 8000 Hz, 16 bit, 2 channels, PCM",
			path, d.SampleRate, d.BitDepth, d.NumChans, d.WavAudioFormat)
	}
	buf, err := d.FullPCMBuffer()
	if err != nil {
		t.Fatal(err)
	}
	n := len(buf.Data) / 2
	s := stereo{left: make([]int16, n), right: make([]int16, n), rate: 8000}
	for i := 0; i < n; i++ {
		s.left[i], s.right[i] = int16(buf.Data[2*i]), int16(buf.Data[2*i+1])
	}
	s.duration = time.Duration(n) * time.Second / 8000
	return s
}

// goertzel is the power of one frequency in a block of samples.
func goertzel(x []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / 8000
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

// toneShare is the share of the 20 ms blocks of x in which freq carries most of the signal (compared with
// the power at other frequencies) and the block is not silent.
func toneShare(x []int16, freq float64) float64 {
	const block = 160
	others := []float64{freq / 2, freq * 1.5, freq * 2, 300, 3000}
	var blocks, hits int
	for i := 0; i+block <= len(x); i += block {
		b := x[i : i+block]
		blocks++
		p := goertzel(b, freq)
		if p < 1e9 {
			continue // silence
		}
		ok := true
		for _, o := range others {
			if o != freq && goertzel(b, o)*20 > p {
				ok = false
			}
		}
		if ok {
			hits++
		}
	}
	if blocks == 0 {
		return 0
	}
	return float64(hits) / float64(blocks)
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestGoertzelFindsTone(t *testing.T) {
	t.Parallel()
	x := make([]int16, 8000)
	for i := range x {
		x[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	if got := toneShare(x, 1000); got < 0.99 {
		t.Errorf("1 kHz tone: share %.2f at 1 kHz, want ~1", got)
	}
	if got := toneShare(x, 440); got > 0.01 {
		t.Errorf("1 kHz tone: share %.2f at 440 Hz, want ~0", got)
	}
	if got := toneShare(make([]int16, 8000), 1000); got != 0 {
		t.Errorf("silence: share %.2f, want 0", got)
	}
}
