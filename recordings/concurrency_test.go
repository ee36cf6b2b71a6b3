package recordings

import (
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestRecordersConcurrent runs 50 calls at once, each with its RTP reader and pacer on their own
// goroutines, and checks every file sample by sample.
func TestRecordersConcurrent(t *testing.T) {
	t.Parallel()
	const (
		calls = 50
		steps = 100 // 2 s
		end   = steps * packet
	)
	w := setup(t, Config{Workers: 3, SyncEvery: 300 * time.Millisecond})
	results := make([]Result, calls)
	errs := make([]error, calls)
	var wg sync.WaitGroup
	for c := range calls {
		rec, err := w.Create(testID(c), arrivedAt)
		if err != nil {
			t.Fatal(err)
		}
		// The pacer tells the RTP reader which packet is due; the small buffer lets the reader lag a
		// few packets behind, well within the hold, while both write at once.
		due := make(chan int64, 4)
		var reader sync.WaitGroup
		reader.Go(func() {
			buf := make([]int16, packet)
			for pos := range due {
				rec.Write(Left, pos, fillTone(buf, callerHz+float64(c), pos))
			}
		})
		wg.Go(func() {
			buf := make([]int16, packet)
			for s := range int64(steps) {
				pos := s * packet
				due <- pos
				rec.Write(Right, pos, fillTone(buf, heardHz, pos))
				rec.Advance(pos + packet)
			}
			close(due)
			reader.Wait()
			results[c], errs[c] = rec.Close(closeCtx(t), end)
		})
	}
	wg.Wait()
	for c := range calls {
		if errs[c] != nil {
			t.Fatalf("call %d: %v", c, errs[c])
		}
		res := results[c]
		if res.Frames != end || res.Dropped != 0 {
			t.Fatalf("call %d: %+v, want %d frames and none dropped", c, res, end)
		}
		path := filepath.Join(w.cfg.Dir, filepath.FromSlash(res.Path))
		checkHash(t, path, res)
		got := readRecording(t, path)
		for p := range int64(end) {
			if got.left[p] != toneAt(callerHz+float64(c), p) || got.right[p] != toneAt(heardHz, p) {
				t.Fatalf("call %d frame %d = (%d, %d), want its tones", c, p, got.left[p], got.right[p])
			}
		}
	}
}
