package media

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// tape is a Recorder that keeps what it was given, for the tests to read.
type tape struct {
	mu      sync.Mutex
	caller  map[int64][]int16
	heard   int64 // frames written to the heard channel
	heardAt []int64
	advance int64
}

func newTape() *tape { return &tape{caller: map[int64][]int16{}} }

func (t *tape) WriteCaller(pos int64, s []int16) {
	t.mu.Lock()
	t.caller[pos] = append([]int16(nil), s...)
	t.mu.Unlock()
}

func (t *tape) WriteHeard(pos int64, s []int16) {
	t.mu.Lock()
	t.heard++
	t.heardAt = append(t.heardAt, pos)
	t.mu.Unlock()
}

func (t *tape) Advance(pos int64) {
	t.mu.Lock()
	t.advance = pos
	t.mu.Unlock()
}

func (t *tape) positions() []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ps []int64
	for p := range t.caller {
		ps = append(ps, p)
	}
	return ps
}

// setup starts an engine and a session whose peer is a UDP socket of the test.
func setup(t *testing.T, p Params) (*Session, *net.UDPConn) {
	t.Helper()
	e, err := NewEngine(42000+2*int(time.Now().UnixNano()%500), 43999, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e.Start()
	t.Cleanup(e.Stop)
	return setupOn(t, e, p)
}

// setupOn starts a session of engine e whose peer is a UDP socket of the test.
func setupOn(t *testing.T, e *Engine, p Params) (*Session, *net.UDPConn) {
	t.Helper()
	s, err := e.NewSession(netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	p.Remote = peer.LocalAddr().(*net.UDPAddr).AddrPort()
	s.Start(p)
	t.Cleanup(func() { s.Close() })
	return s, peer
}

func send(t *testing.T, from *net.UDPConn, to int, pkt *rtp.Packet) {
	t.Helper()
	b, err := pkt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := from.WriteToUDP(b, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: to}); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The session sends a frame every 20 ms with consecutive sequence numbers and timestamps, from the
// player, and writes each frame to the heard channel at its position.
func TestSessionSendsPacedFrames(t *testing.T) {
	t.Parallel()
	rec := newTape()
	s, peer := setup(t, Params{Codec: PCMA, PT: 8, DTMFPT: -1, Recorder: rec})
	clip := NewClip("ramp", make([]int16, 10*FrameSamples))
	s.Play(NewPlayer(nil, clip))
	buf := make([]byte, 1500)
	var prev rtp.Packet
	for i := 0; i < 20; i++ {
		_ = peer.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := peer.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if p.PayloadType != 8 || len(p.Payload) != FrameSamples {
			t.Fatalf("packet %d: payload type %d, %d bytes", i, p.PayloadType, len(p.Payload))
		}
		if i == 0 && !p.Marker {
			t.Error("first packet without the marker bit")
		}
		if i > 0 && (p.SequenceNumber != prev.SequenceNumber+1 || p.Timestamp != prev.Timestamp+FrameSamples || p.SSRC != prev.SSRC) {
			t.Fatalf("packet %d: seq %d ts %d after seq %d ts %d", i, p.SequenceNumber, p.Timestamp, prev.SequenceNumber, prev.Timestamp)
		}
		prev = p
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for i, pos := range rec.heardAt {
		if pos != int64(i)*FrameSamples {
			t.Fatalf("heard frame %d at %d, want %d", i, pos, i*FrameSamples)
		}
	}
}

// The caller's packets are decoded and placed by their timestamps (a lost packet leaves a gap of exactly
// one frame), telephone-events are reported once per key, and packets from elsewhere are ignored.
func TestSessionTakesCallerAudio(t *testing.T) {
	t.Parallel()
	rec := newTape()
	var mu sync.Mutex
	var digits []byte
	s, peer := setup(t, Params{Codec: PCMA, PT: 8, DTMFPT: 101, Recorder: rec, OnDTMF: func(d byte) {
		mu.Lock()
		digits = append(digits, d)
		mu.Unlock()
	}})
	stranger, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()

	payload := make([]byte, FrameSamples)
	for i := range payload {
		payload[i] = 0xD5 // A-law code for +8
	}
	var ts0 uint32 = 1<<32 - 3*FrameSamples // the timestamps wrap during the call
	for i := 0; i < 10; i++ {
		if i != 4 { // packet 4 is lost
			send(t, peer, s.Port(), &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8,
				SequenceNumber: uint16(i), Timestamp: ts0 + uint32(i)*FrameSamples, SSRC: 7}, Payload: payload})
		}
		// A stranger's packets, even in sequence, do not reach the call: its source is latched.
		send(t, stranger, s.Port(), &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8,
			SequenceNumber: uint16(100 + i), Timestamp: uint32(i) * FrameSamples, SSRC: 99}, Payload: make([]byte, FrameSamples)})
		time.Sleep(FrameDuration) // pace like a phone: the session maps timestamps against arrival times
	}
	// Key 5, as RFC 4733 sends it: a start, an update, and the end three times.
	for i, ev := range [][]byte{{5, 0x0a, 0, 160}, {5, 0x0a, 1, 64}, {5, 0x8a, 1, 224}, {5, 0x8a, 1, 224}, {5, 0x8a, 1, 224}} {
		send(t, peer, s.Port(), &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Marker: i == 0,
			SequenceNumber: uint16(10 + i), Timestamp: ts0 + 10*FrameSamples, SSRC: 7}, Payload: ev})
	}
	waitFor(t, "nine frames and a key", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(rec.positions()) == 9 && len(digits) == 1
	})
	ps := rec.positions()
	slices.Sort(ps)
	gaps := 0
	for i := 1; i < len(ps); i++ {
		switch d := ps[i] - ps[i-1]; d {
		case FrameSamples:
		case 2 * FrameSamples:
			gaps++
		default:
			t.Errorf("frames %d and %d are %d samples apart", i-1, i, d)
		}
	}
	if gaps != 1 {
		t.Errorf("%d one-frame gaps, want 1 (the lost packet)", gaps)
	}
	rec.mu.Lock()
	for _, v := range rec.caller[ps[0]] {
		if v != 8 {
			t.Fatalf("decoded sample %d, want 8", v)
		}
	}
	rec.mu.Unlock()
	mu.Lock()
	if string(digits) != "5" {
		t.Errorf("keys %q, want \"5\"", digits)
	}
	mu.Unlock()
}

