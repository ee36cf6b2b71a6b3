package recordings

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sync"
)

// op is what a job asks of the disk worker once its block, if any, is written.
type op uint8

const (
	opWrite op = iota // write the block only
	opSync            // then patch the header and fdatasync
	opClose           // then finish the recording (header, sync, hash, close, rename)
	opAbort           // then close and remove the file
)

// job is one request to a disk worker. The jobs of a recording all go to the same worker, which runs them
// in order.
type job struct {
	f   *diskFile
	blk *block // may be nil
	op  op
}

// diskFile is the disk side of one recording. After Create, only the recording's disk worker touches it,
// through the jobs the recorder queues, until done is closed; then result and resErr are read-only.
type diskFile struct {
	id   string
	rel  string // final name, relative to the recordings folder
	part string // name while being written
	file File

	size int64 // bytes written so far, header included
	err  error // first write or sync error; nothing more is written after it

	// end and dropped are set by the recorder before it queues opClose.
	end     int64
	dropped int64

	result Result
	resErr error
	done   chan struct{}
}

// frames returns the whole frames the file holds.
func (f *diskFile) frames() int64 {
	return max(f.size-headerSize, 0) / frameSize
}

// worker is a goroutine writing blocks of recordings to disk. push never blocks: the queue grows while
// the disk is slower than the calls.
type worker struct {
	store   Storage
	blocks  *blockPool
	log     *slog.Logger
	hashBuf []byte

	mu       sync.Mutex
	jobs     []job
	stopping bool
	wake     chan struct{} // one pending wake-up
	done     chan struct{} // closed when run returns
}

func newWorker(store Storage, blocks *blockPool, log *slog.Logger) *worker {
	return &worker{
		store:   store,
		blocks:  blocks,
		log:     log,
		hashBuf: make([]byte, 64<<10),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
}

// push queues j; it reports false, queueing nothing, once the worker is stopping.
func (w *worker) push(j job) bool {
	w.mu.Lock()
	if w.stopping {
		w.mu.Unlock()
		return false
	}
	w.jobs = append(w.jobs, j)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return true
}

// stop makes the worker refuse new jobs and return once it has run those queued.
func (w *worker) stop() {
	w.mu.Lock()
	w.stopping = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run executes jobs until stop, then drains the queue and returns.
func (w *worker) run() {
	defer close(w.done)
	var batch []job
	for {
		w.mu.Lock()
		batch, w.jobs = w.jobs, batch[:0]
		stopping := w.stopping
		w.mu.Unlock()
		if len(batch) == 0 {
			if stopping {
				return
			}
			<-w.wake
			continue
		}
		for i := range batch {
			w.do(batch[i])
			batch[i] = job{}
		}
	}
}

func (w *worker) do(j job) {
	f := j.f
	if j.blk != nil {
		if j.blk.n > 0 {
			w.write(f, j.blk)
		}
		w.blocks.put(j.blk)
	}
	switch j.op {
	case opSync:
		if f.err == nil {
			f.err = w.sync(f)
			w.logErr(f)
		}
	case opClose:
		w.finish(f)
	case opAbort:
		w.abort(f)
	}
}

func (w *worker) write(f *diskFile, b *block) {
	if f.err != nil {
		return
	}
	if _, err := f.file.WriteAt(b.buf[:b.n], b.off); err != nil {
		f.err = fmt.Errorf("write %s: %w", f.part, err)
		w.logErr(f)
		return
	}
	f.size = max(f.size, b.off+int64(b.n))
}

// sync patches the header to the frames written and makes them durable.
func (w *worker) sync(f *diskFile) error {
	if err := patchSizes(f.file, f.frames()); err != nil {
		return fmt.Errorf("%s: %w", f.part, err)
	}
	if err := f.file.Sync(); err != nil {
		return fmt.Errorf("%s: %w", f.part, err)
	}
	return nil
}

func (w *worker) logErr(f *diskFile) {
	if f.err != nil {
		w.log.Error("recording write failed; the rest of the call is not recorded", "call_id", f.id, "err", f.err)
	}
}

// finish seals the recording at f.end frames, hashes it, closes it and gives it its final name.
func (w *worker) finish(f *diskFile) {
	defer close(f.done)
	want := headerSize + f.end*frameSize
	var sum string
	if f.err == nil {
		sum, f.err = w.seal(f, want)
	}
	if err := f.file.Close(); err != nil && f.err == nil {
		f.err = fmt.Errorf("close %s: %w", f.part, err)
	}
	if f.err == nil {
		f.err = w.store.Rename(f.part, f.rel)
	}
	if f.err != nil {
		f.resErr = fmt.Errorf("finish recording %s: %w", f.id, f.err)
		w.log.Error("recording not finished; its .part file is left for repair", "call_id", f.id, "err", f.err)
		return
	}
	f.result = Result{
		ID:       f.id,
		Path:     f.rel,
		Frames:   f.end,
		Duration: framesDuration(f.end),
		Bytes:    want,
		SHA256:   sum,
		Dropped:  f.dropped,
	}
}

// seal cuts or pads the file to want bytes, writes the final header, syncs and hashes it.
func (w *worker) seal(f *diskFile, want int64) (string, error) {
	if f.size != want {
		if err := f.file.Truncate(want); err != nil {
			return "", fmt.Errorf("truncate %s: %w", f.part, err)
		}
		f.size = want
	}
	if err := w.sync(f); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f.file, 0, want), w.hashBuf); err != nil {
		return "", fmt.Errorf("hash %s: %w", f.part, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// abort closes and removes the file of a recording that is not wanted.
func (w *worker) abort(f *diskFile) {
	defer close(f.done)
	f.resErr = ErrAborted
	err := f.file.Close()
	if rerr := w.store.Remove(f.part); err == nil {
		err = rerr
	}
	if err != nil {
		w.log.Error("aborted recording not removed", "call_id", f.id, "err", err)
	}
}
