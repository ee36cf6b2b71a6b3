package queuepg

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/queue"
)

// Store is the queue's store.
type Store struct {
	db *pgxpool.Pool
}

// New returns a store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{db: pool} }

var _ queue.Store = (*Store)(nil)

// HA1 is the digest authentication hash of a user's password (RFC 2617 / RFC 7616): H(user:realm:password).
func HA1(user, realm, password string) (md5hex, sha256hex string) {
	s := user + ":" + realm + ":" + password
	m := md5.Sum([]byte(s))
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(m[:]), hex.EncodeToString(h[:])
}

// AddOperator creates an operator; only the password's digest hashes are stored.
func (s *Store) AddOperator(ctx context.Context, ext, name, password, realm string, now time.Time) error {
	md5hex, shahex := HA1(ext, realm, password)
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO operators (ext, name, realm, ha1_md5, ha1_sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, ext, name, realm, md5hex, shahex, now)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return queue.ErrOperatorExists
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO agents (ext, state, since, idle_since) VALUES ($1, 'offline', $2, $2)`, ext, now)
		if err != nil {
			return err
		}
		return logState(ctx, tx, ext, queue.Offline, "created", nil, now)
	})
}

// RemoveOperator deletes an operator, its registrations and its state (its history stays).
func (s *Store) RemoveOperator(ctx context.Context, ext string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM operators WHERE ext = $1`, ext)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return queue.ErrUnknownOperator
	}
	return nil
}

// Credentials returns an operator's realm and password hashes.
func (s *Store) Credentials(ctx context.Context, ext string) (realm, md5hex, sha256hex string, err error) {
	err = s.db.QueryRow(ctx, `SELECT realm, ha1_md5, ha1_sha256 FROM operators WHERE ext = $1`, ext).
		Scan(&realm, &md5hex, &sha256hex)
	if errors.Is(err, pgx.ErrNoRows) {
		err = queue.ErrUnknownOperator
	}
	return
}

// Agents lists every operator with its state, whether a phone is registered, and its calls today.
func (s *Store) Agents(ctx context.Context, dayStart, now time.Time) ([]queue.Agent, error) {
	rows, err := s.db.Query(ctx, `
		SELECT o.ext, o.name, a.state, a.reason, a.since,
			EXISTS (SELECT 1 FROM registrations r WHERE r.ext = o.ext AND r.expires_at > $2 AND r.reachable),
			(SELECT count(*) FROM queue_log l WHERE l.ext = o.ext AND l.event = 'connect' AND l.at >= $1)
		FROM operators o JOIN agents a USING (ext) ORDER BY o.ext`, dayStart, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (queue.Agent, error) {
		var a queue.Agent
		err := r.Scan(&a.Ext, &a.Name, &a.State, &a.Reason, &a.Since, &a.Registered, &a.CallsToday)
		return a, err
	})
}

// Agent returns one operator's state.
func (s *Store) Agent(ctx context.Context, ext string, now time.Time) (queue.Agent, error) {
	var a queue.Agent
	err := s.db.QueryRow(ctx, `SELECT o.ext, o.name, a.state, a.reason, a.since,
			EXISTS (SELECT 1 FROM registrations r WHERE r.ext = o.ext AND r.expires_at > $2 AND r.reachable)
		FROM operators o JOIN agents a USING (ext) WHERE o.ext = $1`, ext, now).
		Scan(&a.Ext, &a.Name, &a.State, &a.Reason, &a.Since, &a.Registered)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, queue.ErrUnknownOperator
	}
	return a, err
}

func logState(ctx context.Context, tx pgx.Tx, ext string, st queue.State, reason string, call *uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO agent_state_log (ext, state, reason, call_id, at) VALUES ($1, $2, $3, $4, $5)`,
		ext, st, reason, call, now)
	return err
}

// setState moves an operator to st within tx and logs the change.
func setState(ctx context.Context, tx pgx.Tx, ext string, st queue.State, reason string, call *uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE agents SET state = $2, reason = $3, since = $4, call_id = $5,
			idle_since = CASE WHEN $2 IN ('available', 'wrap_up') AND state NOT IN ('available', 'wrap_up')
				THEN $4 ELSE idle_since END
		WHERE ext = $1`, ext, st, reason, now, call)
	if err != nil {
		return err
	}
	if st == queue.Available {
		// Every node's dispatcher hears it at commit (Listen): its waiting callers may take this operator.
		if _, err := tx.Exec(ctx, `SELECT pg_notify('`+availableChannel+`', $1)`, ext); err != nil {
			return err
		}
	}
	return logState(ctx, tx, ext, st, reason, call, now)
}

// lockAgent reads an operator's state for update.
func lockAgent(ctx context.Context, tx pgx.Tx, ext string) (queue.State, *uuid.UUID, error) {
	var st queue.State
	var call *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT state, call_id FROM agents WHERE ext = $1 FOR UPDATE`, ext).Scan(&st, &call)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, queue.ErrUnknownOperator
	}
	return st, call, err
}

// SetState is a person's change of an operator's state (the API, the console): only the changes
// queue.CheckManual allows.
func (s *Store) SetState(ctx context.Context, ext string, to queue.State, reason string, now time.Time) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		from, _, err := lockAgent(ctx, tx, ext)
		if err != nil {
			return err
		}
		if err := queue.CheckManual(from, to); err != nil {
			return err
		}
		return setState(ctx, tx, ext, to, reason, nil, now)
	})
}

// Event writes one queue event.
func (s *Store) Event(ctx context.Context, e queue.Event) error {
	return insertEvent(ctx, s.db, e)
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func insertEvent(ctx context.Context, db execer, e queue.Event) error {
	var ext *string
	if e.Ext != "" {
		ext = &e.Ext
	}
	var pos *int
	if e.Position > 0 {
		pos = &e.Position
	}
	_, err := db.Exec(ctx, `INSERT INTO queue_log (at, call_id, event, ext, position, wait_ms, talk_ms, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.At, e.CallID, e.Kind, ext, pos, e.Wait.Milliseconds(),
		e.Talk.Milliseconds(), e.Detail)
	if err != nil {
		return fmt.Errorf("queue log %s: %w", e.Kind, err)
	}
	return nil
}

// Events returns the queue log of [from, to).
func (s *Store) Events(ctx context.Context, from, to time.Time) ([]queue.Event, error) {
	rows, err := s.db.Query(ctx, `SELECT at, call_id, event, coalesce(ext, ''), coalesce(position, 0),
			coalesce(wait_ms, 0), coalesce(talk_ms, 0), detail
		FROM queue_log WHERE at >= $1 AND at < $2 ORDER BY id`, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (queue.Event, error) {
		var e queue.Event
		var wait, talk int64
		err := r.Scan(&e.At, &e.CallID, &e.Kind, &e.Ext, &e.Position, &wait, &talk, &e.Detail)
		e.Wait, e.Talk = time.Duration(wait)*time.Millisecond, time.Duration(talk)*time.Millisecond
		return e, err
	})
}

// Secret returns the shared secret named name, creating a random one the first time (every node of the
// hotline reads the same).
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO node_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		name, key); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var v []byte
	if err := s.db.QueryRow(ctx, `SELECT value FROM node_secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return v, nil
}
