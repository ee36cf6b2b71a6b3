package sdp

import (
	"errors"
	"net/netip"
	"testing"
)

func TestNegotiateFixtures(t *testing.T) {
	t.Parallel()
	ap := netip.MustParseAddrPort
	te := func(pt uint8, fmtp string) *Format {
		return &Format{PT: pt, Name: "telephone-event", Rate: 8000, Channels: 1, Fmtp: fmtp}
	}
	pcma := Format{PT: 8, Name: "PCMA", Rate: 8000, Channels: 1}
	pcmu := Format{PT: 0, Name: "PCMU", Rate: 8000, Channels: 1}
	tests := []struct {
		fixture string
		want    Choice
	}{
		{"asterisk.sdp", Choice{Codec: pcma, DTMF: te(101, "0-16"), Remote: ap("203.0.113.10:17654"), Ptime: 20}},
		{"freeswitch.sdp", Choice{Codec: pcma, DTMF: te(101, "0-16"), Remote: ap("198.51.100.20:24512"), Ptime: 20}},
		{"linphone.sdp", Choice{Codec: pcma, DTMF: te(100, ""), Remote: ap("192.168.1.50:7078")}},
		{"zoiper.sdp", Choice{Codec: pcma, DTMF: te(101, "0-16"), Remote: ap("10.0.0.23:52100")}},
		{"baresip.sdp", Choice{Codec: pcma, DTMF: te(101, "0-15"), Remote: ap("192.168.1.77:10632"), Ptime: 20}},
		{"sipp.sdp", Choice{Codec: pcmu, Remote: ap("127.0.0.1:6000")}},
		{"carrier-trunk.sdp", Choice{Codec: pcma, DTMF: te(101, "0-15"), Remote: ap("10.255.1.10:21460"), Ptime: 20}},
		{"webrtc-gateway.sdp", Choice{Codec: pcma, DTMF: te(101, "0-15"), Remote: ap("192.0.2.44:40376")}},
		{"ipv6.sdp", Choice{Codec: pcma, DTMF: te(101, "0-16"), Remote: ap("[2001:db8::10]:49170"), Ptime: 20}},
		{"hold-sendonly.sdp", Choice{Codec: pcma, DTMF: te(101, "0-16"), Remote: ap("203.0.113.10:17654"), Direction: SendOnly, Ptime: 20}},
		{"hold-inactive.sdp", Choice{Codec: pcma, DTMF: te(101, ""), Remote: ap("192.168.1.50:7078"), Direction: Inactive}},
		{"hold-rfc2543.sdp", Choice{Codec: pcmu, DTMF: te(101, "0-16"), Remote: ap("0.0.0.0:18426"), Direction: SendOnly, Ptime: 20}},
		{"media-conn.sdp", Choice{MediaIndex: 1, Codec: pcma, DTMF: te(101, "0-15"), Remote: ap("10.20.30.42:2222"), Ptime: 30}},
		{"dynamic-pcma.sdp", Choice{Codec: Format{PT: 97, Name: "PCMA", Rate: 8000, Channels: 1}, DTMF: te(98, "0-11"), Remote: ap("172.16.5.9:31000")}},
		{"t38-gateway.sdp", Choice{Codec: pcma, DTMF: te(101, "0-15"), Remote: ap("10.40.0.5:6010"), Ptime: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(fixture(t, tt.fixture))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Negotiate(s)
			if err != nil {
				t.Fatalf("Negotiate: %v", err)
			}
			checkChoice(t, got, tt.want)
		})
	}
}

func checkChoice(t *testing.T, got, want Choice) {
	t.Helper()
	gotDTMF, wantDTMF := got.DTMF, want.DTMF
	got.DTMF, want.DTMF = nil, nil
	if got != want {
		t.Errorf("Choice:\n got %+v\nwant %+v", got, want)
	}
	switch {
	case (gotDTMF == nil) != (wantDTMF == nil):
		t.Errorf("DTMF = %+v, want %+v", gotDTMF, wantDTMF)
	case gotDTMF != nil && *gotDTMF != *wantDTMF:
		t.Errorf("DTMF = %+v, want %+v", *gotDTMF, *wantDTMF)
	}
}

