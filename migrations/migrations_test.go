package migrations_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/internal/pgtest"
	"hotline/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAllAreNumberedInOrder(t *testing.T) {
	t.Parallel()
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range all {
		if m.Version != i+1 {
			t.Errorf("migration %s has version %d, want %d (no gaps)", m.Name, m.Version, i+1)
		}
	}
}

// Several processes starting at once on one database apply each migration exactly once.
func TestUpConcurrentlyAppliesOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	const n = 5
	applied := make([][]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				errs[i] = err
				return
			}
			defer conn.Close(ctx)
			applied[i], errs[i] = migrations.Up(ctx, conn)
		}()
	}
	wg.Wait()
	all, _ := migrations.All()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("Up %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != len(all) {
		t.Errorf("%d migrations applied in all, want %d (each once)", total, len(all))
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	again, err := migrations.Up(ctx, conn)
	if err != nil || len(again) != 0 {
		t.Errorf("a second Up applied %v (%v), want nothing", again, err)
	}
	var rows int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&rows); err != nil || rows != len(all) {
		t.Errorf("schema_migrations has %d rows (%v), want %d", rows, err, len(all))
	}
}
