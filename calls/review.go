package calls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// RecordingFilter selects recordings for review; zero members do not filter. Newest first.
type RecordingFilter struct {
	From, To       time.Time // started in [From, To)
	Operator       string    // the operator who took the call
	Ticket         uuid.UUID // linked to this ticket
	Field          string    // linked to a ticket of this field
	MinDuration    time.Duration
	MaxDuration    time.Duration
	MinWait        time.Duration // the caller waited at least this long in the line
	IncludeDeleted bool          // also recordings whose audio retention deleted
	Limit          int
	Cursor         string
}

// ListedRecording is a recording with what a reviewer looks for.
type ListedRecording struct {
	Recording
	Operator    string
	Caller      string
	Wait        *time.Duration // from entering the line to an operator's answer (or the end)
	ReviewScore *float64       // the mean of its reviews
	Reviews     int
}

// ListRecordings returns a page of recordings newest first, and the cursor of the next page ("" at the end).
func (s *Store) ListRecordings(ctx context.Context, f RecordingFilter) ([]ListedRecording, string, error) {
	var w where
	arg := w.arg
	if !f.From.IsZero() {
		w.and("r.started_at >= " + arg(f.From))
	}
	if !f.To.IsZero() {
		w.and("r.started_at < " + arg(f.To))
	}
	if f.Operator != "" {
		w.and("c.operator = " + arg(f.Operator))
	}
	if f.Ticket != uuid.Nil {
		w.and("EXISTS (SELECT 1 FROM ticket_calls tc WHERE tc.call_id = c.id AND tc.ticket_id = " + arg(f.Ticket) + ")")
	}
	if f.Field != "" {
		w.and("EXISTS (SELECT 1 FROM ticket_calls tc JOIN tickets t ON t.id = tc.ticket_id WHERE tc.call_id = c.id AND t.field = " + arg(f.Field) + ")")
	}
	if f.MinDuration > 0 {
		w.and("r.duration_ms >= " + arg(f.MinDuration.Milliseconds()))
	}
	if f.MaxDuration > 0 {
		w.and("r.duration_ms <= " + arg(f.MaxDuration.Milliseconds()))
	}
	if f.MinWait > 0 {
		w.and("c.queued_at IS NOT NULL AND coalesce(c.connected_at, c.ended_at) - c.queued_at >= " + arg(f.MinWait))
	}
	if !f.IncludeDeleted {
		w.and("r.deleted_at IS NULL")
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		w.and(fmt.Sprintf("(r.started_at, r.id) < (%s, %s)", arg(at), arg(id)))
	}
	q := `SELECT r.id, r.call_id, r.kind, r.path, r.started_at, r.duration_ms, r.bytes, r.sha256, r.repaired,
		coalesce(c.operator, ''), c.caller,
		CASE WHEN c.queued_at IS NOT NULL THEN coalesce(c.connected_at, c.ended_at) - c.queued_at END,
		(SELECT avg(score)::float8 FROM recording_reviews v WHERE v.recording_id = r.id),
		(SELECT count(*) FROM recording_reviews v WHERE v.recording_id = r.id),
		r.legal_hold, r.hold_reason, r.deleted_at, r.deleted_by, r.deleted_reason
		FROM recordings r JOIN calls c ON c.id = r.call_id`
	q += w.String()
	q += " ORDER BY r.started_at DESC, r.id DESC LIMIT " + arg(f.Limit+1)
	rows, err := s.db.Query(ctx, q, w.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list recordings: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ListedRecording, error) {
		var r ListedRecording
		var ms int64
		err := row.Scan(&r.ID, &r.CallID, &r.Kind, &r.Path, &r.StartedAt, &ms, &r.Bytes, &r.SHA256, &r.Repaired,
			&r.Operator, &r.Caller, &r.Wait, &r.ReviewScore, &r.Reviews, &r.LegalHold, &r.HoldReason,
			&r.DeletedAt, &r.DeletedBy, &r.DeletedReason)
		r.Duration = time.Duration(ms) * time.Millisecond
		return r, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list recordings: %w", err)
	}
	next := ""
	if len(list) > f.Limit {
		list = list[:f.Limit]
		last := list[len(list)-1]
		next = encodeCursor(last.StartedAt, last.ID)
	}
	return list, next, nil
}

// Access is one use of a recording, for its access log.
type Access struct {
	At                  time.Time
	Actor, Role, Action string
	Detail              string
}

// LogAccess writes who listened to, verified, reviewed, held or released a recording.
func (s *Store) LogAccess(ctx context.Context, id uuid.UUID, a Access) error {
	_, err := s.db.Exec(ctx, `INSERT INTO recording_access (recording_id, at, actor, role, action, detail)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, a.At, a.Actor, a.Role, a.Action, a.Detail)
	if err != nil {
		return fmt.Errorf("log access to recording %s: %w", id, err)
	}
	return nil
}

// AccessLog returns a recording's access log, oldest first.
func (s *Store) AccessLog(ctx context.Context, id uuid.UUID) ([]Access, error) {
	rows, err := s.db.Query(ctx, `SELECT at, actor, role, action, detail FROM recording_access
		WHERE recording_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("access log of recording %s: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Access, error) {
		var a Access
		err := r.Scan(&a.At, &a.Actor, &a.Role, &a.Action, &a.Detail)
		return a, err
	})
}

