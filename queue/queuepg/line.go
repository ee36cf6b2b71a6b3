package queuepg

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/queue"
)

// Entry is a caller joining the line.
type Entry struct {
	CallID   uuid.UUID
	Node     string
	Field    string
	Priority int
}

// Waiting is a caller in the line as the desk sees it.
type Waiting struct {
	CallID    uuid.UUID
	Caller    string
	Position  int
	EnteredAt time.Time
	Field     string
	Priority  int
	OfferedTo string
}

// Enter puts a caller in the line and returns its position (1 is next).
func (s *Store) Enter(ctx context.Context, e Entry, now time.Time) (int, error) {
	var field *string
	if e.Field != "" {
		field = &e.Field
	}
	var pos int
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO queue_entries (call_id, node_id, field, priority, entered_at)
			VALUES ($1, $2, $3, $4, $5)`, e.CallID, e.Node, field, e.Priority, now); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, positionSQL, e.CallID).Scan(&pos); err != nil {
			return err
		}
		return insertEvent(ctx, tx, queue.Event{At: now, CallID: e.CallID, Kind: queue.EventEnter, Position: pos})
	})
	return pos, err
}

const positionSQL = `SELECT count(*) FROM queue_entries o, queue_entries me
	WHERE me.call_id = $1 AND (o.priority > me.priority OR (o.priority = me.priority
		AND (o.entered_at, o.seq) <= (me.entered_at, me.seq)))`

// Position returns a waiting caller's place in the line.
func (s *Store) Position(ctx context.Context, callID uuid.UUID) (int, error) {
	var pos int
	err := s.db.QueryRow(ctx, positionSQL, callID).Scan(&pos)
	if err == nil && pos == 0 {
		err = queue.ErrNotWaiting
	}
	return pos, err
}

// Leave takes a caller out of the line and logs why (abandon, voicemail, exit); it returns the time the
// caller waited, or ErrNotWaiting. An operator still ringing for the caller is released.
func (s *Store) Leave(ctx context.Context, callID uuid.UUID, kind queue.EventKind, detail string, now time.Time) (time.Duration, error) {
	var wait time.Duration
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var entered time.Time
		var offered *string
		var pos int
		if err := tx.QueryRow(ctx, positionSQL, callID).Scan(&pos); err != nil {
			return err
		}
		// The caller's row is locked before the operator's here (its offered_to must be read locked); the
		// other way round elsewhere never waits for this one: a claim skips locked rows, and a pickup
		// refuses an operator who rings for this caller before it looks at callers.
		err := tx.QueryRow(ctx, `DELETE FROM queue_entries WHERE call_id = $1 RETURNING entered_at, offered_to`,
			callID).Scan(&entered, &offered)
		if errors.Is(err, pgx.ErrNoRows) {
			return queue.ErrNotWaiting
		}
		if err != nil {
			return err
		}
		wait = now.Sub(entered)
		if offered != nil {
			if err := releaseAgent(ctx, tx, *offered, callID, now); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, queue.Event{At: now, CallID: callID, Kind: kind, Position: pos, Wait: wait, Detail: detail})
	})
	return wait, err
}

// releaseAgent makes an operator ringing for callID available again.
func releaseAgent(ctx context.Context, tx pgx.Tx, ext string, callID uuid.UUID, now time.Time) error {
	st, call, err := lockAgent(ctx, tx, ext)
	if err != nil || st != queue.Ringing || call == nil || *call != callID {
		return err
	}
	return setState(ctx, tx, ext, queue.Available, "", nil, now)
}

// Claim pairs the head of node's line (not already being offered) with the longest-idle available
// operator who has a reachable phone: the operator is marked ringing and the caller offered, in one
// transaction, with row locks that other nodes skip.
func (s *Store) Claim(ctx context.Context, node string, now time.Time) (queue.Offer, bool, error) {
	var o queue.Offer
	found := false
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// The operator first: with nobody available no caller's row is locked, so a pickup of that caller
		// never has to skip it.
		err := tx.QueryRow(ctx, `SELECT a.ext, o.name FROM agents a JOIN operators o USING (ext)
			WHERE a.state = 'available' AND EXISTS (SELECT 1 FROM registrations r
				WHERE r.ext = a.ext AND r.expires_at > $1 AND r.reachable)
			ORDER BY a.idle_since, a.ext LIMIT 1 FOR UPDATE OF a SKIP LOCKED`, now).Scan(&o.Ext, &o.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT call_id FROM queue_entries WHERE node_id = $1 AND offered_to IS NULL
			ORDER BY priority DESC, entered_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED`, node).Scan(&o.CallID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.offer(ctx, tx, &o, now, &found)
	})
	return o, found, err
}

