package callflow

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/recordings"
	"hotline/telephony"
	"hotline/telephony/media"
	"hotline/telephony/prompts"
	"hotline/telephony/sdp"
)

// Config is the call flow's configuration.
type Config struct {
	NodeID string
	// AnswerDelay is how long a call rings (180 Ringing) before the answer; 0 answers at once.
	AnswerDelay time.Duration
	Prompts     *prompts.Set
	Log         *slog.Logger
}

// Flow runs calls.
type Flow struct {
	cfg     Config
	journal *calls.Journal
	recs    *recordings.Writer
	log     *slog.Logger
}

var _ telephony.Handler = (*Flow)(nil)

// New returns a flow writing records to journal and recordings to recs.
func New(cfg Config, journal *calls.Journal, recs *recordings.Writer) *Flow {
	return &Flow{cfg: cfg, journal: journal, recs: recs, log: cfg.Log}
}

// HandleCall runs one call until it ends.
func (f *Flow) HandleCall(c *telephony.Call) {
	rec := &calls.Call{
		ID: c.ID, NodeID: f.cfg.NodeID, SIPCallID: c.SIPCallID, Caller: c.Caller, CallerName: c.CallerName,
		Called: c.Called, Transport: c.Transport, Source: c.Source.String(), Codec: c.Codec(),
		ArrivedAt: c.ArrivedAt.UTC(),
	}
	log := f.log.With("call_id", c.ID)
	log.Debug("call arrived", "caller", Mask(c.Caller), "transport", c.Transport)
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
	params := telephony.AnswerParams{Player: media.NewPlayer(f.cfg.Prompts.Hold, f.cfg.Prompts.Greeting)}
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
	f.journal.Put(rec)

	<-c.Context().Done()
	cause := context.Cause(c.Context())
	length := c.StopMedia()
	ended := answered.Add(samples(length))
	rec.EndedAt, rec.EndReason = &ended, endReason(cause)
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
	}
	return calls.EndFailed
}

// tee writes a call's two directions into its recording.
type tee struct{ r *recordings.Recorder }

func (t tee) WriteCaller(pos int64, s []int16) { t.r.Write(recordings.Left, pos, s) }
func (t tee) WriteHeard(pos int64, s []int16)  { t.r.Write(recordings.Right, pos, s) }
func (t tee) Advance(pos int64)                { t.r.Advance(pos) }

// Mask hides the middle of a phone number for logs: "0912345678" → "0912***678".
func Mask(number string) string {
	if len(number) < 8 {
		return "***"
	}
	return number[:4] + "***" + number[len(number)-3:]
}
