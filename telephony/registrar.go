package telephony

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Registry keeps the credentials and phone bindings of the users who may REGISTER (the operators). It is
// declared here and filled by the wiring; telephony knows nothing else of operators.
type Registry interface {
	// Credentials returns the realm the user's password was set for and its HA1 hashes (hex); ErrUnknownUser
	// when there is no such user.
	Credentials(ctx context.Context, user string) (realm, ha1MD5, ha1SHA256 string, err error)
	Bind(ctx context.Context, b Binding) error
	// Unbind removes one binding, or all of the user's when contact is "".
	Unbind(ctx context.Context, user, contact string) error
}

// ErrUnknownUser is what a Registry answers for a user it does not know.
var ErrUnknownUser = errors.New("unknown user")

// Binding is a registered phone.
type Binding struct {
	User      string
	Contact   string // the Contact URI
	Source    netip.AddrPort
	Transport string
	SIPCallID string
	CSeq      uint32
	UserAgent string
	Expires   time.Time
}

// Registration limits.
const (
	minExpires     = 60
	maxExpires     = 3600
	defaultExpires = 3600
)

// registrar answers REGISTER with digest authentication.
type registrar struct {
	srv  *Server
	reg  Registry
	dig  digester
	fail failures
	// dummy is checked against when the user is unknown, so an unknown user costs and answers exactly as a
	// known one with a wrong password.
	dummyMD5, dummySHA string
}

func newRegistrar(s *Server, reg Registry, realm string, algs []string, key []byte) *registrar {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	var junk [16]byte
	_, _ = rand.Read(junk[:])
	if len(algs) == 0 {
		algs = []string{"MD5", "SHA-256"}
	}
	r := &registrar{srv: s, reg: reg, dig: digester{key: key, realm: realm, algs: algs, now: time.Now}}
	r.dummyMD5 = hexHash(md5New, string(junk[:]))
	r.dummySHA = hexHash(sha256New, string(junk[:]))
	r.fail.window = time.Minute
	r.fail.max = 20
	return r
}

func (r *registrar) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	src, err := sourceAddr(req)
	to := req.To()
	if err != nil || to == nil || req.CSeq() == nil || req.CallID() == nil {
		r.srv.refuse(req, tx, errBadRequest)
		return
	}
	user := to.Address.User
	if !r.authenticate(req, tx, user, src) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.apply(ctx, req, user, src); err != nil {
		var rej RejectError
		if errors.As(err, &rej) {
			r.srv.respond(tx, sip.NewResponseFromRequest(req, rej.Code, rej.Reason, nil))
			return
		}
		r.srv.log.Warn("registration not stored", "ext", user, "error", err)
		res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Service Unavailable", nil)
		res.AppendHeader(sip.NewHeader("Retry-After", "10"))
		r.srv.respond(tx, res)
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	for _, c := range req.GetHeaders("Contact") {
		res.AppendHeader(sip.NewHeader("Contact", c.Value()))
	}
	res.AppendHeader(sip.NewHeader("Date", time.Now().UTC().Format(time.RFC1123)))
	r.srv.respond(tx, res)
}

// authenticate answers the request itself and returns false unless its credentials are good: no
// credentials or a stale nonce get a 401 challenge; wrong ones, or an unknown user, a 403; a source that
// keeps failing a 403 without any check.
func (r *registrar) authenticate(req *sip.Request, tx sip.ServerTransaction, user string, src netip.AddrPort) bool {
	if r.fail.blocked(src.Addr()) {
		r.srv.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		return false
	}
	var auth string
	if h := req.GetHeader("Authorization"); h != nil {
		auth = h.Value()
	}
	creds, err := parseCredentials(auth)
	if errors.Is(err, errNoCredentials) {
		r.challenge(req, tx, src.Addr(), false)
		return false
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		realm, ha1MD5, ha1SHA, cerr := r.reg.Credentials(ctx, user)
		switch {
		case errors.Is(cerr, ErrUnknownUser):
			ha1MD5, ha1SHA = r.dummyMD5, r.dummySHA
		case cerr != nil:
			r.srv.log.Warn("operator credentials unavailable", "ext", user, "error", cerr)
			res := sip.NewResponseFromRequest(req, sip.StatusServiceUnavailable, "Service Unavailable", nil)
			res.AppendHeader(sip.NewHeader("Retry-After", "10"))
			r.srv.respond(tx, res)
			return false
		case realm != r.dig.realm:
			r.srv.log.Warn("operator's password was set for another SIP realm: set it again", "ext", user,
				"realm", realm, "want", r.dig.realm)
		}
		err = r.dig.verify(creds, req.Method.String(), src.Addr(), ha1MD5, ha1SHA)
		if err == nil && creds.Username != user {
			err = errBadCredentials
		}
	}
	switch {
	case err == nil:
		return true
	case errors.Is(err, errStaleNonce):
		r.challenge(req, tx, src.Addr(), true)
	default:
		if r.fail.add(src.Addr()) {
			r.srv.log.Warn("too many failed sign-ins from one address: refusing it for a minute", "source", src.Addr())
		}
		r.srv.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	}
	return false
}

