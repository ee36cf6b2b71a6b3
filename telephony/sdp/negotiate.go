package sdp

import (
	"fmt"
	"net/netip"
	"strings"
)

// Choice is what Negotiate picked from an offer.
type Choice struct {
	// MediaIndex is the index in the offer's Media of the stream we accept.
	MediaIndex int
	// Codec is the offer's PCMA or PCMU format, with the offer's payload type;
	// its Name is written "PCMA" or "PCMU" whatever the offer's case.
	Codec Format
	// DTMF is the offer's telephone-event/8000 format (Name written
	// "telephone-event"); nil when not offered.
	DTMF *Format
	// Remote is where to send RTP: the stream's c= address (else the
	// session's) and its port. An unspecified address (0.0.0.0, RFC 3264 §8.4)
	// means "send nothing".
	Remote netip.AddrPort
	// Direction is the offer's direction for the stream. An unspecified
	// connection address takes away its receiving side (sendrecv becomes
	// sendonly, recvonly becomes inactive), as RFC 3264 §8.4 asks.
	Direction Direction
	// Ptime is the offer's packet time in milliseconds; 0 when not given.
	Ptime int
}

// Negotiate picks the stream, codec and DTMF format to answer an offer with.
//
// It takes the first usable audio stream (media "audio", profile RTP/AVP or
// RTP/AVPF, port other than 0) that offers G.711 at 8000 Hz, and from it PCMA
// when offered, else PCMU: our preference, not the offer's order. Static
// payload types 8 and 0 count without a=rtpmap; dynamic ones count by their
// rtpmap name. It adds the stream's telephone-event/8000 format when that
// offers any of the DTMF events 0-15.
//
// It returns ErrNoAudio when the offer has no usable audio stream and
// ErrNoCodec when none of them offers G.711.
func Negotiate(offer *Session) (Choice, error) {
	if offer == nil {
		return Choice{}, ErrNoAudio
	}
	sawAudio := false
	for i := range offer.Media {
		m := &offer.Media[i]
		if !usableAudio(m) {
			continue
		}
		sawAudio = true
		codec, ok := pickCodec(m.Formats)
		if !ok {
			continue
		}
		addr := m.Conn
		if !addr.IsValid() {
			addr = offer.Conn
		}
		if !addr.IsValid() {
			return Choice{}, fmt.Errorf("%w: media %d has no connection address", ErrMalformed, i)
		}
		addr = addr.Unmap()
		c := Choice{
			MediaIndex: i,
			Codec:      codec,
			DTMF:       pickDTMF(m.Formats),
			Remote:     netip.AddrPortFrom(addr, uint16(m.Port)),
			Direction:  m.Direction,
			Ptime:      m.Ptime,
		}
		if addr.IsUnspecified() {
			c.Direction = directionOf(c.Direction.sends(), false)
		}
		return c, nil
	}
	if !sawAudio {
		return Choice{}, ErrNoAudio
	}
	return Choice{}, ErrNoCodec
}

// usableAudio reports whether m is an audio stream we can take part in.
func usableAudio(m *Media) bool {
	return strings.EqualFold(m.Type, "audio") && m.Port > 0 && m.Port <= 65535 &&
		(strings.EqualFold(m.Proto, "RTP/AVP") || strings.EqualFold(m.Proto, "RTP/AVPF"))
}

// pickCodec returns the first PCMA format, else the first PCMU one.
func pickCodec(fs []Format) (Format, bool) {
	for _, name := range [...]string{namePCMA, namePCMU} {
		for _, f := range fs {
			if f.is(name, g711Rate) {
				f.Name = name
				return f, true
			}
		}
	}
	return Format{}, false
}

// pickDTMF returns a copy of the first telephone-event/8000 format that
// offers a DTMF event, or nil.
func pickDTMF(fs []Format) *Format {
	for _, f := range fs {
		if f.is(nameTelephoneEvent, g711Rate) && !offeredEvents(f).and(dtmfEvents).empty() {
			f.Name = nameTelephoneEvent
			return &f
		}
	}
	return nil
}
