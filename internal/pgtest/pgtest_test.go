package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"hotline/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func queryString(t *testing.T, url, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func TestNewDatabaseIsFreshAndOwn(t *testing.T) {
	t.Parallel()
	first := pgtest.NewDatabase(t)
	second := pgtest.NewDatabase(t)
	if first == second {
		t.Fatalf("two databases share the URL %s", first)
	}
	if n := queryString(t, first, "SELECT count(*)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"); n != "0" {
		t.Errorf("a new database holds %s relations in public, want 0", n)
	}
	if enc := queryString(t, first, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"); enc != "UTF8" {
		t.Errorf("encoding = %s, want UTF8", enc)
	}
	conn, err := pgx.Connect(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE TABLE only_here (v int)"); err != nil {
		t.Fatal(err)
	}
	if got := queryString(t, second, "SELECT coalesce(to_regclass('only_here')::text, 'absent')"); got != "absent" {
		t.Errorf("a table made in one test database is visible in another: %s", got)
	}
}

func TestNewDatabaseIsDroppedAtCleanup(t *testing.T) {
	t.Parallel()
	var (
		name     string
		leftOpen *pgx.Conn
	)
	t.Run("a test that uses a database", func(t *testing.T) {
		url := pgtest.NewDatabase(t)
		name = queryString(t, url, "SELECT current_database()")
		// A connection the test leaves open must not stop the drop.
		var err error
		if leftOpen, err = pgx.Connect(context.Background(), url); err != nil {
			t.Fatal(err)
		}
	})
	if leftOpen != nil {
		defer leftOpen.Close(context.Background()) // already ended by the server
	}
	observer := pgtest.NewDatabase(t)
	if got := queryString(t, observer, "SELECT count(*)::text FROM pg_database WHERE datname = $1", name); got != "0" {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestNewPoolInParallelTests(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pool := pgtest.NewPool(t)
			ctx := t.Context()
			// The same table name in every test: each has its own database.
			if _, err := pool.Exec(ctx, "CREATE TABLE calls (id int PRIMARY KEY)"); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, "INSERT INTO calls VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM calls").Scan(&n); err != nil || n != 1 {
				t.Errorf("count = %d, %v; want 1", n, err)
			}
		})
	}
}

func BenchmarkNewDatabase(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		pgtest.NewDatabase(b)
	}
}
