package queuepg_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"hotline/internal/pgtest"
	"hotline/queue"
	"hotline/queue/queuepg"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// An operator made available through one store is heard by another node's listener.
func TestListenHearsOperatorsBecomingAvailable(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewMigratedPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node1, node2 := queuepg.New(pool), queuepg.New(pool)
	if err := node1.AddOperator(ctx, "1001", "Lan", "secret-1001", "hotline", time.Now()); err != nil {
		t.Fatal(err)
	}
	var kicks atomic.Int32
	kicked := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		node2.Listen(ctx, func() { kicks.Add(1); kicked <- struct{}{} }, slog.New(slog.DiscardHandler))
	}()
	wait := func(what string) {
		select {
		case <-kicked:
		case <-time.After(30 * time.Second):
			t.Fatalf("no kick after %s", what)
		}
	}
	wait("listening started") // the first kick covers what was missed before listening
	if err := node1.SetState(ctx, "1001", queue.Paused, "họp", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := node1.SetState(ctx, "1001", queue.Available, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	wait("the operator became available")
	if n := kicks.Load(); n != 2 {
		t.Errorf("%d kicks; want 2 (start, available): pausing must not kick", n)
	}
	cancel()
	<-done
}
