package media

import (
	"sync"
	"time"
)

// Pacer sends the 20 ms frames of every session of the process from one goroutine, on an absolute
// schedule (tick k at start + k·20 ms), so no call drifts however long it lasts and no call needs a timer
// of its own.
type Pacer struct {
	mu       sync.Mutex
	sessions []*Session
	index    map[*Session]int

	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
	started bool
}

func newPacer() *Pacer {
	return &Pacer{index: map[*Session]int{}, stop: make(chan struct{}), stopped: make(chan struct{})}
}

func (p *Pacer) add(s *Session) {
	p.mu.Lock()
	p.index[s] = len(p.sessions)
	p.sessions = append(p.sessions, s)
	p.mu.Unlock()
}

func (p *Pacer) remove(s *Session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.index[s]
	if !ok {
		return
	}
	last := len(p.sessions) - 1
	p.sessions[i] = p.sessions[last]
	p.index[p.sessions[i]] = i
	p.sessions[last] = nil
	p.sessions = p.sessions[:last]
	delete(p.index, s)
}

// Len is the number of sessions being paced.
func (p *Pacer) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions)
}

func (p *Pacer) start() {
	p.started = true
	go p.run()
}

func (p *Pacer) run() {
	defer close(p.stopped)
	start := time.Now()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	batch := new(recvBatch)
	for k := int64(1); ; k++ {
		wait := time.Until(start.Add(time.Duration(k) * FrameDuration))
		if wait < -time.Second {
			// Far behind (the machine was suspended): resume from now instead of racing through ticks.
			k = int64(time.Since(start)/FrameDuration) + 1
			wait = time.Until(start.Add(time.Duration(k) * FrameDuration))
		}
		timer.Reset(wait)
		select {
		case <-p.stop:
			return
		case <-timer.C:
		}
		now := time.Now()
		p.mu.Lock()
		for _, s := range p.sessions {
			s.tick(now, batch)
		}
		p.mu.Unlock()
	}
}

func (p *Pacer) shutdown() {
	p.once.Do(func() { close(p.stop) })
	if p.started {
		<-p.stopped
	}
}
