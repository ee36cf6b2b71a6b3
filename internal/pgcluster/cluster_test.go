package pgcluster

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestOpenMakesAConfiguredCluster(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	// A space in the path exercises the quoting of every path handed to
	// pg_ctl, the shell and the server.
	dir := filepath.Join(newDataDir(t), "my data")
	log, logs := newLogger(t)
	c := mustOpen(t, ctx, dir, log)
	defer mustClose(t, ctx, c)

	t.Run("connects as hotline to hotline", func(t *testing.T) {
		got := queryString(t, ctx, c.URL(), "SELECT current_user || '/' || current_database()")
		if got != "hotline/hotline" {
			t.Errorf("user/database = %q, want hotline/hotline", got)
		}
	})

	settings := []struct {
		name string
		want string
	}{
		{"listen_addresses", ""},
		{"max_connections", "200"},
		{"shared_buffers", "64MB"},
		{"fsync", "on"},
		{"synchronous_commit", "on"},
		{"full_page_writes", "on"},
		{"unix_socket_permissions", "0700"},
		{"unix_socket_directories", `"` + c.SocketDir() + `"`},
		{"server_encoding", "UTF8"},
	}
	for _, s := range settings {
		t.Run("setting "+s.name, func(t *testing.T) {
			if got := queryString(t, ctx, c.URL(), "SHOW "+s.name); got != s.want {
				t.Errorf("SHOW %s = %q, want %q", s.name, got, s.want)
			}
		})
	}

	t.Run("collation is C or C.UTF-8", func(t *testing.T) {
		got := queryString(t, ctx, c.URL(), "SELECT datcollate FROM pg_database WHERE datname = 'hotline'")
		if got != "C" && got != "C.UTF-8" {
			t.Errorf("datcollate = %q", got)
		}
	})

	t.Run("directories belong to the server's user, mode 0700", func(t *testing.T) {
		wantUID := os.Geteuid()
		if wantUID == 0 {
			u, err := user.Lookup(systemUser)
			if err != nil {
				t.Skipf("no %s user here: %v", systemUser, err)
			}
			wantUID, _ = strconv.Atoi(u.Uid)
		}
		for _, d := range []string{c.l.pg, c.l.run} {
			fi, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if got := int(fi.Sys().(*syscall.Stat_t).Uid); got != wantUID {
				t.Errorf("%s belongs to uid %d, want %d", d, got, wantUID)
			}
			if got := fi.Mode().Perm(); got != 0o700 {
				t.Errorf("%s has mode %o, want 700", d, got)
			}
		}
	})

	t.Run("no TCP listener", func(t *testing.T) {
		got := queryString(t, ctx, c.URL(), "SELECT coalesce(inet_server_addr()::text, 'unix socket')")
		if got != "unix socket" {
			t.Errorf("connected over %q", got)
		}
	})

	if n := logs.count("initialised a new PostgreSQL cluster"); n != 1 {
		t.Errorf("initdb logged %d times, want 1", n)
	}
}

func TestThrowawayTradesDurabilityForSpeed(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	log, _ := newLogger(t)
	c, err := OpenWith(ctx, newDataDir(t), log, Options{Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, ctx, c)
	for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
		t.Run(name, func(t *testing.T) {
			if got := queryString(t, ctx, c.URL(), "SHOW "+name); got != "off" {
				t.Errorf("SHOW %s = %q, want off", name, got)
			}
		})
	}
}

func TestDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := newDataDir(t)
	log, logs := newLogger(t)

	c := mustOpen(t, ctx, dir, log)
	exec1(t, ctx, c.URL(), "CREATE TABLE kept (v text)")
	exec1(t, ctx, c.URL(), "INSERT INTO kept VALUES ('before restart')")
	mustClose(t, ctx, c)
	if left := serverProcessesAfterStop(c.l.pg); len(left) > 0 {
		t.Fatalf("server processes %v still run after Close", left)
	}

	c = mustOpen(t, ctx, dir, log)
	defer mustClose(t, ctx, c)
	if got := queryString(t, ctx, c.URL(), "SELECT v FROM kept"); got != "before restart" {
		t.Errorf("row = %q, want %q", got, "before restart")
	}
	if n := logs.count("initialised a new PostgreSQL cluster"); n != 1 {
		t.Errorf("initdb logged %d times, want 1", n)
	}
	if n := logs.count("started PostgreSQL"); n != 2 {
		t.Errorf("start logged %d times, want 2", n)
	}
}

