package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"hotline/telephony/media"
)

// Handler runs calls. HandleCall is called on its own goroutine for every INVITE that passes the limits,
// and owns the call until it returns; the call is released then.
type Handler interface {
	HandleCall(c *Call)
}

var setSIPDefaultLogger sync.Once

// Server is the SIP front end.
type Server struct {
	cfg     Config
	log     *slog.Logger
	media   *media.Engine
	handler Handler

	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	reg    *registrar
	allow  string // the methods handled, for Allow headers

	mu       sync.Mutex
	dialogs  map[string]*Call // inbound calls by dialog id
	legs     map[string]*Leg  // outbound legs by dialog id
	perSrc   map[netip.Addr]int
	calls    int
	ports    map[string]int // listening port per network
	addrs    []string
	draining atomic.Bool
	running  sync.WaitGroup
	closers  []func() error
	local    localAddrs
	stopOnce sync.Once
}

// NewServer checks cfg and prepares a server; nothing listens before Start.
func NewServer(cfg Config, engine *media.Engine, h Handler) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Log,
		media:   engine,
		handler: h,
		dialogs: map[string]*Call{},
		legs:    map[string]*Leg{},
		perSrc:  map[netip.Addr]int{},
		ports:   map[string]int{},
	}
	parser := sip.NewParser()
	parser.MaxMessageLength = cfg.MaxMessage
	sipLog := slog.New(quietHandler{cfg.Log.Handler()})
	// sipgo falls back to its default logger in places no option reaches (a transport's parse errors);
	// it is process-wide, so the first server's logger is the one kept.
	setSIPDefaultLogger.Do(func() { sip.SetDefaultLogger(sipLog) })
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgent(cfg.UserAgent),
		sipgo.WithUserAgentParser(parser),
		sipgo.WithUserAgentTransportLayerOptions(
			sip.WithTransportLayerLogger(sipLog),
			sip.WithTransportLayerTransports(sip.TransportsConfig{
				TCP: &sip.TransportTCP{ReadTimeout: cfg.TCPIdle, WriteTimeout: 10 * time.Second},
			}),
		),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(sipLog),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {}),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("sip user agent: %w", err)
	}
	s.ua = ua
	if s.srv, err = sipgo.NewServer(ua, sipgo.WithServerLogger(sipLog)); err != nil {
		return nil, fmt.Errorf("sip server: %w", err)
	}
	if s.client, err = sipgo.NewClient(ua, sipgo.WithClientLogger(sipLog)); err != nil {
		return nil, fmt.Errorf("sip client: %w", err)
	}
	s.srv.OnInvite(s.onInvite)
	s.srv.OnAck(s.onAck)
	s.srv.OnBye(s.onBye)
	s.srv.OnCancel(s.onCancel)
	s.srv.OnOptions(s.onOptions)
	s.srv.OnNoRoute(s.onOther)
	s.allow = "INVITE, ACK, BYE, CANCEL, OPTIONS"
	if cfg.Registry != nil {
		s.reg = newRegistrar(s, cfg.Registry, cfg.Realm, cfg.DigestAlgorithms, cfg.NonceKey)
		s.srv.OnRegister(s.reg.onRegister)
		s.allow += ", REGISTER"
	}
	return s, nil
}

// Start binds every listener; it fails if any cannot be bound.
func (s *Server) Start(ctx context.Context) error {
	for _, l := range s.cfg.Listen {
		// Listen on exactly the family asked for: "udp" on 0.0.0.0 would also take IPv6.
		family := "4"
		if ap, err := netip.ParseAddrPort(l.Addr); err == nil && ap.Addr().Is6() {
			family = "6"
		}
		switch l.Network {
		case "udp":
			conn, err := net.ListenPacket("udp"+family, l.Addr)
			if err != nil {
				s.closeListeners()
				return fmt.Errorf("listen sip udp %s: %w", l.Addr, err)
			}
			s.addListener("udp", conn.LocalAddr().String(), conn.Close)
			go s.serve("udp", func() error { return s.srv.ServeUDP(conn) })
		case "tcp":
			ln, err := net.Listen("tcp"+family, l.Addr)
			if err != nil {
				s.closeListeners()
				return fmt.Errorf("listen sip tcp %s: %w", l.Addr, err)
			}
			lim := newLimitListener(ln, s.cfg.MaxTCPPerSource)
			s.addListener("tcp", ln.Addr().String(), lim.Close)
			go s.serve("tcp", func() error { return s.srv.ServeTCP(lim) })
		}
	}
	return nil
}

func (s *Server) addListener(network, addr string, closer func() error) {
	ap, _ := netip.ParseAddrPort(addr)
	s.mu.Lock()
	s.ports[network] = int(ap.Port())
	s.addrs = append(s.addrs, network+":"+addr)
	s.closers = append(s.closers, closer)
	if !ap.Addr().IsUnspecified() {
		s.local.bound = ap.Addr()
	}
	s.mu.Unlock()
}

