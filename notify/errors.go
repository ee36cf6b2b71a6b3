package notify

import "errors"

var (
	// ErrInvalid is wrapped by Enqueue's errors about a notification that cannot be sent as it is; the
	// message names the field.
	ErrInvalid = errors.New("invalid notification")
	// ErrNotFound is returned for an id no notification has.
	ErrNotFound = errors.New("no such notification")
	// ErrNotDead is returned by Retry for a notification that is not dead.
	ErrNotDead = errors.New("notification is not dead")
	// ErrBadState is wrapped by List's error for an unknown state.
	ErrBadState = errors.New("unknown state")
	// ErrBadCursor is wrapped by List's error for a cursor it did not make.
	ErrBadCursor = errors.New("bad cursor")
)