func TestSeveralUsersShareOneServer(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := newDataDir(t)
	log, logs := newLogger(t)

	// Two start at once on a fresh directory: one makes and starts the
	// cluster, the other joins it.
	var (
		wg       sync.WaitGroup
		clusters [2]*Cluster
		errs     [2]error
	)
	for i := range clusters {
		wg.Go(func() { clusters[i], errs[i] = Open(ctx, dir, log) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
	}
	first, second := clusters[0], clusters[1]
	if n := logs.count("initialised a new PostgreSQL cluster"); n != 1 {
		t.Errorf("initdb logged %d times, want 1", n)
	}
	if n := logs.count("started PostgreSQL"); n != 1 {
		t.Errorf("start logged %d times, want 1", n)
	}
	if n := logs.count("joined running PostgreSQL"); n != 1 {
		t.Errorf("join logged %d times, want 1", n)
	}

	mustClose(t, ctx, first)
	if err := first.Close(ctx); err != nil {
		t.Errorf("second Close of the same handle: %v", err)
	}
	if got := queryString(t, ctx, second.URL(), "SELECT 'still up'"); got != "still up" {
		t.Errorf("query after the first Close = %q", got)
	}
	if n := logs.count("another process uses it"); n != 1 {
		t.Errorf("the first Close did not leave the server to the other user: %d log lines", n)
	}

	mustClose(t, ctx, second)
	if left := serverProcessesAfterStop(second.l.pg); len(left) > 0 {
		t.Errorf("server processes %v still run after the last Close", left)
	}
	if _, err := os.Stat(filepath.Join(second.l.pg, pidFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid after the last Close: %v", err)
	}
}

func TestStalePostmasterPIDAfterKill(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := newDataDir(t)
	log, logs := newLogger(t)

	c := mustOpen(t, ctx, dir, log)
	exec1(t, ctx, c.URL(), "CREATE TABLE kept (v text)")
	exec1(t, ctx, c.URL(), "INSERT INTO kept VALUES ('committed before kill')")
	pid := postmasterPID(t, c)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	waitFor(t, ctx, "the killed postmaster to be gone", func() bool {
		p, err := readProcess(pid)
		return err != nil || !p.alive
	})
	// The process that used it goes away too; its Close finds the server gone.
	mustClose(t, ctx, c)
	if n := logs.count("PostgreSQL was not running at close"); n != 1 {
		t.Errorf("Close after the kill logged %d times that the server was gone, want 1", n)
	}
	if _, err := os.Stat(filepath.Join(c.l.pg, pidFileName)); err != nil {
		t.Fatalf("postmaster.pid should survive a kill -9: %v", err)
	}

	c = mustOpen(t, ctx, dir, log)
	defer mustClose(t, ctx, c)
	if got := queryString(t, ctx, c.URL(), "SELECT v FROM kept"); got != "committed before kill" {
		t.Errorf("row = %q", got)
	}
	if n := logs.count("removed stale postmaster.pid"); n != 1 {
		t.Errorf("stale postmaster.pid removal logged %d times, want 1", n)
	}
}

func TestStalePostmasterPIDOfAnotherProcess(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := newDataDir(t)
	log, logs := newLogger(t)
	c := mustOpen(t, ctx, dir, log)
	pgDir := c.l.pg
	livePID := postmasterPID(t, c)

	t.Run("a live postgres on our directory is running", func(t *testing.T) {
		if ours, reason := servesDir(pidFile{pid: livePID, dataDir: pgDir}, pgDir); !ours {
			t.Errorf("servesDir = false (%s), want true", reason)
		}
	})
	t.Run("a live postgres on another directory is not ours", func(t *testing.T) {
		other := t.TempDir()
		ours, reason := servesDir(pidFile{pid: livePID, dataDir: other}, other)
		if ours || !strings.Contains(reason, "another data directory") {
			t.Errorf("servesDir = %v (%s), want false for another data directory", ours, reason)
		}
	})
	mustClose(t, ctx, c)

	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content string
		reason  string
	}{
		{"PID of a live process that is not postgres", strconv.Itoa(os.Getpid()) + "\n" + pgDir + "\n", "not to postgres"},
		{"PID of a process that has exited", strconv.Itoa(done.Process.Pid) + "\n" + pgDir + "\n", "PID"},
		{"an empty file cut by a crash", "", "malformed"},
		{"garbage", "not a pid\n/x\n", "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := logs.count("removed stale postmaster.pid")
			if err := os.WriteFile(filepath.Join(pgDir, pidFileName), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			in, err := inspectServer(pgDir)
			if err != nil {
				t.Fatal(err)
			}
			if in.state != serverStale || !strings.Contains(in.reason, tc.reason) {
				t.Fatalf("inspectServer = %+v, want stale with a reason containing %q", in, tc.reason)
			}
			c := mustOpen(t, ctx, dir, log)
			if got := queryString(t, ctx, c.URL(), "SELECT 'up'"); got != "up" {
				t.Errorf("query = %q", got)
			}
			mustClose(t, ctx, c)
			if after := logs.count("removed stale postmaster.pid"); after != before+1 {
				t.Errorf("stale postmaster.pid removal logged %d times, want 1", after-before)
			}
		})
	}
}

func TestStartFailureQuotesServerLog(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	dir := newDataDir(t)
	log, _ := newLogger(t)
	c := mustOpen(t, ctx, dir, log)
	mustClose(t, ctx, c)

	conf := filepath.Join(c.l.pg, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nwork_mem = 'banana'\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	_, err = Open(ctx, dir, log)
	if !errors.Is(err, ErrStart) {
		t.Fatalf("Open with a broken configuration: %v, want ErrStart", err)
	}
	for _, want := range []string{`invalid value for parameter "work_mem"`, c.l.log} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not quote %q:\n%v", want, err)
		}
	}
}

func TestUnreachableAncestor(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only a root process runs the server as another user")
	}
	ctx := testContext(t)
	// Like a clone inside /root: a 0700 directory only root may enter.
	private, err := os.MkdirTemp("", "hotline-priv-")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(private, "var")
	t.Cleanup(func() {
		stopLeftover(t, filepath.Join(dir, "pg"))
		os.RemoveAll(private)
	})
	if fi, err := os.Stat(private); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("temp dir mode: %v %v", fi.Mode(), err)
	}
	log, logs := newLogger(t)

	c, err := Open(ctx, dir, log)
	if _, lookErr := exec.LookPath("setfacl"); lookErr != nil {
		// Without setfacl the one way is to say what to do, in one line.
		if !errors.Is(err, ErrUnreachable) {
			t.Fatalf("Open without setfacl: %v, want ErrUnreachable", err)
		}
		msg := err.Error()
		for _, want := range []string{private, "apt-get install -y acl", "HOTLINE_DATA_DIR"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error does not say %q: %s", want, msg)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("error is not one line: %q", msg)
		}
		return
	}
	if err != nil {
		t.Fatalf("Open in a 0700 directory: %v", err)
	}
	defer mustClose(t, ctx, c)
	if got := queryString(t, ctx, c.URL(), "SELECT 'reached'"); got != "reached" {
		t.Errorf("query = %q", got)
	}
	if !strings.Contains(logs.String(), "granted one user traversal") || !strings.Contains(logs.String(), private) {
		t.Errorf("the granted traversal of %s was not logged", private)
	}
	out, err := exec.Command("getfacl", "-c", private).Output()
	if err == nil && !strings.Contains(string(out), "user:"+c.acct.name+":--x") {
		t.Errorf("ACL of %s = %s, want traversal only for %s", private, out, c.acct.name)
	}
}

