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

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"hotline/telephony/media"
	"hotline/telephony/sdp"
)

// Outbound legs: the hotline calls an operator's phone (a dialog of its own, B2BUA), and on answer the
// leg's media session can be bridged with the caller's.

// Why a dial failed.
var (
	ErrNoAnswer    = errors.New("the phone rang out")
	ErrDeclined    = errors.New("the phone declined or was busy")
	ErrUnreachable = errors.New("the phone could not be reached")
)

// DialRequest is a call to a registered phone.
type DialRequest struct {
	Contact   string         // the Contact URI the phone registered: the Request-URI
	Source    netip.AddrPort // where its REGISTER came from: requests go there (a phone behind NAT)
	Transport string         // "udp" or "tcp"
	// The caller shown on the phone: number and name, cleaned before they go into From.
	CallerNumber, CallerName string
	// OnRinging is called when the phone says it rings (180/183); it must not block.
	OnRinging func()
}

// Leg is an answered outbound call.
type Leg struct {
	srv    *Server
	dialog *sipgo.DialogClientSession
	sess   *media.Session
	id     string

	ctx        context.Context
	cancel     context.CancelCauseFunc
	onHold     atomic.Pointer[func(held bool)]
	byeOnce    sync.Once
	byes       sync.WaitGroup
	mu         sync.Mutex
	version    uint64
	sessID     uint64
	local      netip.Addr
	remoteCSeq uint32 // the phone's own CSeq numbering (its requests in the dialog)
}

// Dial calls a phone and waits until it answers (nil error), refuses (ErrDeclined, ErrUnreachable) or
// ctx ends (ErrNoAnswer when its deadline passed; the phone gets CANCEL).
func (s *Server) Dial(ctx context.Context, r DialRequest) (*Leg, error) {
	uri := sip.Uri{}
	if err := sip.ParseUri(r.Contact, &uri); err != nil {
		return nil, fmt.Errorf("%w: contact %q: %v", ErrUnreachable, r.Contact, err)
	}
	local := s.cfg.PublicIP
	if !local.IsValid() {
		local = s.local.toward(r.Source.Addr())
	}
	bind := netip.IPv4Unspecified()
	if r.Source.Addr().Is6() {
		bind = netip.IPv6Unspecified()
	}
	sess, err := s.media.NewSession(bind)
	if err != nil {
		return nil, err
	}
	leg := &Leg{srv: s, sess: sess, sessID: rand.Uint64() >> 1, version: 1, local: local}
	transport := strings.ToLower(r.Transport)
	if transport == "" {
		transport = "udp"
	}
	req := sip.NewRequest(sip.INVITE, uri)
	req.SetTransport(strings.ToUpper(transport))
	req.SetDestination(r.Source.String())
	from := &sip.FromHeader{
		DisplayName: clean(r.CallerName, 64),
		Address:     sip.Uri{Scheme: "sip", User: callerUser(r.CallerNumber), Host: local.String()},
		Params:      sip.NewParams(),
	}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", s.allow))
	req.SetBody(sdp.Offer(local, sess.Port(), leg.sessID, leg.version))

	ua := sipgo.DialogUA{Client: s.client, ContactHDR: s.contact(transport, local), RewriteContact: true}
	d, err := ua.WriteInvite(ctx, req)
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	leg.dialog = d

	// WaitAnswer sends CANCEL when ctx ends and then waits for the 487, which may take seconds: the wait
	// runs on its own, and a phone that answers in the middle of a CANCEL gets ACK and BYE.
	answered := make(chan error, 1)
	go func() {
		answered <- d.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
			if (res.StatusCode == 180 || res.StatusCode == 183) && r.OnRinging != nil {
				r.OnRinging()
			}
			return nil
		}})
	}()
	select {
	case err = <-answered:
	case <-ctx.Done():
		go func() {
			<-answered
			if res := d.InviteResponse; res != nil && res.IsSuccess() {
				leg.ackAndBye()
			}
		}()
		sess.Close()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ErrNoAnswer
		}
		return nil, ctx.Err()
	}
	if err != nil {
		sess.Close()
		var re *sipgo.ErrDialogResponse
		if errors.As(err, &re) {
			switch re.Res.StatusCode {
			case 486, 600, 603, 480:
				return nil, fmt.Errorf("%w (%d)", ErrDeclined, re.Res.StatusCode)
			}
			return nil, fmt.Errorf("%w (%d)", ErrUnreachable, re.Res.StatusCode)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}

	answer, err := sdp.Parse(d.InviteResponse.Body())
	var choice sdp.Choice
	if err == nil {
		choice, err = sdp.Negotiate(answer)
	}
	if err != nil {
		sess.Close()
		leg.ackAndBye()
		return nil, fmt.Errorf("%w: the phone's SDP answer: %v", ErrUnreachable, err)
	}
	leg.id = d.ID
	leg.ctx, leg.cancel = context.WithCancelCause(context.Background())
	ackCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Ack(ackCtx); err != nil {
		sess.Close()
		return nil, fmt.Errorf("%w: ACK: %v", ErrUnreachable, err)
	}
	codec := media.PCMU
	if choice.Codec.Name == "PCMA" {
		codec = media.PCMA
	}
	dtmfPT := -1
	if choice.DTMF != nil {
		dtmfPT = int(choice.DTMF.PT)
	}
	sess.Start(media.Params{Codec: codec, PT: choice.Codec.PT, DTMFPT: dtmfPT, Remote: choice.Remote,
		Timeout: max(s.cfg.RTPTimeout, 0)})
	s.mu.Lock()
	s.legs[leg.id] = leg
	s.mu.Unlock()
	go leg.watch()
	return leg, nil
}

