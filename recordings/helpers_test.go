package recordings

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-audio/wav"
)

// Tones of the synthetic calls: the caller at 1 kHz on the left, what they hear at 440 Hz on the right.
const (
	callerHz = 1000
	heardHz  = 440
	amp      = 8000
	packet   = 160 // samples in 20 ms
)

// arrivedAt is 2026-11-29 03:30 in Asia/Ho_Chi_Minh, still the 28th in UTC.
var arrivedAt = time.Date(2026, 11, 28, 20, 30, 0, 0, time.UTC)

// toneAt returns the sample at position pos of a sine of hz.
func toneAt(hz float64, pos int64) int16 {
	return int16(amp * math.Sin(2*math.Pi*hz*float64(pos)/sampleRate))
}

// fillTone fills dst with the tone of hz from position pos.
func fillTone(dst []int16, hz float64, pos int64) []int16 {
	for i := range dst {
		dst[i] = toneAt(hz, pos+int64(i))
	}
	return dst
}

// goertzel returns the power of frequency hz in samples.
func goertzel(samples []int16, hz float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*hz/sampleRate)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}

// setup returns a started Writer on a temporary folder (unless cfg.Dir is set), stopped at the end of the test.
func setup(t testing.TB, cfg Config) *Writer {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	w, err := NewWriter(cfg)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return w
}

// closeCtx is a context for Close with a generous deadline, so that a hang fails the test instead of
// the whole run.
func closeCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// recording is a WAV file read back with go-audio/wav.
type recording struct {
	left, right []int16
	size        int64
}

// readRecording decodes the WAV file at path, failing the test unless it is 8 kHz, 16-bit, stereo PCM
// whose data chunk runs exactly to the end of the file.
func readRecording(t testing.TB, path string) recording {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read recording: %v", err)
	}
	dec := wav.NewDecoder(bytes.NewReader(data))
	dec.ReadInfo()
	if err := dec.Err(); err != nil {
		t.Fatalf("decode %s: %v", filepath.Base(path), err)
	}
	if dec.NumChans != channels || dec.SampleRate != sampleRate || dec.BitDepth != bitDepth || dec.WavAudioFormat != pcmFormat {
		t.Fatalf("format: %d ch, %d Hz, %d bit, format %d; want 2 ch, 8000 Hz, 16 bit, PCM",
			dec.NumChans, dec.SampleRate, dec.BitDepth, dec.WavAudioFormat)
	}
	if err := dec.FwdToPCM(); err != nil {
		t.Fatalf("find PCM: %v", err)
	}
	if want := len(data) - headerSize; dec.PCMSize != want {
		t.Fatalf("data chunk says %d bytes, file holds %d", dec.PCMSize, want)
	}
	buf, err := dec.FullPCMBuffer()
	if err != nil {
		t.Fatalf("read PCM: %v", err)
	}
	rec := recording{size: int64(len(data))}
	for i := 0; i+1 < len(buf.Data); i += channels {
		rec.left = append(rec.left, int16(buf.Data[i]))
		rec.right = append(rec.right, int16(buf.Data[i+1]))
	}
	if want := (len(data) - headerSize) / frameSize; len(rec.left) != want {
		t.Fatalf("decoded %d frames, want %d", len(rec.left), want)
	}
	return rec
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// checkHash fails the test unless res.SHA256 is the SHA-256 of the file at path.
func checkHash(t testing.TB, path string, res Result) {
	t.Helper()
	sum, err := HashFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum != res.SHA256 {
		t.Errorf("SHA256 = %s, HashFile = %s", res.SHA256, sum)
	}
}
