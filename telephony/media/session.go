package media

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// ErrRTPTimeout ends a session whose caller sent no RTP for the configured timeout.
var ErrRTPTimeout = errors.New("no RTP from the caller")

// Recorder takes the call's audio: what the caller sent and what the caller heard, at sample positions
// counted from the session's start (8000 per second). The session calls WriteCaller from its reader and
// WriteHeard and Advance from the pacer.
type Recorder interface {
	WriteCaller(pos int64, samples []int16)
	WriteHeard(pos int64, samples []int16)
	// Advance tells that the session's clock has reached pos.
	Advance(pos int64)
}

// Params are a session's negotiated media.
type Params struct {
	Codec  Codec
	PT     uint8 // the codec's payload type in the call's SDP
	DTMFPT int   // telephone-event payload type, or -1
	Remote netip.AddrPort
	// Timeout ends the session with ErrRTPTimeout when no RTP arrives for that long (0: never).
	Timeout  time.Duration
	Recorder Recorder // may be nil
	// OnDTMF is called from the session's reader for each key press; it must not block.
	OnDTMF func(digit byte)
}

// Session is one call's RTP port pair and streams.
type Session struct {
	engine *Engine
	sock   udpSocket
	rtcp   *net.UDPConn
	port   int
	log    *slog.Logger

	p     Params
	start time.Time
	// remote is where frames go: the SDP address until the caller's real source is latched.
	remote atomic.Pointer[netip.AddrPort]
	source atomic.Pointer[sourceBox]
	onDTMF atomic.Pointer[func(byte)]
	// rx keeps the caller's decoded audio for a bridged peer (nil unless bridged).
	rx    atomic.Pointer[rxRing]
	dtmfQ chan byte

	sending atomic.Bool

	// Pacer-only state.
	sent     int64
	ts0      uint32
	out      dtmfOut
	lastRecv time.Duration // when the last valid RTP arrived, since start
	hdr      rtp.Header
	sendBuf  [12 + FrameSamples]byte
	rd       reader

	done     chan struct{}
	doneOnce sync.Once
	err      error
	closed   atomic.Bool
}

// Port is the session's RTP port (RTCP is Port+1).
func (s *Session) Port() int { return s.port }

// Start begins the media: the session's clock starts now (position 0 of the recording); every 20 ms the
// pacer takes the caller's RTP and sends the next frame.
func (s *Session) Start(p Params) {
	s.p = p
	s.start = time.Now()
	remote := p.Remote
	s.remote.Store(&remote)
	s.rd.init(s, p)
	s.hdr = rtp.Header{Version: 2, PayloadType: p.PT, SequenceNumber: uint16(rand.Uint32()), SSRC: rand.Uint32()}
	s.ts0 = rand.Uint32()
	if p.OnDTMF != nil {
		s.onDTMF.Store(&p.OnDTMF)
	}
	s.sending.Store(true)
	s.engine.pacer.add(s)
}

// Play replaces what the caller hears with a player's clips.
func (s *Session) Play(p *Player) { s.source.Store(&sourceBox{p}) }

// OnDTMF sets the function called (from the pacer; it must not block) for each key the caller presses.
func (s *Session) OnDTMF(f func(digit byte)) { s.onDTMF.Store(&f) }

// SetRemote points the stream at a new address (a re-INVITE's SDP); latching starts again.
func (s *Session) SetRemote(addr netip.AddrPort) {
	s.remote.Store(&addr)
	s.rd.relearn.Store(true)
}

// SetSending starts or stops sending (a caller holding the call answers sendonly or inactive); the
// recording hears silence meanwhile.
func (s *Session) SetSending(on bool) { s.sending.Store(on) }

// Done is closed when the session ends by itself (RTP timeout) or by Close.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err tells why the session ended by itself: ErrRTPTimeout, or nil.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Started is when Start was called (zero before).
func (s *Session) Started() time.Time { return s.start }

// Position is the session's clock in samples since Start.
func (s *Session) Position() int64 {
	if s.start.IsZero() {
		return 0
	}
	return samplesSince(s.start, time.Now())
}

func samplesSince(start, now time.Time) int64 {
	return int64(now.Sub(start)) * SampleRate / int64(time.Second)
}

