package media

import (
	"sync"
	"sync/atomic"
	"time"
)

// Bridging: two sessions of one process, each sending the other's audio. Both are paced by the one pacer,
// so no lock is needed: each session keeps what its caller sent in an rxRing (decoded, at the positions its
// RTP timestamps give), and its peer's frame at time t reads that ring at t minus a small jitter delay.
// The laws may differ (the caller on A-law, the operator on µ-law): frames are re-encoded for each side.

// bridgeDelay is the jitter allowance between a packet's arrival and its relay.
const bridgeDelay = 40 * time.Millisecond

// rxFrames is the length of an rxRing in frames (640 ms).
const rxFrames = 32

// rxRing holds a session's received audio for its bridged peer. Written and read on the pacer goroutine.
type rxRing struct {
	buf    [rxFrames * FrameSamples]int16
	read   int64 // the next position the peer reads; nothing before it is kept
	filled bool  // audio has arrived since the bridge
}

func (r *rxRing) write(pos int64, s []int16) {
	r.filled = true
	n := int64(len(r.buf))
	if pos < r.read {
		skip := r.read - pos
		if skip >= int64(len(s)) {
			return
		}
		s, pos = s[skip:], r.read
	}
	if over := pos + int64(len(s)) - (r.read + n); over > 0 {
		if over >= int64(len(s)) {
			return
		}
		s = s[:int64(len(s))-over]
	}
	for i, v := range s {
		r.buf[(pos+int64(i))%n] = v
	}
}

// take copies [pos, pos+len(dst)) into dst and clears it (each sample is relayed once; what never came
// is silence).
func (r *rxRing) take(pos int64, dst []int16) {
	n := int64(len(r.buf))
	if pos < r.read {
		pos = r.read // the reader never goes back
	}
	if pos > r.read+n {
		r.read = pos - n // a jump: forget everything older
	}
	for i := range dst {
		p := pos + int64(i)
		if p < 0 {
			dst[i] = 0
			continue
		}
		j := p % n
		dst[i], r.buf[j] = r.buf[j], 0
	}
	r.read = pos + int64(len(dst))
}

// bridged is a session's source while it is bridged to peer.
type bridged struct {
	peer    *Session
	pcm     [FrameSamples]int16
	enc     [FrameSamples]byte
	flowing *Flowing
	dir     int // which direction of flowing this side reports
}

// Flowing tells when media flows both ways through a bridge: Done is closed once each side has sent a
// frame carrying audio the other side received after the bridge.
type Flowing struct {
	done chan struct{}
	ways [2]atomic.Bool
	once sync.Once
}

// Done is closed when media flows both ways.
func (f *Flowing) Done() <-chan struct{} { return f.done }

func (f *Flowing) mark(dir int) {
	f.ways[dir].Store(true)
	if f.ways[0].Load() && f.ways[1].Load() {
		f.once.Do(func() { close(f.done) })
	}
}

func (b *bridged) next(c Codec, at time.Time) ([]int16, []byte) {
	pos := samplesSince(b.peer.start, at.Add(-bridgeDelay))
	if rx := b.peer.rx.Load(); rx != nil {
		rx.take(pos, b.pcm[:])
		if rx.filled && !b.flowing.ways[b.dir].Load() {
			b.flowing.mark(b.dir)
		}
	}
	if c == PCMA {
		EncodeALaw(b.enc[:], b.pcm[:])
	} else {
		EncodeULaw(b.enc[:], b.pcm[:])
	}
	return b.pcm[:], b.enc[:]
}

// Bridge connects two started sessions: each sends what the other receives, transcoding between A-law and
// µ-law when they differ, and relays the keys one presses to the other as RFC 4733 events (when the other
// negotiated telephone-event). Play on either session ends its side of the bridge (e.g. hold audio);
// Bridge again to resume.
func Bridge(a, b *Session) *Flowing {
	for _, s := range []*Session{a, b} {
		if s.rx.Load() == nil {
			r := &rxRing{read: samplesSince(s.start, time.Now().Add(-bridgeDelay))}
			s.rx.Store(r)
		}
	}
	f := &Flowing{done: make(chan struct{})}
	a.source.Store(&sourceBox{&bridged{peer: b, flowing: f, dir: 0}})
	b.source.Store(&sourceBox{&bridged{peer: a, flowing: f, dir: 1}})
	a.OnDTMF(b.SendDTMF)
	b.OnDTMF(a.SendDTMF)
	return f
}

// Unbridge stops relaying keys between a and b; what each plays is set with Play.
func Unbridge(a, b *Session) {
	a.OnDTMF(nil)
	b.OnDTMF(nil)
}
