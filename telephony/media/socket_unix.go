//go:build unix && !linux

package media

import (
	"net/netip"
	"syscall"
)

// Outside Linux the pacer reads one datagram per system call (no recvmmsg) and sends through the net
// package: slower, the same behaviour.

type sys struct{}

type sockaddr struct{ len uint32 }

func (s *udpSocket) recv(b *recvBatch) int {
	n := 0
	for n < batchSize {
		k, from, err := syscall.Recvfrom(s.fd, b.d[n].buf[:], syscall.MSG_DONTWAIT)
		if err != nil || k < 0 {
			break
		}
		b.d[n].n, b.d[n].from = k, addrPort(from)
		n++
	}
	return n
}

func addrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}

func (s *udpSocket) send(b []byte, to netip.AddrPort) {
	_, _ = s.conn.WriteToUDPAddrPort(b, to)
}

// connect and disconnect only matter for speed; elsewhere the session filters sources itself.
func (s *udpSocket) connect(netip.AddrPort) {}
func (s *udpSocket) disconnect()            {}
