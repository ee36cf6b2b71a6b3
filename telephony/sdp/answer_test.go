package sdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// negotiated parses and negotiates a fixture.
func negotiated(t *testing.T, name string) (*Session, Choice) {
	t.Helper()
	s, err := Parse(fixture(t, name))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c, err := Negotiate(s)
	if err != nil {
		t.Fatalf("Negotiate: %v", err)
	}
	return s, c
}

func TestAnswerText(t *testing.T) {
	t.Parallel()
	ours := netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		fixture string
		params  func(p *AnswerParams)
		want    []string
	}{
		{
			fixture: "asterisk.sdp",
			want: []string{
				"v=0",
				"o=hotline 42 1 IN IP4 192.0.2.1",
				"s=-",
				"c=IN IP4 192.0.2.1",
				"t=0 0",
				"m=audio 20000 RTP/AVP 8 101",
				"a=rtpmap:8 PCMA/8000",
				"a=rtpmap:101 telephone-event/8000",
				"a=fmtp:101 0-16",
				"a=ptime:20",
				"a=sendrecv",
			},
		},
		{
			fixture: "sipp.sdp",
			params:  func(p *AnswerParams) { p.Version = 2; p.Username = "hotline-node-1" },
			want: []string{
				"v=0",
				"o=hotline-node-1 42 2 IN IP4 192.0.2.1",
				"s=-",
				"c=IN IP4 192.0.2.1",
				"t=0 0",
				"m=audio 20000 RTP/AVP 0",
				"a=rtpmap:0 PCMU/8000",
				"a=ptime:20",
				"a=sendrecv",
			},
		},
		{
			fixture: "webrtc-gateway.sdp",
			want: []string{
				"v=0",
				"o=hotline 42 1 IN IP4 192.0.2.1",
				"s=-",
				"c=IN IP4 192.0.2.1",
				"t=0 0",
				"m=audio 20000 RTP/AVPF 8 101",
				"a=rtpmap:8 PCMA/8000",
				"a=rtpmap:101 telephone-event/8000",
				"a=fmtp:101 0-15",
				"a=ptime:20",
				"a=sendrecv",
				"m=video 0 RTP/AVPF 120 124 121 125 126 127 97 98",
				"m=application 0 UDP/DTLS/SCTP webrtc-datachannel",
			},
		},
		{
			fixture: "media-conn.sdp",
			params:  func(p *AnswerParams) { p.Addr = netip.MustParseAddr("2001:db8::1"); p.Username = "bad name" },
			want: []string{
				"v=0",
				"o=hotline 42 1 IN IP6 2001:db8::1",
				"s=-",
				"c=IN IP6 2001:db8::1",
				"t=0 0",
				"m=video 0 RTP/AVP 109 34",
				"m=audio 20000 RTP/AVP 8 101",
				"a=rtpmap:8 PCMA/8000",
				"a=rtpmap:101 telephone-event/8000",
				"a=fmtp:101 0-15",
				"a=ptime:20",
				"a=sendrecv",
			},
		},
		{
			fixture: "t38-gateway.sdp",
			params:  func(p *AnswerParams) { p.Direction = SendOnly },
			want: []string{
				"v=0",
				"o=hotline 42 1 IN IP4 192.0.2.1",
				"s=-",
				"c=IN IP4 192.0.2.1",
				"t=0 0",
				"m=audio 20000 RTP/AVP 8 101",
				"a=rtpmap:8 PCMA/8000",
				"a=rtpmap:101 telephone-event/8000",
				"a=fmtp:101 0-15",
				"a=ptime:20",
				"a=sendonly",
				"m=image 0 udptl t38",
			},
		},
		{
			fixture: "dynamic-pcma.sdp",
			want: []string{
				"v=0",
				"o=hotline 42 1 IN IP4 192.0.2.1",
				"s=-",
				"c=IN IP4 192.0.2.1",
				"t=0 0",
				"m=audio 20000 RTP/AVP 97 98",
				"a=rtpmap:97 PCMA/8000",
				"a=rtpmap:98 telephone-event/8000",
				"a=fmtp:98 0-11",
				"a=ptime:20",
				"a=sendrecv",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			s, c := negotiated(t, tt.fixture)
			p := AnswerParams{Offer: s, Choice: c, Addr: ours, Port: 20000, SessID: 42, Version: 1}
			if tt.params != nil {
				tt.params(&p)
			}
			got := string(Answer(p))
			want := strings.Join(tt.want, "\r\n") + "\r\n"
			if got != want {
				t.Errorf("Answer:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestAnswerDirection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		offer, want, answer Direction
	}{
		{SendRecv, SendRecv, SendRecv},
		{SendOnly, SendRecv, RecvOnly},
		{RecvOnly, SendRecv, SendOnly},
		{Inactive, SendRecv, Inactive},
		{SendRecv, SendOnly, SendOnly},
		{SendRecv, RecvOnly, RecvOnly},
		{SendRecv, Inactive, Inactive},
		{SendOnly, SendOnly, Inactive},
		{RecvOnly, RecvOnly, Inactive},
		{RecvOnly, SendOnly, SendOnly},
		{SendOnly, RecvOnly, RecvOnly},
	}
	for _, tt := range tests {
		t.Run(tt.offer.String()+"/"+tt.want.String(), func(t *testing.T) {
			t.Parallel()
			in := offer("m=audio 4000 RTP/AVP 8", "a="+tt.offer.String())
			s, err := Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Negotiate(s)
			if err != nil {
				t.Fatal(err)
			}
			ans, err := Parse(Answer(AnswerParams{Offer: s, Choice: c, Addr: netip.MustParseAddr("192.0.2.1"),
				Port: 20000, Direction: tt.want}))
			if err != nil {
				t.Fatal(err)
			}
			if got := ans.Media[0].Direction; got != tt.answer {
				t.Errorf("answer direction = %v, want %v", got, tt.answer)
			}
		})
	}
}

// TestAnswerRoundTrip answers every fixture that negotiates and checks that
// the answer, parsed and negotiated again, gives back the choice.
func TestAnswerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Negotiate(s)
			if errors.Is(err, ErrNoAudio) || errors.Is(err, ErrNoCodec) {
				return // refused offers get no answer; see TestRefusedOffers
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, addr := range []string{"192.0.2.1", "2001:db8::1"} {
				ours := netip.AddrPortFrom(netip.MustParseAddr(addr), 20000)
				ans, err := Parse(Answer(AnswerParams{Offer: s, Choice: c, Addr: ours.Addr(), Port: 20000, SessID: 7, Version: 3}))
				if err != nil {
					t.Fatalf("Parse(Answer): %v", err)
				}
				if ans.Origin.SessID != "7" || ans.Origin.SessVersion != "3" {
					t.Errorf("origin = %+v", ans.Origin)
				}
				if ans.Timing != s.Timing {
					t.Errorf("t= %+v, offer's %+v", ans.Timing, s.Timing)
				}
				if len(ans.Media) != len(s.Media) {
					t.Fatalf("answer has %d m= lines, offer %d", len(ans.Media), len(s.Media))
				}
				for i, m := range ans.Media {
					if i != c.MediaIndex && (m.Port != 0 || m.Type != s.Media[i].Type || m.Proto != s.Media[i].Proto) {
						t.Errorf("m= line %d = %+v, want %s rejected", i, m, s.Media[i].Type)
					}
				}
				back, err := Negotiate(ans)
				if err != nil {
					t.Fatalf("Negotiate(answer): %v", err)
				}
				if back.MediaIndex != c.MediaIndex || back.Codec.PT != c.Codec.PT || !back.Codec.is(c.Codec.Name, 8000) {
					t.Errorf("answer codec = stream %d %+v, offer's stream %d %+v", back.MediaIndex, back.Codec, c.MediaIndex, c.Codec)
				}
				if (back.DTMF == nil) != (c.DTMF == nil) || (c.DTMF != nil && back.DTMF.PT != c.DTMF.PT) {
					t.Errorf("answer DTMF = %+v, offer's %+v", back.DTMF, c.DTMF)
				}
				if back.Remote != ours || back.Ptime != 20 {
					t.Errorf("answer remote %v ptime %d, want %v 20", back.Remote, back.Ptime, ours)
				}
				if want := directionOf(c.Direction.receives(), c.Direction.sends()); back.Direction != want {
					t.Errorf("answer direction = %v, want %v", back.Direction, want)
				}
			}
		})
	}
}