// A source other than the SDP address is taken only after three packets in sequence.
func TestSessionLearnsANewSourceFromASequence(t *testing.T) {
	t.Parallel()
	rec := newTape()
	s, _ := setup(t, Params{Codec: PCMU, PT: 0, DTMFPT: -1, Recorder: rec})
	s.SetRemote(netip.MustParseAddrPort("127.0.0.1:9")) // the SDP named an address that never sends
	natted, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Skip("127.0.0.2 not available:", err)
	}
	defer natted.Close()
	for i := 0; i < 6; i++ {
		send(t, natted, s.Port(), &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0,
			SequenceNumber: uint16(i), Timestamp: uint32(i) * FrameSamples, SSRC: 3}, Payload: make([]byte, FrameSamples)})
		time.Sleep(FrameDuration)
	}
	waitFor(t, "the learnt source's frames", func() bool { return len(rec.positions()) == 4 })
	if got := *s.remote.Load(); got != natted.LocalAddr().(*net.UDPAddr).AddrPort() {
		t.Errorf("sending to %s, want the learnt source %s", got, natted.LocalAddr())
	}
}

// After the latched source goes quiet, the same stream (SSRC) from a new address is taken: a NAT rebinding.
func TestSessionFollowsANATRebinding(t *testing.T) {
	t.Parallel()
	rec := newTape()
	s, peer := setup(t, Params{Codec: PCMA, PT: 8, DTMFPT: -1, Recorder: rec})
	rebound, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer rebound.Close()
	pkt := func(i int) *rtp.Packet {
		return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: uint16(i),
			Timestamp: uint32(i) * FrameSamples, SSRC: 42}, Payload: make([]byte, FrameSamples)}
	}
	send(t, peer, s.Port(), pkt(0))
	waitFor(t, "the first packet", func() bool { return len(rec.positions()) == 1 })
	// Quiet for longer than relatchQuiet, then the stream goes on from another port.
	waitFor(t, "the latched source to be let go", func() bool {
		send(t, rebound, s.Port(), pkt(1))
		return len(rec.positions()) == 2
	})
	if got := *s.remote.Load(); got != rebound.LocalAddr().(*net.UDPAddr).AddrPort() {
		t.Errorf("sending to %s after the rebinding, want %s", got, rebound.LocalAddr())
	}
}

// A caller who sends nothing ends the session with ErrRTPTimeout.
func TestSessionTimesOutWithoutRTP(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, Params{Codec: PCMA, PT: 8, DTMFPT: -1, Timeout: 100 * time.Millisecond})
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session still up 5 s after a 100 ms RTP timeout")
	}
	if !errors.Is(s.Err(), ErrRTPTimeout) {
		t.Errorf("Err() = %v, want ErrRTPTimeout", s.Err())
	}
}

