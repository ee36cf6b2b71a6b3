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

// Querier is what Enqueue and EnqueueMany write through: a pgx.Tx (to enqueue within the caller's
// transaction), a connection or a pool.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// wakeChannel is the LISTEN/NOTIFY channel on which Enqueue wakes the deliverers of every node.
const wakeChannel = "hotline_notifications"

// Enqueue writes n to the outbox, due at now: EnqueueMany of n alone. It returns false (and no error)
// when a notification with n's key exists already. A notification that cannot be sent as it is gives an
// error wrapping ErrInvalid that names the field.
func Enqueue(ctx context.Context, q Querier, n Notification, now time.Time) (bool, error) {
	queued, err := EnqueueMany(ctx, q, []Notification{n}, now)
	return queued == 1, err
}

// maxStatementBytes bounds the bodies (and HTML parts) one statement of EnqueueMany sends: a call with
// more is cut into statements of at most this much (and one notification each, past it).
const maxStatementBytes = 32 << 20

// EnqueueMany writes ns to the outbox, due at now, with one INSERT (and one wake-up of the deliverers
// when it queued anything), and returns how many it queued. A notification whose key the outbox has
// already is left out, as is one whose key an earlier notification of ns has (the first is kept).
//
// If any of ns cannot be sent as it is, nothing is written and the error, wrapping ErrInvalid, names
// it (its place in ns and its key) and the field. Within a transaction the rows and the wake-up take
// effect when it commits. Without one, the rows are written all or none, except when their bodies
// exceed 32 MiB: they then go in several statements (each all or none, each with its wake-up), so a
// caller that needs them together passes a transaction.
func EnqueueMany(ctx context.Context, q Querier, ns []Notification, now time.Time) (int, error) {
	return enqueueMany(ctx, q, ns, now, maxStatementBytes)
}

// enqueueMany is EnqueueMany with the statements' size bound as a parameter.
func enqueueMany(ctx context.Context, q Querier, ns []Notification, now time.Time, maxBytes int) (int, error) {
	for i := range ns {
		if err := ns[i].Validate(); err != nil {
			return 0, fmt.Errorf("enqueue notification %d of %d (key %q): %w", i+1, len(ns), ns[i].Key, err)
		}
	}
	var rows outboxRows
	queued := 0
	flush := func() error {
		if rows.len() == 0 {
			return nil
		}
		tag, err := q.Exec(ctx, enqueueSQL, rows.args(now)...)
		if err != nil {
			if rows.len() == 1 {
				return fmt.Errorf("enqueue %s: %w", rows.keys[0], err)
			}
			return fmt.Errorf("enqueue %d notifications (%s … %s): %w", rows.len(), rows.keys[0],
				rows.keys[rows.len()-1], err)
		}
		queued += int(tag.RowsAffected())
		rows.reset()
		return nil
	}
	seen := make(map[string]struct{}, len(ns))
	for _, n := range ns {
		if _, dup := seen[n.Key]; dup {
			continue
		}
		seen[n.Key] = struct{}{}
		if rows.len() > 0 && rows.bytes+len(n.Body)+len(n.HTML) > maxBytes {
			if err := flush(); err != nil {
				return queued, err
			}
		}
		id, err := uuid.NewV7()
		if err != nil {
			return queued, fmt.Errorf("enqueue %s: %w", n.Key, err)
		}
		rows.add(id, n)
	}
	if err := flush(); err != nil {
		return queued, err
	}
	return queued, nil
}

// enqueueSQL inserts the rows of the arrays $1…$12, due and created at $13, and wakes the deliverers
// once if it inserted any. Its command tag counts the rows inserted (one result row each).
const enqueueSQL = `WITH ins AS (
	INSERT INTO notifications (id, idempotency_key, channel, target, secret, subject, body, html, event,
		ticket_id, stage, department, next_attempt_at, created_at)
	SELECT x.id, x.idempotency_key, x.channel, x.target, x.secret, x.subject, x.body, x.html, x.event,
		nullif(x.ticket_id, '00000000-0000-0000-0000-000000000000'), x.stage, x.department, $13, $13
	FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[],
		$8::bytea[], $9::text[], $10::uuid[], $11::text[], $12::text[])
		AS x(id, idempotency_key, channel, target, secret, subject, body, html, event, ticket_id, stage,
			department)
	ON CONFLICT (idempotency_key) DO NOTHING
	RETURNING 1)
SELECT CASE WHEN row_number() OVER () = 1 THEN pg_notify('` + wakeChannel + `', '') END FROM ins`

// outboxRows are the columns of one statement of EnqueueMany, as arrays.
type outboxRows struct {
	ids                                                []uuid.UUID
	keys, channels, targets, secrets, subjects, events []string
	bodies, htmls                                      [][]byte    // htmls: nil for none (NULL)
	tickets                                            []uuid.UUID // uuid.Nil: none
	stages, departments                                []string
	bytes                                              int // of the bodies and HTML parts
}

func (r *outboxRows) len() int { return len(r.ids) }

func (r *outboxRows) add(id uuid.UUID, n Notification) {
	r.ids = append(r.ids, id)
	r.keys = append(r.keys, n.Key)
	r.channels = append(r.channels, string(n.Channel))
	r.targets = append(r.targets, n.Target)
	r.secrets = append(r.secrets, n.Secret)
	r.subjects = append(r.subjects, n.Subject)
	r.bodies = append(r.bodies, n.Body)
	var html []byte
	if len(n.HTML) > 0 {
		html = n.HTML
	}
	r.htmls = append(r.htmls, html)
	r.events = append(r.events, n.Event)
	r.tickets = append(r.tickets, n.TicketID)
	r.stages = append(r.stages, n.Stage)
	r.departments = append(r.departments, n.Department)
	r.bytes += len(n.Body) + len(html)
}

func (r *outboxRows) args(now time.Time) []any {
	return []any{r.ids, r.keys, r.channels, r.targets, r.secrets, r.subjects, r.bodies, r.htmls, r.events,
		r.tickets, r.stages, r.departments, now}
}

// reset starts new arrays: those of the statement before may still be queued in the caller's batch.
func (r *outboxRows) reset() { *r = outboxRows{} }

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
