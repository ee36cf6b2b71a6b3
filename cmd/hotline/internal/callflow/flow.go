package callflow

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/internal/phone"
	"hotline/queue"
	"hotline/queue/queuepg"
	"hotline/recordings"
	"hotline/telephony"
	"hotline/telephony/media"
	"hotline/telephony/prompts"
	"hotline/telephony/sdp"
	"hotline/ticketing"
)

// Config is the call flow's configuration.
type Config struct {
	NodeID string
	// AnswerDelay is how long a call rings (180 Ringing) before the answer; 0 answers at once.
	AnswerDelay time.Duration
	// RingTimeout is how long an operator's phone rings before the next operator is tried.
	RingTimeout time.Duration
	// WrapUp is how long an operator stays in wrap-up after a call before being offered the next.
	WrapUp time.Duration
	// AnnounceEvery is how often a waiting caller hears its position.
	AnnounceEvery time.Duration
	// MaxWait is how long a caller waits before being offered to leave a message.
	MaxWait time.Duration
	// CallbackWait: a caller who hangs up after waiting this long is flagged for a callback; 0: never.
	CallbackWait time.Duration
	// VoicemailMax is the longest message a caller may leave.
	VoicemailMax time.Duration
	// Menu maps a key pressed during the greeting to the field (and priority) the caller chooses.
	Menu    map[byte]MenuItem
	Prompts *prompts.Set
	Log     *slog.Logger
	Metrics *Metrics // may be nil
}

// MenuItem is what a key of the greeting's menu chooses.
type MenuItem struct {
	Field    string
	Priority int // in the line, higher first; FieldPriority: the field's own (hotline field set --priority)
}

// FieldPriority in a MenuItem takes the priority the field has in the database when the caller chooses it.
const FieldPriority = -1

// Fields reads the fields' reference data (their queue priority).
type Fields interface {
	Field(ctx context.Context, code string) (ticketing.Field, error)
}

// Parts are the services a flow uses.
type Parts struct {
	Journal    *calls.Journal
	Recordings *recordings.Writer
	SIP        *telephony.Server // for calling operators' phones
	Queue      *queuepg.Store
	Dispatcher *queue.Dispatcher
	Fields     Fields // nil: menu items without a priority get 0
}

// Flow runs calls.
type Flow struct {
	cfg     Config
	journal *calls.Journal
	recs    *recordings.Writer
	fields  Fields
	sip     *telephony.Server
	queue   *queuepg.Store
	disp    *queue.Dispatcher
	log     *slog.Logger

	mu      sync.Mutex
	pickups map[uuid.UUID]*telephony.Call // operators' *8 calls waiting to be joined to a caller
}

var _ telephony.Handler = (*Flow)(nil)

// New returns a flow on parts. SIP may be set later with SetSIP (the SIP server needs the flow first).
func New(cfg Config, p Parts) *Flow {
	return &Flow{cfg: cfg, journal: p.Journal, recs: p.Recordings, sip: p.SIP, queue: p.Queue, disp: p.Dispatcher,
		fields: p.Fields, log: cfg.Log, pickups: map[uuid.UUID]*telephony.Call{}}
}

// SetSIP gives the flow the SIP server it calls operators through.
func (f *Flow) SetSIP(s *telephony.Server) { f.sip = s }

