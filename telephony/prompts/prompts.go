// Package prompts holds the sounds the hotline plays: the Vietnamese greeting and the hold audio, embedded
// in the binary (made by generate.sh with espeak-ng -v vi and sox). A folder of WAV files with the same
// names (8 kHz, 16-bit, mono) replaces them, e.g. with a greeting recorded by a person.
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
	Greeting *media.Clip // played once when a call is answered
	Hold     *media.Clip // looped while the caller waits
}

// Load reads the embedded sounds; a file of the same name in dir (when dir is not "") wins.
func Load(dir string) (*Set, error) {
	var s Set
	for name, dst := range map[string]**media.Clip{"greeting": &s.Greeting, "hold": &s.Hold} {
		data, err := read(dir, name+".wav")
		if err != nil {
			return nil, err
		}
		if *dst, err = media.LoadWAV(name, data); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

func read(dir, file string) ([]byte, error) {
	if dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("prompt %s: %w", file, err)
		}
	}
	return sounds.ReadFile("sounds/" + file)
}