func TestReaderPosition(t *testing.T) {
	t.Parallel()
	start := time.Unix(1000, 0)
	ms := func(n int) time.Time { return start.Add(time.Duration(n) * time.Millisecond) }
	type pkt struct {
		ts     uint32
		ssrc   uint32
		at     time.Time
		want   int64
		reason string
	}
	for _, tc := range []struct {
		name string
		pkts []pkt
	}{
		{"timestamps win over jitter", []pkt{
			{1000, 1, ms(50), 400, "first packet: its arrival"},
			{1160, 1, ms(75), 560, "5 ms late: still its timestamp's place"},
			{1320, 1, ms(85), 720, "5 ms early"},
			{1640, 1, ms(130), 1040, "after a lost packet"},
		}},
		{"timestamps wrap", []pkt{
			{1<<32 - 160, 1, ms(0), 0, "first"},
			{0, 1, ms(20), 160, "wrapped"},
		}},
		{"a jump starts again at arrival", []pkt{
			{5000, 1, ms(0), 0, "first"},
			{5000 + 80000, 1, ms(20), 160, "10 s ahead: a new anchor at arrival"},
			{5000 + 80160, 1, ms(40), 320, "and on from there"},
		}},
		{"a new stream starts again at arrival", []pkt{
			{5000, 1, ms(0), 0, "first"},
			{9999, 2, ms(500), 4000, "new SSRC"},
		}},
		{"silence suppression keeps its gap", []pkt{
			{0, 1, ms(0), 0, "first"},
			{8000, 1, ms(1000), 8000, "after a second of silence"},
		}},
		{"a far late packet starts again", []pkt{
			{80000, 1, ms(3000), 24000, "first"},
			{0, 1, ms(3020), 24160, "10 s behind"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := reader{s: &Session{start: start}}
			for _, p := range tc.pkts {
				got := r.position(&rtp.Packet{Header: rtp.Header{Timestamp: p.ts, SSRC: p.ssrc}}, p.at)
				if got != p.want {
					t.Errorf("%s: position %d, want %d", p.reason, got, p.want)
				}
			}
		})
	}
}

// The receive path (unmarshal, source check, decode, place) allocates nothing.
func BenchmarkReceive(b *testing.B) {
	s := &Session{start: time.Now(), p: Params{Codec: PCMA, PT: 8, DTMFPT: 101, Recorder: nopRecorder{}}}
	s.rd.init(s, s.p)
	from := netip.MustParseAddrPort("127.0.0.1:4000")
	s.remote.Store(&from)
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SSRC: 1}, Payload: make([]byte, FrameSamples)}).Marshal()
	var pkt rtp.Packet
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = pkt.Unmarshal(raw)
		now := time.Now()
		if s.rd.accept(from, &pkt, now) {
			s.rd.handle(&pkt, now)
		}
	}
}

type nopRecorder struct{}

func (nopRecorder) WriteCaller(int64, []int16) {}
func (nopRecorder) WriteHeard(int64, []int16)  {}
func (nopRecorder) Advance(int64)              {}

// FuzzReceive feeds arbitrary datagrams through the receive path (RTP parsing, source check, G.711
// decoding, DTMF, placement): nothing panics, and audio is never placed before the call's start or far
// beyond its arrival.
func FuzzReceive(f *testing.F) {
	for _, seed := range [][]byte{
		mustMarshal(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SSRC: 1}, Payload: make([]byte, 160)}),
		mustMarshal(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, Timestamp: 1 << 31, SSRC: 1}, Payload: make([]byte, 80)}),
		mustMarshal(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Marker: true, SSRC: 1}, Payload: []byte{5, 0x8a, 1, 224}}),
		mustMarshal(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, Padding: true, Extension: true,
			ExtensionProfile: 0xBEDE, SSRC: 1}, Payload: []byte{1, 2, 3}, PaddingSize: 3}),
		{0x80}, {}, make([]byte, 1500),
	} {
		f.Add(seed, seed)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		rec := &boundsRecorder{t: t}
		s := &Session{start: time.Now().Add(-time.Second), p: Params{Codec: PCMA, PT: 8, DTMFPT: 101, Recorder: rec,
			OnDTMF: func(d byte) {
				if !strings.ContainsRune("0123456789*#ABCD", rune(d)) {
					t.Fatalf("key %q reported", d)
				}
			}}}
		s.rd.init(s, s.p)
		from := netip.MustParseAddrPort("127.0.0.1:4000")
		s.remote.Store(&from)
		var pkt rtp.Packet
		for _, raw := range [][]byte{a, b, a} {
			if pkt.Unmarshal(raw) != nil || pkt.Version != 2 {
				continue
			}
			now := time.Now()
			rec.arrival = samplesSince(s.start, now)
			if s.rd.accept(from, &pkt, now) {
				s.rd.handle(&pkt, now)
			}
		}
	})
}