// HandleCall runs one call until it ends.
func (f *Flow) HandleCall(c *telephony.Call) {
	rec := &calls.Call{
		ID: c.ID, NodeID: f.cfg.NodeID, SIPCallID: c.SIPCallID, Caller: c.Caller, CallerName: c.CallerName,
		Called: c.Called, Transport: c.Transport, Source: c.Source.String(), Codec: c.Codec(),
		ArrivedAt: c.ArrivedAt.UTC(),
	}
	log := f.log.With("call_id", c.ID)
	if c.Operator != "" {
		f.pickup(c, log)
		return
	}
	log.Debug("call arrived", "caller", phone.Mask(c.Caller), "transport", c.Transport)
	f.journal.Put(rec)

	if err := c.Offer(); err != nil {
		log.Info("call refused: no common codec", "error", err)
		_ = c.Reject(err)
		f.end(rec, calls.EndNoCodec)
		return
	}
	if f.cfg.AnswerDelay > 0 {
		_ = c.Ring()
		t := time.NewTimer(f.cfg.AnswerDelay)
		select {
		case <-t.C:
		case <-c.Context().Done():
			t.Stop()
			f.end(rec, endReason(context.Cause(c.Context())))
			return
		}
	}

	recorder, err := f.recs.Create(c.ID.String(), c.ArrivedAt)
	if err != nil {
		// The citizen is answered even when the disk refuses the recording; the desk must hear of it.
		log.Error("call answered without recording: cannot create the recording file", "error", err)
	}
	// The greeting starts with the answer, once: desk learns its end from greeted rather than playing it
	// again (which restarted it when a frame went out in between).
	greeted := make(chan struct{})
	var once sync.Once
	params := telephony.AnswerParams{Player: media.NewPlayer(f.cfg.Prompts.Hold, f.cfg.Prompts.Greeting).
		OnDone(func() { once.Do(func() { close(greeted) }) })}
	if recorder != nil {
		params.Recorder = tee{recorder}
	}
	if err := c.Answer(params); err != nil {
		if recorder != nil {
			recorder.Abort()
		}
		reason := endReason(err)
		if reason == calls.EndFailed {
			log.Error("call not answered", "error", err)
			_ = c.Reject(err)
		}
		f.end(rec, reason)
		return
	}
	answered := c.AnsweredAt().UTC()
	rec.AnsweredAt = &answered
	st := &story{rec: rec, answered: answered}
	st.begin("greeting", "")
	f.journal.Put(rec)

	f.desk(c, st, greeted, log)

	<-c.Context().Done()
	cause := context.Cause(c.Context())
	length := c.StopMedia()
	ended := answered.Add(samples(length))
	st.close(ended)
	rec.EndedAt, rec.EndReason = &ended, endReason(cause)
	f.cfg.Metrics.callEnded(rec.EndReason)
	log.Debug("call ended", "reason", rec.EndReason, "seconds", samples(length).Seconds())

	if recorder != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := recorder.Close(ctx, length)
		cancel()
		if err != nil {
			log.Error("recording not finished", "error", err)
		} else {
			f.journal.PutRecording(recordingRow(c.ID, answered, res, false))
		}
	}
	f.journal.Put(rec)
}

func (f *Flow) end(rec *calls.Call, reason string) {
	now := time.Now().UTC()
	rec.EndedAt, rec.EndReason = &now, reason
	f.cfg.Metrics.callEnded(reason)
	f.journal.Put(rec)
}

func recordingRow(callID uuid.UUID, started time.Time, res recordings.Result, repaired bool) calls.Recording {
	return calls.Recording{
		ID: uuid.Must(uuid.NewV7()), CallID: callID, Kind: "call", Path: res.Path, StartedAt: started,
		Duration: res.Duration, Bytes: res.Bytes, SHA256: res.SHA256, Repaired: repaired,
	}
}

func samples(n int64) time.Duration {
	return time.Duration(n) * time.Second / media.SampleRate
}

// endReason maps why a call ended to the record's end reason.
func endReason(cause error) string {
	switch {
	case errors.Is(cause, telephony.ErrCallerHangup):
		return calls.EndCallerHangup
	case errors.Is(cause, telephony.ErrCancelled):
		return calls.EndCancelled
	case errors.Is(cause, media.ErrRTPTimeout):
		return calls.EndRTPTimeout
	case errors.Is(cause, telephony.ErrShutdown):
		return calls.EndShutdown
	case errors.Is(cause, telephony.ErrNoACK):
		return calls.EndNoACK
	case errors.Is(cause, sdp.ErrNoCodec):
		return calls.EndNoCodec
	case errors.Is(cause, errOperatorHungUp):
		return calls.EndOperator
	case errors.Is(cause, errMessageTooLong):
		return calls.EndVoicemail
	}
	return calls.EndFailed
}

// tee writes a call's two directions into its recording.
type tee struct{ r *recordings.Recorder }

func (t tee) WriteCaller(pos int64, s []int16) { t.r.Write(recordings.Left, pos, s) }
func (t tee) WriteHeard(pos int64, s []int16)  { t.r.Write(recordings.Right, pos, s) }
func (t tee) Advance(pos int64)                { t.r.Advance(pos) }
