package recordings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Writer owns the disk side of all the recordings of this process: the storage, the disk workers and the
// free list of blocks. Start it before the first call and Stop it after the last; Stop waits for every
// queued block. Safe for concurrent use.
type Writer struct {
	cfg        Config
	log        *slog.Logger
	hold       int64 // Config.Hold in frames
	syncEvery  int64 // Config.SyncEvery in frames
	ringFrames int64
	blocks     blockPool
	next       atomic.Uint64 // round-robin choice of worker

	mu      sync.Mutex
	state   writerState
	store   Storage   // set before Start in tests, else the LocalDir
	local   *LocalDir // nil when store is not local
	workers []*worker
	closed  sync.Once
}

type writerState uint8

const (
	writerNew writerState = iota
	writerStarted
	writerStopped
)

// NewWriter checks cfg, naming the first bad field, and returns a Writer to Start.
func NewWriter(cfg Config) (*Writer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hold := durationFrames(cfg.Hold)
	return &Writer{
		cfg:       cfg,
		log:       cfg.Log,
		hold:      hold,
		syncEvery: max(durationFrames(cfg.SyncEvery), 1),
		// Samples may land up to the hold behind the position of the last Advance and as far ahead,
		// plus two packets of 20 ms for the pacer's step.
		ringFrames: 2*hold + 2*160,
	}, nil
}

// durationFrames converts d to frames at 8 kHz, rounding down.
func durationFrames(d time.Duration) int64 {
	return int64(d / frameDuration)
}

// Start opens the recordings folder (creating it) and starts the disk workers. The context is not kept:
// only Stop ends the workers, so that no queued block is lost.
func (w *Writer) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case writerStarted:
		return errors.New("recordings writer already started")
	case writerStopped:
		return ErrStopped
	}
	if w.store == nil {
		local, err := OpenLocalDir(w.cfg.Dir)
		if err != nil {
			return err
		}
		w.store, w.local = local, local
	}
	w.workers = make([]*worker, w.cfg.Workers)
	for i := range w.workers {
		w.workers[i] = newWorker(w.store, &w.blocks, w.log)
		go w.workers[i].run()
	}
	w.state = writerStarted
	return nil
}

// Stop refuses new recordings and waits until the workers have written every queued block and finished
// every closed recording. Recordings still open stay as .wav.part files for Repair. If ctx ends first,
// Stop returns its error and the workers finish in the background; Stop may be called again.
func (w *Writer) Stop(ctx context.Context) error {
	w.mu.Lock()
	w.state = writerStopped
	workers := w.workers
	w.mu.Unlock()
	for _, q := range workers {
		q.stop()
	}
	for _, q := range workers {
		select {
		case <-q.done:
		case <-ctx.Done():
			return fmt.Errorf("stop recordings writer: %w", ctx.Err())
		}
	}
	var err error
	w.closed.Do(func() {
		if w.local != nil {
			err = w.local.Close()
		}
	})
	return err
}

// Create starts the recording of call id, which arrived at arrived: it creates
// <Dir>/YYYY/MM/DD/<id>.wav.part (dated in Asia/Ho_Chi_Minh, folders created), writes the WAV header
// (8000 Hz, 16 bit, 2 channels, PCM) and returns the call's Recorder. id is the call's UUID in lower case.
func (w *Writer) Create(id string, arrived time.Time) (*Recorder, error) {
	rel, err := relPath(id, arrived)
	if err != nil {
		return nil, err
	}
	hdr, err := newHeader(0)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	state, store, workers := w.state, w.store, w.workers
	w.mu.Unlock()
	switch state {
	case writerNew:
		return nil, ErrNotStarted
	case writerStopped:
		return nil, ErrStopped
	}
	part := rel + partExt
	file, err := store.Create(part)
	if err != nil {
		return nil, fmt.Errorf("create recording %s: %w", id, err)
	}
	if _, err := file.WriteAt(hdr[:], 0); err != nil {
		file.Close()
		if rerr := store.Remove(part); rerr != nil {
			w.log.Error("recording file not removed", "call_id", id, "err", rerr)
		}
		return nil, fmt.Errorf("create recording %s: write header: %w", id, err)
	}
	return &Recorder{
		q:          workers[w.next.Add(1)%uint64(len(workers))],
		blocks:     &w.blocks,
		disk:       &diskFile{id: id, rel: rel, part: part, file: file, size: headerSize, done: make(chan struct{})},
		hold:       w.hold,
		syncEvery:  w.syncEvery,
		ring:       make([]byte, w.ringFrames*frameSize),
		ringFrames: w.ringFrames,
		nextSync:   w.syncEvery,
	}, nil
}

// Open opens a finished recording by its path relative to Dir (Result.Path), refusing paths that leave
// Dir, through ".." or symbolic links, and anything that is not a .wav file.
func (w *Writer) Open(rel string) (*os.File, error) {
	w.mu.Lock()
	state, local := w.state, w.local
	w.mu.Unlock()
	switch {
	case state == writerNew:
		return nil, ErrNotStarted
	case state == writerStopped:
		return nil, ErrStopped
	case local == nil:
		return nil, errors.New("open recording: the recordings are not in a local folder")
	}
	return local.Open(rel)
}

// Remove deletes a finished recording by its path relative to Dir (retention); a file already gone is
// not an error.
func (w *Writer) Remove(rel string) error {
	if !fs.ValidPath(rel) || !strings.HasSuffix(rel, wavExt) || strings.Contains(rel, `\`) {
		return fmt.Errorf("remove %q: %w", rel, ErrBadPath)
	}
	w.mu.Lock()
	store := w.store
	w.mu.Unlock()
	if err := store.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
