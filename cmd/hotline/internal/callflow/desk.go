package callflow

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/queue"
	"hotline/queue/queuepg"
	"hotline/telephony"
	"hotline/telephony/media"
)

// The desk: after the greeting the caller waits in the line, hearing hold audio and its position, until an
// operator answers (then both are bridged through this node), the wait grows too long or nobody is on duty
// (then the caller may leave a message), or the caller hangs up (abandoned).

var (
	errOperatorHungUp = errors.New("the operator hung up")
	errMessageTooLong = errors.New("the message reached its longest length")
)

// story keeps a call's record and its segments as the call goes.
type story struct {
	rec      *calls.Call
	answered time.Time
}

// begin closes the open segment, if any, and opens one of kind.
func (s *story) begin(kind, ext string) {
	now := time.Now().UTC()
	s.close(now)
	s.rec.Segments = append(s.rec.Segments, calls.Segment{Kind: kind, Ext: ext, StartedAt: now, Offset: now.Sub(s.answered)})
}

func (s *story) close(at time.Time) {
	if n := len(s.rec.Segments); n > 0 && s.rec.Segments[n-1].EndedAt == nil {
		s.rec.Segments[n-1].EndedAt = &at
	}
}

// bg is a context for the database writes that must happen although the call is over.
func bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// desk runs an answered call from the greeting (playing since the answer; greeted closes at its end) until
// it is over or left to the caller to hang up.
func (f *Flow) desk(c *telephony.Call, st *story, greeted <-chan struct{}, log *slog.Logger) {
	ctx := c.Context()
	sess := c.Session()
	keys := make(chan byte, 8)
	sess.OnDTMF(func(d byte) {
		select {
		case keys <- d:
		default:
		}
	})
	var item MenuItem
wait:
	for {
		select {
		case <-ctx.Done():
			return
		case <-greeted:
			break wait
		case k := <-keys:
			if m, ok := f.cfg.Menu[k]; ok {
				item = m
				c.Play(media.NewPlayer(f.cfg.Prompts.Hold))
				log.Debug("field chosen", "key", string(k), "field", m.Field)
				break wait
			}
		}
	}
	sess.OnDTMF(nil)
	if f.queue == nil {
		return // no desk: the caller hears hold audio until hanging up
	}

	now := time.Now()
	pos, err := f.queue.Enter(ctx, queuepg.Entry{CallID: c.ID, Node: f.cfg.NodeID, Field: item.Field,
		Priority: f.priority(ctx, item, log)}, now)
	if err != nil {
		log.Error("cannot put the call in the line: the caller is asked to leave a message", "error", err)
		f.voicemail(c, st, f.cfg.Prompts.AllBusy, log)
		return
	}
	queued := now.UTC()
	st.rec.QueuedAt = &queued
	st.begin("queued", "")
	f.journal.Put(st.rec)
	log.Debug("caller waits", "position", pos)

	offers, done := f.disp.Wait(c.ID)
	defer func() {
		done()
		// An operator's *8 call handed to this caller after it stopped reading offers: let it go.
		f.mu.Lock()
		pc := f.pickups[c.ID]
		delete(f.pickups, c.ID)
		f.mu.Unlock()
		if pc != nil {
			f.undoPickup(queue.Offer{CallID: c.ID, Ext: pc.Operator}, log)
			pc.Hangup(telephony.ErrHungUp)
		}
	}()
	if n, err := f.queue.OnDuty(ctx); err == nil && n == 0 {
		f.leave(c, queue.EventVoicemail, "nobody on duty", log)
		f.voicemail(c, st, f.cfg.Prompts.Nobody, log)
		return
	}
	announce := time.NewTicker(f.cfg.AnnounceEvery)
	defer announce.Stop()
	maxWait := time.NewTimer(f.cfg.MaxWait)
	defer maxWait.Stop()
	for {
		select {
		case <-ctx.Done():
			f.leave(c, queue.EventAbandon, "", log)
			f.gaveUp(st, queued)
			return
		case <-announce.C:
			if pos, err := f.queue.Position(ctx, c.ID); err == nil {
				c.Play(media.NewPlayer(f.cfg.Prompts.Hold, f.cfg.Prompts.Announcement(pos)...))
			}
		case <-maxWait.C:
			f.leave(c, queue.EventVoicemail, "waited too long", log)
			f.voicemail(c, st, f.cfg.Prompts.AllBusy, log)
			return
		case o := <-offers:
			if f.offer(c, st, o, log) {
				if st.rec.ConnectedAt == nil {
					// The caller hung up while the phone rang: the phone got CANCEL, the caller abandons.
					f.leave(c, queue.EventAbandon, "while an operator's phone rang", log)
					f.gaveUp(st, queued)
				}
				return
			}
			st.begin("queued", "")
			c.Play(media.NewPlayer(f.cfg.Prompts.Hold))
		}
	}
}

