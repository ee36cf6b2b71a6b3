package sdp

import (
	"errors"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(fixture(t, name))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(s.Media) == 0 {
				t.Fatal("no media sections")
			}
			for i, m := range s.Media {
				if len(m.Fmts) == 0 {
					t.Errorf("media %d: no formats", i)
				}
				if isRTP(m.Proto) && len(m.Formats) != len(m.Fmts) {
					t.Errorf("media %d: %d formats for %d payload types", i, len(m.Formats), len(m.Fmts))
				}
			}
		})
	}
}

func TestParseAsterisk(t *testing.T) {
	t.Parallel()
	s, err := Parse(fixture(t, "asterisk.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Session{
		Origin: Origin{Username: "-", SessID: "1716812345", SessVersion: "1716812345",
			NetType: "IN", AddrType: "IP4", Address: "203.0.113.10"},
		Name: "Asterisk",
		Conn: netip.MustParseAddr("203.0.113.10"),
		Media: []Media{{
			Type: "audio", Port: 17654, Proto: "RTP/AVP",
			Fmts: []string{"0", "8", "3", "101"},
			Formats: []Format{
				{PT: 0, Name: "PCMU", Rate: 8000, Channels: 1},
				{PT: 8, Name: "PCMA", Rate: 8000, Channels: 1},
				{PT: 3, Name: "GSM", Rate: 8000, Channels: 1},
				{PT: 101, Name: "telephone-event", Rate: 8000, Channels: 1, Fmtp: "0-16"},
			},
			Direction: SendRecv,
			Ptime:     20,
		}},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", s, want)
	}
}

func TestParseDetails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    []byte
		check func(t *testing.T, s *Session)
	}{
		{
			name: "media-level c= only, per stream",
			in:   fixture(t, "media-conn.sdp"),
			check: func(t *testing.T, s *Session) {
				if s.Conn.IsValid() {
					t.Errorf("session Conn = %v, want none", s.Conn)
				}
				if got := s.Media[0].Conn; got != netip.MustParseAddr("10.20.30.41") {
					t.Errorf("video Conn = %v", got)
				}
				if got := s.Media[1].Conn; got != netip.MustParseAddr("10.20.30.42") {
					t.Errorf("audio Conn = %v", got)
				}
				if got := s.Media[1].Ptime; got != 30 {
					t.Errorf("audio Ptime = %d, want 30", got)
				}
				if got := s.Media[0].Formats[0].Channels; got != 0 {
					t.Errorf("video format Channels = %d, want 0", got)
				}
			},
		},
		{
			name: "IPv6",
			in:   fixture(t, "ipv6.sdp"),
			check: func(t *testing.T, s *Session) {
				if s.Conn != netip.MustParseAddr("2001:db8::10") {
					t.Errorf("Conn = %v", s.Conn)
				}
				if s.Origin.AddrType != "IP6" {
					t.Errorf("Origin.AddrType = %q", s.Origin.AddrType)
				}
			},
		},
		{
			name: "session-level direction inherited",
			in:   fixture(t, "hold-inactive.sdp"),
			check: func(t *testing.T, s *Session) {
				if got := s.Media[0].Direction; got != Inactive {
					t.Errorf("Direction = %v, want inactive", got)
				}
			},
		},
		{
			name: "media direction overrides session direction",
			in:   offer("a=sendonly", "a=ptime:30", "m=audio 4000 RTP/AVP 0", "a=recvonly", "m=audio 4002 RTP/AVP 0"),
			check: func(t *testing.T, s *Session) {
				if got := s.Media[0].Direction; got != RecvOnly {
					t.Errorf("media 0 Direction = %v, want recvonly", got)
				}
				if got := s.Media[1].Direction; got != SendOnly {
					t.Errorf("media 1 Direction = %v, want sendonly", got)
				}
				if s.Media[0].Ptime != 30 || s.Media[1].Ptime != 30 {
					t.Errorf("Ptime = %d, %d; want the session's 30", s.Media[0].Ptime, s.Media[1].Ptime)
				}
			},
		},
		{
			name: "dynamic PCMA with lower-case name, LF line endings",
			in:   fixture(t, "dynamic-pcma.sdp"),
			check: func(t *testing.T, s *Session) {
				f := s.Media[0].Formats[1]
				if f.PT != 97 || f.Name != "pcma" || f.Rate != 8000 || f.Channels != 1 {
					t.Errorf("format = %+v", f)
				}
			},
		},
		{
			name: "non-RTP media keeps its format tokens",
			in:   fixture(t, "t38-gateway.sdp"),
			check: func(t *testing.T, s *Session) {
				m := s.Media[1]
				if m.Type != "image" || m.Proto != "udptl" || !reflect.DeepEqual(m.Fmts, []string{"t38"}) || m.Formats != nil {
					t.Errorf("image media = %+v", m)
				}
			},
		},
		{
			name: "port count, multicast TTL, fractional ptime, blank lines, tabs",
			in: []byte("v=0\r\n\r\no=- 1 1 IN IP4 192.0.2.10\r\nc=IN IP4 233.252.0.1/127\r\nt=3034423619 3042462419\r\n" +
				"m=audio 4000/2 RTP/AVP\t8  0\r\na=ptime:20.5\r\n\r\n"),
			check: func(t *testing.T, s *Session) {
				m := s.Media[0]
				if m.Port != 4000 || !reflect.DeepEqual(m.Fmts, []string{"8", "0"}) || m.Ptime != 20 {
					t.Errorf("media = %+v", m)
				}
				if s.Conn != netip.MustParseAddr("233.252.0.1") {
					t.Errorf("Conn = %v", s.Conn)
				}
				if s.Timing != (Timing{3034423619, 3042462419}) {
					t.Errorf("Timing = %+v", s.Timing)
				}
			},
		},
		{
			name: "payload type listed twice counts once, first rtpmap and fmtp stand",
			in: offer("m=audio 4000 RTP/AVP 96 96", "a=rtpmap:96 PCMA/8000", "a=rtpmap:96 PCMU/8000",
				"a=fmtp:96 a=1", "a=fmtp:96 b=2"),
			check: func(t *testing.T, s *Session) {
				want := []Format{{PT: 96, Name: "PCMA", Rate: 8000, Channels: 1, Fmtp: "a=1"}}
				if got := s.Media[0].Formats; !reflect.DeepEqual(got, want) {
					t.Errorf("Formats = %+v", got)
				}
			},
		},
		{
			name: "rtpmap for an unlisted payload type is dropped",
			in:   offer("m=audio 4000 RTP/AVP 0", "a=rtpmap:8 PCMA/8000", "a=fmtp:8 x"),
			check: func(t *testing.T, s *Session) {
				if got := len(s.Media[0].Formats); got != 1 {
					t.Errorf("%d formats, want 1", got)
				}
			},
		},
		{
			name: "rejected stream needs no address",
			in:   body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "t=0 0", "m=video 0 RTP/AVP 31"),
			check: func(t *testing.T, s *Session) {
				if s.Media[0].Port != 0 {
					t.Errorf("Port = %d", s.Media[0].Port)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, s)
		})
	}
}

