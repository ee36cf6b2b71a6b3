package recordings

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRepair repairs the .part files of testdata/, each alone in a recordings folder.
func TestRepair(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		frames  int64 // frames after repair
		wantErr error // the file is not repaired
	}{
		{fixture: "short.wav.part", frames: 0},
		{fixture: "header-only.wav.part", frames: 0},
		{fixture: "placeholder.wav.part", frames: 8000},
		{fixture: "lying-long.wav.part", frames: 1000},
		{fixture: "odd-tail.wav.part", frames: 1000},
		{fixture: "zero-header.wav.part", frames: 100},
		{fixture: "foreign.wav.part", wantErr: ErrNotRecording},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			orig, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			rel := filepath.Join("2026", "11", "29", callID+".wav")
			if err := os.MkdirAll(filepath.Join(dir, "2026", "11", "29"), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, rel+partExt), orig, 0o640); err != nil {
				t.Fatal(err)
			}

			results, err := Repair(context.Background(), dir, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || len(results) != 0 {
					t.Fatalf("Repair = %+v, %v; want %v", results, err, tt.wantErr)
				}
				left, rerr := os.ReadFile(filepath.Join(dir, rel+partExt))
				if rerr != nil || !bytes.Equal(left, orig) {
					t.Errorf("the file was changed or moved: %v", rerr)
				}
				return
			}
			if err != nil || len(results) != 1 {
				t.Fatalf("Repair = %+v, %v; want one result", results, err)
			}
			res := results[0]
			want := Result{
				ID:       callID,
				Path:     filepath.ToSlash(rel),
				Frames:   tt.frames,
				Duration: framesDuration(tt.frames),
				Bytes:    headerSize + tt.frames*frameSize,
				SHA256:   res.SHA256,
			}
			if res != want {
				t.Fatalf("Repair = %+v\nwant     %+v", res, want)
			}
			if _, err := os.Stat(filepath.Join(dir, rel+partExt)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf(".part file still there: %v", err)
			}
			path := filepath.Join(dir, rel)
			checkHash(t, path, res)
			got := readRecording(t, path)
			// The frames are kept as they were.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.frames > 0 && !bytes.Equal(data[headerSize:], orig[headerSize:headerSize+tt.frames*frameSize]) {
				t.Error("the PCM was changed")
			}
			if int64(len(got.left)) != tt.frames {
				t.Errorf("decoded %d frames, want %d", len(got.left), tt.frames)
			}
		})
	}
}

func TestRepairFolders(t *testing.T) {
	t.Parallel()
	t.Run("missing folder", func(t *testing.T) {
		t.Parallel()
		results, err := Repair(context.Background(), filepath.Join(t.TempDir(), "none"), nil)
		if err != nil || results != nil {
			t.Errorf("Repair = %v, %v; want nothing", results, err)
		}
	})
	t.Run("several, one bad", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		files := map[string]string{
			"2026/11/29/" + testID(1) + ".wav.part": "placeholder.wav.part",
			"2026/11/30/" + testID(2) + ".wav.part": "short.wav.part",
			"2026/12/01/" + testID(3) + ".wav.part": "foreign.wav.part",
			"2026/12/01/" + testID(4) + ".wav":      "placeholder.wav.part", // finished: not touched
			"2026/12/01/notes.part":                 "short.wav.part",       // not a recording: not touched
		}
		for name, fixture := range files {
			data, err := os.ReadFile(filepath.Join("testdata", fixture))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		results, err := Repair(context.Background(), dir, nil)
		if !errors.Is(err, ErrNotRecording) {
			t.Errorf("Repair error = %v, want ErrNotRecording for the foreign file", err)
		}
		got := map[string]int64{}
		for _, r := range results {
			got[r.Path] = r.Frames
		}
		want := map[string]int64{"2026/11/29/" + testID(1) + ".wav": 8000, "2026/11/30/" + testID(2) + ".wav": 0}
		if len(got) != len(want) {
			t.Fatalf("repaired %v, want %v", got, want)
		}
		for p, f := range want {
			if got[p] != f {
				t.Errorf("repaired %v, want %v", got, want)
			}
		}
		for _, name := range []string{"2026/12/01/" + testID(4) + ".wav", "2026/12/01/notes.part"} {
			data, _ := os.ReadFile(filepath.Join(dir, name))
			fixture, _ := os.ReadFile(filepath.Join("testdata", files[name]))
			if !bytes.Equal(data, fixture) {
				t.Errorf("%s was changed", name)
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, callID+".wav.part"), nil, 0o640); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Repair(ctx, dir, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("Repair with a cancelled context = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(filepath.Join(dir, callID+".wav.part")); err != nil {
			t.Errorf("the .part file was touched: %v", err)
		}
	})
}

// TestCrashRepair records 3 s, waits until a header patch has covered at least 2.5 s, copies the live
// .part file aside as a kill -9 would leave it, and repairs the copy.
func TestCrashRepair(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{SyncEvery: 100 * time.Millisecond})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, packet)
	const end = 3 * sampleRate
	for pos := int64(0); pos < end; pos += packet {
		rec.Write(Left, pos, fillTone(buf, callerHz, pos))
		rec.Write(Right, pos, fillTone(buf, heardHz, pos))
		rec.Advance(pos + packet)
	}
	rel := filepath.Join("2026", "11", "29", callID+".wav")
	part := filepath.Join(w.cfg.Dir, rel+partExt)
	const minFrames = 2.5 * sampleRate
	waitFor(t, "a header patch covering 2.5 s", func() bool {
		f, err := os.Open(part)
		if err != nil {
			return false
		}
		defer f.Close()
		var h [headerSize]byte
		if _, err := f.ReadAt(h[:], 0); err != nil {
			return false
		}
		return binary.LittleEndian.Uint32(h[dataSizeOffset:]) >= minFrames*frameSize
	})
	// The copy is taken while the recorder is live, as a crash would find the file.
	data, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	if err := os.MkdirAll(filepath.Join(crashed, "2026", "11", "29"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(crashed, rel+partExt), data, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Close(closeCtx(t), end); err != nil {
		t.Fatal(err)
	}

	results, err := Repair(context.Background(), crashed, nil)
	if err != nil || len(results) != 1 {
		t.Fatalf("Repair = %+v, %v; want one result", results, err)
	}
	res := results[0]
	if res.Frames < minFrames || res.Duration < 2500*time.Millisecond || res.Path != filepath.ToSlash(rel) {
		t.Fatalf("repaired %+v, want at least 2.5 s at %s", res, rel)
	}
	path := filepath.Join(crashed, rel)
	checkHash(t, path, res)
	got := readRecording(t, path)
	for p := range res.Frames {
		if got.left[p] != toneAt(callerHz, p) || got.right[p] != toneAt(heardHz, p) {
			t.Fatalf("frame %d = (%d, %d), want the tones", p, got.left[p], got.right[p])
		}
	}
}
