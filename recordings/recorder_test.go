package recordings

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const callID = "5f0c3a52-1b7e-4d0a-9c43-2e8f6b1d7a90"

// TestRecorderCall records a 10 s call the way the media layer does: the caller's packets (1 kHz) at
// RTP-derived positions, some lost, some late or reordered within the hold, one too late; the pacer's
// 440 Hz every 20 ms followed by Advance.
func TestRecorderCall(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}

	const (
		steps  = 500            // 10 s of 20 ms
		offset = 37             // the caller's stream does not start on a pacer step
		end    = steps * packet // frames in the call
	)
	lost := map[int]bool{7: true, 8: true, 100: true, 250: true, 251: true, 252: true, 420: true}
	// Steps a packet arrives late; the default hold of 200 ms spans 10 steps.
	delay := map[int]int{
		30: 1, // 30 and 31 swap places
		31: -1,
		60: 3,  // 60 ms late
		61: 9,  // 180 ms late, still inside the hold
		62: 10, // at the very edge of the hold
		90: 15, // 300 ms late: too late, dropped
	}
	deliver := make(map[int][]int) // step → caller packets delivered at that step
	for k := range steps {
		if !lost[k] {
			deliver[k+delay[k]] = append(deliver[k+delay[k]], k)
		}
	}

	buf := make([]int16, packet)
	for s := range steps + 20 {
		for _, k := range deliver[s] {
			pos := int64(offset + k*packet)
			rec.Write(Left, pos, fillTone(buf, callerHz, pos))
		}
		if s < steps {
			pos := int64(s * packet)
			rec.Write(Right, pos, fillTone(buf, heardHz, pos))
			rec.Advance(pos + packet)
		}
	}
	res, err := rec.Close(closeCtx(t), end)
	if err != nil {
		t.Fatal(err)
	}

	want := Result{
		ID:       callID,
		Path:     "2026/11/29/" + callID + ".wav",
		Frames:   end,
		Duration: 10 * time.Second,
		Bytes:    headerSize + end*frameSize,
		SHA256:   res.SHA256,
		Dropped:  packet, // packet 90
	}
	if res != want {
		t.Fatalf("Close = %+v\nwant    %+v", res, want)
	}
	path := filepath.Join(w.cfg.Dir, filepath.FromSlash(res.Path))
	if _, err := os.Stat(path + partExt); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".part file still there: %v", err)
	}
	checkHash(t, path, res)
	got := readRecording(t, path)

	silent := func(k int) bool { return lost[k] || delay[k] > 10 }
	for p := range int64(end) {
		wantL := toneAt(callerHz, p)
		if k := int((p - offset) / packet); p < offset || silent(k) {
			wantL = 0
		}
		if got.left[p] != wantL {
			t.Fatalf("left[%d] = %d, want %d", p, got.left[p], wantL)
		}
		if wantR := toneAt(heardHz, p); got.right[p] != wantR {
			t.Fatalf("right[%d] = %d, want %d", p, got.right[p], wantR)
		}
	}
	// Each 100 ms window carries its channel's tone and not the other one.
	const window = 800
	for start := 0; start+window <= end; start += window {
		l, r := got.left[start:start+window], got.right[start:start+window]
		if a, b := goertzel(l, callerHz), goertzel(l, heardHz); a < 100*b {
			t.Errorf("left at %d: 1 kHz power %.3g, 440 Hz %.3g", start, a, b)
		}
		if a, b := goertzel(r, heardHz), goertzel(r, callerHz); a < 100*b {
			t.Errorf("right at %d: 440 Hz power %.3g, 1 kHz %.3g", start, a, b)
		}
	}
}

// TestRecorderLength checks that Close pads with silence or cuts to exactly the frames asked for.
func TestRecorderLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		written int64 // frames of both channels written, Advance every packet
		advance int64 // last position given to Advance
		end     int64 // Close's end
		want    int64 // frames in the file
	}{
		{name: "exact", written: 16000, advance: 16000, end: 16000, want: 16000},
		{name: "pad after last advance", written: 8000, advance: 8000, end: 24000, want: 24000},
		{name: "cut inside the hold", written: 8000, advance: 8000, end: 7000, want: 7000},
		{name: "cut behind blocks already on disk", written: 40000, advance: 40000, end: 4000, want: 4000},
		{name: "never advanced", written: 1600, advance: 0, end: 1600, want: 1600},
		{name: "no audio at all", end: 8000, want: 8000},
		{name: "empty", end: 0, want: 0},
		{name: "negative end", written: 800, advance: 800, end: -5, want: 0},
	}
	w := setup(t, Config{SyncEvery: time.Second})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := w.Create(testID(i), arrivedAt)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]int16, packet)
			for pos := int64(0); pos < tt.written; pos += packet {
				rec.Write(Left, pos, fillTone(buf, callerHz, pos))
				rec.Write(Right, pos, fillTone(buf, heardHz, pos))
				if pos+packet <= tt.advance {
					rec.Advance(pos + packet)
				}
			}
			res, err := rec.Close(closeCtx(t), tt.end)
			if err != nil {
				t.Fatal(err)
			}
			if res.Frames != tt.want || res.Duration != framesDuration(tt.want) || res.Bytes != headerSize+tt.want*frameSize {
				t.Fatalf("Close = %+v, want %d frames", res, tt.want)
			}
			path := filepath.Join(w.cfg.Dir, filepath.FromSlash(res.Path))
			checkHash(t, path, res)
			got := readRecording(t, path)
			for p := range tt.want {
				wantL, wantR := toneAt(callerHz, p), toneAt(heardHz, p)
				if p >= tt.written {
					wantL, wantR = 0, 0
				}
				if got.left[p] != wantL || got.right[p] != wantR {
					t.Fatalf("frame %d = (%d, %d), want (%d, %d)", p, got.left[p], got.right[p], wantL, wantR)
				}
			}
		})
	}
}

