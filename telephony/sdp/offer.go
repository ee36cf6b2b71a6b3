package sdp

import "net/netip"

// Payload types of our offer.
const (
	offerPTPCMA           = 8
	offerPTPCMU           = 0
	offerPTTelephoneEvent = 101
)

// Offer builds an SDP offer for a call the hotline places: one audio stream
// on addr and port offering PCMA (8), PCMU (0) and telephone-event (101,
// events 0-16), 20 ms packets, sendrecv.
func Offer(addr netip.Addr, port int, sessID, version uint64) []byte {
	w := &writer{b: make([]byte, 0, 320)}
	w.header("hotline", sessID, version, addr, Timing{})
	w.str("m=audio").sp().uint(validPort(port)).str(" RTP/AVP").
		sp().uint(offerPTPCMA).sp().uint(offerPTPCMU).sp().uint(offerPTTelephoneEvent).end()
	w.rtpmap(offerPTPCMA, namePCMA, g711Rate)
	w.rtpmap(offerPTPCMU, namePCMU, g711Rate)
	w.rtpmap(offerPTTelephoneEvent, nameTelephoneEvent, g711Rate)
	w.str("a=fmtp:").uint(offerPTTelephoneEvent).sp().str(ourEventText).end()
	w.str("a=ptime:20").end()
	w.str("a=sendrecv").end()
	return w.b
}
