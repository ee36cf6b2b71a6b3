package calls

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/internal/phone"
)

// ErrNotFound is returned for an unknown call id.
var ErrNotFound = errors.New("call not found")

// ErrBadCursor is returned when a list cursor was not made by List.
var ErrBadCursor = errors.New("bad cursor: pass next_cursor from the previous page as it is")

// DB is what the store needs: a pgxpool.Pool, a pgx.Conn or a pgx.Tx.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Store reads and writes call records.
type Store struct {
	db DB
}

// NewStore returns a store on db.
func NewStore(db DB) *Store { return &Store{db: db} }

const upsertCall = `
INSERT INTO calls (id, node_id, sip_call_id, caller, caller_digits, caller_name, called, transport, source,
	codec, arrived_at, answered_at, queued_at, connected_at, operator, ended_at, end_reason, version, callback)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
ON CONFLICT (id) DO UPDATE SET
	codec = EXCLUDED.codec, answered_at = EXCLUDED.answered_at, queued_at = EXCLUDED.queued_at,
	connected_at = EXCLUDED.connected_at, operator = EXCLUDED.operator, ended_at = EXCLUDED.ended_at,
	end_reason = EXCLUDED.end_reason, version = EXCLUDED.version, callback = EXCLUDED.callback, updated_at = now()
WHERE calls.version < EXCLUDED.version`

// Segments are written whole with their call: the call's rows are replaced when its version is newer.
const deleteSegments = `DELETE FROM call_segments WHERE call_id = $1
	AND (SELECT version FROM calls WHERE id = $1) = $2`

const insertSegment = `INSERT INTO call_segments (call_id, seq, kind, ext, started_at, ended_at, offset_ms)
SELECT $1, $2, $3, $4, $5, $6, $7 WHERE (SELECT version FROM calls WHERE id = $1) = $8`

const insertRecording = `
INSERT INTO recordings (id, call_id, kind, path, started_at, duration_ms, bytes, sha256, repaired)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO NOTHING`

func queueCall(b *pgx.Batch, c *Call) {
	b.Queue(upsertCall, c.ID, c.NodeID, c.SIPCallID, c.Caller, phone.National(c.Caller), c.CallerName,
		c.Called, c.Transport, c.Source, nullString(c.Codec), c.ArrivedAt, c.AnsweredAt, c.QueuedAt,
		c.ConnectedAt, nullString(c.Operator), c.EndedAt, nullString(c.EndReason), c.Version, c.Callback)
	if c.Segments != nil {
		b.Queue(deleteSegments, c.ID, c.Version)
		for i, sg := range c.Segments {
			b.Queue(insertSegment, c.ID, i, sg.Kind, nullString(sg.Ext), sg.StartedAt, sg.EndedAt,
				sg.Offset.Milliseconds(), c.Version)
		}
	}
}

func queueRecording(b *pgx.Batch, r *Recording) {
	kind := r.Kind
	if kind == "" {
		kind = "call"
	}
	b.Queue(insertRecording, r.ID, r.CallID, kind, r.Path, r.StartedAt, r.Duration.Milliseconds(), r.Bytes,
		r.SHA256, r.Repaired)
}