// testID returns a distinct call id for the i-th case of a test.
func testID(i int) string {
	const base = "00000000-0000-4000-8000-000000000000"
	id := []byte(base)
	for j, k := len(id)-1, i; k > 0; j, k = j-1, k/16 {
		id[j] = "0123456789abcdef"[k%16]
	}
	return string(id)
}

// TestRecorderDropped checks what Write refuses and how it is counted.
func TestRecorderDropped(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{})
	ring := w.ringFrames
	tests := []struct {
		name  string
		write func(r *Recorder) // after Advance(8000): positions before 6400 are final
		want  int64
	}{
		{name: "in the hold", write: func(r *Recorder) { r.Write(Left, 6400, make([]int16, 160)) }, want: 0},
		{name: "too late", write: func(r *Recorder) { r.Write(Left, 6000, make([]int16, 160)) }, want: 160},
		{name: "partly too late", write: func(r *Recorder) { r.Write(Right, 6300, make([]int16, 160)) }, want: 100},
		{name: "before answer", write: func(r *Recorder) { r.Write(Left, -160, make([]int16, 160)) }, want: 160},
		{name: "at the ring's end", write: func(r *Recorder) { r.Write(Left, 6400+ring-160, make([]int16, 160)) }, want: 0},
		{name: "partly too far ahead", write: func(r *Recorder) { r.Write(Left, 6400+ring-60, make([]int16, 160)) }, want: 100},
		{name: "too far ahead", write: func(r *Recorder) { r.Write(Left, 6400+ring, make([]int16, 160)) }, want: 160},
		{name: "far future", write: func(r *Recorder) { r.Write(Left, 1<<62, make([]int16, 160)) }, want: 160},
		{name: "far past", write: func(r *Recorder) { r.Write(Left, -1<<62, make([]int16, 160)) }, want: 160},
		{name: "unknown channel", write: func(r *Recorder) { r.Write(Channel(2), 7000, make([]int16, 160)) }, want: 160},
		{name: "empty", write: func(r *Recorder) { r.Write(Left, 0, nil) }, want: 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, err := w.Create(testID(100+i), arrivedAt)
			if err != nil {
				t.Fatal(err)
			}
			rec.Advance(8000)
			tt.write(rec)
			res, err := rec.Close(closeCtx(t), 8000)
			if err != nil {
				t.Fatal(err)
			}
			if res.Dropped != tt.want {
				t.Errorf("Dropped = %d, want %d", res.Dropped, tt.want)
			}
		})
	}
}

// TestRecorderCloseTwice checks that Close is idempotent and that writes after it are ignored.
func TestRecorderCloseTwice(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	rec.Write(Left, 0, make([]int16, 160))
	first, err := rec.Close(closeCtx(t), 800)
	if err != nil {
		t.Fatal(err)
	}
	rec.Write(Left, 800, make([]int16, 160))
	rec.Advance(1 << 20)
	rec.Abort()
	second, err := rec.Close(closeCtx(t), 1600)
	if err != nil || second != first {
		t.Fatalf("second Close = %+v, %v; want %+v", second, err, first)
	}
	if _, err := os.Stat(filepath.Join(w.cfg.Dir, filepath.FromSlash(first.Path))); err != nil {
		t.Errorf("Abort after Close touched the recording: %v", err)
	}
}

// TestRecorderCloseContext checks that a Close whose context ends still lets the recording finish, and a
// later Close returns it.
func TestRecorderCloseContext(t *testing.T) {
	t.Parallel()
	w := setup(t, Config{})
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := rec.Close(ctx, 8000); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a cancelled context = %v, want context.Canceled", err)
	}
	res, err := rec.Close(closeCtx(t), 0)
	if err != nil || res.Frames != 8000 {
		t.Fatalf("second Close = %+v, %v; want the first's 8000 frames", res, err)
	}
}

// TestRecorderAbort checks that an aborted recording leaves no file.
func TestRecorderAbort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w, err := NewWriter(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec, err := w.Create(callID, arrivedAt)
	if err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(dir, "2026", "11", "29", callID+".wav.part")
	if _, err := os.Stat(part); err != nil {
		t.Fatalf("Create made no .part file: %v", err)
	}
	rec.Write(Left, 0, make([]int16, 160))
	rec.Advance(1 << 16)
	rec.Abort()
	rec.Abort()
	if _, err := rec.Close(closeCtx(t), 800); !errors.Is(err, ErrAborted) {
		t.Errorf("Close after Abort = %v, want ErrAborted", err)
	}
	if err := w.Stop(closeCtx(t)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{part, filepath.Join(dir, "2026", "11", "29", callID+".wav")} {
		if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s after Abort: %v, want it gone", filepath.Base(name), err)
		}
	}
}
