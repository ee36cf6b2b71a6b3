package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"hotline/internal/pgcluster"
	"hotline/migrations"
)

// EnvURL names the environment variable with the URL of an existing server
// to use instead of a throwaway cluster.
const EnvURL = "HOTLINE_TEST_DATABASE_URL"

// opTimeout bounds creating or dropping one database, and starting the
// throwaway cluster.
const opTimeout = 2 * time.Minute

// server is where test databases are made.
type server struct {
	// admin is the URL of a database to run CREATE and DROP DATABASE from.
	admin string
}

var (
	mainRunning atomic.Bool

	startOnce sync.Once
	shared    server
	startErr  error
	cluster   *pgcluster.Cluster // nil unless a throwaway cluster was started
	clusterIn string             // its temporary directory
)

// Main runs the package's tests and then stops the throwaway cluster if one
// was started. Use in TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// When the tests pass it also checks that no goroutine leaked, and fails the
// binary if one did.
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	if err := stopCluster(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		code = max(code, 1)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// NewDatabase creates an empty database for this test (dropped in
// t.Cleanup) and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	srv, err := sharedServer()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return newDatabaseOn(t, srv)
}

// NewPool is NewDatabase + pgxpool.New, closed in t.Cleanup.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := NewDatabase(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("pgtest: pool for %s: %v", dbURL, err)
	}
	// Registered after the drop, so it runs before it.
	t.Cleanup(pool.Close)
	return pool
}

// NewMigratedPool is NewPool on a database with every migration applied: the schema the stores expect.
func NewMigratedPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool := NewPool(t)
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Release()
	if _, err := migrations.Up(context.Background(), conn.Conn()); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return pool
}

func newDatabaseOn(t testing.TB, srv server) string {
	t.Helper()
	name, err := databaseName()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := srv.exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		// FORCE ends sessions a test left open.
		if err := srv.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	dbURL, err := withDatabase(srv.admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dbURL
}

// exec runs one statement on the admin database.
func (s server) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	_, err = conn.Exec(ctx, sql)
	return errors.Join(err, conn.Close(ctx))
}

// sharedServer returns the server of this test binary, starting the
// throwaway cluster on first use.
func sharedServer() (server, error) {
	startOnce.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			shared = server{admin: u}
			return
		}
		if !mainRunning.Load() {
			startErr = errors.New("this package's tests need a database: add func TestMain(m *testing.M) { pgtest.Main(m) } so the throwaway cluster is stopped after them")
			return
		}
		shared, startErr = startCluster()
	})
	return shared, startErr
}

func startCluster() (server, error) {
	reapOrphans()
	// os.MkdirTemp keeps the path short: the socket path is limited.
	dir, err := os.MkdirTemp("", "hotline-pg-")
	if err != nil {
		return server{}, fmt.Errorf("throwaway cluster: %w", err)
	}
	// The server may run as another user (when tests run as root), which
	// must be able to traverse the directory; listing is not needed.
	if err := os.Chmod(dir, 0o711); err != nil {
		return server{}, errors.Join(fmt.Errorf("throwaway cluster: %w", err), os.RemoveAll(dir))
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := pgcluster.OpenWith(ctx, dir, log, pgcluster.Options{Throwaway: true})
	if err != nil {
		return server{}, errors.Join(fmt.Errorf("throwaway cluster (or set %s): %w", EnvURL, err), os.RemoveAll(dir))
	}
	cluster, clusterIn = c, dir
	// The owner's PID lets a later test binary stop this cluster if this one is killed (a -timeout, ^C)
	// before Main stops it.
	_ = os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644)
	return server{admin: c.URLFor("postgres")}, nil
}

// ownerFile holds the PID of the test binary that started a throwaway cluster.
const ownerFile = "owner.pid"

// reapOrphans stops the throwaway clusters whose test binary is gone (killed before Main could stop
// them) and removes their folders. Only clusters this package started are touched: folders named
// hotline-pg-* holding an owner file, whose postmaster serves that very folder.
func reapOrphans() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "hotline-pg-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		owner, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || alive(owner) {
			continue
		}
		if pid, ok := postmasterOf(dir); ok {
			_ = syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown: nothing in it is worth keeping
			for i := 0; i < 100 && alive(pid); i++ {
				time.Sleep(100 * time.Millisecond)
			}
			if alive(pid) {
				continue
			}
		}
		_ = os.RemoveAll(dir)
	}
}

// alive tells whether a process runs (zombies aside).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: Z is a zombie, X dead.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// postmasterOf returns the PID of the postmaster serving the cluster under dir, if it runs.
func postmasterOf(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || !alive(pid) {
		return 0, false
	}
	cmd, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmd), dir) {
		return 0, false // the PID was reused by another process
	}
	return pid, true
}

func stopCluster() error {
	if cluster == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	err := cluster.Close(ctx)
	if err != nil {
		// Keep the directory: the server may still run in it.
		return fmt.Errorf("stop throwaway cluster in %s: %w", clusterIn, err)
	}
	if err := os.RemoveAll(clusterIn); err != nil {
		return fmt.Errorf("remove throwaway cluster: %w", err)
	}
	return nil
}

// databaseName returns a fresh name such as "t_3f9a0c21d4e5b687".
func databaseName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("database name: %w", err)
	}
	return "t_" + hex.EncodeToString(b[:]), nil
}

// withDatabase returns connString with its database replaced by db. Both
// forms pgx reads are accepted: URLs and keyword/value strings.
func withDatabase(connString, db string) (string, error) {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		u, err := url.Parse(connString)
		if err != nil {
			return "", fmt.Errorf("%s is not a valid URL: %w", EnvURL, err)
		}
		u.Path = "/" + db
		u.RawPath = ""
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", db)
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	// Later keywords override earlier ones.
	return strings.TrimSpace(connString) + " dbname=" + db, nil
}
