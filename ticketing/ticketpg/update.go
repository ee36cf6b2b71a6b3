package ticketpg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/ticketing"
)

// update collects the columns an Update sets and the audit rows it writes.
type update struct {
	sets  []string
	args  []any
	batch pgx.Batch
	a     ticketing.Actor
	id    uuid.UUID
	now   time.Time
}

func (u *update) set(column string, v any) {
	u.args = append(u.args, v)
	u.sets = append(u.sets, column+" = $"+strconv.Itoa(len(u.args)))
}

func (u *update) audit(ticket uuid.UUID, action, field, old, new, detail string) {
	u.batch.Queue(`INSERT INTO ticket_audit (ticket_id, at, actor, role, action, field, old, new, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ticket, u.now, u.a.Who(), string(u.a.Role), action, field, old, new, detail)
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(ticketing.Zone()).Format(time.RFC3339)
}

// Update applies a patch to a ticket for a at now and returns the ticket as a sees it then. What goes with
// what is ticketing.Patch.Check; besides, the department, field and merge target must exist (else a
// *ticketing.ValidationError), and a ticket is not merged into itself, nor into a merged or rejected ticket
// (ErrConflict). A new field counts the deadline again from receipt with the field's term (or the
// channel's), and on a new ticket without a department assigns the field's department. A merged ticket's
// calls are linked to the ticket it was merged into. Every change is written to the audit trail.
func (s *Store) Update(ctx context.Context, a ticketing.Actor, id uuid.UUID, p ticketing.Patch, now time.Time) (ticketing.Ticket, error) {
	now = now.Truncate(time.Microsecond)
	if p.IsZero() {
		return s.Get(ctx, a, id.String(), now)
	}
	var out ticketing.Ticket
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		rows, err := s.getRows(ctx, tx, a, id.String(), " FOR UPDATE OF t")
		if err != nil {
			return err
		}
		cur := rows[0].t
		to, err := p.Check(&cur, a)
		if err != nil {
			return err
		}
		u := &update{a: a, id: cur.ID, now: now}
		dept := cur.Department
		if p.Department != nil && *p.Department != cur.Department {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM departments WHERE code = $1)`, *p.Department).Scan(&ok); err != nil {
				return fmt.Errorf("update ticket %s: %w", cur.Code, err)
			}
			if !ok {
				return ticketing.Invalid("department", "no department has this code (see GET /api/v1/departments)")
			}
			dept = *p.Department
		}
		if p.Field != nil && *p.Field != cur.Field {
			f, err := s.field(ctx, tx, *p.Field)
			if errors.Is(err, ticketing.ErrNotFound) {
				return ticketing.Invalid("field", "no field has this code (see GET /api/v1/fields)")
			}
			if err != nil {
				return err
			}
			if err := s.reclassify(ctx, u, &cur, f); err != nil {
				return err
			}
			if cur.Status == ticketing.New && to == ticketing.New && p.Department == nil && f.Department != "" {
				dept, to = f.Department, ticketing.Assigned
			}
		}
		if dept != cur.Department {
			u.set("department", dept)
			u.audit(cur.ID, ticketing.AuditChange, "department", cur.Department, dept, "")
		}
		if p.Status != nil || to != cur.Status {
			if err := s.transition(ctx, tx, u, &cur, to, p); err != nil {
				return err
			}
		} else if p.Note != nil {
			u.audit(cur.ID, ticketing.AuditNote, "", "", "", *p.Note)
		}
		if p.ExtendTo != nil {
			ext := p.ExtendTo.Truncate(time.Microsecond)
			u.set("extended_deadline_at", ext)
			u.set("extension_reason", *p.Reason)
			u.set("extension_legal_basis", *p.LegalBasis)
			old := stamp(cur.ExtendedDeadlineAt)
			if old == "" {
				old = stamp(&cur.DeadlineAt)
			}
			u.audit(cur.ID, ticketing.AuditExtend, "extended_deadline_at", old, stamp(&ext),
				"reason: "+*p.Reason+"; legal basis: "+*p.LegalBasis)
		}
		if len(u.sets) > 0 {
			u.set("updated_at", now)
			u.args = append(u.args, cur.ID)
			u.batch.Queue(`UPDATE tickets SET `+strings.Join(u.sets, ", ")+` WHERE id = $`+strconv.Itoa(len(u.args)), u.args...)
		}
		if u.batch.Len() > 0 {
			if err := tx.SendBatch(ctx, &u.batch).Close(); err != nil {
				return fmt.Errorf("update ticket %s: %w", cur.Code, err)
			}
		}
		out, err = s.get(ctx, tx, a, cur.ID.String(), now, "")
		return err
	})
	if isDeadlock(err) {
		// Two tickets merged into each other at once: one of the two gives way.
		return ticketing.Ticket{}, fmt.Errorf("%w: the ticket changed at the same time: read it again and retry", ticketing.ErrConflict)
	}
	return out, err
}

