// Package prompts holds the sounds the hotline plays, embedded in the binary (made by generate.sh with
// espeak-ng -v vi and sox): the greeting, hold audio, the position announcement and the number words it
// is composed of, the voicemail prompts and the beep. A folder of WAV files with the same names (8 kHz,
// 16-bit, mono) replaces them, e.g. with a greeting recorded by a person.
//
// Load is called once at start; the Set it returns is read-only and shared by every call.
package prompts

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"hotline/telephony/media"
)

//go:embed sounds/*.wav
var sounds embed.FS

// Set is the sounds of the hotline.
type Set struct {
	Greeting   *media.Clip // played once when a call is answered
	Hold       *media.Clip // looped while the caller waits
	Position   *media.Clip // "Quý khách đang ở vị trí số", followed by a number
	PleaseHold *media.Clip // "Xin quý khách vui lòng giữ máy."
	AllBusy    *media.Clip // every operator busy for too long: leave a message after the beep
	Nobody     *media.Clip // no operator on duty: leave a message after the beep
	Goodbye    *media.Clip
	Beep       *media.Clip
	words      map[string]*media.Clip
}

// Load reads the embedded sounds; a file of the same name in dir (when dir is not "") wins.
func Load(dir string) (*Set, error) {
	s := &Set{words: map[string]*media.Clip{}}
	for name, dst := range map[string]**media.Clip{
		"greeting": &s.Greeting, "hold": &s.Hold, "position": &s.Position, "please-hold": &s.PleaseHold,
		"all-busy": &s.AllBusy, "nobody": &s.Nobody, "goodbye": &s.Goodbye, "beep": &s.Beep,
	} {
		c, err := load(dir, name)
		if err != nil {
			return nil, err
		}
		*dst = c
	}
	for _, w := range numberWords {
		c, err := load(dir, "n-"+w)
		if err != nil {
			return nil, err
		}
		s.words[w] = c
	}
	return s, nil
}

func load(dir, name string) (*media.Clip, error) {
	file := name + ".wav"
	var data []byte
	var err error
	if dir != "" {
		data, err = os.ReadFile(filepath.Join(dir, file))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("prompt %s: %w", file, err)
		}
	}
	if data == nil {
		if data, err = sounds.ReadFile("sounds/" + file); err != nil {
			return nil, fmt.Errorf("prompt %s: %w", file, err)
		}
	}
	return media.LoadWAV(name, data)
}

// Announcement is what a caller waiting at position n hears: "Quý khách đang ở vị trí số n. Xin quý
// khách vui lòng giữ máy."
func (s *Set) Announcement(n int) []*media.Clip {
	out := []*media.Clip{s.Position}
	for _, w := range Words(n) {
		out = append(out, s.words[w])
	}
	return append(out, s.PleaseHold)
}
