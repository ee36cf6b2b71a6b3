package escalation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/ticketing"
)

// Via is how a notice was acknowledged.
type Via string

// The ways to acknowledge.
const (
	ViaAPI  Via = "api"  // POST /api/v1/tickets/{id}/acknowledge, with a token
	ViaLink Via = "link" // POST /ack/{token}, the link in the notice
)

// Acknowledgement is a notice as acknowledged.
type Acknowledgement struct {
	TicketID uuid.UUID
	Code     string
	Stage    Stage
	DueAt    time.Time // the deadline the notice was about
	QueuedAt time.Time
	At       time.Time
	By       string // the actor (API), or "department <code>" (link)
	Via      Via
	Note     string
}

// AuditAcknowledge is the audit trail's action for an acknowledgement (Field "stage", New the stage,
// Detail how and the note).
const AuditAcknowledge = "acknowledge"

// maxNote bounds an acknowledgement's note, in characters.
const maxNote = 2000

// secretName is the row of node_secrets that holds the ack links' HMAC key, shared by every node.
const secretName = "escalation.ack_link"

// linkKey returns the ack links' key, creating it the first time any node needs it.
func (e *Escalator) linkKey(ctx context.Context) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ackKey != nil {
		return e.ackKey, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO node_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		secretName, key); err != nil {
		return nil, fmt.Errorf("ack link key: %w", err)
	}
	var v []byte
	if err := e.db.QueryRow(ctx, `SELECT value FROM node_secrets WHERE name = $1`, secretName).Scan(&v); err != nil {
		return nil, fmt.Errorf("ack link key: %w", err)
	}
	e.ackKey = v
	return v, nil
}

// link is what an ack link's token says: which notice, and until when.
type link struct {
	Ticket  uuid.UUID
	Stage   Stage
	DueAt   time.Time
	Expires time.Time
}

// Token layout: version (1) | ticket (16) | stage rank (1) | due_at µs (8) | expires s (8) | MAC (16),
// base64url without padding (67 characters).
const (
	linkVersion = 1
	payloadLen  = 1 + 16 + 1 + 8 + 8
	macLen      = 16
)

