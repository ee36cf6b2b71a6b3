package queuepg

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/queue"
)

// Binding is one registered phone of an operator.
type Binding struct {
	Ext       string
	Contact   string
	Source    string
	Transport string
	Node      string
	SIPCallID string
	CSeq      uint32
	UserAgent string
	Expires   time.Time
}

// Bind stores (or refreshes) a binding; an operator who was offline becomes available.
func (s *Store) Bind(ctx context.Context, b Binding, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st, _, err := lockAgent(ctx, tx, b.Ext)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO registrations (ext, contact, source, transport, node_id, sip_call_id, cseq,
				user_agent, expires_at, reachable, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10)
			ON CONFLICT (ext, contact) DO UPDATE SET source = EXCLUDED.source, transport = EXCLUDED.transport,
				node_id = EXCLUDED.node_id, sip_call_id = EXCLUDED.sip_call_id, cseq = EXCLUDED.cseq,
				user_agent = EXCLUDED.user_agent, expires_at = EXCLUDED.expires_at, reachable = true,
				checked_at = EXCLUDED.checked_at`,
			b.Ext, b.Contact, b.Source, b.Transport, b.Node, b.SIPCallID, int64(b.CSeq), b.UserAgent, b.Expires, now)
		if err != nil {
			return err
		}
		if st == queue.Offline {
			return setState(ctx, tx, b.Ext, queue.Available, "registered", nil, now)
		}
		return nil
	})
}

// Unbind removes one binding (contact "" removes all of the operator's, as "Contact: *" asks); an
// operator left without a binding goes offline unless on a call.
func (s *Store) Unbind(ctx context.Context, ext, contact string, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st, _, err := lockAgent(ctx, tx, ext)
		if err != nil {
			return err
		}
		if contact == "" {
			_, err = tx.Exec(ctx, `DELETE FROM registrations WHERE ext = $1`, ext)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM registrations WHERE ext = $1 AND contact = $2`, ext, contact)
		}
		if err != nil {
			return err
		}
		return offlineIfUnbound(ctx, tx, ext, st, "unregistered", now)
	})
}

func offlineIfUnbound(ctx context.Context, tx pgx.Tx, ext string, st queue.State, reason string, now time.Time) error {
	if st == queue.Offline || st == queue.Ringing || st == queue.OnCall {
		return nil
	}
	var left bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registrations WHERE ext = $1 AND expires_at > $2)`,
		ext, now).Scan(&left); err != nil {
		return err
	}
	if left {
		return nil
	}
	return setState(ctx, tx, ext, queue.Offline, reason, nil, now)
}

// Contacts returns an operator's live bindings.
func (s *Store) Contacts(ctx context.Context, ext string, now time.Time) ([]queue.Contact, error) {
	return contacts(ctx, s.db, ext, now)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func contacts(ctx context.Context, db querier, ext string, now time.Time) ([]queue.Contact, error) {
	rows, err := db.Query(ctx, `SELECT contact, source, transport FROM registrations
		WHERE ext = $1 AND expires_at > $2 AND reachable ORDER BY expires_at DESC`, ext, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (queue.Contact, error) {
		var c queue.Contact
		err := r.Scan(&c.URI, &c.Source, &c.Transport)
		return c, err
	})
}

// AllBindings lists the live bindings taken by node, for the OPTIONS keepalive.
func (s *Store) AllBindings(ctx context.Context, node string, now time.Time) ([]Binding, error) {
	rows, err := s.db.Query(ctx, `SELECT ext, contact, source, transport, expires_at FROM registrations
		WHERE node_id = $1 AND expires_at > $2`, node, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Binding, error) {
		var b Binding
		err := r.Scan(&b.Ext, &b.Contact, &b.Source, &b.Transport, &b.Expires)
		return b, err
	})
}

// SetReachable records whether a binding answered its keepalive; an unreachable phone is not offered calls.
func (s *Store) SetReachable(ctx context.Context, ext, contact string, ok bool, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE registrations SET reachable = $3, checked_at = $4 WHERE ext = $1 AND contact = $2`,
		ext, contact, ok, now)
	return err
}