// priority is the place in the line of a caller who chose item: the menu's own priority, or the field's.
func (f *Flow) priority(ctx context.Context, item MenuItem, log *slog.Logger) int {
	if item.Priority != FieldPriority {
		return item.Priority
	}
	if f.fields == nil || item.Field == "" {
		return 0
	}
	fd, err := f.fields.Field(ctx, item.Field)
	if err != nil {
		log.Warn("the chosen field's priority is unknown: the caller waits with priority 0", "field", item.Field, "error", err)
		return 0
	}
	return fd.Priority
}

// gaveUp flags a caller who hung up after waiting CallbackWait or longer for a callback (a ticket is made
// of it): nobody is dropped silently.
func (f *Flow) gaveUp(st *story, queued time.Time) {
	if f.cfg.CallbackWait > 0 && time.Since(queued) >= f.cfg.CallbackWait {
		st.rec.Callback = true
		f.journal.Put(st.rec)
	}
}

// leave takes the caller out of the line with the event kind.
func (f *Flow) leave(c *telephony.Call, kind queue.EventKind, detail string, log *slog.Logger) {
	ctx, cancel := bg()
	defer cancel()
	if _, err := f.queue.Leave(ctx, c.ID, kind, detail, time.Now()); err != nil && !errors.Is(err, queue.ErrNotWaiting) {
		log.Error("queue event not written", "event", kind, "error", err)
	}
	f.disp.Kick()
}

// operatorSide is the operator's end of a conversation: a leg the hotline dialled, or the operator's own
// call (*8).
type operatorSide interface {
	Session() *media.Session
	Context() context.Context
	Hangup(cause error)
}

// offer rings the offered operator (or takes the operator's *8 call) and, once connected, bridges and
// runs the conversation. It returns true when the call is over for the desk (talked, or the caller left).
func (f *Flow) offer(c *telephony.Call, st *story, o queue.Offer, log *slog.Logger) bool {
	log = log.With("ext", o.Ext)
	var op operatorSide
	var closeOp func()
	answered := time.Now()
	if o.Pickup {
		f.mu.Lock()
		pc := f.pickups[o.CallID]
		delete(f.pickups, o.CallID)
		f.mu.Unlock()
		if pc == nil {
			return false
		}
		op, closeOp = pickedUp{pc}, func() {}
	} else {
		leg, err := f.ring(c, st, o, log)
		if err != nil {
			return c.Context().Err() != nil
		}
		op, closeOp = leg, leg.Close
		answered = time.Now()
	}
	defer closeOp()

	// Media first (no dead air for either side), then the records.
	flowing := media.Bridge(c.Session(), op.Session())
	connected := time.Now().UTC()
	go func() {
		select {
		case <-flowing.Done():
			f.cfg.Metrics.bridged(time.Since(answered))
		case <-c.Context().Done():
		}
	}()
	ctx, cancel := bg()
	wait, err := f.queue.Connected(ctx, c.ID, o.Ext, time.Now())
	cancel()
	if err != nil {
		log.Error("connect not recorded", "error", err)
	}
	st.rec.ConnectedAt, st.rec.Operator = &connected, o.Ext
	st.begin("talking", o.Ext)
	f.journal.Put(st.rec)
	log.Debug("operator connected", "wait_seconds", wait.Seconds())

	if leg, ok := op.(*telephony.Leg); ok {
		leg.OnHold(func(held bool) {
			if held {
				st.begin("held", o.Ext)
				c.Play(media.NewPlayer(f.cfg.Prompts.Hold))
			} else {
				st.begin("talking", o.Ext)
				media.Bridge(c.Session(), op.Session())
			}
		})
	}
	select {
	case <-c.Context().Done():
		op.Hangup(telephony.ErrCallerHangup)
	case <-op.Context().Done():
		c.Hangup(errOperatorHungUp)
	}
	media.Unbridge(c.Session(), op.Session())

	ctx, cancel = bg()
	defer cancel()
	if err := f.queue.Completed(ctx, c.ID, o.Ext, time.Since(connected), f.cfg.WrapUp, time.Now()); err != nil {
		log.Error("call completion not recorded", "error", err)
	}
	f.disp.Kick()
	return true
}

