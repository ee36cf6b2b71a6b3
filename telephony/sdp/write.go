package sdp

import (
	"net/netip"
	"strconv"
)

// writer builds a session description line by line, each ended with CRLF.
type writer struct{ b []byte }

// str appends s, then the others separated by single spaces.
func (w *writer) str(s ...string) *writer {
	for i, p := range s {
		if i > 0 {
			w.b = append(w.b, ' ')
		}
		w.b = append(w.b, p...)
	}
	return w
}

func (w *writer) sp() *writer { w.b = append(w.b, ' '); return w }

func (w *writer) uint(v uint64) *writer {
	w.b = strconv.AppendUint(w.b, v, 10)
	return w
}

func (w *writer) end() { w.b = append(w.b, '\r', '\n') }

// header writes v=, o=, s=, c= and t= for our side of a session.
func (w *writer) header(user string, sessID, version uint64, addr netip.Addr, t Timing) {
	netType, addrText := addrFields(addr)
	w.str("v=0").end()
	w.str("o="+user).sp().uint(sessID).sp().uint(version).sp().str("IN", netType, addrText).end()
	w.str("s=-").end()
	w.str("c=IN", netType, addrText).end()
	w.str("t=").uint(t.Start).sp().uint(t.Stop).end()
}

// rtpmap writes a=rtpmap for a mono format.
func (w *writer) rtpmap(pt uint8, name string, rate int) {
	w.str("a=rtpmap:").uint(uint64(pt)).sp().str(name + "/").uint(uint64(rate)).end()
}

// addrFields returns the address type and text for addr; an invalid address
// is written as 0.0.0.0.
func addrFields(addr netip.Addr) (addrType, text string) {
	addr = addr.Unmap().WithZone("")
	switch {
	case addr.Is4():
		return "IP4", addr.String()
	case addr.Is6():
		return "IP6", addr.String()
	}
	return "IP4", "0.0.0.0"
}

// validPort returns port, or 0 when it is not a port number.
func validPort(port int) uint64 {
	if port < 0 || port > 65535 {
		return 0
	}
	return uint64(port)
}