func TestNegotiateChoices(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    []byte
		index int
		pt    uint8
		dtmf  int // payload type, -1 for none
	}{
		{"static PCMA without rtpmap", offer("m=audio 4000 RTP/AVP 0 8"), 0, 8, -1},
		{"static PCMU without rtpmap", offer("m=audio 4000 RTP/AVP 18 0"), 0, 0, -1},
		{"PCMA listed last still wins", offer("m=audio 4000 RTP/AVP 0 9 18 8"), 0, 8, -1},
		{"upper-case profile", offer("m=audio 4000 rtp/avp 0"), 0, 0, -1},
		{"first usable stream without G.711 is passed over", offer(
			"m=audio 4000 RTP/AVP 18", "m=audio 4002 RTP/AVP 0"), 1, 0, -1},
		{"rejected first stream is passed over", offer(
			"m=audio 0 RTP/AVP 8", "m=audio 4002 RTP/AVP 0"), 1, 0, -1},
		{"first of two G.711 streams", offer(
			"m=audio 4000 RTP/AVP 0", "m=audio 4002 RTP/AVP 8"), 0, 0, -1},
		{"telephone-event at 48000 only is not DTMF for us", offer(
			"m=audio 4000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/48000"), 0, 8, -1},
		{"telephone-event without DTMF events", offer(
			"m=audio 4000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 32-40"), 0, 8, -1},
		{"telephone-event with unreadable fmtp counts", offer(
			"m=audio 4000 RTP/AVP 8 101", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 all"), 0, 8, 101},
		{"first telephone-event/8000 with DTMF", offer(
			"m=audio 4000 RTP/AVP 8 100 101", "a=rtpmap:100 telephone-event/8000", "a=fmtp:100 16",
			"a=rtpmap:101 TELEPHONE-EVENT/8000"), 0, 8, 101},
		{"lower-case dynamic PCMU", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 pcmu/8000"), 0, 96, -1},
		{"rtpmap re-maps static 8 away from PCMA", offer(
			"m=audio 4000 RTP/AVP 8 0", "a=rtpmap:8 G729/8000"), 0, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			c, err := Negotiate(s)
			if err != nil {
				t.Fatalf("Negotiate: %v", err)
			}
			if c.Codec.Name != "PCMA" && c.Codec.Name != "PCMU" {
				t.Errorf("codec name %q, want PCMA or PCMU", c.Codec.Name)
			}
			if c.DTMF != nil && c.DTMF.Name != "telephone-event" {
				t.Errorf("DTMF name %q, want telephone-event", c.DTMF.Name)
			}
			if c.MediaIndex != tt.index || c.Codec.PT != tt.pt {
				t.Errorf("stream %d PT %d, want stream %d PT %d", c.MediaIndex, c.Codec.PT, tt.index, tt.pt)
			}
			switch {
			case tt.dtmf < 0 && c.DTMF != nil:
				t.Errorf("DTMF = %+v, want none", *c.DTMF)
			case tt.dtmf >= 0 && (c.DTMF == nil || int(c.DTMF.PT) != tt.dtmf):
				t.Errorf("DTMF = %+v, want PT %d", c.DTMF, tt.dtmf)
			}
		})
	}
}

// TestRefusedOffers runs offers through Parse and Negotiate as the call flow
// does, and checks the error that refuses each.
func TestRefusedOffers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"missing v=", body("o=- 1 1 IN IP4 192.0.2.10", "c=IN IP4 192.0.2.10", "m=audio 4000 RTP/AVP 0"), errNoVersion},
		{"bad port", offer("m=audio 70000 RTP/AVP 0"), errBadPort},
		{"NUL bytes", offer("m=audio 4000 RTP/AVP 0\x00\x00"), errBadChar},
		{"no media at all", offer(), ErrNoAudio},
		{"only video", offer("m=video 4000 RTP/AVP 31"), ErrNoAudio},
		{"audio on port 0", offer("m=audio 0 RTP/AVP 0 8"), ErrNoAudio},
		{"audio over SRTP (DTLS)", fixture(t, "webrtc-dtls.sdp"), ErrNoAudio},
		{"audio over TCP", offer("m=audio 4000 TCP/RTP/AVP 0"), ErrNoAudio},
		{"image (T.38) only", offer("m=image 4000 udptl t38"), ErrNoAudio},
		{"G.729 only", offer("m=audio 4000 RTP/AVP 18 101", "a=rtpmap:101 telephone-event/8000"), ErrNoCodec},
		{"PCMA at 16 kHz", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMA/16000"), ErrNoCodec},
		{"PCMA stereo", offer("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 PCMA/8000/2"), ErrNoCodec},
		{"dynamic payload type without rtpmap", offer("m=audio 4000 RTP/AVP 96"), ErrNoCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.in)
			if err == nil {
				_, err = Negotiate(s)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNegotiateHandBuilt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		offer *Session
		want  error
	}{
		{"nil offer", nil, ErrNoAudio},
		{"stream without any address", &Session{Media: []Media{{Type: "audio", Port: 4000, Proto: "RTP/AVP",
			Formats: []Format{{PT: 0, Name: "PCMU", Rate: 8000}}}}}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Negotiate(tt.offer); !errors.Is(err, tt.want) {
				t.Errorf("Negotiate error = %v, want %v", err, tt.want)
			}
		})
	}
}
