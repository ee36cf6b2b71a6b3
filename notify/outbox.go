package notify

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
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier is what Enqueue writes through: a pgx.Tx (to enqueue within the caller's transaction), a
// connection or a pool.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// wakeChannel is the LISTEN/NOTIFY channel on which Enqueue wakes the deliverers of every node.
const wakeChannel = "hotline_notifications"

// Enqueue writes n to the outbox, due at now. It returns false (and no error) when a notification
// with n's key exists already. Within a transaction the row and the wake-up of the deliverers take
// effect when it commits. A notification that cannot be sent as it is gives an error wrapping
// ErrInvalid that names the field.
func Enqueue(ctx context.Context, q Querier, n Notification, now time.Time) (bool, error) {
	if err := n.validate(); err != nil {
		return false, err
	}
	var ticket *uuid.UUID
	if n.TicketID != uuid.Nil {
		ticket = &n.TicketID
	}
	id, err := uuid.NewV7()
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", n.Key, err)
	}
	tag, err := q.Exec(ctx, `WITH ins AS (
			INSERT INTO notifications (id, idempotency_key, channel, target, secret, subject, body, event,
				ticket_id, stage, department, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
			ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1)
		SELECT pg_notify('`+wakeChannel+`', '') FROM ins`,
		id, n.Key, n.Channel, n.Target, n.Secret, n.Subject, n.Body, n.Event, ticket, n.Stage, n.Department, now)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", n.Key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Outbox reads and changes the outbox for admins.
type Outbox struct {
	db *pgxpool.Pool
}

// NewOutbox returns the outbox of pool's database.
func NewOutbox(pool *pgxpool.Pool) *Outbox { return &Outbox{db: pool} }

// Enqueue is the package's Enqueue on the outbox's pool.
func (o *Outbox) Enqueue(ctx context.Context, n Notification, now time.Time) (bool, error) {
	return Enqueue(ctx, o.db, n, now)
}

const entryColumns = `id, idempotency_key, channel, target, subject, body, event, ticket_id, stage, department,
	state, attempts, next_attempt_at, lease_until, last_error, created_at, delivered_at`

func scanEntry(row pgx.CollectableRow) (Entry, error) {
	var e Entry
	var ticket *uuid.UUID
	var lease, delivered *time.Time
	err := row.Scan(&e.ID, &e.Key, &e.Channel, &e.Target, &e.Subject, &e.Body, &e.Event, &ticket, &e.Stage,
		&e.Department, &e.State, &e.Attempts, &e.NextAttemptAt, &lease, &e.LastError, &e.CreatedAt, &delivered)
	if ticket != nil {
		e.TicketID = *ticket
	}
	if lease != nil {
		e.LeaseUntil = *lease
	}
	if delivered != nil {
		e.DeliveredAt = *delivered
	}
	return e, err
}

// Get returns the notification id, or ErrNotFound.
func (o *Outbox) Get(ctx context.Context, id uuid.UUID) (Entry, error) {
	rows, err := o.db.Query(ctx, `SELECT `+entryColumns+` FROM notifications WHERE id = $1`, id)
	if err != nil {
		return Entry{}, fmt.Errorf("notification %s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, fmt.Errorf("notification %s: %w", id, ErrNotFound)
	}
	return e, err
}

// Page is one page of a list; NextCursor is empty on the last.
type Page struct {
	Items      []Entry
	NextCursor string
}

// List returns notifications newest first: those in state (all when state is empty), at most limit
// (default 50, at most 500), after the cursor of the previous page (empty: the first page). An unknown
// state wraps ErrBadState; a cursor List did not make wraps ErrBadCursor.
func (o *Outbox) List(ctx context.Context, state string, limit int, cursor string) (Page, error) {
	switch State(state) {
	case "", Pending, Sending, Delivered, Dead:
	default:
		return Page{}, fmt.Errorf("%w %q: want pending, sending, delivered or dead", ErrBadState, state)
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var where []string
	var args []any
	if state != "" {
		args = append(args, state)
		where = append(where, "state = $1")
	}
	if cursor != "" {
		at, id, err := decodeCursor(cursor)
		if err != nil {
			return Page{}, err
		}
		args = append(args, at, id)
		where = append(where, fmt.Sprintf("(created_at, id) < ($%d, $%d)", len(args)-1, len(args)))
	}
	sql := `SELECT ` + entryColumns + ` FROM notifications`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	sql += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT $%d", len(args))
	rows, err := o.db.Query(ctx, sql, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list notifications: %w", err)
	}
	items, err := pgx.CollectRows(rows, scanEntry)
	if err != nil {
		return Page{}, fmt.Errorf("list notifications: %w", err)
	}
	var p Page
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		p.NextCursor = encodeCursor(last.CreatedAt, last.ID)
	}
	p.Items = items
	return p, nil
}

func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "," + id.String()))
}

func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		micros, idText, ok := strings.Cut(string(b), ",")
		us, err1 := strconv.ParseInt(micros, 10, 64)
		id, err2 := uuid.Parse(idText)
		if ok && err1 == nil && err2 == nil {
			return time.UnixMicro(us), id, nil
		}
	}
	return time.Time{}, uuid.Nil, fmt.Errorf("%w %q: use the next_cursor of the previous page", ErrBadCursor, c)
}

// Retry sends a dead notification again: it becomes pending, due at now, with its attempts counted
// from zero (its last error stays until the next attempt). ErrNotFound, or ErrNotDead if it is not dead.
func (o *Outbox) Retry(ctx context.Context, id uuid.UUID, now time.Time) (Entry, error) {
	tag, err := o.db.Exec(ctx, `WITH up AS (
			UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL
			WHERE id = $1 AND state = 'dead' RETURNING 1)
		SELECT pg_notify('`+wakeChannel+`', '') FROM up`, id, now)
	if err != nil {
		return Entry{}, fmt.Errorf("retry notification %s: %w", id, err)
	}
	e, err := o.Get(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	if tag.RowsAffected() == 0 {
		return e, fmt.Errorf("retry notification %s (%s): %w", id, e.State, ErrNotDead)
	}
	return e, nil
}