func TestSocketPathTooLong(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, strings.Repeat("d", 100))
	_, err := Open(t.Context(), dir, nil)
	if !errors.Is(err, ErrSocketPathTooLong) {
		t.Fatalf("Open: %v, want ErrSocketPathTooLong", err)
	}
	if !strings.Contains(err.Error(), "choose a shorter HOTLINE_DATA_DIR") {
		t.Errorf("error does not say what to do: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused data directory was created: %v", err)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	l, err := newLayout("/srv/hot line/var")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{l: l}
	cases := []struct {
		name string
		url  string
		db   string
	}{
		{"URL names hotline", c.URL(), "hotline"},
		{"URLFor names another database", c.URLFor("t_0a1b"), "t_0a1b"},
		{"URLFor escapes odd names", c.URLFor("a/b?c"), "a/b?c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := pgx.ParseConfig(tc.url)
			if err != nil {
				t.Fatalf("ParseConfig(%q): %v", tc.url, err)
			}
			if cfg.Host != "/srv/hot line/var/run" || cfg.User != "hotline" || cfg.Database != tc.db || cfg.TLSConfig != nil {
				t.Errorf("%q parses to host %q user %q database %q tls %v", tc.url, cfg.Host, cfg.User, cfg.Database, cfg.TLSConfig != nil)
			}
		})
	}
	if want := "postgres://hotline@/hotline?host=/srv/hot%20line/var/run&sslmode=disable"; c.URL() != want {
		t.Errorf("URL() = %q, want %q", c.URL(), want)
	}
}

func ExampleOpen() {
	ctx := context.Background()
	c, err := Open(ctx, "/var/lib/hotline", nil)
	if err != nil {
		// e.g. ErrNoBinaries: "... install them with: apt-get install -y postgresql"
		return
	}
	defer c.Close(ctx)
	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
}

// serverProcessesAfterStop returns the server processes still running in pgDir 5 s after a stop: pg_ctl
// returns once the postmaster removed its pid file, a moment before the processes are gone.
func serverProcessesAfterStop(pgDir string) []int {
	left := serverProcesses(pgDir)
	for deadline := time.Now().Add(5 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		left = serverProcesses(pgDir)
	}
	return left
}
