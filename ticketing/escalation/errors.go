package escalation

import (
	"errors"
	"fmt"
	"time"
)

// Errors to branch on; each maps to one HTTP status (see the package doc).
var (
	// ErrInvalidStages is wrapped by ParseStages' errors.
	ErrInvalidStages = errors.New("invalid reminder stages")
	// ErrNoNotice: the ticket has no notice of that stage to acknowledge (HTTP 404), or no such ticket.
	ErrNoNotice = errors.New("no such notice")
	// ErrAcknowledged is matched (errors.Is) by an *AcknowledgedError (HTTP 409).
	ErrAcknowledged = errors.New("already acknowledged")
	// ErrBadLink: an ack link that this hotline did not sign, or that was altered (HTTP 404).
	ErrBadLink = errors.New("this acknowledgement link is not valid")
	// ErrLinkExpired: an ack link past its validity (HTTP 410).
	ErrLinkExpired = errors.New("this acknowledgement link has expired")
)

// AcknowledgedError refuses a second acknowledgement of a notice (HTTP 409): it says when, by whom and how
// the first was made.
type AcknowledgedError struct {
	Code  string // the ticket's
	Stage Stage
	At    time.Time
	By    string
	Via   Via
}

func (e *AcknowledgedError) Error() string {
	how := "through the API"
	if e.Via == ViaLink {
		how = "through the link in the notice"
	}
	return fmt.Sprintf("the %s notice of %s was acknowledged already, at %s by %s %s", e.Stage, e.Code,
		e.At.Format(time.RFC3339), e.By, how)
}

// Is makes errors.Is(err, ErrAcknowledged) true.
func (e *AcknowledgedError) Is(target error) bool { return target == ErrAcknowledged }
