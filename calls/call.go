package calls

import (
	"time"

	"github.com/google/uuid"
)

// End reasons stored in calls.end_reason.
const (
	EndCallerHangup = "caller_hangup"   // the caller sent BYE
	EndCancelled    = "cancelled"       // the caller sent CANCEL before the answer
	EndNoCodec      = "no_codec"        // refused with 488: no codec in common
	EndRTPTimeout   = "rtp_timeout"     // no RTP from the caller for HOTLINE_RTP_TIMEOUT
	EndCrash        = "crash"           // the process died during the call; ended by the next start
	EndShutdown     = "shutdown"        // the hotline stopped and hung up
	EndNoACK        = "no_ack"          // the caller never acknowledged the answer
	EndFailed       = "failed"          // the hotline could not set the call up (ports, disk); answered 5xx
	EndOperator     = "operator_hangup" // the operator hung up
	EndVoicemail    = "voicemail"       // the caller's message reached its longest length; the hotline hung up
)

// Segment is a part of a call: the greeting, the wait, an operator's phone ringing, the talk, a hold, a
// voicemail message. Offset is from the start of the call's recording.
type Segment struct {
	Kind      string // greeting | queued | ringing | talking | held | voicemail
	Ext       string
	StartedAt time.Time
	EndedAt   *time.Time
	Offset    time.Duration
}

// Call is one call record. Times are UTC; nil means "not yet" or "never".
type Call struct {
	ID          uuid.UUID
	NodeID      string
	SIPCallID   string
	Caller      string // as received
	CallerName  string
	Called      string
	Transport   string
	Source      string
	Codec       string // "" when none was agreed
	ArrivedAt   time.Time
	AnsweredAt  *time.Time
	QueuedAt    *time.Time
	ConnectedAt *time.Time
	Operator    string
	EndedAt     *time.Time
	EndReason   string
	RecordingID *uuid.UUID
	Callback    bool        // the caller left a message or gave up: call back
	Segments    []Segment   // written with the call when not nil
	TicketIDs   []uuid.UUID // the tickets the call is linked to (read only: tickets link calls)
	// Version orders the writes of one call: the Journal bumps it, and the database keeps the highest.
	Version int
}

// Recording is the row of a finished recording file.
type Recording struct {
	ID        uuid.UUID
	CallID    uuid.UUID
	Kind      string // "call"
	Path      string // relative to the recordings folder
	StartedAt time.Time
	Duration  time.Duration
	Bytes     int64
	SHA256    string
	Repaired  bool
	// Legal hold and deletion (read only: see SetHold and Tombstone).
	LegalHold     bool
	HoldReason    string
	DeletedAt     *time.Time
	DeletedBy     string
	DeletedReason string
}