// reclassify sets a ticket's field and counts its deadline again from receipt with the field's term.
func (s *Store) reclassify(ctx context.Context, u *update, cur *ticketing.Ticket, f ticketing.Field) error {
	term := cur.Channel.TermDays()
	if f.DeadlineDays != nil {
		term = *f.DeadlineDays
	}
	d, err := s.deadlines(ctx)
	if err != nil {
		return err
	}
	deadline := d.Deadline(cur.ReceivedAt, term)
	u.set("field", f.Code)
	u.audit(cur.ID, ticketing.AuditChange, "field", cur.Field, f.Code, "")
	if term != cur.TermDays {
		u.set("term_days", term)
		u.audit(cur.ID, ticketing.AuditChange, "term_days", strconv.Itoa(cur.TermDays), strconv.Itoa(term), "")
	}
	if !deadline.Equal(cur.DeadlineAt) {
		u.set("deadline_at", deadline)
		detail := ""
		if cur.ExtendedDeadlineAt != nil {
			detail = "the extension to " + stamp(cur.ExtendedDeadlineAt) + " stands"
		}
		u.audit(cur.ID, ticketing.AuditChange, "deadline_at", stamp(&cur.DeadlineAt), stamp(&deadline), detail)
	}
	return nil
}

// transition moves a ticket to status to (checked by Patch.Check) and writes what goes with it.
func (s *Store) transition(ctx context.Context, tx pgx.Tx, u *update, cur *ticketing.Ticket, to ticketing.Status, p ticketing.Patch) error {
	detail := ""
	switch to {
	case ticketing.Resolved:
		u.set("result", *p.Result)
		u.set("resolved_at", u.now)
		detail = *p.Result
	case ticketing.Closed:
		u.set("note", *p.Note)
		u.set("closed_at", u.now)
		detail = *p.Note
	case ticketing.Rejected:
		u.set("reason", *p.Reason)
		detail = *p.Reason
	case ticketing.Merged:
		target, err := s.mergeTarget(ctx, tx, u.a, cur, *p.MergedInto)
		if err != nil {
			return err
		}
		u.set("merged_into", target.ID)
		detail = "into " + target.Code
		// The target inherits the calls; the merged ticket keeps its links, as history.
		u.batch.Queue(`INSERT INTO ticket_calls (ticket_id, call_id, linked_at, linked_by)
			SELECT $1, call_id, $3, $4 FROM ticket_calls WHERE ticket_id = $2
			ON CONFLICT DO NOTHING`, target.ID, cur.ID, u.now, u.a.Who())
		u.batch.Queue(`UPDATE tickets SET updated_at = $2 WHERE id = $1`, target.ID, u.now)
		u.audit(target.ID, ticketing.AuditMergeIn, "", "", cur.Code, fmt.Sprintf("%d calls inherited", len(cur.CallIDs)))
	case ticketing.InProgress:
		if cur.Status == ticketing.Resolved || cur.Status == ticketing.Closed {
			// Reopened: no longer resolved (the audit trail keeps when it was).
			u.set("resolved_at", nil)
			u.set("closed_at", nil)
			detail = "reopened"
			if p.Reason != nil {
				detail += ": " + *p.Reason
			}
		}
	}
	if p.Note != nil && to != ticketing.Closed {
		if detail != "" {
			detail += "; "
		}
		detail += "note: " + *p.Note
	}
	if to != cur.Status {
		u.set("status", to)
	}
	u.audit(cur.ID, ticketing.AuditTransition, "status", string(cur.Status), string(to), detail)
	return nil
}

