package sdp

import (
	"net/netip"
	"strings"
	"testing"
)

func TestOffer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr netip.Addr
		port int
		want []string
	}{
		{"IPv4", netip.MustParseAddr("192.0.2.1"), 20002, []string{
			"v=0",
			"o=hotline 99 1 IN IP4 192.0.2.1",
			"s=-",
			"c=IN IP4 192.0.2.1",
			"t=0 0",
			"m=audio 20002 RTP/AVP 8 0 101",
			"a=rtpmap:8 PCMA/8000",
			"a=rtpmap:0 PCMU/8000",
			"a=rtpmap:101 telephone-event/8000",
			"a=fmtp:101 0-16",
			"a=ptime:20",
			"a=sendrecv",
		}},
		{"IPv6", netip.MustParseAddr("2001:db8::7"), 20004, []string{
			"v=0",
			"o=hotline 99 1 IN IP6 2001:db8::7",
			"s=-",
			"c=IN IP6 2001:db8::7",
			"t=0 0",
			"m=audio 20004 RTP/AVP 8 0 101",
			"a=rtpmap:8 PCMA/8000",
			"a=rtpmap:0 PCMU/8000",
			"a=rtpmap:101 telephone-event/8000",
			"a=fmtp:101 0-16",
			"a=ptime:20",
			"a=sendrecv",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := Offer(tt.addr, tt.port, 99, 1)
			if got, want := string(out), strings.Join(tt.want, "\r\n")+"\r\n"; got != want {
				t.Errorf("Offer:\n%s\nwant:\n%s", got, want)
			}
			s, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Offer): %v", err)
			}
			c, err := Negotiate(s)
			if err != nil {
				t.Fatalf("Negotiate(Offer): %v", err)
			}
			if c.Codec.PT != 8 || c.DTMF == nil || c.DTMF.PT != 101 || c.Remote != netip.AddrPortFrom(tt.addr, uint16(tt.port)) {
				t.Errorf("Negotiate(Offer) = %+v", c)
			}
		})
	}
}