// Close stops the streams, releases the ports and returns the session's length in samples (the length
// the recording must have). Safe twice.
func (s *Session) Close() int64 {
	end := s.Position()
	if s.closed.Swap(true) {
		return end
	}
	if !s.start.IsZero() {
		s.engine.pacer.remove(s)
	}
	s.sock.conn.Close()
	s.rtcp.Close()
	s.engine.ports.release(s.port)
	s.end(nil)
	return end
}

func (s *Session) end(err error) {
	s.doneOnce.Do(func() {
		s.err = err
		close(s.done)
	})
}

// tick runs on the pacer goroutine: it takes the caller's packets that arrived since the last tick, sends
// every frame due by now and advances the recorder.
func (s *Session) tick(now time.Time, b *recvBatch) {
	elapsed := now.Sub(s.start)
	s.receive(now, elapsed, b)
	if s.sock.peer.IsValid() && elapsed-s.lastRecv > relatchQuiet {
		// The latched source went quiet: listen to every source again, so the same stream arriving from
		// a new address (a NAT rebinding) can be taken.
		s.sock.disconnect()
	}
	due := int64(elapsed / FrameDuration)
	if behind := due - s.sent; behind >= maxBurst {
		// The process stalled: do not flood the caller with a burst; skip ahead (the timestamps jump, as
		// after silence, and the recording keeps silence there).
		s.sent = due - maxBurst + 1
	}
	for s.sent <= due {
		s.sendFrame()
		s.sent++
	}
	if r := s.p.Recorder; r != nil {
		r.Advance(int64(elapsed) * SampleRate / int64(time.Second))
	}
	if t := s.p.Timeout; t > 0 && elapsed-s.lastRecv > t {
		s.end(ErrRTPTimeout)
	}
}

// maxBurst is how many late frames the pacer sends at once after a stall (1 s): a short stall delays
// frames but loses none, so the caller hears every prompt whole and the recording has no gap; after a
// longer one the pacer skips ahead.
const maxBurst = 50

// sendFrame sends frame s.sent: the source's audio, or telephone-events while a key is being relayed.
func (s *Session) sendFrame() {
	ts := s.ts0 + uint32(s.sent)*FrameSamples
	if s.sendEvents(ts) {
		if r := s.p.Recorder; r != nil {
			r.WriteHeard(s.sent*FrameSamples, silencePCM)
		}
		return
	}
	var pcm []int16
	var payload []byte
	if src := s.source.Load(); src != nil {
		pcm, payload = src.next(s.p.Codec, s.start.Add(time.Duration(s.sent)*FrameDuration))
	} else {
		pcm, payload = silenceFrame(s.p.Codec)
	}
	if !s.sending.Load() {
		pcm = silencePCM
	}
	s.hdr.Marker = s.sent == 0
	s.hdr.PayloadType = s.p.PT
	s.hdr.Timestamp = ts
	s.send(payload)
	if r := s.p.Recorder; r != nil {
		r.WriteHeard(s.sent*FrameSamples, pcm)
	}
}

// send sends one RTP packet with s.hdr (its sequence number advanced) and payload.
func (s *Session) send(payload []byte) {
	s.hdr.SequenceNumber++
	n, err := s.hdr.MarshalTo(s.sendBuf[:])
	if err == nil && s.sending.Load() {
		n += copy(s.sendBuf[n:], payload)
		// A send error (ICMP unreachable from a caller gone away) is not the pacer's business: the RTP
		// timeout or the caller's BYE ends the call.
		s.sock.send(s.sendBuf[:n], *s.remote.Load())
		s.engine.stats.Out.Add(1)
	}
}

// receive takes every datagram waiting on the session's socket.
func (s *Session) receive(now time.Time, elapsed time.Duration, b *recvBatch) {
	var pkt rtp.Packet
	for {
		n := s.sock.recv(b)
		for i := 0; i < n; i++ {
			d := &b.d[i]
			if d.n == 0 || pkt.Unmarshal(d.buf[:d.n]) != nil || pkt.Version != 2 || !s.rd.accept(d.from, &pkt, now) {
				s.engine.stats.Refused.Add(1)
				continue
			}
			s.engine.stats.In.Add(1)
			s.lastRecv = elapsed
			s.rd.handle(&pkt, now)
		}
		if n < batchSize {
			return
		}
	}
}
