package telephony

import (
	"net"
	"net/netip"
	"sync"
)

// localAddrs finds the local address a peer reaches us on, for SDP and Contact: the listener's address
// when it is bound to one, else the address the kernel routes to the peer from (the address its request
// arrived on, on a host with one route to it). Results are cached per peer address.
type localAddrs struct {
	bound netip.Addr
	cache sync.Map // netip.Addr → netip.Addr
}

func (l *localAddrs) toward(peer netip.Addr) netip.Addr {
	if l.bound.IsValid() {
		return l.bound
	}
	if v, ok := l.cache.Load(peer); ok {
		return v.(netip.Addr)
	}
	local := netip.IPv4Unspecified()
	// Connecting a UDP socket sends nothing; it only asks the kernel for the route.
	if conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(peer, 9))); err == nil {
		local = conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
		conn.Close()
	}
	l.cache.Store(peer, local)
	return local
}
