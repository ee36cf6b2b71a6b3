package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

const (
	// superuser is the cluster's superuser, made by initdb.
	superuser = "hotline"
	// startTimeout is pg_ctl's -t for start and stop, in seconds.
	startTimeout = "60"
	// logRotateSize is the size past which the server log is set aside
	// (as pg.log.1) before the next start.
	logRotateSize = 10 << 20
	// logTailLines is how many lines of the server log a start error quotes.
	logTailLines = 15
)

// serverOptions are given on every start, so that they apply to a cluster
// made by an older version of this package too.
func serverOptions(l layout, opts Options) []string {
	durable := "on" // data must survive a crash
	if opts.Throwaway {
		durable = "off"
	}
	return []string{
		"-c", "listen_addresses=", // unix socket only
		"-c", `unix_socket_directories="` + l.run + `"`,
		"-c", "unix_socket_permissions=0700",
		"-c", "max_connections=200",
		"-c", "shared_buffers=64MB",
		"-c", "fsync=" + durable,
		"-c", "synchronous_commit=" + durable,
		"-c", "full_page_writes=" + durable,
	}
}

// shellJoin quotes args for the /bin/sh command line pg_ctl builds from -o.
func shellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// initCluster makes a new cluster in l.init and renames it to l.pg once
// complete, so that a cluster cut short by a crash is never taken for one.
func (c *Cluster) initCluster(ctx context.Context) error {
	if err := os.RemoveAll(c.l.init); err != nil {
		return fmt.Errorf("remove unfinished cluster %s: %w", c.l.init, err)
	}
	var lastErr error
	for _, locale := range []string{"C.UTF-8", "C"} {
		if err := c.ownedDir(c.l.init); err != nil {
			return err
		}
		args := []string{
			"-D", c.l.init,
			"-U", superuser,
			"-E", "UTF8",
			"--locale=" + locale,
			"--auth-local=trust",
			"--auth-host=reject",
		}
		if c.opts.Throwaway {
			args = append(args, "--no-sync")
		}
		out, err := c.acct.command(ctx, c.bins.path("initdb"), args...).CombinedOutput()
		if err == nil {
			if err := os.Rename(c.l.init, c.l.pg); err != nil {
				return fmt.Errorf("move new cluster into place: %w", err)
			}
			if err := syncDir(c.l.data); err != nil {
				return err
			}
			c.log.InfoContext(ctx, "initialised a new PostgreSQL cluster",
				"version", c.bins.major, "locale", locale, "user", c.acct.name)
			return nil
		}
		lastErr = fmt.Errorf("initdb (locale %s): %w: %s", locale, err, lastLines(out, logTailLines))
		if ctx.Err() != nil {
			break
		}
		if err := os.RemoveAll(c.l.init); err != nil {
			return fmt.Errorf("%w; then removing %s: %w", lastErr, c.l.init, err)
		}
	}
	return lastErr
}

// start runs pg_ctl start and waits until the server accepts connections.
func (c *Cluster) start(ctx context.Context) error {
	if err := c.rotateLog(); err != nil {
		return err
	}
	if err := c.ownedFile(c.l.log); err != nil {
		return err
	}
	cmd := c.acct.command(ctx, c.bins.path("pg_ctl"), "start",
		"-D", c.l.pg,
		"-l", c.l.log,
		"-w", "-t", startTimeout, "-s",
		"-o", shellJoin(serverOptions(c.l, c.opts)),
	)
	// The server itself writes to the log file, never to our pipes; this
	// is a safety net should that ever change.
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w: pg_ctl start: %w: %s\nlast lines of %s:\n%s",
			ErrStart, err, strings.TrimSpace(string(out)), c.l.log, c.logTail())
	}
	c.log.InfoContext(ctx, "started PostgreSQL", "version", c.bins.major, "socket_dir", c.l.run)
	return nil
}

// stop runs pg_ctl stop -m fast: sessions are ended, transactions rolled
// back, and the server shuts down cleanly.
func (c *Cluster) stop(ctx context.Context) error {
	cmd := c.acct.command(ctx, c.bins.path("pg_ctl"), "stop",
		"-D", c.l.pg, "-m", "fast", "-w", "-t", startTimeout, "-s")
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop: %w: %s\nlast lines of %s:\n%s",
			err, strings.TrimSpace(string(out)), c.l.log, c.logTail())
	}
	c.log.InfoContext(ctx, "stopped PostgreSQL")
	return nil
}

// rotateLog sets a large server log aside before a start.
func (c *Cluster) rotateLog() error {
	fi, err := os.Stat(c.l.log)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	if fi.Size() < logRotateSize {
		return nil
	}
	if err := os.Rename(c.l.log, c.l.log+".1"); err != nil {
		return fmt.Errorf("set server log aside: %w", err)
	}
	return nil
}

// logTail returns the last lines of the server log.
func (c *Cluster) logTail() string {
	f, err := os.Open(c.l.log)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	defer f.Close()
	const window = 16 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		if _, err := f.Seek(fi.Size()-window, io.SeekStart); err != nil {
			return "(server log unreadable: " + err.Error() + ")"
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return "(server log unreadable: " + err.Error() + ")"
	}
	return lastLines(b, logTailLines)
}

// lastLines returns the last n non-empty lines of b.
func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// ownedDir creates dir (mode 0700) if needed and makes it the account's.
func (c *Cluster) ownedDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("stat %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory; move it away", dir)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return c.chown(dir)
}

// ownedFile creates file (mode 0600) if needed and makes it the account's.
func (c *Cluster) ownedFile(file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", file, err)
	}
	return c.chown(file)
}

func (c *Cluster) chown(path string) error {
	if !c.acct.asRoot() {
		return nil
	}
	if err := os.Lchown(path, c.acct.uid, c.acct.gid); err != nil {
		return fmt.Errorf("give %s to user %s: %w", path, c.acct.name, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