func TestAnswerOddParams(t *testing.T) {
	t.Parallel()
	s, c := negotiated(t, "t38-gateway.sdp")
	tests := []struct {
		name string
		p    AnswerParams
		want []string // lines that must appear
	}{
		{"no stream chosen rejects all", AnswerParams{Offer: s, Choice: Choice{MediaIndex: -1}, Addr: netip.MustParseAddr("192.0.2.1"), Port: 20000},
			[]string{"m=audio 0 RTP/AVP 8 18 101", "m=image 0 udptl t38"}},
		{"invalid address", AnswerParams{Offer: s, Choice: c, Port: 20000}, []string{"c=IN IP4 0.0.0.0"}},
		{"IPv4-mapped address", AnswerParams{Offer: s, Choice: c, Addr: netip.MustParseAddr("::ffff:192.0.2.1"), Port: 20000},
			[]string{"c=IN IP4 192.0.2.1"}},
		{"port out of range", AnswerParams{Offer: s, Choice: c, Addr: netip.MustParseAddr("192.0.2.1"), Port: 70000},
			[]string{"m=audio 0 RTP/AVP 8 101"}},
		{"nil offer", AnswerParams{Addr: netip.MustParseAddr("192.0.2.1")}, []string{"v=0", "t=0 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := Answer(tt.p)
			if _, err := Parse(out); err != nil {
				t.Errorf("answer does not parse: %v\n%s", err, out)
			}
			for _, line := range tt.want {
				if !strings.Contains(string(out), line+"\r\n") {
					t.Errorf("answer lacks %q:\n%s", line, out)
				}
			}
		})
	}
}