func linkMAC(key, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hotline ack link\x00"))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// signLink returns the token of l: its fields and an HMAC-SHA256 of them with key.
func signLink(key []byte, l link) string {
	b := make([]byte, payloadLen, payloadLen+macLen)
	b[0] = linkVersion
	copy(b[1:17], l.Ticket[:])
	b[17] = byte(l.Stage.rank())
	binary.BigEndian.PutUint64(b[18:26], uint64(l.DueAt.UnixMicro()))
	binary.BigEndian.PutUint64(b[26:34], uint64(l.Expires.Unix()))
	b = append(b, linkMAC(key, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseLink checks token's MAC with key and returns what it says; ErrBadLink when it was not made with
// key or was altered, ErrLinkExpired past its expiry at now.
func parseLink(key []byte, token string, now time.Time) (link, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != payloadLen+macLen || b[0] != linkVersion {
		return link{}, ErrBadLink
	}
	if !hmac.Equal(b[payloadLen:], linkMAC(key, b[:payloadLen])) {
		return link{}, ErrBadLink
	}
	var l link
	copy(l.Ticket[:], b[1:17])
	r := int(b[17])
	if r < 1 || r > len(stages) {
		return link{}, ErrBadLink
	}
	l.Stage = stages[r-1]
	l.DueAt = time.UnixMicro(int64(binary.BigEndian.Uint64(b[18:26])))
	l.Expires = time.Unix(int64(binary.BigEndian.Uint64(b[26:34])), 0)
	if now.After(l.Expires) {
		return l, fmt.Errorf("%w (valid until %s)", ErrLinkExpired, l.Expires.In(ticketing.Zone()).Format(time.RFC3339))
	}
	return l, nil
}

// AckLink is a valid ack link: the notice it acknowledges, what a confirm page shows of its ticket, and
// the acknowledgement if one was made already.
type AckLink struct {
	TicketID       uuid.UUID
	Code           string
	Stage          Stage
	DueAt          time.Time
	QueuedAt       time.Time
	Expires        time.Time
	Field          string
	FieldName      string
	Department     string
	DepartmentName string
	Status         ticketing.Status
	Acknowledged   *Acknowledgement // nil until acknowledged
}

// VerifyAck checks an ack link's token (the last segment of its URL) at now and returns its notice:
// ErrBadLink for a token this hotline did not make or that was altered (or whose notice is unknown),
// ErrLinkExpired after its validity (7 days after the later of the deadline and the notice). It changes
// nothing: a GET of the link shows a confirm page, only AcknowledgeLink (POST) acknowledges.
func (e *Escalator) VerifyAck(ctx context.Context, token string, now time.Time) (AckLink, error) {
	key, err := e.linkKey(ctx)
	if err != nil {
		return AckLink{}, err
	}
	l, err := parseLink(key, token, now)
	if err != nil {
		return AckLink{}, err
	}
	out := AckLink{TicketID: l.Ticket, Stage: l.Stage, DueAt: l.DueAt.In(ticketing.Zone()), Expires: l.Expires.In(ticketing.Zone())}
	var ackAt *time.Time
	var ackBy, ackVia *string
	var note string
	err = e.db.QueryRow(ctx, `SELECT t.code, coalesce(t.field, ''), coalesce(f.name, ''), n.department,
			coalesce(d.name, ''), t.status, n.queued_at, n.acknowledged_at, n.acknowledged_by, n.ack_via, n.ack_note
		FROM ticket_notices n JOIN tickets t ON t.id = n.ticket_id
		LEFT JOIN fields f ON f.code = t.field LEFT JOIN departments d ON d.code = n.department
		WHERE n.ticket_id = $1 AND n.due_at = $2 AND n.stage = $3`, l.Ticket, l.DueAt, string(l.Stage)).
		Scan(&out.Code, &out.Field, &out.FieldName, &out.Department, &out.DepartmentName, &out.Status,
			&out.QueuedAt, &ackAt, &ackBy, &ackVia, &note)
	if errors.Is(err, pgx.ErrNoRows) {
		return AckLink{}, ErrBadLink
	}
	if err != nil {
		return AckLink{}, fmt.Errorf("ack link: %w", err)
	}
	out.QueuedAt = out.QueuedAt.In(ticketing.Zone())
	if ackAt != nil {
		out.Acknowledged = &Acknowledgement{TicketID: l.Ticket, Code: out.Code, Stage: l.Stage, DueAt: out.DueAt,
			QueuedAt: out.QueuedAt, At: ackAt.In(ticketing.Zone()), By: deref(ackBy), Via: Via(deref(ackVia)), Note: note}
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// AcknowledgeLink acknowledges the notice of an ack link's token at now, with the note the confirm form
// sent (optional), once: errors as VerifyAck's, and an *AcknowledgedError when it was acknowledged
// already (by the link or through the API). The audit trail gets an "acknowledge" row by
// "department <code>".
func (e *Escalator) AcknowledgeLink(ctx context.Context, token, note string, now time.Time) (Acknowledgement, error) {
	key, err := e.linkKey(ctx)
	if err != nil {
		return Acknowledgement{}, err
	}
	l, err := parseLink(key, token, now)
	if err != nil {
		return Acknowledgement{}, err
	}
	if err := checkNote(note); err != nil {
		return Acknowledgement{}, err
	}
	ack, err := e.acknowledge(ctx, l.Ticket, l.Stage, &l.DueAt, ticketing.Actor{}, note, ViaLink, now)
	if errors.Is(err, ErrNoNotice) {
		return ack, ErrBadLink
	}
	return ack, err
}

// Acknowledge records that the department took note of a ticket's notice of stage (its latest one, when
// an extension made several), by the actor (POST /api/v1/tickets/{id}/acknowledge: any token, e.g. an
// operator taking the department's call) at now, with an optional note, and writes it to the ticket's
// audit trail. idOrCode is the ticket's id or code. Once only: a second acknowledgement gets an
// *AcknowledgedError (HTTP 409) saying when, by whom and how the first was made. A ticket without that
// notice is ErrNoNotice (404); an unknown ticket ticketing.ErrNotFound (404); a bad stage or an overlong
// note a *ticketing.ValidationError (422).
func (e *Escalator) Acknowledge(ctx context.Context, idOrCode string, stage Stage, by ticketing.Actor, note string, via Via, now time.Time) (Acknowledgement, error) {
	if !stage.Valid() {
		return Acknowledgement{}, ticketing.Invalid("stage", "must be due_soon, due_hours or breached")
	}
	if via != ViaAPI && via != ViaLink {
		return Acknowledgement{}, fmt.Errorf("acknowledge: via %q: want api or link", via)
	}
	if err := checkNote(note); err != nil {
		return Acknowledgement{}, err
	}
	col, arg := "code", any(idOrCode)
	if id, err := uuid.Parse(idOrCode); err == nil {
		col, arg = "id", id
	}
	var id uuid.UUID
	err := e.db.QueryRow(ctx, `SELECT id FROM tickets WHERE `+col+` = $1`, arg).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Acknowledgement{}, fmt.Errorf("ticket %s: %w", idOrCode, ticketing.ErrNotFound)
	}
	if err != nil {
		return Acknowledgement{}, fmt.Errorf("acknowledge: %w", err)
	}
	return e.acknowledge(ctx, id, stage, nil, by, note, via, now)
}

func checkNote(note string) error {
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > maxNote {
		return ticketing.Invalid("note", fmt.Sprintf("must be text of at most %d characters", maxNote))
	}
	return nil
}

// acknowledge acknowledges ticket's notice of stage: the one for dueAt, or the latest queued when dueAt is
// nil.
func (e *Escalator) acknowledge(ctx context.Context, ticket uuid.UUID, stage Stage, dueAt *time.Time, by ticketing.Actor, note string, via Via, now time.Time) (Acknowledgement, error) {
	now = now.Truncate(time.Microsecond)
	a := Acknowledgement{TicketID: ticket, Stage: stage, At: now.In(ticketing.Zone()), Via: via, Note: note}
	err := pgx.BeginFunc(ctx, e.db, func(tx pgx.Tx) error {
		var dept string
		var ackAt *time.Time
		var ackBy, ackVia *string
		err := tx.QueryRow(ctx, `SELECT t.code, n.due_at, n.queued_at, n.department, n.acknowledged_at,
				n.acknowledged_by, n.ack_via
			FROM ticket_notices n JOIN tickets t ON t.id = n.ticket_id
			WHERE n.ticket_id = $1 AND n.stage = $2 AND ($3::timestamptz IS NULL OR n.due_at = $3)
			ORDER BY n.queued_at DESC, n.due_at DESC LIMIT 1
			FOR UPDATE OF n`, ticket, string(stage), dueAt).
			Scan(&a.Code, &a.DueAt, &a.QueuedAt, &dept, &ackAt, &ackBy, &ackVia)
		if errors.Is(err, pgx.ErrNoRows) {
			code := ticket.String()
			_ = tx.QueryRow(ctx, `SELECT code FROM tickets WHERE id = $1`, ticket).Scan(&code)
			return fmt.Errorf("%s has had no %s notice to acknowledge: %w", code, stage, ErrNoNotice)
		}
		if err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		a.DueAt, a.QueuedAt = a.DueAt.In(ticketing.Zone()), a.QueuedAt.In(ticketing.Zone())
		if ackAt != nil {
			return &AcknowledgedError{Code: a.Code, Stage: stage, At: ackAt.In(ticketing.Zone()), By: deref(ackBy), Via: Via(deref(ackVia))}
		}
		role := string(by.Role)
		a.By = by.Who()
		if via == ViaLink {
			role, a.By = "department", "department "+dept
			if dept == "" {
				a.By = "department"
			}
		}
		detail := "through the API"
		if via == ViaLink {
			detail = "through the link in the notice"
		}
		if note != "" {
			detail += "; note: " + note
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE ticket_notices SET acknowledged_at = $4, acknowledged_by = $5, ack_note = $6, ack_via = $7
			WHERE ticket_id = $1 AND due_at = $2 AND stage = $3`, ticket, a.DueAt, string(stage), now, a.By, note, string(via))
		b.Queue(`INSERT INTO ticket_audit (ticket_id, at, actor, role, action, field, new, detail)
			VALUES ($1, $2, $3, $4, $5, 'stage', $6, $7)`, ticket, now, a.By, role, AuditAcknowledge, string(stage), detail)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("acknowledge: %w", err)
		}
		return nil
	})
	if err != nil {
		return Acknowledgement{}, err
	}
	return a, nil
}