// mergeTarget finds and locks the ticket another is merged into.
func (s *Store) mergeTarget(ctx context.Context, tx pgx.Tx, a ticketing.Actor, cur *ticketing.Ticket, idOrCode string) (ticketing.Ticket, error) {
	rows, err := s.getRows(ctx, tx, a, idOrCode, " FOR UPDATE OF t")
	if errors.Is(err, ticketing.ErrNotFound) {
		return ticketing.Ticket{}, ticketing.Invalid("merged_into", "no ticket has this id or code")
	}
	if err != nil {
		return ticketing.Ticket{}, err
	}
	target := rows[0].t
	switch {
	case target.ID == cur.ID:
		return target, ticketing.Invalid("merged_into", "is this ticket: name the ticket it duplicates")
	case target.Status == ticketing.Merged || target.Status == ticketing.Rejected:
		return target, fmt.Errorf("%w: %s is %s: merge into a ticket that is neither merged nor rejected",
			ticketing.ErrConflict, target.Code, target.Status)
	}
	return target, nil
}

// LinkCall links a call to a ticket (idempotent: linking it again changes nothing). The call's operator
// becomes one of the ticket's handlers. ErrNotFound (wrapped) for an unknown ticket; a *ValidationError
// for an unknown call; ErrConflict for a merged ticket (link the ticket it was merged into).
func (s *Store) LinkCall(ctx context.Context, a ticketing.Actor, id, callID uuid.UUID, now time.Time) error {
	now = now.Truncate(time.Microsecond)
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// The call first, as Create locks it: links and creates of one call take turns.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM calls WHERE id = $1 FOR UPDATE`, callID); err != nil {
			return fmt.Errorf("link call: %w", err)
		}
		var status ticketing.Status
		var code string
		var callOK bool
		err := tx.QueryRow(ctx, `SELECT status, code, EXISTS (SELECT 1 FROM calls WHERE id = $2)
			FROM tickets WHERE id = $1 FOR UPDATE`, id, callID).Scan(&status, &code, &callOK)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("ticket %s: %w", id, ticketing.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("link call: %w", err)
		}
		if status == ticketing.Merged {
			return fmt.Errorf("%w: %s was merged: link the call to the ticket it was merged into", ticketing.ErrConflict, code)
		}
		if !callOK {
			return ticketing.Invalid("call_id", "no call has this id")
		}
		tag, err := tx.Exec(ctx, `INSERT INTO ticket_calls (ticket_id, call_id, linked_at, linked_by)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, id, callID, now, a.Who())
		if err != nil {
			return fmt.Errorf("link call: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE tickets SET updated_at = $2 WHERE id = $1`, id, now)
		b.Queue(`INSERT INTO ticket_audit (ticket_id, at, actor, role, action, field, new)
			VALUES ($1, $2, $3, $4, $5, 'call_ids', $6)`, id, now, a.Who(), string(a.Role), ticketing.AuditLinkCall, callID.String())
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("link call: %w", err)
		}
		return nil
	})
}

// Audit returns a ticket's audit trail, oldest first; ErrNotFound (wrapped) for an unknown ticket.
func (s *Store) Audit(ctx context.Context, id uuid.UUID) ([]ticketing.AuditEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT id, ticket_id, at, actor, role, action, field, old, new, detail
		FROM ticket_audit WHERE ticket_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticketing.AuditEntry, error) {
		var e ticketing.AuditEntry
		err := r.Scan(&e.ID, &e.TicketID, &e.At, &e.Actor, &e.Role, &e.Action, &e.Field, &e.Old, &e.New, &e.Detail)
		e.At = e.At.In(ticketing.Zone())
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", id, err)
	}
	if len(out) == 0 {
		// Every ticket has its create row.
		return nil, fmt.Errorf("ticket %s: %w", id, ticketing.ErrNotFound)
	}
	return out, nil
}

// IDOf returns the id of the ticket with a code (in any case), reading nothing else: no reporter, no audit.
func (s *Store) IDOf(ctx context.Context, code string) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.db.QueryRow(ctx, `SELECT id FROM tickets WHERE code = upper($1)`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return id, fmt.Errorf("ticket %q: %w", code, ticketing.ErrNotFound)
	}
	return id, err
}