// Review is a supervisor's score (1–5) and note on a recorded call.
type Review struct {
	At       time.Time
	Reviewer string
	Score    int
	Note     string
}

// AddReview stores a review and logs it in the access log; ErrRecordingNotFound for an unknown id.
func (s *Store) AddReview(ctx context.Context, id uuid.UUID, r Review, role string) error {
	tag, err := s.db.Exec(ctx, `WITH rv AS (
			INSERT INTO recording_reviews (recording_id, at, reviewer, score, note)
			SELECT id, $2, $3, $4, $5 FROM recordings WHERE id = $1 RETURNING recording_id)
		INSERT INTO recording_access (recording_id, at, actor, role, action, detail)
		SELECT recording_id, $2, $3, $6, 'review', 'score ' || $4 FROM rv`, id, r.At, r.Reviewer, r.Score, r.Note, role)
	if err != nil {
		return fmt.Errorf("review recording %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrRecordingNotFound
	}
	return nil
}

// Reviews returns a recording's reviews, oldest first.
func (s *Store) Reviews(ctx context.Context, id uuid.UUID) ([]Review, error) {
	rows, err := s.db.Query(ctx, `SELECT at, reviewer, score, note FROM recording_reviews WHERE recording_id = $1
		ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("reviews of recording %s: %w", id, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Review, error) {
		var v Review
		err := r.Scan(&v.At, &v.Reviewer, &v.Score, &v.Note)
		return v, err
	})
}

// ErrDeleted: the recording's audio was deleted (by retention); its row says who, when and why.
var ErrDeleted = errors.New("the recording's audio was deleted")

// SetHold puts a recording on legal hold (retention keeps it) or lifts the hold, and logs it. Holding a
// recording whose audio is gone is ErrDeleted.
func (s *Store) SetHold(ctx context.Context, id uuid.UUID, hold bool, reason, by, role string, now time.Time) error {
	action := "release"
	if hold {
		action = "hold"
	}
	tag, err := s.db.Exec(ctx, `WITH u AS (
			UPDATE recordings SET legal_hold = $2, hold_reason = $3, hold_by = $4, hold_at = $5
			WHERE id = $1 AND (NOT $2 OR deleted_at IS NULL) RETURNING id)
		INSERT INTO recording_access (recording_id, at, actor, role, action, detail)
		SELECT id, $5, $4, $6, $7, $3 FROM u`, id, hold, reason, by, now, role, action)
	if err != nil {
		return fmt.Errorf("hold recording %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.GetRecording(ctx, id); err != nil {
			return err
		}
		return ErrDeleted
	}
	return nil
}

// Retire tombstones up to limit recordings whose audio retention may delete (started before before,
// present, not on legal hold, not linked to an open ticket), oldest first, and returns them: the caller
// then deletes their files. The check and the tombstone are one statement on locked rows, so a hold or a
// link made meanwhile wins (SetHold then finds the audio gone and says so).
func (s *Store) Retire(ctx context.Context, before time.Time, by, reason string, now time.Time, limit int) ([]Recording, error) {
	rows, err := s.db.Query(ctx, `UPDATE recordings r SET deleted_at = $2, deleted_by = $3, deleted_reason = $4
		WHERE r.id IN (SELECT id FROM recordings WHERE deleted_at IS NULL AND NOT legal_hold AND started_at < $1
				ORDER BY started_at LIMIT $5 FOR UPDATE SKIP LOCKED)
			AND r.deleted_at IS NULL AND NOT r.legal_hold
			AND NOT EXISTS (SELECT 1 FROM ticket_calls tc JOIN tickets t ON t.id = tc.ticket_id
				WHERE tc.call_id = r.call_id AND t.is_open)
		RETURNING r.id, r.call_id, r.kind, r.path, r.started_at, r.duration_ms, r.bytes, r.sha256, r.repaired`,
		before, now, by, reason, limit)
	if err != nil {
		return nil, fmt.Errorf("retire recordings: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Recording, error) {
		var r Recording
		var ms int64
		err := row.Scan(&r.ID, &r.CallID, &r.Kind, &r.Path, &r.StartedAt, &ms, &r.Bytes, &r.SHA256, &r.Repaired)
		r.Duration = time.Duration(ms) * time.Millisecond
		return r, err
	})
}

// Retired returns the paths of recordings tombstoned by by since since: their files must be gone (a run
// cut between the tombstone and the deletion leaves files the next run deletes).
func (s *Store) Retired(ctx context.Context, by string, since time.Time) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT path FROM recordings WHERE deleted_by = $1 AND deleted_at >= $2`, by, since)
	if err != nil {
		return nil, fmt.Errorf("retired recordings: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Tombstone marks a recording's audio deleted: the row stays, saying who, when and why.
func (s *Store) Tombstone(ctx context.Context, id uuid.UUID, by, reason string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE recordings SET deleted_at = $2, deleted_by = $3, deleted_reason = $4
		WHERE id = $1 AND deleted_at IS NULL`, id, now, by, reason)
	if err != nil {
		return fmt.Errorf("tombstone recording %s: %w", id, err)
	}
	return nil
}