func (r *registrar) challenge(req *sip.Request, tx sip.ServerTransaction, src netip.Addr, stale bool) {
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	for _, c := range r.dig.challenges(src, stale) {
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", c))
	}
	r.srv.respond(tx, res)
}

// apply stores what an authenticated REGISTER asks: bindings added, refreshed or removed.
func (r *registrar) apply(ctx context.Context, req *sip.Request, user string, src netip.AddrPort) error {
	expires := defaultExpires
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || n < 0 {
			return RejectError{sip.StatusBadRequest, "Bad Expires"}
		}
		expires = n
	}
	contacts := req.GetHeaders("Contact")
	if len(contacts) == 0 {
		return nil // a query: nothing to change
	}
	if len(contacts) == 1 && strings.TrimSpace(contacts[0].Value()) == "*" {
		if expires != 0 {
			return RejectError{sip.StatusBadRequest, "Contact * needs Expires: 0"}
		}
		return r.reg.Unbind(ctx, user, "")
	}
	ua := ""
	if h := req.GetHeader("User-Agent"); h != nil {
		ua = clean(h.Value(), 128)
	}
	for _, h := range contacts {
		ch, ok := h.(*sip.ContactHeader)
		if !ok {
			return RejectError{sip.StatusBadRequest, "Bad Contact"}
		}
		e := expires
		if v, ok := ch.Params.Get("expires"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return RejectError{sip.StatusBadRequest, "Bad Contact expires"}
			}
			e = n
		}
		uri := ch.Address.String()
		if len(uri) > 256 || uri != clean(uri, 256) {
			return RejectError{sip.StatusBadRequest, "Bad Contact"}
		}
		if e == 0 {
			if err := r.reg.Unbind(ctx, user, uri); err != nil {
				return err
			}
			continue
		}
		if e < minExpires {
			return RejectError{sip.StatusIntervalToBrief, fmt.Sprintf("Interval Too Brief (min %d)", minExpires)}
		}
		b := Binding{
			User: user, Contact: uri, Source: src, Transport: strings.ToLower(req.Transport()),
			SIPCallID: clean(req.CallID().Value(), 200), CSeq: req.CSeq().SeqNo, UserAgent: ua,
			Expires: time.Now().Add(time.Duration(min(e, maxExpires)) * time.Second),
		}
		if err := r.reg.Bind(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// failures counts failed authentications per source address over a window.
type failures struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	by     map[netip.Addr]*failCount
}

type failCount struct {
	n     int
	since time.Time
}

// add counts a failure; it returns true when the address just reached the limit.
func (f *failures) add(a netip.Addr) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.by == nil {
		f.by = map[netip.Addr]*failCount{}
	}
	now := time.Now()
	c := f.by[a]
	if c == nil || now.Sub(c.since) > f.window {
		if len(f.by) > 100_000 {
			f.by = map[netip.Addr]*failCount{} // a flood from many addresses: start over rather than grow
		}
		c = &failCount{since: now}
		f.by[a] = c
	}
	c.n++
	return c.n == f.max
}

func (f *failures) blocked(a netip.Addr) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.by[a]
	return c != nil && c.n >= f.max && time.Since(c.since) <= f.window
}
