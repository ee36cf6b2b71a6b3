package media

import (
	"net"
	"net/netip"
)

// batchSize is how many datagrams one receive call takes from a socket at most.
const batchSize = 8

// datagram is one received packet in a recvBatch.
type datagram struct {
	buf  [1500]byte
	n    int
	from netip.AddrPort
}

// recvBatch is the pacer's receive buffers, reused for every session on every tick.
type recvBatch struct {
	d [batchSize]datagram
	sys
}

// udpSocket is a session's RTP socket as the pacer uses it: sends and non-blocking batch receives that
// bypass the runtime's poller (the pacer is the socket's only user, and never waits on it), so a packet
// costs its system call and no goroutine wake-up.
type udpSocket struct {
	conn *net.UDPConn
	fd   int
	v6   bool // bound to an IPv6 address: destinations are written as IPv6 (IPv4 ones v4-mapped)
	// dst is the destination in the kernel's form, rebuilt when the session's remote address changes.
	dst     netip.AddrPort
	dstAddr sockaddr
	// peer is the address the socket is connected to (the latched caller), or zero.
	peer netip.AddrPort
}

func newUDPSocket(conn *net.UDPConn) (udpSocket, error) {
	s := udpSocket{conn: conn}
	if la, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		s.v6 = la.IP.To4() == nil
	}
	rc, err := conn.SyscallConn()
	if err != nil {
		return s, err
	}
	err = rc.Control(func(fd uintptr) { s.fd = int(fd) })
	return s, err
}
