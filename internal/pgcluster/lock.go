package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is a flock(2) on the data directory's pg.lock. Locks belong to the
// open file description, so two fileLocks on one path conflict even within
// one process, exactly as between processes. The descriptor is close-on-exec:
// the server processes never inherit the lock.
type fileLock struct {
	f *os.File
}

func openLock(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	return &fileLock{f: f}, nil
}

// tryLock takes the lock (syscall.LOCK_SH or syscall.LOCK_EX) if that is
// possible at once, converting one already held.
func (l *fileLock) tryLock(how int) (bool, error) {
	for {
		err := syscall.Flock(int(l.f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		default:
			return false, fmt.Errorf("flock %s: %w", l.f.Name(), err)
		}
	}
}

// lock waits for the lock until ctx ends. It polls rather than blocking in
// the kernel so that a cancelled context is honoured.
func (l *fileLock) lock(ctx context.Context, how int) error {
	wait := 5 * time.Millisecond
	for {
		ok, err := l.tryLock(how)
		if err != nil || ok {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wait for %s: %w", l.f.Name(), context.Cause(ctx))
		case <-t.C:
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

func (l *fileLock) unlock() error {
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN); err != nil {
		return fmt.Errorf("unlock %s: %w", l.f.Name(), err)
	}
	return nil
}

// close releases the lock and the descriptor.
func (l *fileLock) close() error { return l.f.Close() }
