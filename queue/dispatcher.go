package queue

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Contact is where an operator's phone registered.
type Contact struct {
	URI       string // the Contact URI
	Source    string // ip:port the REGISTER came from
	Transport string
}

// Offer is one operator's phone to ring for one waiting caller; the store has already marked the
// operator ringing and the caller offered.
type Offer struct {
	CallID   uuid.UUID
	Ext      string
	Name     string
	Contacts []Contact
	// Pickup is set when the operator took the caller from the phone (*8): the operator's call is already
	// up, nothing is to be dialled.
	Pickup bool
}

// Store is what the dispatcher needs from the database.
type Store interface {
	// Claim pairs the head of this node's line with the longest-idle available operator.
	Claim(ctx context.Context, node string, now time.Time) (Offer, bool, error)
	// Release undoes a claim whose caller is gone: the operator is available again.
	Release(ctx context.Context, o Offer, now time.Time) error
	// Sweep ends wrap-ups that are over and expired registrations; it returns how many operators
	// became available.
	Sweep(ctx context.Context, now time.Time) (int, error)
}

// Dispatcher offers this node's waiting callers to operators. Each waiting call registers with Wait and
// receives its offers on the channel it gets; the dispatcher claims pairs whenever it is kicked (a caller
// joined, an operator became available on any node: queuepg's Listen) and once a second (a wrap-up
// ending, a notification lost while reconnecting).
type Dispatcher struct {
	store Store
	node  string
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex
	waiting map[uuid.UUID]chan Offer

	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// NewDispatcher returns a dispatcher for node.
func NewDispatcher(store Store, node string, log *slog.Logger) *Dispatcher {
	return &Dispatcher{
		store: store, node: node, log: log, now: time.Now,
		waiting: map[uuid.UUID]chan Offer{},
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
}

// Wait registers a call that waits in the line; offers for it arrive on the channel until done is called.
func (d *Dispatcher) Wait(callID uuid.UUID) (offers <-chan Offer, done func()) {
	ch := make(chan Offer, 1)
	d.mu.Lock()
	d.waiting[callID] = ch
	d.mu.Unlock()
	d.Kick()
	return ch, func() {
		d.mu.Lock()
		delete(d.waiting, callID)
		d.mu.Unlock()
		// An offer delivered after the call stopped reading: give the operator back.
		select {
		case o := <-ch:
			if !o.Pickup {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := d.store.Release(ctx, o, d.now()); err != nil {
					d.log.Warn("queue release failed", "call_id", o.CallID, "ext", o.Ext, "error", err)
				}
				d.Kick()
			}
		default:
		}
	}
}

// Deliver hands an offer claimed elsewhere (a pickup) to the waiting call; false when the call does not
// wait on this node or is busy with another offer.
func (d *Dispatcher) Deliver(o Offer) bool {
	d.mu.Lock()
	ch := d.waiting[o.CallID]
	d.mu.Unlock()
	if ch == nil {
		return false
	}
	select {
	case ch <- o:
		return true
	default:
		return false
	}
}

// Kick asks for a dispatch round soon.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Start runs the dispatcher until Stop.
func (d *Dispatcher) Start(ctx context.Context) {
	go d.run(context.WithoutCancel(ctx))
}

// Stop ends the dispatcher and waits for its round in progress. Safe twice.
func (d *Dispatcher) Stop() {
	d.once.Do(func() { close(d.stop) })
	<-d.stopped
}

func (d *Dispatcher) run(ctx context.Context) {
	defer close(d.stopped)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-d.kick:
		case <-tick.C:
			if n, err := d.store.Sweep(ctx, d.now()); err != nil {
				d.log.Warn("queue sweep failed", "error", err)
			} else if n == 0 && !d.anyWaiting() {
				continue
			}
		}
		d.round(ctx)
	}
}

// Waiting counts the calls waiting in the line on this node.
func (d *Dispatcher) Waiting() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waiting)
}

func (d *Dispatcher) anyWaiting() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waiting) > 0
}

// round claims and hands out offers until no pair is left.
func (d *Dispatcher) round(ctx context.Context) {
	for {
		o, ok, err := d.store.Claim(ctx, d.node, d.now())
		if err != nil {
			d.log.Warn("queue claim failed", "error", err)
			return
		}
		if !ok {
			return
		}
		d.mu.Lock()
		ch := d.waiting[o.CallID]
		d.mu.Unlock()
		delivered := false
		if ch != nil {
			select {
			case ch <- o:
				delivered = true
			default:
			}
		}
		if !delivered {
			// The caller's flow is gone (hung up just now) or still busy with a previous offer.
			if err := d.store.Release(ctx, o, d.now()); err != nil {
				d.log.Warn("queue release failed", "call_id", o.CallID, "ext", o.Ext, "error", err)
			}
			return
		}
	}
}
