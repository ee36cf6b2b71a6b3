package sdp

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors a caller branches on.
var (
	// ErrMalformed is wrapped by every error Parse returns: the body is not a
	// session description we accept (a SIP server answers 400).
	ErrMalformed = errors.New("sdp: malformed session description")
	// ErrNoAudio means the offer has no audio stream we can use: none at all,
	// only rejected ones (port 0), or only profiles other than RTP/AVP and
	// RTP/AVPF (a SIP server answers 488).
	ErrNoAudio = errors.New("sdp: no usable audio stream")
	// ErrNoCodec means the offer's usable audio streams offer neither PCMA nor
	// PCMU at 8000 Hz (a SIP server answers 488).
	ErrNoCodec = errors.New("sdp: no common codec")
)

// Reasons a body is malformed; each wraps ErrMalformed.
var (
	errTooLarge       = fmt.Errorf("%w: body larger than %d bytes", ErrMalformed, MaxSize)
	errLineTooLong    = fmt.Errorf("%w: line longer than %d bytes", ErrMalformed, MaxLineLength)
	errBadChar        = fmt.Errorf("%w: NUL or CR inside a line", ErrMalformed)
	errBadLine        = fmt.Errorf("%w: not a <type>=<value> line", ErrMalformed)
	errNoVersion      = fmt.Errorf("%w: first line is not v=", ErrMalformed)
	errBadVersion     = fmt.Errorf("%w: version other than 0", ErrMalformed)
	errDuplicate      = fmt.Errorf("%w: line repeated", ErrMalformed)
	errMisplaced      = fmt.Errorf("%w: session-level line inside a media section", ErrMalformed)
	errNoOrigin       = fmt.Errorf("%w: missing o= line", ErrMalformed)
	errBadOrigin      = fmt.Errorf("%w: bad o= line", ErrMalformed)
	errBadConn        = fmt.Errorf("%w: bad c= line", ErrMalformed)
	errNoConn         = fmt.Errorf("%w: media without a connection address", ErrMalformed)
	errBadTiming      = fmt.Errorf("%w: bad t= line", ErrMalformed)
	errBadMedia       = fmt.Errorf("%w: bad m= line", ErrMalformed)
	errBadPort        = fmt.Errorf("%w: bad port", ErrMalformed)
	errBadFormat      = fmt.Errorf("%w: bad payload type", ErrMalformed)
	errTooManyMedia   = fmt.Errorf("%w: more than %d media sections", ErrMalformed, MaxMedia)
	errTooManyFormats = fmt.Errorf("%w: more than %d formats in a media section", ErrMalformed, MaxFormats)
	errBadRtpmap      = fmt.Errorf("%w: bad a=rtpmap", ErrMalformed)
	errBadFmtp        = fmt.Errorf("%w: bad a=fmtp", ErrMalformed)
	errBadPtime       = fmt.Errorf("%w: bad a=ptime", ErrMalformed)
)

// lineError wraps reason with the 1-based line number it was found on.
func lineError(reason error, line int) error {
	return fmt.Errorf("%w: line %d", reason, line)
}

// tokenError is lineError naming the offending token, quoted and cut short so
// that no caller-chosen bytes reach a log line unescaped.
func tokenError(reason error, line int, tok string) error {
	const max = 32
	if len(tok) > max {
		tok = tok[:max] + "…"
	}
	return fmt.Errorf("%w: line %d: %s", reason, line, strconv.Quote(tok))
}
