package media

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/go-audio/wav"
)

// Codec is a G.711 law.
type Codec uint8

// The two G.711 laws.
const (
	PCMU Codec = iota // µ-law, static payload type 0
	PCMA              // A-law, static payload type 8
)

func (c Codec) String() string {
	if c == PCMA {
		return "PCMA"
	}
	return "PCMU"
}

// Frame sizes at 8 kHz and 20 ms.
const (
	SampleRate    = 8000
	FrameSamples  = 160
	FrameDuration = 20_000_000 // ns
)

// Clip is a sound the hotline plays (a prompt, hold audio): 8 kHz mono, padded with silence to whole 20 ms
// frames, kept as PCM for the recording and pre-encoded in both G.711 laws so that sending costs a copy.
// A Clip is read-only after NewClip and shared by every call.
type Clip struct {
	Name string
	PCM  []int16
	alaw []byte
	ulaw []byte
}

// NewClip pads pcm to whole frames and encodes it.
func NewClip(name string, pcm []int16) *Clip {
	n := (len(pcm) + FrameSamples - 1) / FrameSamples * FrameSamples
	if n == 0 {
		n = FrameSamples
	}
	padded := make([]int16, n)
	copy(padded, pcm)
	c := &Clip{Name: name, PCM: padded, alaw: make([]byte, n), ulaw: make([]byte, n)}
	EncodeALaw(c.alaw, padded)
	EncodeULaw(c.ulaw, padded)
	return c
}

// Frames is the clip's length in 20 ms frames.
func (c *Clip) Frames() int { return len(c.PCM) / FrameSamples }

// frame returns frame i as PCM and as the codec's payload.
func (c *Clip) frame(i int, codec Codec) ([]int16, []byte) {
	lo, hi := i*FrameSamples, (i+1)*FrameSamples
	if codec == PCMA {
		return c.PCM[lo:hi], c.alaw[lo:hi]
	}
	return c.PCM[lo:hi], c.ulaw[lo:hi]
}

var errClipFormat = errors.New("a clip must be a WAV file of 8000 Hz, 16-bit, mono PCM")

// LoadWAV reads a clip from a WAV file's bytes.
func LoadWAV(name string, data []byte) (*Clip, error) {
	d := wav.NewDecoder(bytes.NewReader(data))
	if !d.IsValidFile() {
		return nil, fmt.Errorf("clip %s: %w", name, errClipFormat)
	}
	if d.SampleRate != SampleRate || d.BitDepth != 16 || d.NumChans != 1 || d.WavAudioFormat != 1 {
		return nil, fmt.Errorf("clip %s is %d Hz, %d-bit, %d channels: %w", name, d.SampleRate, d.BitDepth,
			d.NumChans, errClipFormat)
	}
	buf, err := d.FullPCMBuffer()
	if err != nil {
		return nil, fmt.Errorf("clip %s: %w", name, err)
	}
	pcm := make([]int16, len(buf.Data))
	for i, v := range buf.Data {
		pcm[i] = int16(v)
	}
	return NewClip(name, pcm), nil
}
