package recordings

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRepair feeds arbitrary bytes to Repair as a .part file: it never panics, and either leaves the file
// alone with ErrNotRecording or makes a valid recording of every whole frame after the header.
func FuzzRepair(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "*.wav.part"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range fixtures {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	hdr, err := newHeader(3)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{})
	f.Add(hdr[:])
	f.Add(append(hdr[:], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13))
	f.Add(hdr[:headerSize-1])

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		part := filepath.Join(dir, callID+".wav.part")
		if err := os.WriteFile(part, data, 0o640); err != nil {
			t.Fatal(err)
		}
		results, err := Repair(context.Background(), dir, nil)
		if err != nil {
			if !errors.Is(err, ErrNotRecording) || len(results) != 0 {
				t.Fatalf("Repair = %+v, %v; want a result or ErrNotRecording", results, err)
			}
			left, rerr := os.ReadFile(part)
			if rerr != nil || !bytes.Equal(left, data) {
				t.Fatalf("a refused file was changed: %v", rerr)
			}
			return
		}
		var frames int64
		if len(data) >= headerSize {
			frames = int64(len(data)-headerSize) / frameSize
		}
		if len(results) != 1 || results[0].Frames != frames || results[0].Path != callID+".wav" {
			t.Fatalf("Repair = %+v, want %d frames at %s.wav", results, frames, callID)
		}
		path := filepath.Join(dir, callID+".wav")
		checkHash(t, path, results[0])
		readRecording(t, path)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if frames > 0 && !bytes.Equal(got[headerSize:], data[headerSize:headerSize+frames*frameSize]) {
			t.Fatal("the PCM was changed")
		}
	})
}

// FuzzOpen checks that no path, however odd, opens anything but a recording inside the folder.
func FuzzOpen(f *testing.F) {
	for _, rel := range []string{
		"2026/11/29/" + callID + ".wav", "../secret.wav", "/etc/passwd", "out.wav", "./x.wav", "a//b.wav",
		"2026/../../secret.wav", `..\secret.wav`, "", ".", "x.wav\x00", "2026/11/29/" + callID + ".wav.part",
	} {
		f.Add(rel)
	}
	base := f.TempDir()
	dir := filepath.Join(base, "recordings")
	w := setup(f, Config{Dir: dir})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := rec.Close(closeCtx(f), 8); err != nil {
		f.Fatal(err)
	}
	secret := []byte("not a recording")
	if err := os.WriteFile(filepath.Join(base, "secret.wav"), secret, 0o600); err != nil {
		f.Fatal(err)
	}
	if err := os.Symlink("../secret.wav", filepath.Join(dir, "out.wav")); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, rel string) {
		file, err := w.Open(rel)
		if err != nil {
			return
		}
		defer file.Close()
		var h [headerSize]byte
		if _, err := file.ReadAt(h[:], 0); err != nil {
			t.Fatalf("Open(%q) opened something that is not a recording: %v", rel, err)
		}
		if err := checkHeader(h[:]); err != nil {
			t.Fatalf("Open(%q) opened something that is not a recording: %v", rel, err)
		}
	})
}
