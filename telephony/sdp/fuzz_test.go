package sdp

import (
	"errors"
	"net/netip"
	"testing"
)

// addSeeds adds every fixture and a few broken bodies to the corpus.
func addSeeds(f *testing.F) {
	for _, name := range fixtures(f) {
		f.Add(fixture(f, name))
	}
	f.Add([]byte{})
	f.Add(offer("m=audio 4000 RTP/AVP 0\x00"))
	f.Add(offer("m=audio 4000/2 RTP/AVP 8 0", "a=rtpmap:8 PCMA/8000/1", "a=ptime:20.5", "a=inactive"))
	f.Add(offer("m=image 4000 udptl t38", "m=audio 0 RTP/SAVP 0"))
	f.Add([]byte("v=0\no=- 1 1 IN IP6 ::1\nc=IN IP6 ::\nm=audio 1 RTP/AVPF 96\na=rtpmap:96 PCMU/8000"))
}

// FuzzParse checks that Parse never panics, that its errors wrap
// ErrMalformed, and that an answer to whatever it accepts parses again.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	ours := netip.MustParseAddr("192.0.2.1")
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		c, err := Negotiate(s)
		if err != nil {
			c = Choice{MediaIndex: -1}
		}
		out := Answer(AnswerParams{Offer: s, Choice: c, Addr: ours, Port: 20000, SessID: 1, Version: 1})
		ans, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Answer) = %v\n%q", err, out)
		}
		if len(ans.Media) != len(s.Media) {
			t.Fatalf("answer has %d m= lines, offer %d", len(ans.Media), len(s.Media))
		}
		if c.MediaIndex < 0 {
			return
		}
		back, err := Negotiate(ans)
		if err != nil {
			t.Fatalf("Negotiate(answer) = %v\n%q", err, out)
		}
		if back.MediaIndex != c.MediaIndex || back.Codec.PT != c.Codec.PT {
			t.Fatalf("answer chose stream %d PT %d, offer stream %d PT %d", back.MediaIndex, back.Codec.PT, c.MediaIndex, c.Codec.PT)
		}
	})
}

// FuzzNegotiate checks Negotiate's promises on whatever Parse accepts.
func FuzzNegotiate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		c, err := Negotiate(s)
		if err != nil {
			if !errors.Is(err, ErrNoAudio) && !errors.Is(err, ErrNoCodec) {
				t.Fatalf("Negotiate error = %v", err)
			}
			return
		}
		m := &s.Media[c.MediaIndex]
		if !usableAudio(m) {
			t.Fatalf("chose unusable stream %+v", m)
		}
		if (c.Codec.Name != namePCMA && c.Codec.Name != namePCMU) || c.Codec.Rate != 8000 || c.Codec.Channels > 1 {
			t.Fatalf("chose codec %+v", c.Codec)
		}
		if c.Codec.Name == namePCMU {
			for _, f := range m.Formats {
				if f.is(namePCMA, 8000) {
					t.Fatalf("chose PCMU over offered %+v", f)
				}
			}
		}
		if c.DTMF != nil && (c.DTMF.Name != nameTelephoneEvent || c.DTMF.Rate != 8000) {
			t.Fatalf("chose DTMF %+v", *c.DTMF)
		}
		if int(c.Remote.Port()) != m.Port || !c.Remote.Addr().IsValid() {
			t.Fatalf("remote %v for stream on port %d", c.Remote, m.Port)
		}
		for i := range c.MediaIndex {
			if usableAudio(&s.Media[i]) {
				if _, ok := pickCodec(s.Media[i].Formats); ok {
					t.Fatalf("passed over stream %d, which offers G.711", i)
				}
			}
		}
	})
}
