package media

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"unsafe"
)

type mmsghdr struct {
	hdr syscall.Msghdr
	len uint32
	_   [4]byte
}

// sys is the kernel's view of a recvBatch, set up once.
type sys struct {
	msgs  [batchSize]mmsghdr
	iovs  [batchSize]syscall.Iovec
	names [batchSize]syscall.RawSockaddrInet6
	ready bool
}

func (b *recvBatch) init() {
	for i := range b.msgs {
		b.iovs[i].Base = &b.d[i].buf[0]
		b.iovs[i].SetLen(len(b.d[i].buf))
		b.msgs[i].hdr.Iov = &b.iovs[i]
		b.msgs[i].hdr.Iovlen = 1
		b.msgs[i].hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	}
	b.ready = true
}

// recv takes the datagrams waiting on the socket, up to batchSize, without blocking; it returns how many
// it took (0 when none was waiting or the socket failed).
func (s *udpSocket) recv(b *recvBatch) int {
	if !b.ready {
		b.init()
	}
	for i := range b.msgs {
		b.msgs[i].hdr.Namelen = uint32(unsafe.Sizeof(b.names[i]))
		b.msgs[i].hdr.Flags = 0
	}
	n, _, errno := syscall.Syscall6(syscall.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&b.msgs[0])),
		batchSize, syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0
	}
	for i := 0; i < int(n); i++ {
		b.d[i].n = int(b.msgs[i].len)
		b.d[i].from = fromRaw(&b.names[i])
		if b.msgs[i].hdr.Flags&syscall.MSG_TRUNC != 0 {
			b.d[i].n = 0 // larger than any RTP packet we take: drop it
		}
	}
	return int(n)
}

func fromRaw(rsa *syscall.RawSockaddrInet6) netip.AddrPort {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&rsa.Port))[:])
	switch rsa.Family {
	case syscall.AF_INET:
		sa4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case syscall.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(rsa.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}

// sockaddr is a destination in the kernel's form.
type sockaddr struct {
	raw syscall.RawSockaddrInet6 // large enough for either family
	len uint32
}

func (sa *sockaddr) set(ap netip.AddrPort, v6socket bool) {
	sa.raw = syscall.RawSockaddrInet6{}
	addr := ap.Addr()
	port := (*[2]byte)(unsafe.Pointer(&sa.raw.Port))[:]
	if addr.Is4() && !v6socket {
		sa4 := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&sa.raw))
		sa4.Family = syscall.AF_INET
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa4.Port))[:], ap.Port())
		sa4.Addr = addr.As4()
		sa.len = syscall.SizeofSockaddrInet4
		return
	}
	sa.raw.Family = syscall.AF_INET6
	binary.BigEndian.PutUint16(port, ap.Port())
	sa.raw.Addr = addr.As16() // an IPv4 address on an IPv6 socket is v4-mapped
	sa.len = syscall.SizeofSockaddrInet6
}

// send sends one datagram to `to`; a full socket buffer or an unreachable peer drops it (RTP is lossy;
// the RTP timeout or the caller's BYE ends a call that is gone). To the peer the socket is connected to,
// no address is passed, so the kernel reuses the connection's route instead of looking one up.
func (s *udpSocket) send(b []byte, to netip.AddrPort) {
	if s.peer.IsValid() && to == s.peer {
		_, _, _ = syscall.Syscall6(syscall.SYS_SENDTO, uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])),
			uintptr(len(b)), syscall.MSG_DONTWAIT, 0, 0)
		return
	}
	if to != s.dst || s.dstAddr.len == 0 {
		s.dst = to
		s.dstAddr.set(to, s.v6)
	}
	_, _, _ = syscall.Syscall6(syscall.SYS_SENDTO, uintptr(s.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		syscall.MSG_DONTWAIT, uintptr(unsafe.Pointer(&s.dstAddr.raw)), uintptr(s.dstAddr.len))
}

// connect ties the socket to the caller's latched source: from then on the kernel delivers only that
// peer's datagrams (others never reach the session) and sends without a route lookup.
func (s *udpSocket) connect(peer netip.AddrPort) {
	var sa sockaddr
	sa.set(peer, s.v6)
	_, _, errno := syscall.Syscall(syscall.SYS_CONNECT, uintptr(s.fd), uintptr(unsafe.Pointer(&sa.raw)), uintptr(sa.len))
	if errno == 0 {
		s.peer = peer
	}
}

// disconnect lets datagrams from any source in again (to learn a new one).
func (s *udpSocket) disconnect() {
	if !s.peer.IsValid() {
		return
	}
	sa := syscall.RawSockaddrInet6{Family: syscall.AF_UNSPEC}
	_, _, _ = syscall.Syscall(syscall.SYS_CONNECT, uintptr(s.fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Sizeof(sa)))
	s.peer = netip.AddrPort{}
}
