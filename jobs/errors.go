package jobs

import "errors"

var (
	// ErrBadSchedule is wrapped by errors about a schedule that cannot be read; the message names the
	// job and says what a schedule looks like.
	ErrBadSchedule = errors.New("bad schedule")
	// ErrUnknownJob is returned by RunNow for a name no job was added under.
	ErrUnknownJob = errors.New("unknown job")
	// ErrDuplicateJob is returned by Add for a name already taken.
	ErrDuplicateJob = errors.New("job already added")
	// ErrStarted is returned by Add once the Scheduler has started, and by a second Start.
	ErrStarted = errors.New("scheduler already started")
	// ErrStopped is returned by Start and RunNow once the Scheduler has stopped.
	ErrStopped = errors.New("scheduler stopped")
)