// offer marks o.Ext ringing for o.CallID and reads the phone's contacts; called within a transaction
// holding both rows.
func (s *Store) offer(ctx context.Context, tx pgx.Tx, o *queue.Offer, now time.Time, found *bool) error {
	if err := setState(ctx, tx, o.Ext, queue.Ringing, "", &o.CallID, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE queue_entries SET offered_to = $2 WHERE call_id = $1`, o.CallID, o.Ext); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, queue.Event{At: now, CallID: o.CallID, Kind: queue.EventOffer, Ext: o.Ext}); err != nil {
		return err
	}
	var err error
	o.Contacts, err = contacts(ctx, tx, o.Ext, now)
	*found = err == nil
	return err
}

// Release undoes a claim the dispatcher could not deliver.
func (s *Store) Release(ctx context.Context, o queue.Offer, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := releaseAgent(ctx, tx, o.Ext, o.CallID, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE queue_entries SET offered_to = NULL WHERE call_id = $1 AND offered_to = $2`,
			o.CallID, o.Ext)
		return err
	})
}

// Outcome is how an offer ended.
type Outcome int

// How an offer ends.
const (
	NoAnswer Outcome = iota // rang out: the operator is paused (reason no_answer)
	Declined                // busy or declined: the operator goes to the back of the idle order
	Failed                  // the phone could not be reached: the operator is paused (reason unreachable)
)

// Missed ends an offer that was not answered: the caller is back at its place in the line, the operator
// paused or sent to the back of the idle order.
func (s *Store) Missed(ctx context.Context, o queue.Offer, how Outcome, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st, call, err := lockAgent(ctx, tx, o.Ext)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE queue_entries SET offered_to = NULL WHERE call_id = $1 AND offered_to = $2`,
			o.CallID, o.Ext); err != nil {
			return err
		}
		kind := queue.EventRingNoAnswer
		switch how {
		case Declined:
			kind = queue.EventDecline
		case Failed:
			kind = queue.EventDecline
		}
		if err := insertEvent(ctx, tx, queue.Event{At: now, CallID: o.CallID, Kind: kind, Ext: o.Ext}); err != nil {
			return err
		}
		if st != queue.Ringing || call == nil || *call != o.CallID {
			return nil // a person changed the operator's state meanwhile: it stands
		}
		switch how {
		case NoAnswer:
			return setState(ctx, tx, o.Ext, queue.Paused, "no_answer", nil, now)
		case Failed:
			return setState(ctx, tx, o.Ext, queue.Paused, "unreachable", nil, now)
		}
		if err := setState(ctx, tx, o.Ext, queue.Available, "declined", nil, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE agents SET idle_since = $2 WHERE ext = $1`, o.Ext, now)
		return err
	})
}

// Connected records that the operator answered: the caller leaves the line, the operator is on the call.
// It returns the caller's wait.
func (s *Store) Connected(ctx context.Context, callID uuid.UUID, ext string, now time.Time) (time.Duration, error) {
	var wait time.Duration
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var entered time.Time
		if _, _, err := lockAgent(ctx, tx, ext); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `DELETE FROM queue_entries WHERE call_id = $1 RETURNING entered_at`, callID).Scan(&entered)
		if errors.Is(err, pgx.ErrNoRows) {
			return queue.ErrNotWaiting
		}
		if err != nil {
			return err
		}
		wait = now.Sub(entered)
		if err := setState(ctx, tx, ext, queue.OnCall, "", &callID, now); err != nil {
			return err
		}
		return insertEvent(ctx, tx, queue.Event{At: now, CallID: callID, Kind: queue.EventConnect, Ext: ext, Wait: wait})
	})
	return wait, err
}

