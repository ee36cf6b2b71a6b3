package media

import (
	"log/slog"
	"net/netip"
	"sync/atomic"
)

// Engine owns the media resources of the process: the RTP port pool and the pacer.
type Engine struct {
	ports *PortPool
	pacer *Pacer
	log   *slog.Logger
	stats Stats
}

// Stats counts the packets of every session of the engine; read them with Load.
type Stats struct {
	In      atomic.Uint64 // RTP packets taken from callers
	Out     atomic.Uint64 // RTP packets sent
	Refused atomic.Uint64 // datagrams dropped: not RTP, or from a source that is not the call's
}

// Stats returns the engine's packet counters.
func (e *Engine) Stats() *Stats { return &e.stats }

// NewEngine makes an engine over the RTP port range [lo, hi].
func NewEngine(lo, hi int, log *slog.Logger) (*Engine, error) {
	ports, err := NewPortPool(lo, hi)
	if err != nil {
		return nil, err
	}
	return &Engine{ports: ports, pacer: newPacer(), log: log}, nil
}

// Start starts the pacer.
func (e *Engine) Start() { e.pacer.start() }

// Stop stops the pacer; sessions still open stop sending. Safe twice.
func (e *Engine) Stop() { e.pacer.shutdown() }

// Active is the number of sessions sending.
func (e *Engine) Active() int { return e.pacer.Len() }

// NewSession binds a port pair on ip (the unspecified address: every interface). The session sends
// nothing until Start.
func (e *Engine) NewSession(ip netip.Addr) (*Session, error) {
	rtpConn, rtcpConn, port, err := e.ports.listen(ip)
	if err != nil {
		return nil, err
	}
	// RTCP is received and left unread: keep its buffer small so a chatty peer cannot pin memory.
	_ = rtcpConn.SetReadBuffer(4096)
	sock, err := newUDPSocket(rtpConn)
	if err != nil {
		rtpConn.Close()
		rtcpConn.Close()
		e.ports.release(port)
		return nil, err
	}
	return &Session{
		engine: e,
		sock:   sock,
		rtcp:   rtcpConn,
		port:   port,
		log:    e.log,
		done:   make(chan struct{}),
		dtmfQ:  make(chan byte, 16),
	}, nil
}
