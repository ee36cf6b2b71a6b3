package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// database is the database Open makes sure exists.
	database = "hotline"
	// readyWait bounds the wait for a server another process is starting,
	// for leftover processes of a killed one, and for a first connection.
	readyWait = 60 * time.Second
	// heldWait bounds the wait when the server is down but another process
	// still holds the data directory, so this one may not start it.
	heldWait = 2 * time.Minute
)

// Cluster is a handle on the running private cluster. Its methods are safe
// for concurrent use.
type Cluster struct {
	log  *slog.Logger
	opts Options
	l    layout
	lk   *fileLock
	acct account
	bins binaries

	mu       sync.Mutex
	closed   bool
	closeErr error
}

// Open makes sure the cluster under dataDir/pg exists (initdb on first use,
// as superuser "hotline", auth trust on the local socket only, UTF8, locale
// C.UTF-8 or C), is running (starts it if not; joins it if another process
// already runs it), that the database "hotline" exists, and returns a handle.
// The caller must call Close.
func Open(ctx context.Context, dataDir string, log *slog.Logger) (*Cluster, error) {
	return OpenWith(ctx, dataDir, log, Options{})
}

// Options change how OpenWith runs a cluster. The zero value is what Open
// does: the product's settings.
type Options struct {
	// Throwaway trades durability for speed, for test clusters whose data
	// is discarded: initdb --no-sync, and fsync, synchronous_commit and
	// full_page_writes off. A crash may corrupt such a cluster.
	Throwaway bool
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dataDir string, log *slog.Logger, opts Options) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l, err := newLayout(dataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.data, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lk, err := openLock(l.lock)
	if err != nil {
		return nil, err
	}
	c := &Cluster{log: log.With("pgdata", l.pg), opts: opts, l: l, lk: lk}
	if err := c.acquire(ctx); err != nil {
		lk.close()
		return nil, err
	}
	return c, nil
}

// URL is the connection URL of the database "hotline", e.g.
// "postgres://hotline@/hotline?host=/abs/data/run&sslmode=disable".
func (c *Cluster) URL() string { return c.URLFor(database) }

// URLFor is URL for another database of the cluster.
func (c *Cluster) URLFor(db string) string {
	return "postgres://" + superuser + "@/" + url.PathEscape(db) +
		"?host=" + queryEscape(c.l.run) + "&sslmode=disable"
}

// queryEscape escapes a query value, keeping slashes readable and writing a
// space as %20 (pgx does not read "+" as a space).
func queryEscape(s string) string {
	return strings.NewReplacer("%2F", "/", "+", "%20").Replace(url.QueryEscape(s))
}

// SocketDir is the directory holding the server's unix socket.
func (c *Cluster) SocketDir() string { return c.l.run }

// Close releases this process's use of the cluster and stops the server
// (pg_ctl stop -m fast) if no other process still uses it. It is safe to
// call twice; the second call returns the first one's result.
func (c *Cluster) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.closeErr
	}
	c.closed = true
	c.closeErr = c.release(ctx)
	return c.closeErr
}

func (c *Cluster) release(ctx context.Context) (err error) {
	defer func() {
		if cerr := c.lk.close(); err == nil && cerr != nil {
			err = fmt.Errorf("close lock: %w", cerr)
		}
	}()
	if err := c.lk.unlock(); err != nil {
		return err
	}
	alone, err := c.lk.tryLock(syscall.LOCK_EX)
	if err != nil {
		return err
	}
	if !alone {
		c.log.InfoContext(ctx, "left PostgreSQL running: another process uses it")
		return nil
	}
	in, err := inspectServer(c.l.pg)
	if err != nil {
		return err
	}
	switch in.state {
	case serverRunning:
		err := c.stop(ctx)
		if err == nil {
			return nil
		}
		// A server killed a moment ago still looks alive until the kernel
		// has finished it; pg_ctl then finds it gone.
		if again, ierr := inspectServer(c.l.pg); ierr == nil && again.state != serverRunning {
			c.log.WarnContext(ctx, "PostgreSQL was not running at close", "reason", again.reason)
			return nil
		}
		return err
	case serverStale:
		c.log.WarnContext(ctx, "PostgreSQL was not running at close", "reason", in.reason)
	}
	return nil
}