func mustMarshal(p *rtp.Packet) []byte {
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

type boundsRecorder struct {
	t       *testing.T
	arrival int64
}

func (r *boundsRecorder) WriteCaller(pos int64, s []int16) {
	if pos < 0 || pos > r.arrival+maxEarly || pos < r.arrival-maxLate {
		r.t.Fatalf("audio placed at %d for a packet arriving at %d", pos, r.arrival)
	}
}
func (r *boundsRecorder) WriteHeard(int64, []int16) {}
func (r *boundsRecorder) Advance(int64)             {}

// An hour of ticks, each late by a varying amount as real timers are: exactly one frame per 20 ms of the
// session's clock is sent, and sequence numbers and timestamps advance by exactly one frame each.
func TestNoDriftOverAnHour(t *testing.T) {
	t.Parallel()
	rec := newTape()
	s, _ := setup(t, Params{Codec: PCMU, PT: 0, DTMFPT: -1, Recorder: rec})
	s.engine.pacer.remove(s) // this test drives the ticks itself, on a clock of its own
	start := time.Unix(0, 0)
	s.start = start
	seq0, ts0 := s.hdr.SequenceNumber, s.ts0
	b := new(recvBatch)
	const frames = 180_000 // one hour
	for k := int64(0); k < frames; k++ {
		late := time.Duration((k*7919)%13) * time.Millisecond // 0–12 ms late, never the same pattern twice in a row
		s.tick(start.Add(time.Duration(k)*FrameDuration+late), b)
	}
	s.tick(start.Add(time.Hour), b)
	if s.sent != frames+1 {
		t.Errorf("%d frames sent in an hour, want %d", s.sent, frames+1)
	}
	if got := s.hdr.Timestamp - ts0; got != uint32(frames*FrameSamples) {
		t.Errorf("the last frame's timestamp is %d after the first's, want %d", got, frames*FrameSamples)
	}
	if got := s.hdr.SequenceNumber - seq0; got != uint16((frames+1)%65536) {
		t.Errorf("sequence advanced %d, want %d", got, (frames+1)%65536)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if n := int64(len(rec.heardAt)); n != frames+1 || rec.heardAt[n-1] != frames*FrameSamples {
		t.Errorf("heard channel: %d frames, the last at %d", n, rec.heardAt[n-1])
	}
}

// Two bridged sessions: A-law audio into A comes out of B as µ-law, and a key pressed on A reaches B's
// peer as RFC 4733 events.
func TestBridgeTranscodesAndRelaysKeys(t *testing.T) {
	t.Parallel()
	a, peerA := setup(t, Params{Codec: PCMA, PT: 8, DTMFPT: 101})
	b, peerB := setupOn(t, a.engine, Params{Codec: PCMU, PT: 0, DTMFPT: 96}) // one pacer paces both
	flowing := Bridge(a, b)

	// A-law 0x8D decodes to a loud negative sample; B must send its µ-law code, not silence.
	loud := make([]byte, FrameSamples)
	for i := range loud {
		loud[i] = 0x8D
	}
	var want [1]byte
	var pcm [1]int16
	DecodeALaw(pcm[:], loud[:1])
	EncodeULaw(want[:], pcm[:])
	go func() {
		for i := 0; i < 100; i++ {
			raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: uint16(i),
				Timestamp: uint32(i) * FrameSamples, SSRC: 5}, Payload: loud}).Marshal()
			_, _ = peerA.WriteToUDP(raw, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.Port()})
			raw, _ = (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i),
				Timestamp: uint32(i) * FrameSamples, SSRC: 6}, Payload: make([]byte, FrameSamples)}).Marshal()
			_, _ = peerB.WriteToUDP(raw, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: b.Port()})
			time.Sleep(FrameDuration)
		}
	}()
	buf := make([]byte, 1500)
	heard := false
	for !heard {
		_ = peerB.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := peerB.Read(buf)
		if err != nil {
			t.Fatal("B's peer never heard A's audio:", err)
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) == nil && p.PayloadType == 0 && p.Payload[0] == want[0] {
			heard = true
		}
	}
	select {
	case <-flowing.Done():
	case <-time.After(5 * time.Second):
		t.Error("the bridge never reported media flowing both ways")
	}
	// Key 7 pressed on A's side, relayed to B's peer with B's telephone-event payload type.
	for i, ev := range [][]byte{{7, 0x0a, 0, 160}, {7, 0x8a, 1, 64}, {7, 0x8a, 1, 64}} {
		raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Marker: i == 0, SequenceNumber: uint16(200 + i),
			Timestamp: 50000, SSRC: 5}, Payload: ev}).Marshal()
		_, _ = peerA.WriteToUDP(raw, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.Port()})
	}
	var d DTMFDetector
	for {
		_ = peerB.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := peerB.Read(buf)
		if err != nil {
			t.Fatal("B's peer never got the key:", err)
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil || p.PayloadType != 96 {
			continue
		}
		if ev, ok := d.Feed(p.Timestamp, p.Marker, p.Payload); ok {
			if ev.Digit != '7' {
				t.Errorf("relayed key %q, want 7", ev.Digit)
			}
			return
		}
	}
}
