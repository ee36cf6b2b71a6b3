package pgcluster

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// logBuffer collects a logger's output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) count(substr string) int { return strings.Count(b.String(), substr) }

func newLogger(t testing.TB) (*slog.Logger, *logBuffer) {
	t.Helper()
	buf := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// testContext bounds a test's work; nothing here should take long.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newDataDir makes a short, traversable data directory (the socket path must
// stay short) and, at cleanup, stops any server still running in it.
func newDataDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hotline-pgc-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopLeftover(t, filepath.Join(dir, "pg"))
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// stopLeftover stops a server a failed test left running, so that no
// postgres outlives the test binary.
func stopLeftover(t testing.TB, pgDir string) {
	t.Helper()
	in, err := inspectServer(pgDir)
	if err != nil || in.state != serverRunning {
		return
	}
	c := &Cluster{log: slog.New(slog.DiscardHandler)}
	c.l.pg = pgDir
	c.l.log = filepath.Join(filepath.Dir(pgDir), "pg.log")
	if err := c.resolve(context.Background()); err != nil {
		t.Errorf("stop leftover server in %s: %v", pgDir, err)
		return
	}
	if err := c.stop(context.Background()); err != nil {
		t.Errorf("stop leftover server in %s: %v", pgDir, err)
	}
}

func mustOpen(t testing.TB, ctx context.Context, dir string, log *slog.Logger) *Cluster {
	t.Helper()
	c, err := Open(ctx, dir, log)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return c
}

func mustClose(t testing.TB, ctx context.Context, c *Cluster) {
	t.Helper()
	if err := c.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func exec1(t testing.TB, ctx context.Context, url, sql string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryString(t testing.TB, ctx context.Context, url, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// postmasterPID reads the running server's PID from its postmaster.pid.
func postmasterPID(t testing.TB, c *Cluster) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.l.pg, pidFileName))
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parsePIDFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return pf.pid
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(t testing.TB, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}
