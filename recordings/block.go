package recordings

import "sync"

const (
	// blockSize is how much PCM goes to the disk in one write: 4096 frames, 512 ms of call.
	blockSize   = 16 << 10
	blockFrames = blockSize / frameSize
)

// block is a buffer of final, interleaved PCM on its way to the disk.
type block struct {
	buf []byte // blockSize bytes
	n   int    // bytes of buf in use
	off int64  // where buf[0] goes in the file
}

// blockPool is the free list of blocks shared by the recorders and the disk workers of one Writer, so
// that a recording allocates no buffers once the pool holds as many blocks as are in flight.
// Safe for concurrent use.
type blockPool struct {
	mu   sync.Mutex
	free []*block
}

// get returns an empty block.
func (p *blockPool) get() *block {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return &block{buf: make([]byte, blockSize)}
}

// put returns b to the pool.
func (p *blockPool) put(b *block) {
	b.n, b.off = 0, 0
	p.mu.Lock()
	p.free = append(p.free, b)
	p.mu.Unlock()
}