func (s *Server) serve(network string, f func() error) {
	if err := f(); err != nil && !errors.Is(err, net.ErrClosed) {
		s.log.Error("sip listener stopped", "network", network, "error", err)
	}
}

func (s *Server) closeListeners() {
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	for _, c := range closers {
		_ = c()
	}
}

// Addrs lists the bound listeners as "udp:IP:PORT".
func (s *Server) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

// Calls is the number of calls in progress.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Up tells whether the listeners are open.
func (s *Server) Up() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.closers) > 0
}

// Drain makes the server refuse new calls with 503; calls in progress go on.
func (s *Server) Drain() { s.draining.Store(true) }

// Stop refuses new calls, hangs up those in progress (BYE, cause ErrShutdown), waits for their handlers
// to finish (or ctx to end), then closes the listeners. Safe twice.
func (s *Server) Stop(ctx context.Context) error {
	s.Drain()
	s.mu.Lock()
	open := make([]*Call, 0, len(s.dialogs))
	for _, c := range s.dialogs {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		c.Hangup(ErrShutdown)
	}
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("calls still running at stop: %w", ctx.Err())
	}
	s.stopOnce.Do(func() {
		s.closeListeners()
		_ = s.client.Close()
		_ = s.ua.Close()
	})
	return err
}

func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", s.allow))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	s.respond(tx, res)
}

func (s *Server) onOther(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
	res.AppendHeader(sip.NewHeader("Allow", s.allow))
	s.respond(tx, res)
}

func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	// A CANCEL that matched an INVITE transaction was answered by the transaction layer; this one matched
	// nothing (RFC 3261 §9.2).
	s.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists,
		"Call/Transaction Does Not Exist", nil))
}

func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if c := s.dialogOf(req); c != nil {
		_ = c.dialog.ReadAck(req, tx)
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := s.dialogOf(req)
	if c == nil {
		if l := s.legOf(req); l != nil {
			_ = l.dialog.ReadBye(req, tx)
			l.cancel(ErrCallerHangup)
			return
		}
		s.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists,
			"Call/Transaction Does Not Exist", nil))
		return
	}
	if err := c.dialog.ReadBye(req, tx); err != nil {
		s.log.Debug("bye refused", "call_id", c.ID, "error", err)
		s.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	c.end(ErrCallerHangup)
}

func (s *Server) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		s.log.Debug("sip response not sent", "status", res.StatusCode, "error", err)
	}
}

func (s *Server) dialogOf(req *sip.Request) *Call {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dialogs[id]
}

// legOf finds the outbound leg a request belongs to.
func (s *Server) legOf(req *sip.Request) *Leg {
	id, err := sip.DialogIDFromRequestUAC(req)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.legs[id]
}

// admit counts a new call against the limits; it says why not when the call must be refused.
func (s *Server) admit(src netip.Addr) error {
	if s.draining.Load() {
		return errDraining
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls >= s.cfg.MaxCalls {
		return errTooManyCalls
	}
	if s.perSrc[src] >= s.cfg.MaxCallsPerSource {
		return errTooManyFromSource
	}
	s.calls++
	s.perSrc[src]++
	s.running.Add(1)
	return nil
}

func (s *Server) release(c *Call) {
	s.mu.Lock()
	delete(s.dialogs, c.dialog.ID)
	s.mu.Unlock()
	s.unadmit(c.src)
}

// contact is our Contact for a request that came over network to a local address.
func (s *Server) contact(network string, local netip.Addr) sip.ContactHeader {
	s.mu.Lock()
	port := s.ports[network]
	s.mu.Unlock()
	uri := sip.Uri{Scheme: "sip", User: "hotline", Host: local.String(), Port: port}
	if network == "tcp" {
		uri.UriParams = sip.NewParams()
		uri.UriParams.Add("transport", "tcp")
	}
	return sip.ContactHeader{Address: uri}
}

// sourceAddr reads a request's source "ip:port".
func sourceAddr(req *sip.Request) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("source address %q: %w", req.Source(), err)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// quietHandler passes sipgo's own log lines at Debug and drops their "data" attribute (raw messages from
// the internet, which may carry callers' numbers): our code logs what matters, in its own words.
type quietHandler struct{ h slog.Handler }

func (q quietHandler) Enabled(ctx context.Context, _ slog.Level) bool {
	return q.h.Enabled(ctx, slog.LevelDebug)
}

func (q quietHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, slog.LevelDebug, "sipgo: "+r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "data" && a.Key != "msg" && !strings.HasPrefix(a.Key, "req") {
			out.AddAttrs(a)
		}
		return true
	})
	return q.h.Handle(ctx, out)
}

func (q quietHandler) WithAttrs(as []slog.Attr) slog.Handler { return quietHandler{q.h.WithAttrs(as)} }
func (q quietHandler) WithGroup(g string) slog.Handler       { return quietHandler{q.h.WithGroup(g)} }
