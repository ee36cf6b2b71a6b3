package sdp

import "net/netip"

// Session is a parsed session description.
type Session struct {
	Origin Origin
	// Name is the s= line's text ("-" or empty when there is none).
	Name string
	// Conn is the session-level c= address; the zero Addr when absent.
	Conn netip.Addr
	// Timing is the first t= line (RFC 3264 §6: the answer repeats it).
	Timing Timing
	// Media holds the m= sections in the order of the body.
	Media []Media
}

// Origin is the o= line. Its fields are kept as written: they identify the
// session and its version (a changed SessVersion marks a new offer) and are
// never used to route media.
type Origin struct {
	Username    string
	SessID      string
	SessVersion string
	NetType     string
	AddrType    string
	Address     string
}

// Timing is a t= line: start and stop times in NTP seconds, 0 0 for a
// session that is not bounded in time.
type Timing struct {
	Start, Stop uint64
}

// Media is one m= section.
type Media struct {
	// Type is the media type as written ("audio", "video", "image", ...).
	Type string
	// Port is the transport port; 0 marks a rejected or disabled stream.
	Port int
	// Proto is the transport protocol as written ("RTP/AVP", "RTP/AVPF", ...).
	Proto string
	// Fmts is the m= line's format list as written, for every protocol.
	Fmts []string
	// Formats describes the RTP payload types of Fmts in their order, with
	// a=rtpmap and a=fmtp applied and the RFC 3551 static payload types
	// filled in for audio. It is empty for protocols other than RTP.
	Formats []Format
	// Conn is the media-level c= address; the zero Addr when absent (the
	// session's Conn applies).
	Conn netip.Addr
	// Direction is the stream's direction: the media-level attribute, else the
	// session-level one, else SendRecv.
	Direction Direction
	// Ptime is the packet time in milliseconds: the media-level a=ptime, else
	// the session-level one, else 0 (not given).
	Ptime int
}

// Format is an RTP payload format of a media section.
type Format struct {
	// PT is the RTP payload type, 0-127.
	PT uint8
	// Name is the encoding name ("PCMA", "telephone-event", ...); empty for a
	// dynamic payload type without a=rtpmap.
	Name string
	// Rate is the RTP clock rate in Hz; 0 when unknown.
	Rate int
	// Channels is the number of audio channels (1 when a=rtpmap leaves it
	// out); 0 for other media.
	Channels int
	// Fmtp is the a=fmtp parameter text, as written.
	Fmtp string
}
