package telephony

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"hotline/telephony/media"
	"hotline/telephony/sdp"
)

// Call is one inbound call, from its INVITE to its end. Its exported fields are set before the handler
// sees it and never change; its methods are safe for concurrent use.
type Call struct {
	ID         uuid.UUID // the call's id in the hotline (time-ordered)
	SIPCallID  string
	Caller     string // the caller's number (From user part), cleaned of control characters
	CallerName string // the From display name, cleaned
	Called     string // the number dialled (Request-URI user part)
	Transport  string // "udp" or "tcp"
	Source     netip.AddrPort
	ArrivedAt  time.Time
	// Operator is the extension of the operator who placed this call, authenticated by digest, when it
	// dials a feature code (*8); "" for calls from the trunk.
	Operator string

	srv    *Server
	src    netip.Addr
	local  netip.Addr
	req    *sip.Request
	tx     sip.ServerTransaction
	dialog *sipgo.DialogServerSession

	offer    *sdp.Session
	choice   sdp.Choice
	offerErr error

	mu         sync.Mutex
	sess       *media.Session
	sessID     uint64
	sdpVersion uint64

	ctx        context.Context
	cancel     context.CancelCauseFunc
	answered   chan struct{}
	isAnswered atomic.Bool
	byeSent    atomic.Bool
	byes       sync.WaitGroup
	closeOnce  sync.Once
	endPos     int64
}