// callerUser makes a caller's number fit a SIP URI's user part: digits, +, *, # and letters only.
func callerUser(n string) string {
	var b strings.Builder
	for _, r := range n {
		if b.Len() >= 32 {
			break
		}
		if r >= '0' && r <= '9' || r == '+' || r == '*' || r == '#' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "anonymous"
	}
	return b.String()
}

func (l *Leg) ackAndBye() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = l.dialog.Ack(ctx)
	_ = l.dialog.Bye(ctx)
}

// watch ends the leg when the phone hangs up or its media times out.
func (l *Leg) watch() {
	select {
	case <-l.dialog.Context().Done():
		l.cancel(ErrCallerHangup)
	case <-l.sess.Done():
		if err := l.sess.Err(); err != nil {
			l.cancel(err)
			l.bye()
		}
	case <-l.ctx.Done():
	}
	l.srv.mu.Lock()
	delete(l.srv.legs, l.id)
	l.srv.mu.Unlock()
}

// Context ends when the leg ends; context.Cause is ErrCallerHangup when the phone hung up.
func (l *Leg) Context() context.Context { return l.ctx }

// Session is the leg's media session, for bridging.
func (l *Leg) Session() *media.Session { return l.sess }

// OnHold sets the function called when the phone holds (true) or resumes (false) the call.
func (l *Leg) OnHold(f func(held bool)) { l.onHold.Store(&f) }

// Hangup ends the leg with BYE.
func (l *Leg) Hangup(cause error) {
	if context.Cause(l.ctx) != nil {
		return
	}
	l.cancel(cause)
	l.bye()
}

func (l *Leg) bye() {
	l.byeOnce.Do(func() {
		l.byes.Add(1)
		go func() {
			defer l.byes.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
			defer cancel()
			if err := l.dialog.Bye(ctx); err != nil {
				l.srv.log.Debug("bye to the phone not acknowledged", "error", err)
			}
		}()
	})
}

// Close stops the leg's media (and hangs up if it is still up); it waits for the BYE to go out.
func (l *Leg) Close() {
	l.Hangup(ErrHungUp)
	l.sess.Close()
	l.byes.Wait()
}

// reinvite answers the phone's re-INVITE: hold (sendonly/inactive) and resume.
func (l *Leg) reinvite(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(res *sip.Response) { _ = tx.Respond(res) }
	// The phone numbers its requests from its own start (RFC 3261 §12.2.2); sipgo's dialog compares them
	// with ours, so the order is checked here.
	l.mu.Lock()
	cseq := req.CSeq().SeqNo
	stale := cseq <= l.remoteCSeq
	if !stale {
		l.remoteCSeq = cseq
	}
	l.mu.Unlock()
	if stale {
		respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
		return
	}
	offer, err := sdp.Parse(req.Body())
	var ch sdp.Choice
	if err == nil {
		ch, err = sdp.Negotiate(offer)
	}
	if err != nil {
		code, reason := sipStatus(err)
		respond(sip.NewResponseFromRequest(req, code, reason, nil))
		return
	}
	l.mu.Lock()
	l.version++
	body := sdp.Answer(sdp.AnswerParams{Offer: offer, Choice: ch, Addr: l.local, Port: l.sess.Port(),
		SessID: l.sessID, Version: l.version, Username: "hotline"})
	l.mu.Unlock()
	l.sess.SetRemote(ch.Remote)
	held := !receives(ch.Direction)
	l.sess.SetSending(!held)
	res := sip.NewSDPResponseFromRequest(req, body)
	contact := l.srv.contact(strings.ToLower(req.Transport()), l.local)
	res.AppendHeader(&contact)
	respond(res)
	if f := l.onHold.Load(); f != nil && *f != nil {
		(*f)(held)
	}
}
