package calls_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/calls"
	"hotline/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// setup returns a migrated database's pool.
func setup(t *testing.T) *pgxpool.Pool {
	t.Helper()
	return pgtest.NewMigratedPool(t)
}

func newCall(at time.Time, caller string) *calls.Call {
	return &calls.Call{
		ID: uuid.Must(uuid.NewV7()), NodeID: "n1", SIPCallID: "abc@host", Caller: caller, Called: "1900",
		Transport: "udp", Source: "127.0.0.1:5060", ArrivedAt: at.UTC(),
	}
}

func TestJournalWritesLatestStateAndRecording(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	store := calls.NewStore(pool)
	j := calls.NewJournal(store, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	j.Start(ctx)
	defer j.Stop(ctx)

	c := newCall(time.Now(), "+84912345678")
	c.CallerName = "Trần Thị Bình"
	j.Put(c)
	answered := time.Now().UTC()
	c.AnsweredAt, c.Codec = &answered, "PCMA"
	j.Put(c)
	ended := answered.Add(10 * time.Second)
	c.EndedAt, c.EndReason = &ended, calls.EndCallerHangup
	rec := calls.Recording{ID: uuid.Must(uuid.NewV7()), CallID: c.ID, Path: "2026/11/29/x.wav",
		StartedAt: answered, Duration: 10 * time.Second, Bytes: 160044, SHA256: sha}
	j.PutRecording(rec)
	j.Put(c)
	if err := j.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := store.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.EndReason != calls.EndCallerHangup || got.Codec != "PCMA" || got.CallerName != "Trần Thị Bình" ||
		got.RecordingID == nil || *got.RecordingID != rec.ID || got.Version != 3 {
		t.Errorf("stored %+v", got)
	}
	r, err := store.GetRecording(ctx, rec.ID)
	if err != nil || r.Duration != 10*time.Second || r.SHA256 != sha {
		t.Errorf("recording %+v, %v", r, err)
	}
}

const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// A late write of an older state never replaces a newer one.
func TestOlderVersionDoesNotOverwrite(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	store := calls.NewStore(pool)
	ctx := context.Background()
	c := newCall(time.Now(), "0912345678")
	c.Version = 1
	old := *c
	ended := time.Now().UTC()
	c.EndedAt, c.EndReason, c.Version = &ended, calls.EndCancelled, 2
	if err := store.Write(ctx, []*calls.Call{c}, nil); err != nil {
		t.Fatal(err)
	}
	if err := store.Write(ctx, []*calls.Call{&old}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Get(ctx, c.ID)
	if got.EndReason != calls.EndCancelled || got.Version != 2 {
		t.Errorf("after an older write: reason %q version %d", got.EndReason, got.Version)
	}
}

// While the database refuses connections the journal keeps the rows, and writes them once it is back.
func TestJournalKeepsRowsWhileTheDatabaseIsDown(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	// A pool on a port where nothing listens plays the database that is down.
	downCfg, _ := pgxpool.ParseConfig("postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	down, err := pgxpool.NewWithConfig(ctx, downCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	j := calls.NewJournal(calls.NewStore(down), slog.New(slog.DiscardHandler))
	j.Start(ctx)
	c := newCall(time.Now(), "0912345678")
	j.Put(c)
	waitUntil(t, "the journal to notice the database is down", j.Down)
	if j.Pending() != 1 {
		t.Fatalf("pending %d, want 1", j.Pending())
	}
	stopCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := j.Stop(stopCtx); err == nil {
		t.Fatal("Stop with the database down: no error; want the rows reported as unwritten")
	}

	// The same rows through a journal on the real database: nothing was lost.
	up := calls.NewJournal(calls.NewStore(pool), slog.New(slog.DiscardHandler))
	up.Start(ctx)
	up.Put(c)
	if err := up.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := calls.NewStore(pool).Get(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
}

// A row the database refuses (a bad checksum) is dropped and does not hold back the others.
func TestBadRowIsDroppedAloneAndOthersWritten(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	store := calls.NewStore(pool)
	ctx := context.Background()
	j := calls.NewJournal(store, slog.New(slog.DiscardHandler))
	j.Start(ctx)
	good, bad := newCall(time.Now(), "0911111111"), newCall(time.Now(), "0922222222")
	j.Put(good)
	j.Put(bad)
	j.PutRecording(calls.Recording{ID: uuid.New(), CallID: bad.ID, Path: "p", StartedAt: time.Now(), SHA256: "not hex"})
	if err := j.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*calls.Call{good, bad} {
		if _, err := store.Get(ctx, c.ID); err != nil {
			t.Errorf("call %s: %v", c.Caller, err)
		}
	}
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	store := calls.NewStore(pool)
	ctx := context.Background()
	base := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	var all []*calls.Call
	for i := 0; i < 7; i++ {
		c := newCall(base.Add(time.Duration(i)*time.Minute), []string{"0912345678", "+84987654321"}[i%2])
		c.Version = 1
		all = append(all, c)
	}
	if err := store.Write(ctx, all, nil); err != nil {
		t.Fatal(err)
	}
	var seen []uuid.UUID
	cursor := ""
	for page := 0; ; page++ {
		items, next, err := store.List(ctx, calls.Filter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range items {
			seen = append(seen, c.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 7 || seen[0] != all[6].ID || seen[6] != all[0].ID {
		t.Errorf("paged through %d calls, want 7 newest first", len(seen))
	}
	for _, number := range []string{"0987654321", "+84987654321", "84987654321"} {
		items, _, err := store.List(ctx, calls.Filter{Limit: 50, Number: number})
		if err != nil || len(items) != 3 {
			t.Errorf("number %s: %d calls, %v; want 3", number, len(items), err)
		}
	}
	items, _, _ := store.List(ctx, calls.Filter{Limit: 50, From: base.Add(2 * time.Minute), To: base.Add(4 * time.Minute)})
	if len(items) != 2 {
		t.Errorf("from/to: %d calls, want 2", len(items))
	}
	if _, _, err := store.List(ctx, calls.Filter{Limit: 5, Cursor: "garbage!"}); !errors.Is(err, calls.ErrBadCursor) {
		t.Errorf("bad cursor: %v, want ErrBadCursor", err)
	}
	if _, err := store.Get(ctx, uuid.New()); !errors.Is(err, calls.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}

// Many goroutines putting states of many calls at once: every call ends up in its last state.
func TestJournalUnderConcurrency(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	store := calls.NewStore(pool)
	ctx := context.Background()
	j := calls.NewJournal(store, slog.New(slog.DiscardHandler))
	j.Start(ctx)
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 200)
	for i := range ids {
		c := newCall(time.Now(), "0912345678")
		ids[i] = c.ID
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.Put(c)
			now := time.Now().UTC()
			c.AnsweredAt = &now
			j.Put(c)
			c.EndedAt, c.EndReason = &now, calls.EndCallerHangup
			j.Put(c)
		}()
	}
	wg.Wait()
	if err := j.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		c, err := store.Get(ctx, id)
		if err != nil || c.EndReason != calls.EndCallerHangup || c.Version != 3 {
			t.Fatalf("call %s: %+v %v", id, c, err)
		}
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
