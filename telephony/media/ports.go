package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
)

// ErrNoPorts is returned when every RTP port pair of the range is in use.
var ErrNoPorts = errors.New("no free RTP port pair")

// PortPool hands out RTP/RTCP port pairs (even RTP port, RTCP on the next one) from a range, round robin,
// so a port just released is not reused at once (late packets of the old call must not reach a new one).
type PortPool struct {
	mu   sync.Mutex
	lo   int // first even port
	n    int // number of pairs
	next int
	used []bool
}

// NewPortPool makes a pool over [lo, hi]; the range must hold at least one even/odd pair.
func NewPortPool(lo, hi int) (*PortPool, error) {
	if lo%2 == 1 {
		lo++
	}
	if lo < 1024 || hi > 65535 || hi < lo+1 {
		return nil, fmt.Errorf("RTP port range %d-%d: want an even start ≥ 1024 and room for a pair ≤ 65535", lo, hi)
	}
	n := (hi - lo + 1) / 2
	return &PortPool{lo: lo, n: n, used: make([]bool, n)}, nil
}

// Size is the number of port pairs.
func (p *PortPool) Size() int { return p.n }

// listen binds the next free pair on ip (the unspecified address binds every interface). Ports another
// process holds are skipped.
func (p *PortPool) listen(ip netip.Addr) (rtp, rtcp *net.UDPConn, port int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for tried := 0; tried < p.n; tried++ {
		i := p.next
		p.next = (p.next + 1) % p.n
		if p.used[i] {
			continue
		}
		port = p.lo + 2*i
		rtp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err != nil {
			continue
		}
		rtcp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1))))
		if err != nil {
			rtp.Close()
			continue
		}
		p.used[i] = true
		return rtp, rtcp, port, nil
	}
	return nil, nil, 0, ErrNoPorts
}

func (p *PortPool) release(port int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := (port - p.lo) / 2; port >= p.lo && i < p.n {
		p.used[i] = false
	}
}