// acquire leaves the process holding a shared lock on a running cluster.
func (c *Cluster) acquire(ctx context.Context) error {
	var heldSince time.Time
	for {
		// Shared first: a running server is joined without waiting for
		// other users to leave.
		if err := c.lk.lock(ctx, syscall.LOCK_SH); err != nil {
			return err
		}
		in, err := inspectServer(c.l.pg)
		if err != nil {
			return errors.Join(err, c.lk.unlock())
		}
		if in.state == serverRunning && in.status != "stopping" {
			joined, err := c.join(ctx)
			if err != nil || joined {
				if err != nil {
					err = errors.Join(err, c.lk.unlock())
				}
				return err
			}
		}
		if err := c.lk.unlock(); err != nil {
			return err
		}

		// Not running: only the holder of the exclusive lock may start it.
		alone, err := c.lk.tryLock(syscall.LOCK_EX)
		if err != nil {
			return err
		}
		if alone {
			if err := c.decide(ctx); err != nil {
				return errors.Join(err, c.lk.unlock())
			}
			// Downgrade. Should another process slip in between and stop
			// the server, the check at the top of the loop sees it.
			if err := c.lk.lock(ctx, syscall.LOCK_SH); err != nil {
				return err
			}
			if in, err := inspectServer(c.l.pg); err == nil && in.state == serverRunning {
				return nil
			}
			if err := c.lk.unlock(); err != nil {
				return err
			}
			continue
		}

		// Another process holds the directory: it is deciding, or it uses
		// a server that has gone down under it.
		if heldSince.IsZero() {
			heldSince = time.Now()
		} else if time.Since(heldSince) > heldWait {
			return fmt.Errorf("the PostgreSQL server of %s is not running and another process holds %s, so this one may not start it; stop the other hotline process and try again",
				c.l.pg, c.l.lock)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// decide runs under the exclusive lock: it prepares the directories, makes
// the cluster on first use, removes a stale postmaster.pid, starts the
// server unless it runs already, and makes sure the database exists.
func (c *Cluster) decide(ctx context.Context) error {
	if err := c.resolve(ctx); err != nil {
		return err
	}
	if err := ensureTraversable(ctx, c.log, c.acct, c.l.pg); err != nil {
		return err
	}
	if err := c.ownedDir(c.l.run); err != nil {
		return err
	}
	if !exists(c.l.pg) {
		if err := c.initCluster(ctx); err != nil {
			return err
		}
	}
	in, err := inspectServer(c.l.pg)
	if err != nil {
		return err
	}
	switch in.state {
	case serverRunning:
		joined, err := c.join(ctx)
		if err != nil || joined {
			return err
		}
		return fmt.Errorf("the PostgreSQL server of %s stopped while hotline was joining it", c.l.pg)
	case serverStale:
		if err := c.removeStale(ctx, in); err != nil {
			return err
		}
	}
	if err := c.start(ctx); err != nil {
		return err
	}
	return c.ensureDatabase(ctx)
}

// resolve decides which user runs the server and which binaries, from the
// cluster as it is now (its owner and PG_VERSION, if it exists).
func (c *Cluster) resolve(ctx context.Context) error {
	owner := -1
	if fi, err := os.Stat(c.l.pg); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a directory; move it away", c.l.pg)
		}
		if empty, _ := isEmptyDir(c.l.pg); empty {
			// An empty directory someone made: let initdb fill it.
			if err := os.Remove(c.l.pg); err != nil {
				return fmt.Errorf("remove empty %s: %w", c.l.pg, err)
			}
		} else {
			owner = int(fi.Sys().(*syscall.Stat_t).Uid)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cluster directory: %w", err)
	}
	want, err := clusterMajor(c.l.pg)
	if err != nil {
		return err
	}
	if owner >= 0 && want == 0 {
		return fmt.Errorf("%s is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or choose another HOTLINE_DATA_DIR", c.l.pg)
	}
	bins, err := findBinaries(ctx, os.Getenv("PATH"), versionedBinGlob, want, c.l.pg)
	if err != nil {
		return err
	}
	acct, err := chooseAccount(ctx, c.log, c.l.pg, owner)
	if err != nil {
		return err
	}
	c.bins, c.acct = bins, acct
	return nil
}

// join waits for a server that another process runs to accept connections.
// It reports false when the server went away meanwhile.
func (c *Cluster) join(ctx context.Context) (bool, error) {
	if err := c.resolve(ctx); err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	for {
		in, err := inspectServer(c.l.pg)
		if err != nil {
			return false, err
		}
		if in.state != serverRunning || in.status == "stopping" {
			return false, nil
		}
		// Servers before PostgreSQL 10 write no status line.
		if in.status == "ready" || in.status == "standby" || in.status == "" {
			if err := c.ensureDatabase(ctx); err != nil {
				// A server that died a moment ago still looked alive.
				if again, ierr := inspectServer(c.l.pg); ierr == nil && again.state != serverRunning {
					return false, nil
				}
				return false, err
			}
			c.log.InfoContext(ctx, "joined running PostgreSQL", "pid", in.pid)
			return true, nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return false, fmt.Errorf("wait for PostgreSQL (pid %d, %s) to be ready: %w", in.pid, in.status, err)
		}
	}
}

// removeStale removes a postmaster.pid (and the socket's lock file) left by
// a server that is gone, and waits for its leftover children to exit.
func (c *Cluster) removeStale(ctx context.Context, in inspection) error {
	if err := os.Remove(c.l.pg + "/" + pidFileName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale %s: %w", pidFileName, err)
	}
	c.log.WarnContext(ctx, "removed stale postmaster.pid left by a server that is gone", "pid", in.pid, "reason", in.reason)

	sockLock := c.l.socket + ".lock"
	if b, err := os.ReadFile(sockLock); err == nil {
		pf, perr := parsePIDFile(b)
		if ours, _ := servesDir(pf, c.l.pg); perr != nil || !ours {
			if err := os.Remove(sockLock); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale socket lock: %w", err)
			}
		}
	}

	deadline := time.Now().Add(readyWait)
	for {
		left := serverProcesses(c.l.pg)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of a previous PostgreSQL server still run in %s; stop them and try again", left, c.l.pg)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// ensureDatabase creates the database "hotline" if it does not exist.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URLFor("postgres"))
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var found bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", database).Scan(&found); err != nil {
		return fmt.Errorf("look for database %s: %w", database, err)
	}
	if found {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil // another process created it at the same moment
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", database, err)
	}
	c.log.InfoContext(ctx, "created database", "database", database)
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) == 0 && err != nil {
		return true, nil
	}
	return false, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
