package sdp

import (
	"net/netip"
	"strings"
)

// AnswerParams is what Answer needs.
type AnswerParams struct {
	// Offer is the parsed offer.
	Offer *Session
	// Choice is what Negotiate picked from Offer. A MediaIndex that names no
	// stream of the offer rejects every stream.
	Choice Choice
	// Addr is the address we receive RTP on, written in o= and c=; IPv4 or
	// IPv6 (an invalid Addr is written as 0.0.0.0).
	Addr netip.Addr
	// Port is the port we receive RTP on.
	Port int
	// SessID and Version go into o=; the caller keeps SessID for the dialog
	// and increments Version with each new answer (a re-INVITE).
	SessID, Version uint64
	// Username goes into o=; "hotline" when empty or not a token.
	Username string
	// Direction is what we want: SendRecv (the zero value) for a normal call,
	// SendOnly to put the other side on hold, RecvOnly, or Inactive. The
	// answer's direction is this combined with the offer's: we send only if
	// the offer receives, and receive only if the offer sends.
	Direction Direction
}

// Answer builds our answer to an offer (RFC 3264 §6). It has as many m= lines
// as the offer, in the same order; every one but the chosen stream is
// rejected (port 0, the offer's formats). The chosen stream carries our port,
// the chosen codec and, when offered, telephone-event with the offered events
// we understand (of 0-16; "0-16" when the offer lists none), a=ptime:20, and
// the answering direction (sendrecv answers sendrecv, sendonly answers
// recvonly, recvonly answers sendonly, inactive answers inactive). The t= line
// repeats the offer's.
func Answer(p AnswerParams) []byte {
	offer := p.Offer
	if offer == nil {
		offer = &Session{}
	}
	user := p.Username
	if !isToken(user) {
		user = "hotline"
	}
	w := &writer{b: make([]byte, 0, 512)}
	w.header(user, p.SessID, p.Version, p.Addr, offer.Timing)
	for i := range offer.Media {
		m := &offer.Media[i]
		if i != p.Choice.MediaIndex {
			w.rejected(m)
			continue
		}
		c := p.Choice
		proto := m.Proto
		if !isProto(proto) {
			proto = "RTP/AVP"
		}
		w.str("m=audio").sp().uint(validPort(p.Port)).sp().str(proto).sp().uint(uint64(c.Codec.PT))
		if c.DTMF != nil {
			w.sp().uint(uint64(c.DTMF.PT))
		}
		w.end()
		w.rtpmap(c.Codec.PT, codecName(c.Codec), g711Rate)
		if c.DTMF != nil {
			w.rtpmap(c.DTMF.PT, nameTelephoneEvent, g711Rate)
			w.str("a=fmtp:").uint(uint64(c.DTMF.PT)).sp().str(answerEvents(*c.DTMF)).end()
		}
		w.str("a=ptime:20").end()
		dir := directionOf(c.Direction.receives() && p.Direction.sends(),
			c.Direction.sends() && p.Direction.receives())
		w.str("a=" + dir.String()).end()
	}
	return w.b
}

// rejected writes the m= line rejecting an offered stream: port 0 and the
// offer's formats (at least one is required).
func (w *writer) rejected(m *Media) {
	typ, proto := m.Type, m.Proto
	if !isToken(typ) {
		typ = "audio"
	}
	if !isProto(proto) {
		proto = "RTP/AVP"
	}
	w.str("m=" + typ + " 0 " + proto)
	n := 0
	for _, f := range m.Fmts {
		if isToken(f) {
			w.sp().str(f)
			n++
		}
	}
	if n == 0 {
		for _, f := range m.Formats {
			w.sp().uint(uint64(f.PT))
			n++
		}
	}
	if n == 0 {
		w.str(" 0")
	}
	w.end()
}

// codecName returns the name to answer a G.711 format with: PCMA or PCMU.
func codecName(f Format) string {
	if strings.EqualFold(f.Name, namePCMA) || (f.Name == "" && f.PT == 8) {
		return namePCMA
	}
	return namePCMU
}