// TestParseMalformed feeds bodies Parse must refuse, each for its reason.
func TestParseMalformed(t *testing.T) {
	t.Parallel()
	many := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, " ")
	}
	var mediaLines []string
	for i := 0; i <= MaxMedia; i++ {
		mediaLines = append(mediaLines, "m=audio 0 RTP/AVP 0")
	}
	tests := []struct {
		name string
		in   []byte
		want error
		line int // 0: not checked
	}{
		{"empty body", nil, errNoVersion, 1},
		{"only blank lines", []byte("\r\n\r\n"), errNoVersion, 1},
		{"missing v=", body("o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0", "m=audio 4000 RTP/AVP 0"), errNoVersion, 1},
		{"version 1", body("v=1"), errBadVersion, 1},
		{"v= twice", offer("v=0"), errDuplicate, 6},
		{"missing o=", body("v=0", "s=-", "c=IN IP4 192.0.2.10", "t=0 0", "m=audio 4000 RTP/AVP 0"), errNoOrigin, 0},
		{"short o=", body("v=0", "o=- 1 1 IN IP4"), errBadOrigin, 2},
		{"o= twice", offer("o=- 1 1 IN IP4 192.0.2.10"), errDuplicate, 6},
		{"o= inside media", offer("m=audio 4000 RTP/AVP 0", "o=- 1 1 IN IP4 192.0.2.10"), errMisplaced, 7},
		{"t= inside media", offer("m=audio 4000 RTP/AVP 0", "t=0 0"), errMisplaced, 7},
		{"bad t=", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "t=now"), errBadTiming, 3},
		{"line without =", offer("m=audio 4000 RTP/AVP 0", "a"), errBadLine, 7},
		{"upper-case type", offer("M=audio 4000 RTP/AVP 0"), errBadLine, 6},
		{"leading space", body(" v=0"), errBadLine, 1},
		{"NUL byte", offer("m=audio 4000 RTP/AVP 0", "a=sendrecv\x00"), errBadChar, 7},
		{"NUL in session name", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=\x00"), errBadChar, 3},
		{"bare CR inside a line", offer("m=audio 4000 RTP/AVP 0\ra=sendrecv"), errBadChar, 6},
		{"huge line", offer("m=audio 4000 RTP/AVP 0", "a=x-"+strings.Repeat("A", MaxLineLength)), errLineTooLong, 7},
		{"body over 64 KiB", append(offer("m=audio 4000 RTP/AVP 0"), strings.Repeat("a=x\r\n", MaxSize/5)...), errTooLarge, 0},
		{"bad port", offer("m=audio 65536 RTP/AVP 0"), errBadPort, 6},
		{"negative port", offer("m=audio -1 RTP/AVP 0"), errBadPort, 6},
		{"signed port", offer("m=audio +4000 RTP/AVP 0"), errBadPort, 6},
		{"port not a number", offer("m=audio x RTP/AVP 0"), errBadPort, 6},
		{"port count 0", offer("m=audio 4000/0 RTP/AVP 0"), errBadPort, 6},
		{"m= without formats", offer("m=audio 4000 RTP/AVP"), errBadMedia, 6},
		{"m= with a bad protocol", offer("m=audio 4000 RTP//AVP 0"), errBadMedia, 6},
		{"payload type over 127", offer("m=audio 4000 RTP/AVP 128"), errBadFormat, 6},
		{"payload type not a number", offer("m=audio 4000 RTP/AVP PCMA"), errBadFormat, 6},
		{"65 formats", offer("m=audio 4000 RTP/AVP " + many(MaxFormats+1, func(i int) string { return "0" })), errTooManyFormats, 6},
		{"10,000 formats", offer("m=audio 4000 RTP/AVP " + many(10000, func(i int) string { return "96" })), errLineTooLong, 6},
		{"65 media sections", offer(mediaLines...), errTooManyMedia, 6 + MaxMedia},
		{"c= with a host name", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=IN IP4 pbx.example.com"), errBadConn, 3},
		{"c= IP4 with an IPv6 address", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=IN IP4 2001:db8::1"), errBadConn, 3},
		{"c= IP6 with an IPv4 address", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=IN IP6 192.0.2.1"), errBadConn, 3},
		{"c= with a zone", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=IN IP6 fe80::1%eth0"), errBadConn, 3},
		{"c= of another network type", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=ATM NSAP 47.0091"), errBadConn, 3},
		{"c= too short", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "c=IN IP4"), errBadConn, 3},
		{"c= twice", offer("c=IN IP4 192.0.2.11"), errDuplicate, 6},
		{"no connection address", body("v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0"), errNoConn, 5},
		{"rtpmap without rate", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMA"), errBadRtpmap, 7},
		{"rtpmap rate 0", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMA/0"), errBadRtpmap, 7},
		{"rtpmap bad channels", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMA/8000/x"), errBadRtpmap, 7},
		{"rtpmap payload type 300", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:300 PCMA/8000"), errBadRtpmap, 7},
		{"rtpmap without encoding", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96"), errBadRtpmap, 7},
		{"fmtp bad payload type", offer("m=audio 4000 RTP/AVP 96", "a=fmtp:x 0-15"), errBadFmtp, 7},
		{"ptime not a number", offer("m=audio 4000 RTP/AVP 0", "a=ptime:abc"), errBadPtime, 7},
		{"ptime 0", offer("m=audio 4000 RTP/AVP 0", "a=ptime:0"), errBadPtime, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse = %+v, want error %v", s, tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse error = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse error %v does not wrap ErrMalformed", err)
			}
			if tt.line > 0 && !strings.Contains(err.Error(), "line "+strconv.Itoa(tt.line)) {
				t.Errorf("Parse error %q does not name line %d", err, tt.line)
			}
		})
	}
}

func TestParseErrorQuotesInput(t *testing.T) {
	t.Parallel()
	_, err := Parse(offer("m=audio 4000 RTP/AVP 0", "a=ptime:\x1b[31m0912345678901234567890123456789012345"))
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	msg := err.Error()
	if strings.ContainsRune(msg, 0x1b) {
		t.Errorf("error %q carries a raw control character", msg)
	}
	if strings.Contains(msg, "0912345678901234567890123456789012345") {
		t.Errorf("error %q carries the whole token", msg)
	}
}

func BenchmarkParse(b *testing.B) {
	in := fixture(b, "linphone.sdp")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}