func newCall(s *Server, req *sip.Request, tx sip.ServerTransaction, src netip.AddrPort) (*Call, error) {
	from, to, callID := req.From(), req.To(), req.CallID()
	if from == nil || to == nil || callID == nil || req.CSeq() == nil || req.Contact() == nil {
		return nil, fmt.Errorf("%w: From, To, Call-ID, CSeq and Contact are required", errBadRequest)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	local := s.cfg.PublicIP
	if !local.IsValid() {
		local = s.local.toward(src.Addr())
	}
	called := req.Recipient.User
	if called == "" {
		called = to.Address.User
	}
	c := &Call{
		ID:         id,
		SIPCallID:  clean(callID.Value(), 200),
		Caller:     clean(from.Address.User, 64),
		CallerName: clean(from.DisplayName, 128),
		Called:     clean(called, 64),
		Transport:  strings.ToLower(req.Transport()),
		Source:     src,
		ArrivedAt:  time.Now(),
		srv:        s,
		src:        src.Addr(),
		local:      local,
		req:        req,
		tx:         tx,
		sessID:     rand.Uint64() >> 1,
		answered:   make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancelCause(context.Background())
	ua := sipgo.DialogUA{Client: s.client, ContactHDR: s.contact(c.Transport, local), RewriteContact: true}
	c.dialog, err = ua.ReadInvite(req, tx)
	if err != nil {
		c.cancel(err)
		return nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	c.negotiate(req)
	return c, nil
}

func (c *Call) negotiate(req *sip.Request) {
	body := req.Body()
	if len(body) == 0 {
		c.offerErr = errNoOffer
		return
	}
	if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(strings.Split(ct.Value(), ";")[0]), "application/sdp") {
		c.offerErr = errNoOffer
		return
	}
	c.offer, c.offerErr = sdp.Parse(body)
	if c.offerErr != nil {
		return
	}
	c.choice, c.offerErr = sdp.Negotiate(c.offer)
}

// clean keeps a caller-supplied value safe to store, log and put into headers: control characters and
// invalid UTF-8 are dropped, and it is cut to max bytes.
func clean(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '"' || r == '\\' || r == '<' || r == '>' {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// Context ends when the call ends; context.Cause tells why.
func (c *Call) Context() context.Context { return c.ctx }

// Offer tells whether the INVITE's SDP offer can be answered: nil, or why not (sdp.ErrNoCodec, …).
func (c *Call) Offer() error { return c.offerErr }

// Codec is the agreed codec ("PCMA" or "PCMU"), or "" when none was.
func (c *Call) Codec() string {
	if c.offerErr != nil {
		return ""
	}
	return c.choice.Codec.Name
}

func (c *Call) end(cause error) { c.cancel(cause) }

// Reject refuses the call with the SIP status err maps to (RejectError sets it) and ends it with err.
func (c *Call) Reject(err error) error {
	c.end(err)
	return c.refuse(sipStatus(err))
}

// refuse sends a final error response. The transaction layer retransmits it and absorbs the ACK; the call
// does not wait for that ACK (a peer that never sends it must not hold a call slot for 32 s).
func (c *Call) refuse(code int, reason string) error {
	res := sip.NewResponseFromRequest(c.dialog.InviteRequest, code, reason, nil)
	switch code {
	case sip.StatusNotAcceptableHere:
		res.AppendHeader(sip.NewHeader("Warning", `399 hotline "no common codec: offer PCMA (8) or PCMU (0) audio"`))
	case sip.StatusServiceUnavailable:
		res.AppendHeader(sip.NewHeader("Retry-After", "30"))
	}
	return c.tx.Respond(res)
}

// Ring sends 180 Ringing.
func (c *Call) Ring() error {
	return c.dialog.Respond(sip.StatusRinging, "Ringing", nil)
}

// AnswerParams are what the handler hooks into the call's media.
type AnswerParams struct {
	Recorder media.Recorder // may be nil
	OnDTMF   func(digit byte)
	Player   *media.Player // what the caller hears first
}

// Answer sends 200 OK with the SDP answer and starts the media session: its clock starts now. The ACK is
// awaited in the background; a call never acknowledged ends with ErrNoACK.
func (c *Call) Answer(p AnswerParams) error {
	if c.offerErr != nil {
		return c.offerErr
	}
	if err := context.Cause(c.ctx); err != nil {
		return err
	}
	bind := netip.IPv4Unspecified()
	if c.src.Is6() {
		bind = netip.IPv6Unspecified()
	}
	sess, err := c.srv.media.NewSession(bind)
	if err != nil {
		return err
	}
	dtmfPT := -1
	if c.choice.DTMF != nil {
		dtmfPT = int(c.choice.DTMF.PT)
	}
	codec := media.PCMU
	if c.choice.Codec.Name == "PCMA" {
		codec = media.PCMA
	}
	c.mu.Lock()
	c.sess = sess
	answer := c.answerSDP(c.offer, c.choice)
	c.mu.Unlock()
	if p.Player != nil {
		sess.Play(p.Player)
	}
	sess.Start(media.Params{
		Codec: codec, PT: c.choice.Codec.PT, DTMFPT: dtmfPT, Remote: c.choice.Remote,
		Timeout: max(c.srv.cfg.RTPTimeout, 0), Recorder: p.Recorder, OnDTMF: p.OnDTMF,
	})
	sess.SetSending(receives(c.choice.Direction))
	c.isAnswered.Store(true)
	close(c.answered)
	go func() {
		if err := c.dialog.RespondSDP(answer); err != nil {
			if context.Cause(c.ctx) == nil && c.dialog.LoadState() != sip.DialogStateEnded {
				c.end(ErrNoACK)
				c.bye()
			}
		}
	}()
	go c.watch()
	return nil
}

// answerSDP builds an SDP answer for offer (sendrecv, narrowed by the offer's direction); c.mu is held.
func (c *Call) answerSDP(offer *sdp.Session, choice sdp.Choice) []byte {
	c.sdpVersion++
	return sdp.Answer(sdp.AnswerParams{
		Offer: offer, Choice: choice, Addr: c.local, Port: c.sess.Port(), SessID: c.sessID,
		Version: c.sdpVersion, Username: "hotline",
	})
}

// watch ends the call when the caller hangs up or its media times out.
func (c *Call) watch() {
	select {
	case <-c.dialog.Context().Done():
		c.end(ErrCallerHangup)
	case <-c.sess.Done():
		if err := c.sess.Err(); err != nil {
			c.end(err)
			c.bye()
		}
	case <-c.ctx.Done():
	}
}

// watchEarly ends a call not yet answered when the caller cancels it.
func (c *Call) watchEarly() {
	select {
	case <-c.dialog.Context().Done():
		if !c.isAnswered.Load() {
			c.end(ErrCancelled)
		}
	case <-c.answered:
	case <-c.ctx.Done():
	}
}

// Play replaces what the caller hears.
func (c *Call) Play(p *media.Player) {
	c.mu.Lock()
	sess := c.sess
	c.mu.Unlock()
	if sess != nil {
		sess.Play(p)
	}
}

// Hangup ends the call with cause: BYE once answered, else a final refusal (503 when the hotline shuts
// down, 480 otherwise). It does not wait for the caller's answer to the BYE.
func (c *Call) Hangup(cause error) {
	if context.Cause(c.ctx) != nil {
		return
	}
	c.end(cause)
	if c.isAnswered.Load() {
		c.bye()
		return
	}
	if errors.Is(cause, ErrShutdown) {
		_ = c.refuse(sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	_ = c.refuse(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
}

// bye sends BYE in the background, once.
func (c *Call) bye() {
	if c.byeSent.Swap(true) {
		return
	}
	c.byes.Add(1)
	go func() {
		defer c.byes.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		defer cancel()
		if err := c.dialog.Bye(ctx); err != nil {
			c.srv.log.Debug("bye not acknowledged", "call_id", c.ID, "error", err)
		}
	}()
}

// AnsweredAt is when the call was answered: the start of its media clock and of its recording; zero
// before the answer.
func (c *Call) AnsweredAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return time.Time{}
	}
	return c.sess.Started()
}

// Session is the call's media session once answered (nil before), for bridging.
func (c *Call) Session() *media.Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// Position is the call's media clock in samples since the answer.
func (c *Call) Position() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return 0
	}
	return c.sess.Position()
}

// StopMedia stops the call's media and returns its length in samples since the answer: the length its
// recording must have. Safe twice; the second call returns the same length.
func (c *Call) StopMedia() int64 {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		sess := c.sess
		c.mu.Unlock()
		if sess != nil {
			c.endPos = sess.Close()
		}
	})
	return c.endPos
}
