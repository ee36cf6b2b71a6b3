// Package sdp parses session descriptions (RFC 4566) and carries out the
// offer/answer model (RFC 3264) for the one thing the hotline speaks: a single
// G.711 audio stream, with RFC 4733 telephone-events for DTMF.
//
// # What it owns
//
// [Parse] turns an SDP body received from the network into a [Session]. The
// body comes from the internet and is treated as hostile: Parse never panics,
// bounds everything it allocates ([MaxSize], [MaxLineLength], [MaxMedia],
// [MaxFormats]) and reports every problem as an error that wraps
// [ErrMalformed] and names the line.
//
// [Negotiate] picks what we will use from an offer: the first usable audio
// stream that offers G.711, PCMA before PCMU whatever the offer's order, and
// telephone-event/8000 when offered. [ErrNoAudio] and [ErrNoCodec] tell the
// caller to refuse the call with 488 Not Acceptable Here.
//
// [Answer] writes our answer to an offer; [Offer] writes an offer of our own
// for calls the hotline places.
//
//	offer, err := sdp.Parse(req.Body())
//	if err != nil { /* 400 */ }
//	choice, err := sdp.Negotiate(offer)
//	if err != nil { /* 488 */ }
//	body := sdp.Answer(sdp.AnswerParams{Offer: offer, Choice: choice,
//		Addr: publicIP, Port: rtpPort, SessID: id, Version: 1})
//
// # Concurrency and lifecycle
//
// The package has no state: every function is safe for concurrent use, and a
// parsed [Session] is a plain value that callers may share once they stop
// modifying it. There is nothing to start or stop. The package uses the
// standard library only and knows nothing of SIP.
package sdp
