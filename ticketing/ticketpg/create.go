package ticketpg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/internal/phone"
	"hotline/ticketing"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKey = 255

// insertTicket numbers a ticket and inserts it, in one statement: the counter row of the year stays locked
// until the transaction ends, so the numbers of one year are given in commit order, without gaps.
const insertTicket = `
WITH n AS (
	INSERT INTO ticket_counters AS c (year, last) VALUES ($1, 1)
	ON CONFLICT (year) DO UPDATE SET last = c.last + 1
	RETURNING last
), k AS (
	SELECT 'PA-' || $1::int || '-' || CASE WHEN last < 1000000 THEN lpad(last::text, 6, '0') ELSE last::text END AS code
	FROM n
)
INSERT INTO tickets (id, code, channel, field, department, status, received_at, term_days, deadline_at,
	reporter_name, reporter_phone, reporter_phone_national, reporter_email, address, lat, lon, description,
	callback, created_by, created_by_operator, created_at, updated_at, search)
SELECT $2, k.code, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21,
	$22 || ' ' || replace(lower(k.code), '-', ' ')
FROM k
RETURNING code`

// Create makes a ticket of n for a at now, and returns it. The ticket is numbered in the year of receipt
// (received_at when a supervisor gives it, else now), gets its deadline from its field's term or its
// channel's, is assigned when it has a department (given, or its field's), and is linked to n.CallID.
//
// With an idempotency key (which needs a.TokenID) a repeat of the same key by the same token returns the
// first ticket, as a sees it now, and true, instead of making another.
//
// Errors: *ticketing.ValidationError for a bad report or an unknown field, department or call;
// ticketing.ErrForbidden (wrapped) for received_at from an operator.
func (s *Store) Create(ctx context.Context, a ticketing.Actor, n ticketing.NewTicket, idemKey string, now time.Time) (ticketing.Ticket, bool, error) {
	if err := n.Validate(a, now); err != nil {
		return ticketing.Ticket{}, false, err
	}
	if idemKey != "" {
		if a.TokenID == 0 {
			return ticketing.Ticket{}, false, errors.New("create ticket: an idempotency key needs the actor's token")
		}
		if len(idemKey) > MaxIdempotencyKey || !utf8.ValidString(idemKey) || strings.TrimSpace(idemKey) == "" {
			return ticketing.Ticket{}, false, ticketing.Invalid("Idempotency-Key", "must be text of 1 to 255 bytes")
		}
		if t, ok, err := s.replay(ctx, a, idemKey, now); ok || err != nil {
			return t, ok, err
		}
	}
	now = now.Truncate(time.Microsecond)
	received := now
	if n.ReceivedAt != nil {
		received = n.ReceivedAt.Truncate(time.Microsecond)
	}
	d, err := s.deadlines(ctx)
	if err != nil {
		return ticketing.Ticket{}, false, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return ticketing.Ticket{}, false, err
	}
	t := ticketing.Ticket{
		ID: id, Channel: n.Channel, Field: n.Field, Department: n.Department, Status: ticketing.New,
		ReceivedAt: received, Reporter: n.Reporter, Location: n.Location, Description: n.Description,
		CallIDs: []uuid.UUID{}, Attachments: n.Attachments, Callback: n.Callback, CreatedBy: a.Who(),
		CreatedAt: now, UpdatedAt: now,
	}
	if t.Reporter != nil && t.Reporter.IsZero() {
		t.Reporter = nil
	}
	if t.Location != nil && t.Location.IsZero() {
		t.Location = nil
	}
	if t.Attachments == nil {
		t.Attachments = []ticketing.Attachment{}
	}
	if n.CallID != nil {
		t.CallIDs = []uuid.UUID{*n.CallID}
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if n.CallID != nil {
			// Creates and links of one call take turns (LinkCall locks it too), so that a callback ticket
			// is made only for a call that no ticket took meanwhile.
			var linked bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_calls WHERE call_id = $1)
				FROM calls WHERE id = $1 FOR UPDATE`, *n.CallID).Scan(&linked)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("create ticket: %w", err)
			}
			if linked && n.Callback {
				return fmt.Errorf("%w: the call has a ticket already", ticketing.ErrConflict)
			}
		}
		if err := s.resolveNew(ctx, tx, &t, n.CallID); err != nil {
			return err
		}
		t.DeadlineAt = d.Deadline(received, t.TermDays)
		if err := s.insert(ctx, tx, a, &t, idemKey); err != nil {
			return err
		}
		if s.afterNumber != nil {
			return s.afterNumber(ctx, tx)
		}
		return nil
	})
	if idemKey != "" && isViolationOf(err, "idempotency_keys_pkey") {
		// The same key was used at the same time, and the other request won: answer its ticket.
		if t, ok, err := s.replay(ctx, a, idemKey, now); ok || err != nil {
			return t, ok, err
		}
	}
	if err != nil {
		return ticketing.Ticket{}, false, err
	}
	inZone(&t)
	return t, false, nil
}

// resolveNew checks the field, department and call of a new ticket, and sets its department (the field's
// by default), status and term.
func (s *Store) resolveNew(ctx context.Context, tx pgx.Tx, t *ticketing.Ticket, callID *uuid.UUID) error {
	var fieldOK, deptOK, callOK bool
	var fieldDept *string
	var fieldDays *int
	err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM fields WHERE code = $1),
			(SELECT department FROM fields WHERE code = $1),
			(SELECT deadline_days FROM fields WHERE code = $1),
			EXISTS (SELECT 1 FROM departments WHERE code = $2),
			EXISTS (SELECT 1 FROM calls WHERE id = $3)`, t.Field, t.Department, callID).
		Scan(&fieldOK, &fieldDept, &fieldDays, &deptOK, &callOK)
	if err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	bad := map[string]string{}
	if t.Field != "" && !fieldOK {
		bad["field"] = "no field has this code (see GET /api/v1/fields)"
	}
	if t.Department != "" && !deptOK {
		bad["department"] = "no department has this code (see GET /api/v1/departments)"
	}
	if callID != nil && !callOK {
		bad["call_id"] = "no call has this id"
	}
	if len(bad) > 0 {
		return &ticketing.ValidationError{Fields: bad}
	}
	if t.Department == "" && fieldDept != nil {
		t.Department = *fieldDept
	}
	if t.Department != "" {
		t.Status = ticketing.Assigned
	}
	t.TermDays = t.Channel.TermDays()
	if fieldDays != nil {
		t.TermDays = *fieldDays
	}
	return nil
}