// Completed ends a conversation: the operator goes to wrap-up for wrapUp (then available), the talk is
// logged.
func (s *Store) Completed(ctx context.Context, callID uuid.UUID, ext string, talk, wrapUp time.Duration, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st, call, err := lockAgent(ctx, tx, ext)
		if err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, queue.Event{At: now, CallID: callID, Kind: queue.EventComplete, Ext: ext, Talk: talk}); err != nil {
			return err
		}
		if st != queue.OnCall || call == nil || *call != callID {
			return nil
		}
		if err := setState(ctx, tx, ext, queue.WrapUp, "", nil, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE agents SET wrap_up_until = $2 WHERE ext = $1`, ext, now.Add(wrapUp))
		return err
	})
}

// Sweep ends finished wrap-ups and drops expired registrations (their operators go offline).
func (s *Store) Sweep(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT ext FROM agents WHERE state = 'wrap_up' AND wrap_up_until <= $1
			FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return err
		}
		exts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, ext := range exts {
			if err := setState(ctx, tx, ext, queue.Available, "", nil, now); err != nil {
				return err
			}
			n++
		}
		rows, err = tx.Query(ctx, `DELETE FROM registrations WHERE expires_at <= $1 RETURNING ext`, now)
		if err != nil {
			return err
		}
		gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, ext := range gone {
			st, _, err := lockAgent(ctx, tx, ext)
			if errors.Is(err, queue.ErrUnknownOperator) {
				continue
			}
			if err != nil {
				return err
			}
			if err := offlineIfUnbound(ctx, tx, ext, st, "registration expired", now); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Line lists the callers waiting, in order.
func (s *Store) Line(ctx context.Context) ([]Waiting, error) {
	rows, err := s.db.Query(ctx, `SELECT e.call_id, c.caller, e.entered_at, coalesce(e.field, ''), e.priority,
			coalesce(e.offered_to, ''), row_number() OVER (ORDER BY e.priority DESC, e.entered_at, e.seq)
		FROM queue_entries e JOIN calls c ON c.id = e.call_id ORDER BY e.priority DESC, e.entered_at, e.seq`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Waiting, error) {
		var w Waiting
		err := r.Scan(&w.CallID, &w.Caller, &w.EnteredAt, &w.Field, &w.Priority, &w.OfferedTo, &w.Position)
		return w, err
	})
}

// ClearNode empties the line of node's callers and frees the operators ringing for or talking on node's
// calls: at start, after a crash, none of them is still there.
func (s *Store) ClearNode(ctx context.Context, node string, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM queue_entries WHERE node_id = $1 RETURNING call_id, coalesce(offered_to, '')`, node)
		if err != nil {
			return err
		}
		type gone struct {
			call uuid.UUID
			ext  string
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gone, error) {
			var g gone
			return g, r.Scan(&g.call, &g.ext)
		})
		if err != nil {
			return err
		}
		for _, g := range list {
			if err := insertEvent(ctx, tx, queue.Event{At: now, CallID: g.call, Kind: queue.EventExit, Detail: "crash"}); err != nil {
				return err
			}
			if g.ext != "" {
				if err := releaseAgent(ctx, tx, g.ext, g.call, now); err != nil {
					return err
				}
			}
		}
		rows, err = tx.Query(ctx, `SELECT a.ext FROM agents a JOIN calls c ON c.id = a.call_id
			WHERE c.node_id = $1 AND a.state IN ('ringing', 'on_call') FOR UPDATE OF a`, node)
		if err != nil {
			return err
		}
		stuck, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, ext := range stuck {
			if err := setState(ctx, tx, ext, queue.Available, "node restarted", nil, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Pickup claims a waiting caller of node for an operator who asked for one (the phone's *8, the API):
// callID, or the head of the line when callID is nil. The operator must not be ringing or on a call.
func (s *Store) Pickup(ctx context.Context, ext, node string, callID *uuid.UUID, now time.Time) (queue.Offer, error) {
	o := queue.Offer{Ext: ext}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		st, _, err := lockAgent(ctx, tx, ext)
		if err != nil {
			return err
		}
		if st == queue.Ringing || st == queue.OnCall {
			return &queue.TransitionError{From: st, To: queue.Ringing, Allowed: nil}
		}
		q := `SELECT call_id FROM queue_entries WHERE node_id = $1 AND offered_to IS NULL
			ORDER BY priority DESC, entered_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED`
		args := []any{node}
		if callID != nil {
			// A chosen caller: wait for a dispatcher's transaction holding the row rather than skip it.
			q = `SELECT call_id FROM queue_entries WHERE node_id = $1 AND call_id = $2 FOR UPDATE`
			args = append(args, *callID)
		}
		err = tx.QueryRow(ctx, q, args...).Scan(&o.CallID)
		if errors.Is(err, pgx.ErrNoRows) {
			return queue.ErrNotWaiting
		}
		if err != nil {
			return err
		}
		var offered *string
		if err := tx.QueryRow(ctx, `SELECT offered_to FROM queue_entries WHERE call_id = $1`, o.CallID).Scan(&offered); err != nil {
			return err
		}
		if offered != nil {
			return queue.ErrNotWaiting // another operator's phone rings for this caller
		}
		if err := tx.QueryRow(ctx, `SELECT name FROM operators WHERE ext = $1`, ext).Scan(&o.Name); err != nil {
			return err
		}
		found := false
		return s.offer(ctx, tx, &o, now, &found)
	})
	return o, err
}

// OnDuty counts the operators who are not offline.
func (s *Store) OnDuty(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM agents WHERE state <> 'offline'`).Scan(&n)
	return n, err
}