// Write stores calls and recordings in one transaction: calls first, so a recording's call row exists.
func (s *Store) Write(ctx context.Context, cs []*Call, rs []*Recording) error {
	return pgx.BeginFunc(ctx, beginner{s.db}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, c := range cs {
			queueCall(b, c)
		}
		for _, r := range rs {
			queueRecording(b, r)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// beginner adapts DB to pgx.BeginFunc when the DB can begin transactions (a pool or a conn); inside a
// transaction it makes a savepoint.
type beginner struct{ db DB }

func (b beginner) Begin(ctx context.Context) (pgx.Tx, error) {
	if t, ok := b.db.(interface {
		Begin(context.Context) (pgx.Tx, error)
	}); ok {
		return t.Begin(ctx)
	}
	return nil, errors.New("calls: the store's database cannot begin a transaction")
}

const selectCall = `
SELECT c.id, c.node_id, c.sip_call_id, c.caller, c.caller_name, c.called, c.transport, c.source,
	coalesce(c.codec, ''), c.arrived_at, c.answered_at, c.queued_at, c.connected_at, coalesce(c.operator, ''),
	c.ended_at, coalesce(c.end_reason, ''), r.id, c.version, c.callback
FROM calls c LEFT JOIN recordings r ON r.call_id = c.id AND r.kind = 'call'`

func scanCall(row pgx.Row) (Call, error) {
	var c Call
	err := row.Scan(&c.ID, &c.NodeID, &c.SIPCallID, &c.Caller, &c.CallerName, &c.Called, &c.Transport,
		&c.Source, &c.Codec, &c.ArrivedAt, &c.AnsweredAt, &c.QueuedAt, &c.ConnectedAt, &c.Operator,
		&c.EndedAt, &c.EndReason, &c.RecordingID, &c.Version, &c.Callback)
	return c, err
}

// WithSegments fills in the segments of calls and the tickets they are linked to, in one round trip.
func (s *Store) WithSegments(ctx context.Context, cs []Call) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	at := map[uuid.UUID]int{}
	for i, c := range cs {
		ids[i] = c.ID
		at[c.ID] = i
		cs[i].Segments = []Segment{}
		cs[i].TicketIDs = []uuid.UUID{}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT call_id, ticket_id FROM ticket_calls WHERE call_id = ANY($1) ORDER BY linked_at`, ids)
	b.Queue(`SELECT call_id, kind, coalesce(ext, ''), started_at, ended_at, offset_ms
		FROM call_segments WHERE call_id = ANY($1) ORDER BY call_id, seq`, ids)
	br := s.db.SendBatch(ctx, b)
	defer br.Close()
	links, err := br.Query()
	if err != nil {
		return fmt.Errorf("linked tickets: %w", err)
	}
	for links.Next() {
		var call, ticket uuid.UUID
		if err := links.Scan(&call, &ticket); err != nil {
			return fmt.Errorf("linked tickets: %w", err)
		}
		cs[at[call]].TicketIDs = append(cs[at[call]].TicketIDs, ticket)
	}
	if err := links.Err(); err != nil {
		return fmt.Errorf("linked tickets: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("segments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var sg Segment
		var ms int64
		if err := rows.Scan(&id, &sg.Kind, &sg.Ext, &sg.StartedAt, &sg.EndedAt, &ms); err != nil {
			return fmt.Errorf("segments: %w", err)
		}
		sg.Offset = time.Duration(ms) * time.Millisecond
		i := at[id]
		cs[i].Segments = append(cs[i].Segments, sg)
	}
	return rows.Err()
}

// Get returns one call.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (Call, error) {
	c, err := scanCall(s.db.QueryRow(ctx, selectCall+" WHERE c.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Call{}, ErrNotFound
	}
	if err != nil {
		return Call{}, fmt.Errorf("get call %s: %w", id, err)
	}
	return c, nil
}

// Filter selects calls for List. Zero fields do not filter.
type Filter struct {
	From, To time.Time // arrived_at in [From, To)
	Operator string
	Number   string // any writing of the caller's number
	Limit    int
	Cursor   string
}

// List returns a page of calls, newest first, and the cursor of the next page ("" on the last page).
func (s *Store) List(ctx context.Context, f Filter) ([]Call, string, error) {
	var w where
	arg := w.arg
	if !f.From.IsZero() {
		w.and("c.arrived_at >= " + arg(f.From))
	}
	if !f.To.IsZero() {
		w.and("c.arrived_at < " + arg(f.To))
	}
	if f.Operator != "" {
		w.and("c.operator = " + arg(f.Operator))
	}
	if f.Number != "" {
		w.and("c.caller_digits = " + arg(phone.National(f.Number)))
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		w.and(fmt.Sprintf("(c.arrived_at, c.id) < (%s, %s)", arg(at), arg(id)))
	}
	q := selectCall
	q += w.String()
	q += " ORDER BY c.arrived_at DESC, c.id DESC LIMIT " + arg(f.Limit+1)
	rows, err := s.db.Query(ctx, q, w.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list calls: %w", err)
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list calls: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list calls: %w", err)
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		last := out[len(out)-1]
		next = encodeCursor(last.ArrivedAt, last.ID)
	}
	return out, next, nil
}

func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + id.String()))
}

func decodeCursor(s string) (time.Time, uuid.UUID, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	micros, idText, ok := strings.Cut(string(raw), ".")
	if !ok {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	return time.UnixMicro(us), id, nil
}

// Open returns the calls of node that have not ended: after a crash, the calls the dead process left.
func (s *Store) Open(ctx context.Context, node string) ([]Call, error) {
	rows, err := s.db.Query(ctx, selectCall+" WHERE c.node_id = $1 AND c.ended_at IS NULL", node)
	if err != nil {
		return nil, fmt.Errorf("open calls of %s: %w", node, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Call, error) { return scanCall(r) })
	if err != nil {
		return nil, fmt.Errorf("open calls of %s: %w", node, err)
	}
	return out, nil
}

// Ping tells whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "SELECT 1")
	return err
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ErrRecordingNotFound is returned for an unknown recording id.
var ErrRecordingNotFound = errors.New("recording not found")

// GetRecording returns one recording's row.
func (s *Store) GetRecording(ctx context.Context, id uuid.UUID) (Recording, error) {
	var r Recording
	var ms int64
	err := s.db.QueryRow(ctx, `SELECT id, call_id, kind, path, started_at, duration_ms, bytes, sha256, repaired,
			legal_hold, hold_reason, deleted_at, deleted_by, deleted_reason
		FROM recordings WHERE id = $1`, id).Scan(&r.ID, &r.CallID, &r.Kind, &r.Path, &r.StartedAt, &ms, &r.Bytes,
		&r.SHA256, &r.Repaired, &r.LegalHold, &r.HoldReason, &r.DeletedAt, &r.DeletedBy, &r.DeletedReason)
	if errors.Is(err, pgx.ErrNoRows) {
		return Recording{}, ErrRecordingNotFound
	}
	if err != nil {
		return Recording{}, fmt.Errorf("get recording %s: %w", id, err)
	}
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, nil
}

// Unticketed returns ended calls flagged for a callback (a voicemail, a caller who gave up after a long
// wait) that no ticket is linked to yet, ended after since, oldest first, with their segments; the calls
// in skip are left out.
func (s *Store) Unticketed(ctx context.Context, since time.Time, limit int, skip []uuid.UUID) ([]Call, error) {
	rows, err := s.db.Query(ctx, selectCall+` WHERE c.callback AND c.ended_at IS NOT NULL AND c.ended_at >= $1
		AND NOT EXISTS (SELECT 1 FROM ticket_calls tc WHERE tc.call_id = c.id) AND c.id <> ALL($3)
		ORDER BY c.ended_at LIMIT $2`, since, limit, skip)
	if err != nil {
		return nil, fmt.Errorf("calls to call back: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Call, error) { return scanCall(r) })
	if err != nil {
		return nil, fmt.Errorf("calls to call back: %w", err)
	}
	return list, s.WithSegments(ctx, list)
}
