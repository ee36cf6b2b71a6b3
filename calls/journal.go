package calls

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
)

// Journal writes call records in the background. Put never blocks on the database; what PostgreSQL has
// not taken yet stays in memory, is retried with backoff, and is written at Stop.
type Journal struct {
	store *Store
	log   *slog.Logger

	mu      sync.Mutex
	calls   map[uuid.UUID]*Call
	recs    map[uuid.UUID]*Recording
	flushed chan struct{} // closed and replaced after every write attempt

	kick    chan struct{}
	down    atomic.Bool
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// maxBatch bounds one transaction.
const maxBatch = 500

// NewJournal returns a journal writing to store.
func NewJournal(store *Store, log *slog.Logger) *Journal {
	return &Journal{
		store:   store,
		log:     log,
		calls:   map[uuid.UUID]*Call{},
		recs:    map[uuid.UUID]*Recording{},
		flushed: make(chan struct{}),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
}

// Put records the call's current state: it bumps c.Version and queues a copy.
func (j *Journal) Put(c *Call) {
	c.Version++
	cp := *c
	if c.Segments != nil {
		cp.Segments = slices.Clone(c.Segments) // the flow goes on changing its own
	}
	j.mu.Lock()
	if old, ok := j.calls[c.ID]; !ok || old.Version < cp.Version {
		j.calls[c.ID] = &cp
	}
	j.mu.Unlock()
	j.poke()
}

// PutRecording queues a finished recording's row; it is written after (or with) its call's row.
func (j *Journal) PutRecording(r Recording) {
	j.mu.Lock()
	j.recs[r.ID] = &r
	j.mu.Unlock()
	j.poke()
}

func (j *Journal) poke() {
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// Down tells whether the last write failed (the database is unreachable or refuses the rows).
func (j *Journal) Down() bool { return j.down.Load() }

// Pending counts the rows waiting to be written.
func (j *Journal) Pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.calls) + len(j.recs)
}

// Start runs the writer until Stop.
func (j *Journal) Start(ctx context.Context) {
	go j.run(context.WithoutCancel(ctx))
}

// Stop writes what is pending (giving up when ctx ends) and stops the writer. Safe twice.
func (j *Journal) Stop(ctx context.Context) error {
	j.once.Do(func() { close(j.stop) })
	select {
	case <-j.stopped:
	case <-ctx.Done():
		return ctx.Err()
	}
	for j.Pending() > 0 {
		if err := j.writeOnce(ctx); err != nil {
			if ctx.Err() != nil {
				j.log.Error("call records not written before stop", "pending", j.Pending(), "error", err)
				return err
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// Sync waits until everything put before the call has been written (or ctx ends).
func (j *Journal) Sync(ctx context.Context) error {
	for {
		j.mu.Lock()
		n := len(j.calls) + len(j.recs)
		ch := j.flushed
		j.mu.Unlock()
		if n == 0 {
			return nil
		}
		j.poke()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (j *Journal) run(ctx context.Context) {
	defer close(j.stopped)
	backoff := time.Duration(0)
	for {
		var retry <-chan time.Time
		if backoff > 0 {
			retry = time.After(backoff)
		}
		select {
		case <-j.stop:
			return
		case <-j.kick:
			if backoff > 0 {
				continue // wait for the retry timer while the database is down
			}
		case <-retry:
		}
		err := j.writeOnce(ctx)
		switch {
		case err == nil:
			backoff = 0
		case backoff == 0:
			backoff = 500 * time.Millisecond
		default:
			backoff = min(2*backoff, 10*time.Second)
		}
	}
}

// writeOnce takes up to maxBatch pending rows and writes them in one transaction; on failure they go back.
func (j *Journal) writeOnce(ctx context.Context) error {
	j.mu.Lock()
	var cs []*Call
	var rs []*Recording
	for id, c := range j.calls {
		if len(cs) == maxBatch {
			break
		}
		cs = append(cs, c)
		delete(j.calls, id)
	}
	for id, r := range j.recs {
		if len(cs)+len(rs) >= maxBatch {
			break
		}
		if _, waiting := j.calls[r.CallID]; waiting {
			continue // its call row goes first, in a later batch
		}
		rs = append(rs, r)
		delete(j.recs, id)
	}
	j.mu.Unlock()
	if len(cs) == 0 && len(rs) == 0 {
		j.signal()
		return nil
	}

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := j.store.Write(wctx, cs, rs)
	if isRowError(err) {
		// One bad row must not hold the others back forever: write them one by one and drop the bad ones.
		cs, rs = j.writeEach(wctx, cs, rs)
		err = nil
		if len(cs)+len(rs) > 0 {
			err = errors.New("some call records were not written")
		}
	}
	cancel()

	j.mu.Lock()
	if err != nil {
		for _, c := range cs {
			if cur, ok := j.calls[c.ID]; !ok || cur.Version < c.Version {
				j.calls[c.ID] = c
			}
		}
		for _, r := range rs {
			if _, ok := j.recs[r.ID]; !ok {
				j.recs[r.ID] = r
			}
		}
	}
	pending := len(j.calls) + len(j.recs)
	j.mu.Unlock()
	j.signal()

	if err != nil {
		if !j.down.Swap(true) {
			j.log.Error("cannot write call records; keeping them and retrying until the database answers",
				"pending", pending, "error", err)
		}
		return err
	}
	if j.down.Swap(false) {
		j.log.Info("call records are being written again", "pending", pending)
	}
	if pending > 0 {
		j.poke()
	}
	return nil
}

// writeEach writes rows one at a time and returns the ones that failed for a reason other than the row
// itself (those are retried); rows the database refuses are logged and dropped.
func (j *Journal) writeEach(ctx context.Context, cs []*Call, rs []*Recording) ([]*Call, []*Recording) {
	var keepC []*Call
	var keepR []*Recording
	for _, c := range cs {
		err := j.store.Write(ctx, []*Call{c}, nil)
		switch {
		case isRowError(err):
			j.log.Error("call record refused by the database and dropped", "call_id", c.ID, "error", err)
		case err != nil:
			keepC = append(keepC, c)
		}
	}
	for _, r := range rs {
		err := j.store.Write(ctx, nil, []*Recording{r})
		switch {
		case isRowError(err):
			j.log.Error("recording record refused by the database and dropped", "call_id", r.CallID,
				"path", r.Path, "error", err)
		case err != nil:
			keepR = append(keepR, r)
		}
	}
	return keepC, keepR
}

// isRowError tells whether PostgreSQL refused the data (a constraint or a bad value), as opposed to being
// unreachable: SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
func isRowError(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")
}

func (j *Journal) signal() {
	j.mu.Lock()
	close(j.flushed)
	j.flushed = make(chan struct{})
	j.mu.Unlock()
}