// insert numbers and writes a new ticket with its attachments, call, audit row and idempotency key, in one
// round trip.
func (s *Store) insert(ctx context.Context, tx pgx.Tx, a ticketing.Actor, t *ticketing.Ticket, idemKey string) error {
	var rep ticketing.Reporter
	if t.Reporter != nil {
		rep = *t.Reporter
	}
	var loc ticketing.Location
	if t.Location != nil {
		loc = *t.Location
	}
	var national *string
	if rep.Phone != "" {
		national = nullIfEmpty(phone.National(rep.Phone))
	}
	var operator *string
	if a.Role == ticketing.RoleOperator {
		operator = nullIfEmpty(a.Operator)
	}
	search := ticketing.SearchKey(strings.Join([]string{t.Description, loc.Address, rep.Name}, " "))
	year := t.ReceivedAt.In(ticketing.Zone()).Year()

	b := &pgx.Batch{}
	b.Queue(insertTicket, year, t.ID, t.Channel, nullIfEmpty(t.Field), nullIfEmpty(t.Department), t.Status,
		t.ReceivedAt, t.TermDays, t.DeadlineAt, rep.Name, rep.Phone, national, rep.Email, loc.Address, loc.Lat,
		loc.Lon, t.Description, t.Callback, t.CreatedBy, operator, t.CreatedAt, search).
		QueryRow(func(r pgx.Row) error { return r.Scan(&t.Code) })
	if len(t.Attachments) > 0 {
		urls, kinds, names := make([]string, len(t.Attachments)), make([]string, len(t.Attachments)), make([]string, len(t.Attachments))
		for i, at := range t.Attachments {
			urls[i], kinds[i], names[i] = at.URL, string(at.Kind), at.Name
		}
		b.Queue(`INSERT INTO ticket_attachments (ticket_id, url, kind, name)
			SELECT $1, u, k, n FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(u, k, n, i) ORDER BY i`,
			t.ID, urls, kinds, names)
	}
	for _, c := range t.CallIDs {
		b.Queue(`INSERT INTO ticket_calls (ticket_id, call_id, linked_at, linked_by) VALUES ($1, $2, $3, $4)`,
			t.ID, c, t.CreatedAt, a.Who())
	}
	b.Queue(`INSERT INTO ticket_audit (ticket_id, at, actor, role, action, field, new, detail)
		VALUES ($1, $2, $3, $4, $5, 'status', $6, $7)`,
		t.ID, t.CreatedAt, a.Who(), string(a.Role), ticketing.AuditCreate, t.Status, "channel "+string(t.Channel))
	if idemKey != "" {
		b.Queue(`INSERT INTO idempotency_keys (token_id, key, ticket_id, created_at) VALUES ($1, $2, $3, $4)`,
			a.TokenID, idemKey, t.ID, t.CreatedAt)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	return nil
}

// replay returns the ticket an idempotency key made, if any.
func (s *Store) replay(ctx context.Context, a ticketing.Actor, key string, now time.Time) (ticketing.Ticket, bool, error) {
	var id uuid.UUID
	err := s.db.QueryRow(ctx, `SELECT ticket_id FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
		a.TokenID, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return ticketing.Ticket{}, false, nil
	}
	if err != nil {
		return ticketing.Ticket{}, false, fmt.Errorf("idempotency key: %w", err)
	}
	t, err := s.Get(ctx, a, id.String(), now)
	if err != nil {
		return ticketing.Ticket{}, false, err
	}
	return t, true, nil
}
