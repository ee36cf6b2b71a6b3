package telephony

import (
	"context"
	"net/netip"
	"strings"

	"github.com/emiago/sipgo/sip"

	"hotline/telephony/sdp"
)

func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil && to.Params.Has("tag") {
		s.onReinvite(req, tx)
		return
	}
	src, err := sourceAddr(req)
	if err != nil {
		s.refuse(req, tx, errBadRequest)
		return
	}
	if err := s.admit(src.Addr()); err != nil {
		s.log.Debug("call refused", "source", src.Addr(), "reason", err)
		s.refuse(req, tx, err)
		return
	}
	// A feature code (*8: take the longest-waiting caller) is for operators only: it must authenticate as
	// one, as REGISTER does.
	operator := ""
	if strings.HasPrefix(req.Recipient.User, "*") {
		from := req.From()
		if s.reg == nil || from == nil {
			s.unadmit(src.Addr())
			s.refuse(req, tx, RejectError{sip.StatusForbidden, "Forbidden"})
			return
		}
		if !s.reg.authenticate(req, tx, from.Address.User, src) {
			s.unadmit(src.Addr())
			return
		}
		operator = from.Address.User
	}
	c, err := newCall(s, req, tx, src)
	if err != nil {
		s.unadmit(src.Addr())
		s.log.Debug("invite refused", "source", src.Addr(), "error", err)
		s.refuse(req, tx, err)
		return
	}
	c.Operator = operator
	s.mu.Lock()
	s.dialogs[c.dialog.ID] = c
	s.mu.Unlock()
	defer s.release(c)
	defer c.finish()

	if err := c.dialog.Respond(sip.StatusTrying, "Trying", nil); err != nil {
		c.end(err)
		return
	}
	go c.watchEarly()
	s.handler.HandleCall(c)
}

// refuse answers a request with the status its error maps to, outside any dialog.
func (s *Server) refuse(req *sip.Request, tx sip.ServerTransaction, err error) {
	code, reason := sipStatus(err)
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	if code == sip.StatusServiceUnavailable {
		res.AppendHeader(sip.NewHeader("Retry-After", "30"))
	}
	s.respond(tx, res)
}

// unadmit gives back what admit counted.
func (s *Server) unadmit(src netip.Addr) {
	s.mu.Lock()
	s.calls--
	if s.perSrc[src]--; s.perSrc[src] <= 0 {
		delete(s.perSrc, src)
	}
	s.mu.Unlock()
	s.running.Done()
}

// finish releases what the handler left: the media, and a final answer if the handler gave none.
func (c *Call) finish() {
	if context.Cause(c.ctx) == nil {
		c.Hangup(ErrHungUp)
	}
	c.StopMedia()
	c.byes.Wait()
	c.dialog.Close()
}

// onReinvite answers an INVITE inside a dialog: a hold, a resume or a new media address.
func (s *Server) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	if c := s.dialogOf(req); c != nil {
		c.reinvite(req, tx)
		return
	}
	if l := s.legOf(req); l != nil {
		l.reinvite(req, tx)
		return
	}
	s.refuse(req, tx, errUnknownDialog)
}

func (c *Call) reinvite(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(res *sip.Response) {
		if err := tx.Respond(res); err != nil {
			c.srv.log.Debug("re-invite answer not sent", "call_id", c.ID, "error", err)
		}
	}
	if !c.isAnswered.Load() || context.Cause(c.ctx) != nil {
		respond(sip.NewResponseFromRequest(req, sip.StatusRequestPending, "Request Pending", nil))
		return
	}
	if err := c.dialog.ReadRequest(req, tx); err != nil {
		respond(sip.NewResponseFromRequest(req, sip.StatusInternalServerError, "Server Internal Error", nil))
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	offer, choice := c.offer, c.choice
	if body := req.Body(); len(body) > 0 {
		o, err := sdp.Parse(body)
		var ch sdp.Choice
		if err == nil {
			ch, err = sdp.Negotiate(o)
		}
		if err != nil {
			code, reason := sipStatus(err)
			// The call goes on with its current media (RFC 3264 §8).
			respond(sip.NewResponseFromRequest(req, code, reason, nil))
			return
		}
		if ch.Codec.Name != choice.Codec.Name {
			// Changing codec mid-call is not supported: keep ours if still offered.
			respond(sip.NewResponseFromRequest(req, sip.StatusNotAcceptableHere, "Not Acceptable Here", nil))
			return
		}
		offer, choice = o, ch
		if ch.Remote != c.choice.Remote {
			c.sess.SetRemote(ch.Remote)
		}
		c.sess.SetSending(receives(ch.Direction))
		c.offer, c.choice = offer, choice
	}
	res := sip.NewSDPResponseFromRequest(req, c.answerSDP(offer, choice))
	contact := c.srv.contact(c.Transport, c.local)
	res.AppendHeader(&contact)
	respond(res)
}

// receives tells whether the side that wrote an offer with direction d takes media: we send only then.
func receives(d sdp.Direction) bool { return d == sdp.SendRecv || d == sdp.RecvOnly }
