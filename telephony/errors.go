package telephony

import (
	"errors"

	"github.com/emiago/sipgo/sip"

	"hotline/telephony/media"
	"hotline/telephony/sdp"
)

// Causes that end a call; Call.Context's cause is one of them (or media.ErrRTPTimeout).
var (
	ErrCallerHangup = errors.New("the caller hung up")
	ErrCancelled    = errors.New("the caller cancelled before the answer")
	ErrShutdown     = errors.New("the hotline is shutting down")
	ErrNoACK        = errors.New("the caller did not acknowledge the answer")
	ErrHungUp       = errors.New("the hotline hung up")
)

// Reasons to refuse an INVITE.
var (
	errDraining          = errors.New("the hotline is shutting down: not taking new calls")
	errTooManyCalls      = errors.New("too many calls in progress")
	errTooManyFromSource = errors.New("too many calls in progress from this address")
	errBadRequest        = errors.New("malformed request")
	errNoOffer           = errors.New("no SDP offer in the INVITE")
	errUnknownDialog     = errors.New("no such call")
)

// RejectError refuses a call with a given SIP status.
type RejectError struct {
	Code   int
	Reason string
}

func (e RejectError) Error() string { return e.Reason }

// sipStatus maps an error to the SIP status that refuses a request because of it: the one table from
// errors to SIP answers.
func sipStatus(err error) (int, string) {
	var rej RejectError
	switch {
	case errors.As(err, &rej):
		return rej.Code, rej.Reason
	case errors.Is(err, errDraining), errors.Is(err, errTooManyCalls), errors.Is(err, errTooManyFromSource),
		errors.Is(err, media.ErrNoPorts):
		return sip.StatusServiceUnavailable, "Service Unavailable"
	case errors.Is(err, sdp.ErrNoCodec), errors.Is(err, sdp.ErrNoAudio), errors.Is(err, errNoOffer):
		return sip.StatusNotAcceptableHere, "Not Acceptable Here"
	case errors.Is(err, sdp.ErrMalformed), errors.Is(err, errBadRequest):
		return sip.StatusBadRequest, "Bad Request"
	case errors.Is(err, errUnknownDialog):
		return sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist"
	default:
		return sip.StatusInternalServerError, "Server Internal Error"
	}
}