func TestAnswerEvents(t *testing.T) {
	t.Parallel()
	tests := []struct{ fmtp, want string }{
		{"", "0-16"},
		{"0-16", "0-16"},
		{"0-15", "0-15"},
		{"0-11", "0-11"},
		{"0-15,66,70", "0-15"},
		{" 0 - 9 , 11 ", "0-9,11"},
		{"1,3,5,16", "1,3,5,16"},
		{"0-255", "0-16"},
		{"32-40", "0-16"},
		{"nonsense", "0-16"},
		{"9-1", "0-16"},
		{"0-256", "0-16"},
	}
	for _, tt := range tests {
		t.Run(tt.fmtp, func(t *testing.T) {
			t.Parallel()
			if got := answerEvents(Format{Fmtp: tt.fmtp}); got != tt.want {
				t.Errorf("answerEvents(%q) = %q, want %q", tt.fmtp, got, tt.want)
			}
		})
	}
}

func BenchmarkAnswer(b *testing.B) {
	s, err := Parse(fixture(b, "webrtc-gateway.sdp"))
	if err != nil {
		b.Fatal(err)
	}
	c, err := Negotiate(s)
	if err != nil {
		b.Fatal(err)
	}
	p := AnswerParams{Offer: s, Choice: c, Addr: netip.MustParseAddr("192.0.2.1"), Port: 20000, SessID: 1, Version: 1}
	b.ReportAllocs()
	for b.Loop() {
		Answer(p)
	}
}
