package callflow

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"hotline/queue"
	"hotline/queue/queuepg"
	"hotline/telephony"
)

// Registry lets operators' phones register: it is telephony's Registry on the queue's store.
type Registry struct {
	Store *queuepg.Store
	Node  string
	// Changed is called when an operator may have become available (to wake the dispatcher).
	Changed func()
}

var _ telephony.Registry = Registry{}

// Credentials returns an operator's digest hashes.
func (r Registry) Credentials(ctx context.Context, user string) (string, string, string, error) {
	realm, md5, sha, err := r.Store.Credentials(ctx, user)
	if errors.Is(err, queue.ErrUnknownOperator) {
		err = telephony.ErrUnknownUser
	}
	return realm, md5, sha, err
}

// Bind stores a phone's registration.
func (r Registry) Bind(ctx context.Context, b telephony.Binding) error {
	err := r.Store.Bind(ctx, queuepg.Binding{
		Ext: b.User, Contact: b.Contact, Source: b.Source.String(), Transport: b.Transport, Node: r.Node,
		SIPCallID: b.SIPCallID, CSeq: b.CSeq, UserAgent: b.UserAgent, Expires: b.Expires,
	}, time.Now())
	if err == nil && r.Changed != nil {
		r.Changed()
	}
	return err
}

// Unbind removes a phone's registration.
func (r Registry) Unbind(ctx context.Context, user, contact string) error {
	return r.Store.Unbind(ctx, user, contact, time.Now())
}

// Keepalive sends OPTIONS to every phone registered on this node every period, until ctx ends, and marks
// the ones that do not answer unreachable (they are not offered calls until they answer again).
func Keepalive(ctx context.Context, sip *telephony.Server, store *queuepg.Store, node string, period time.Duration,
	changed func(), log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bindings, err := store.AllBindings(ctx, node, time.Now())
		if err != nil {
			log.Warn("keepalive: cannot read registrations", "error", err)
			continue
		}
		for _, b := range bindings {
			src, err := netip.ParseAddrPort(b.Source)
			if err != nil {
				continue
			}
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			perr := sip.Ping(pctx, b.Contact, src, b.Transport)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err := store.SetReachable(ctx, b.Ext, b.Contact, perr == nil, time.Now()); err != nil {
				log.Warn("keepalive: cannot store reachability", "ext", b.Ext, "error", err)
			}
			if perr != nil {
				log.Debug("operator phone does not answer keepalives: not offered calls until it does", "ext", b.Ext)
			} else if changed != nil {
				changed()
			}
		}
	}
}
