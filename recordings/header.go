package recordings

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// The one format of every recording: 8 kHz, 16-bit little-endian PCM, two interleaved channels.
const (
	sampleRate = 8000
	channels   = 2
	bitDepth   = 16
	frameSize  = channels * bitDepth / 8 // bytes per frame (one sample of each channel)
	pcmFormat  = 1                       // WAVE_FORMAT_PCM

	// headerSize is the length of the canonical header: RIFF, fmt and data chunk headers.
	headerSize = 44
	// riffSizeOffset and dataSizeOffset locate the two size fields of the header.
	riffSizeOffset = 4
	dataSizeOffset = 40

	// maxFrames is the longest recording a WAV file can describe (the RIFF size is 32 bits): about 37 hours.
	maxFrames = (math.MaxUint32 - (headerSize - 8)) / frameSize

	frameDuration = time.Second / sampleRate
)

// emptyHeader is the header of a recording with no frames, as go-audio/wav writes it.
var emptyHeader = sync.OnceValues(func() ([headerSize]byte, error) {
	var h [headerSize]byte
	var buf seekBuffer
	enc := wav.NewEncoder(&buf, sampleRate, bitDepth, channels, pcmFormat)
	format := &audio.Format{NumChannels: channels, SampleRate: sampleRate}
	if err := enc.Write(&audio.IntBuffer{Format: format, SourceBitDepth: bitDepth}); err != nil {
		return h, fmt.Errorf("encode wav header: %w", err)
	}
	if err := enc.Close(); err != nil {
		return h, fmt.Errorf("encode wav header: %w", err)
	}
	if len(buf.b) != headerSize || string(buf.b[36:40]) != "data" {
		return h, fmt.Errorf("encode wav header: got %d bytes, want %d ending in the data chunk", len(buf.b), headerSize)
	}
	copy(h[:], buf.b)
	return h, nil
})

// newHeader returns the header of a recording of frames frames.
func newHeader(frames int64) ([headerSize]byte, error) {
	h, err := emptyHeader()
	if err != nil {
		return h, err
	}
	putSizes(h[:], frames)
	return h, nil
}

// putSizes writes the RIFF and data sizes of a recording of frames frames into header h.
func putSizes(h []byte, frames int64) {
	data := uint32(frames * frameSize)
	binary.LittleEndian.PutUint32(h[riffSizeOffset:], data+headerSize-8)
	binary.LittleEndian.PutUint32(h[dataSizeOffset:], data)
}

// patchSizes rewrites the two size fields of the header of f for a recording of frames frames.
func patchSizes(f io.WriterAt, frames int64) error {
	var h [headerSize]byte
	putSizes(h[:], frames)
	if _, err := f.WriteAt(h[riffSizeOffset:riffSizeOffset+4], riffSizeOffset); err != nil {
		return fmt.Errorf("patch riff size: %w", err)
	}
	if _, err := f.WriteAt(h[dataSizeOffset:dataSizeOffset+4], dataSizeOffset); err != nil {
		return fmt.Errorf("patch data size: %w", err)
	}
	return nil
}

// checkHeader reports whether h (at least headerSize bytes) is the header this package writes, whatever
// its two size fields say.
func checkHeader(h []byte) error {
	want, err := emptyHeader()
	if err != nil {
		return err
	}
	if len(h) < headerSize {
		return fmt.Errorf("%w: header is %d bytes, want %d", ErrNotRecording, len(h), headerSize)
	}
	for i := range headerSize {
		if i >= riffSizeOffset && i < riffSizeOffset+4 || i >= dataSizeOffset {
			continue
		}
		if h[i] != want[i] {
			return fmt.Errorf("%w: header byte %d is %#02x, want %#02x", ErrNotRecording, i, h[i], want[i])
		}
	}
	return nil
}

// seekBuffer is an in-memory io.WriteSeeker for the encoder of go-audio/wav.
type seekBuffer struct {
	b   []byte
	off int
}

var errNegativeOffset = errors.New("negative offset")

func (s *seekBuffer) Write(p []byte) (int, error) {
	if end := s.off + len(p); end > len(s.b) {
		s.b = append(s.b, make([]byte, end-len(s.b))...)
	}
	copy(s.b[s.off:], p)
	s.off += len(p)
	return len(p), nil
}

func (s *seekBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += int64(s.off)
	case io.SeekEnd:
		offset += int64(len(s.b))
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek to %d: %w", offset, errNegativeOffset)
	}
	s.off = int(offset)
	return offset, nil
}
