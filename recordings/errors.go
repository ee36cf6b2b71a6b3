package recordings

import "errors"

// Sentinel errors to branch on; the errors returned by this package wrap them with context.
var (
	// ErrBadID means a recording id is not a call id in the canonical lower-case UUID form.
	ErrBadID = errors.New("recording id is not a lower-case uuid")
	// ErrBadPath means a relative path does not name a finished recording inside the recordings folder.
	ErrBadPath = errors.New("not the path of a recording")
	// ErrNotStarted means the Writer is used before Start.
	ErrNotStarted = errors.New("recordings writer not started")
	// ErrStopped means the Writer was stopped; a recording still open then is left as a .wav.part file,
	// which Repair finishes at the next start.
	ErrStopped = errors.New("recordings writer stopped")
	// ErrAborted means Close was called on a recording that was aborted.
	ErrAborted = errors.New("recording aborted")
	// ErrNotRecording means a .wav.part file does not start with the header this package writes, so
	// Repair leaves it alone rather than guess what it holds.
	ErrNotRecording = errors.New("file is not an 8 kHz 16-bit stereo PCM recording")
)