// ring calls the operator's phone; on any failure the caller is back in the line (or has left).
func (f *Flow) ring(c *telephony.Call, st *story, o queue.Offer, log *slog.Logger) (*telephony.Leg, error) {
	st.begin("ringing", o.Ext)
	var leg *telephony.Leg
	err := queue.ErrNoOperator
	for _, ct := range o.Contacts {
		src, perr := netip.ParseAddrPort(ct.Source)
		if perr != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(c.Context(), f.cfg.RingTimeout)
		leg, err = f.sip.Dial(ctx, telephony.DialRequest{
			Contact: ct.URI, Source: src, Transport: ct.Transport, CallerNumber: c.Caller, CallerName: c.CallerName,
		})
		cancel()
		if err == nil || errors.Is(err, telephony.ErrNoAnswer) || c.Context().Err() != nil {
			break
		}
	}
	if err == nil {
		f.cfg.Metrics.offer("answered")
		return leg, nil
	}
	if c.Context().Err() != nil {
		f.cfg.Metrics.offer("caller_left")
		return nil, err // the caller hung up while the phone rang: desk logs the abandon, which frees it
	}
	how, outcome := queuepg.Failed, "unreachable"
	switch {
	case errors.Is(err, telephony.ErrNoAnswer):
		how, outcome = queuepg.NoAnswer, "no_answer"
	case errors.Is(err, telephony.ErrDeclined):
		how, outcome = queuepg.Declined, "declined"
	}
	f.cfg.Metrics.offer(outcome)
	log.Info("operator did not take the call", "error", err)
	ctx, cancel := bg()
	defer cancel()
	if merr := f.queue.Missed(ctx, o, how, time.Now()); merr != nil {
		log.Error("missed offer not recorded", "error", merr)
	}
	f.disp.Kick()
	return nil, err
}

// pickedUp is an operator's own *8 call seen as the operator's side of a conversation.
type pickedUp struct{ c *telephony.Call }

func (p pickedUp) Session() *media.Session  { return p.c.Session() }
func (p pickedUp) Context() context.Context { return p.c.Context() }
func (p pickedUp) Hangup(cause error)       { p.c.Hangup(cause) }

// voicemail plays prompt and a beep, then lets the caller speak up to VoicemailMax; the message is part of
// the call's recording (segment "voicemail") and the call is flagged for a callback.
func (f *Flow) voicemail(c *telephony.Call, st *story, prompt *media.Clip, log *slog.Logger) {
	st.rec.Callback = true
	f.journal.Put(st.rec)
	beeped := make(chan struct{})
	c.Play(media.NewPlayer(nil, prompt, f.cfg.Prompts.Beep).OnDone(func() { close(beeped) }))
	select {
	case <-c.Context().Done():
		return
	case <-beeped:
	}
	st.begin("voicemail", "")
	f.journal.Put(st.rec)
	t := time.NewTimer(f.cfg.VoicemailMax)
	defer t.Stop()
	select {
	case <-c.Context().Done():
	case <-t.C:
		bye := make(chan struct{})
		c.Play(media.NewPlayer(nil, f.cfg.Prompts.Goodbye).OnDone(func() { close(bye) }))
		select {
		case <-bye:
		case <-c.Context().Done():
		}
		c.Hangup(errMessageTooLong)
	}
	log.Debug("message left")
}

// pickup runs an operator's *8 call: the longest-waiting caller on this node is joined to it.
func (f *Flow) pickup(c *telephony.Call, log *slog.Logger) {
	log = log.With("ext", c.Operator)
	if f.queue == nil || c.Offer() != nil {
		_ = c.Reject(telephony.RejectError{Code: 488, Reason: "Not Acceptable Here"})
		return
	}
	ctx, cancel := bg()
	o, err := f.queue.Pickup(ctx, c.Operator, f.cfg.NodeID, nil, time.Now())
	cancel()
	if err != nil {
		log.Info("pickup: nobody to take", "error", err)
		_ = c.Reject(telephony.RejectError{Code: 480, Reason: "No Caller Waiting"})
		return
	}
	if err := c.Answer(telephony.AnswerParams{}); err != nil {
		f.undoPickup(o, log)
		return
	}
	f.mu.Lock()
	f.pickups[o.CallID] = c
	f.mu.Unlock()
	o.Pickup = true
	if !f.disp.Deliver(o) {
		f.mu.Lock()
		delete(f.pickups, o.CallID)
		f.mu.Unlock()
		f.undoPickup(o, log)
		c.Hangup(telephony.ErrHungUp)
	}
	<-c.Context().Done()
	c.StopMedia()
}

func (f *Flow) undoPickup(o queue.Offer, log *slog.Logger) {
	ctx, cancel := bg()
	defer cancel()
	if err := f.queue.Release(ctx, o, time.Now()); err != nil {
		log.Error("pickup not undone", "error", err)
	}
	f.disp.Kick()
}

// Pickup is the API's pickup: the operator's phone rings and, on answer, is connected to the caller
// (callID, or the head of the line when nil).
func (f *Flow) Pickup(ctx context.Context, ext string, callID *uuid.UUID) (uuid.UUID, error) {
	o, err := f.queue.Pickup(ctx, ext, f.cfg.NodeID, callID, time.Now())
	if err != nil {
		return uuid.Nil, err
	}
	if o.Contacts, err = f.queue.Contacts(ctx, ext, time.Now()); err != nil || len(o.Contacts) == 0 {
		f.undoPickup(o, f.log)
		return uuid.Nil, errNoPhone
	}
	if !f.disp.Deliver(o) {
		f.undoPickup(o, f.log)
		return uuid.Nil, queue.ErrNotWaiting
	}
	return o.CallID, nil
}

var errNoPhone = errors.New("the operator has no registered phone to ring")
