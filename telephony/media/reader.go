package media

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// reader is what a session knows of the caller's stream: where its packets may come from, how their
// timestamps map onto the session's clock, and the DTMF detector. Used by the pacer goroutine only.
type reader struct {
	s      *Session
	sdp    netip.AddrPort
	codec  Codec
	pt     uint8
	dtmfPT int

	// Source latching (symmetric RTP). A packet from the SDP address latches at once; any other source
	// must first send learnPackets packets in sequence (so stray or forged packets cannot take the call's
	// media), and a latched source can only be replaced by the same stream (SSRC) after it went quiet.
	latched    bool
	source     netip.AddrPort
	ssrc       uint32
	lastSeen   time.Time
	candidate  netip.AddrPort
	candSeq    uint16
	candCount  int
	relearn    atomic.Bool
	foreign    int64
	pcm        [1500]int16
	dtmf       DTMFDetector
	dtmfAt     time.Time
	dtmfOpen   bool
	anchored   bool
	anchorTS   uint32
	anchorPos  int64
	anchorSSRC uint32
}

const (
	learnPackets = 3
	relatchQuiet = 2 * time.Second
	// A packet whose timestamp puts it further than this from its arrival time starts a new anchor (a new
	// stream, a timestamp jump, a clock running fast or slow).
	maxEarly = 100 * SampleRate / 1000
	maxLate  = SampleRate
)

func (r *reader) init(s *Session, p Params) {
	r.s = s
	r.sdp = p.Remote
	r.codec = p.Codec
	r.pt = p.PT
	r.dtmfPT = p.DTMFPT
}

// accept tells whether a packet from `from` belongs to the call.
func (r *reader) accept(from netip.AddrPort, pkt *rtp.Packet, now time.Time) bool {
	if r.relearn.Swap(false) {
		r.latched = false
		r.sdp = *r.s.remote.Load()
		r.s.sock.disconnect()
	}
	switch {
	case r.latched && from == r.source:
		if !r.s.sock.peer.IsValid() {
			r.s.sock.connect(from) // back after a quiet spell
		}
	case !r.latched && from.Addr() == r.sdp.Addr():
		r.latch(from, pkt)
	case !r.latched:
		if from == r.candidate && pkt.SequenceNumber == r.candSeq+1 {
			r.candCount++
		} else {
			r.candidate, r.candCount = from, 1
		}
		r.candSeq = pkt.SequenceNumber
		if r.candCount < learnPackets {
			return false
		}
		r.latch(from, pkt)
	case pkt.SSRC == r.ssrc && now.Sub(r.lastSeen) > relatchQuiet:
		// The same stream from a new address: a NAT rebinding.
		r.latch(from, pkt)
	default:
		r.foreign++
		return false
	}
	r.lastSeen = now
	return true
}

func (r *reader) latch(from netip.AddrPort, pkt *rtp.Packet) {
	if pkt.SSRC != r.ssrc {
		r.dtmf.Reset() // a new stream numbers its events afresh
	}
	r.latched, r.source, r.ssrc = true, from, pkt.SSRC
	r.s.remote.Store(&from)
	r.s.sock.connect(from)
}

// handle decodes audio to the recorder and feeds telephone-events to the detector.
func (r *reader) handle(pkt *rtp.Packet, now time.Time) {
	pcm := r.pcm[:]
	pt := pkt.PayloadType
	if r.dtmfPT >= 0 && int(pt) == r.dtmfPT {
		r.dtmfAt, r.dtmfOpen = now, true
		if ev, ok := r.dtmf.Feed(pkt.Timestamp, pkt.Marker, pkt.Payload); ok {
			r.press(ev)
		}
		return
	}
	if r.dtmfOpen && now.Sub(r.dtmfAt) > 200*time.Millisecond {
		// The key's end packets were lost: report it now.
		r.dtmfOpen = false
		if ev, ok := r.dtmf.Flush(); ok {
			r.press(ev)
		}
	}
	var n int
	switch {
	case pt == r.pt && r.codec == PCMA, pt == 8:
		n = min(len(pkt.Payload), len(pcm))
		DecodeALaw(pcm[:n], pkt.Payload[:n])
	case pt == r.pt && r.codec == PCMU, pt == 0:
		n = min(len(pkt.Payload), len(pcm))
		DecodeULaw(pcm[:n], pkt.Payload[:n])
	default:
		return // comfort noise and anything else: silence in the recording
	}
	if n == 0 {
		return
	}
	pos := r.position(pkt, now)
	if rec := r.s.p.Recorder; rec != nil {
		rec.WriteCaller(pos, pcm[:n])
	}
	if rx := r.s.rx.Load(); rx != nil {
		rx.write(pos, pcm[:n])
	}
}

func (r *reader) press(ev DTMFEvent) {
	if f := r.s.onDTMF.Load(); f != nil {
		(*f)(ev.Digit)
	}
}

// position maps a packet's RTP timestamp onto the session's clock. The first packet of a stream is placed
// at its arrival time; later ones by their timestamp distance from it, so jitter does not move audio and
// gaps (lost packets, silence suppression) stay gaps.
func (r *reader) position(pkt *rtp.Packet, now time.Time) int64 {
	arrival := samplesSince(r.s.start, now)
	if r.anchored && pkt.SSRC == r.anchorSSRC {
		pos := r.anchorPos + int64(int32(pkt.Timestamp-r.anchorTS))
		if pos <= arrival+maxEarly && pos >= arrival-maxLate {
			return pos
		}
	}
	r.anchored, r.anchorTS, r.anchorPos, r.anchorSSRC = true, pkt.Timestamp, arrival, pkt.SSRC
	return arrival
}
