package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/internal/tokens"
	"hotline/ticketing"
)

// Tickets is what the API reads and changes of the tickets and their reference data.
type Tickets interface {
	Create(ctx context.Context, a ticketing.Actor, t ticketing.NewTicket, idemKey string, now time.Time) (ticketing.Ticket, bool, error)
	Get(ctx context.Context, a ticketing.Actor, idOrCode string, now time.Time) (ticketing.Ticket, error)
	Update(ctx context.Context, a ticketing.Actor, id uuid.UUID, p ticketing.Patch, now time.Time) (ticketing.Ticket, error)
	List(ctx context.Context, a ticketing.Actor, f ticketing.Filter, now time.Time) ([]ticketing.Ticket, string, error)
	LinkCall(ctx context.Context, a ticketing.Actor, id, callID uuid.UUID, now time.Time) error
	Audit(ctx context.Context, id uuid.UUID) ([]ticketing.AuditEntry, error)
	ByNumber(ctx context.Context, a ticketing.Actor, number string, now time.Time) ([]ticketing.Ticket, error)
	IDOf(ctx context.Context, code string) (uuid.UUID, error)
	ReferenceData
}

// actor is who the request acts as, for the ticket store.
func actor(r *http.Request) ticketing.Actor {
	t := who(r)
	return ticketing.Actor{Name: t.Name, Role: ticketing.Role(t.Role), Operator: t.Operator, TokenID: t.ID}
}

type reporterJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

type locationJSON struct {
	Address string   `json:"address"`
	Lat     *float64 `json:"lat"`
	Lon     *float64 `json:"lon"`
}

type attachmentJSON struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

type ticketJSON struct {
	ID                 string           `json:"id"`
	Code               string           `json:"code"`
	Channel            string           `json:"channel"`
	Field              *string          `json:"field"`
	Department         *string          `json:"department"`
	Status             string           `json:"status"`
	ReceivedAt         time.Time        `json:"received_at"`
	TermDays           int              `json:"term_days"`
	DeadlineAt         time.Time        `json:"deadline_at"`
	ExtendedDeadlineAt *time.Time       `json:"extended_deadline_at"`
	ExtensionReason    *string          `json:"extension_reason"`
	LegalBasis         *string          `json:"legal_basis"`
	Overdue            bool             `json:"overdue"`
	Reporter           *reporterJSON    `json:"reporter"`
	ReporterMasked     bool             `json:"reporter_masked"`
	Location           *locationJSON    `json:"location"`
	Description        string           `json:"description"`
	Result             *string          `json:"result"`
	Reason             *string          `json:"reason"`
	Note               *string          `json:"note"`
	MergedInto         *string          `json:"merged_into"`
	CallIDs            []string         `json:"call_ids"`
	Attachments        []attachmentJSON `json:"attachments"`
	Callback           bool             `json:"callback"`
	ResolvedAt         *time.Time       `json:"resolved_at"`
	ClosedAt           *time.Time       `json:"closed_at"`
	CreatedBy          string           `json:"created_by"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
}

func toTicketJSON(t ticketing.Ticket) ticketJSON {
	j := ticketJSON{
		ID: t.ID.String(), Code: t.Code, Channel: string(t.Channel), Field: opt(t.Field), Department: opt(t.Department),
		Status: string(t.Status), ReceivedAt: t.ReceivedAt.In(Vietnam), TermDays: t.TermDays,
		DeadlineAt: t.DeadlineAt.In(Vietnam), ExtendedDeadlineAt: local(t.ExtendedDeadlineAt),
		ExtensionReason: opt(t.ExtensionReason), LegalBasis: opt(t.LegalBasis), Overdue: t.Overdue,
		ReporterMasked: t.ReporterMasked, Description: t.Description, Result: opt(t.Result), Reason: opt(t.Reason),
		Note: opt(t.Note), CallIDs: []string{}, Attachments: []attachmentJSON{}, Callback: t.Callback,
		ResolvedAt: local(t.ResolvedAt), ClosedAt: local(t.ClosedAt), CreatedBy: t.CreatedBy,
		CreatedAt: t.CreatedAt.In(Vietnam), UpdatedAt: t.UpdatedAt.In(Vietnam),
	}
	if r := t.Reporter; r != nil {
		j.Reporter = &reporterJSON{Name: r.Name, Phone: r.Phone, Email: r.Email}
	}
	if l := t.Location; l != nil {
		j.Location = &locationJSON{Address: l.Address, Lat: l.Lat, Lon: l.Lon}
	}
	if t.MergedInto != nil {
		id := t.MergedInto.String()
		j.MergedInto = &id
	}
	for _, id := range t.CallIDs {
		j.CallIDs = append(j.CallIDs, id.String())
	}
	for _, a := range t.Attachments {
		j.Attachments = append(j.Attachments, attachmentJSON{URL: a.URL, Kind: string(a.Kind), Name: a.Name})
	}
	return j
}

func toTicketsJSON(list []ticketing.Ticket) []ticketJSON {
	items := make([]ticketJSON, len(list))
	for i, t := range list {
		items[i] = toTicketJSON(t)
	}
	return items
}

// createTicket: POST /api/v1/tickets. 201 with the ticket; 200 with the first ticket when the
// Idempotency-Key was used before by the same token.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Channel     string           `json:"channel"`
		Description string           `json:"description"`
		Field       string           `json:"field"`
		Department  string           `json:"department"`
		Reporter    *reporterJSON    `json:"reporter"`
		Location    *locationJSON    `json:"location"`
		CallID      *string          `json:"call_id"`
		ReceivedAt  *time.Time       `json:"received_at"`
		Callback    bool             `json:"callback"`
		Attachments []attachmentJSON `json:"attachments"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 || strings.ContainsFunc(key, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
		s.fail(w, r, badRequest{"the Idempotency-Key header must be at most 255 printable ASCII characters (a UUID is usual)"})
		return
	}
	n := ticketing.NewTicket{Channel: ticketing.Channel(body.Channel), Description: body.Description,
		Field: body.Field, Department: body.Department, ReceivedAt: body.ReceivedAt, Callback: body.Callback}
	if p := body.Reporter; p != nil {
		n.Reporter = &ticketing.Reporter{Name: p.Name, Phone: p.Phone, Email: p.Email}
	}
	if l := body.Location; l != nil {
		n.Location = &ticketing.Location{Address: l.Address, Lat: l.Lat, Lon: l.Lon}
	}
	if body.CallID != nil {
		id, err := uuid.Parse(*body.CallID)
		if err != nil {
			s.fail(w, r, ticketing.Invalid("call_id", "must be a call's id (a UUID)"))
			return
		}
		n.CallID = &id
	}
	if n.CallID != nil {
		if err := s.mayLink(r, *n.CallID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, a := range body.Attachments {
		n.Attachments = append(n.Attachments, ticketing.Attachment{URL: a.URL, Kind: ticketing.AttachmentKind(a.Kind), Name: a.Name})
	}
	t, replayed, err := s.cfg.Tickets.Create(r.Context(), actor(r), n, key, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	w.Header().Set("Location", "/api/v1/tickets/"+t.ID.String())
	writeJSON(w, status, toTicketJSON(t))
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	t, err := s.cfg.Tickets.Get(r.Context(), actor(r), r.PathValue("id"), time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
}

// ticketID reads {id} as a ticket's id, or finds the ticket by its code (reading nothing else).
func (s *Server) ticketID(r *http.Request) (uuid.UUID, error) {
	v := r.PathValue("id")
	if id, err := uuid.Parse(v); err == nil {
		return id, nil
	}
	if !strings.HasPrefix(strings.ToUpper(v), "PA-") {
		return uuid.Nil, errNoTicket
	}
	return s.cfg.Tickets.IDOf(r.Context(), v)
}

var errNoTicket = fmt.Errorf("%w: no ticket has this id or code", ticketing.ErrNotFound)

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status     *string    `json:"status"`
		Department *string    `json:"department"`
		Field      *string    `json:"field"`
		Result     *string    `json:"result"`
		Reason     *string    `json:"reason"`
		Note       *string    `json:"note"`
		MergedInto *string    `json:"merged_into"`
		ExtendTo   *time.Time `json:"extend_to"`
		LegalBasis *string    `json:"legal_basis"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	p := ticketing.Patch{Department: body.Department, Field: body.Field, Result: body.Result, Reason: body.Reason,
		Note: body.Note, MergedInto: body.MergedInto, ExtendTo: body.ExtendTo, LegalBasis: body.LegalBasis}
	if body.Status != nil {
		st := ticketing.Status(*body.Status)
		p.Status = &st
	}
	if p.IsZero() {
		s.fail(w, r, unprocessable{"the body changes nothing: give status, department, field, result, reason, note, merged_into or extend_to"})
		return
	}
	id, err := s.ticketID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.cfg.Tickets.Update(r.Context(), actor(r), id, p, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	f, err := ticketing.ParseFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := numberSearch(r, f.Number); err != nil {
		s.fail(w, r, err)
		return
	}
	list, next, err := s.cfg.Tickets.List(r.Context(), actor(r), f, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toTicketsJSON(list), "next_cursor": opt(next)})
}

// mayLink lets supervisors link any call, and an operator only a call that operator took: linking a call
// makes its operator a handler of the ticket, who sees the reporter whole.
func (s *Server) mayLink(r *http.Request, callID uuid.UUID) error {
	t := who(r)
	if t.Role.AtLeast(tokens.Supervisor) {
		return nil
	}
	c, err := s.cfg.Calls.Get(r.Context(), callID)
	if errors.Is(err, calls.ErrNotFound) {
		return ticketing.Invalid("call_id", "no call has this id")
	}
	if err != nil {
		return err
	}
	if c.Operator == "" || c.Operator != t.Operator {
		return forbidden{"an operator links only the calls it took; this call was taken by " + orNobody(c.Operator)}
	}
	return nil
}

func orNobody(ext string) string {
	if ext == "" {
		return "no operator"
	}
	return "operator " + ext
}

// linkCall: POST /api/v1/tickets/{id}/calls {"call_id"}: 200 with the ticket.
func (s *Server) linkCall(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CallID string `json:"call_id"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	callID, err := uuid.Parse(body.CallID)
	if err != nil {
		s.fail(w, r, ticketing.Invalid("call_id", "is required: the id of the call to link (a UUID)"))
		return
	}
	if err := s.mayLink(r, callID); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := s.ticketID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Tickets.LinkCall(r.Context(), actor(r), id, callID, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.cfg.Tickets.Get(r.Context(), actor(r), id.String(), time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
}

type auditJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
	Field  *string   `json:"field"`
	Old    *string   `json:"old"`
	New    *string   `json:"new"`
	Detail *string   `json:"detail"`
}

// ticketAudit: GET /api/v1/tickets/{id}/audit, oldest first (supervisors).
func (s *Server) ticketAudit(w http.ResponseWriter, r *http.Request) {
	id, err := s.ticketID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entries, err := s.cfg.Tickets.Audit(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]auditJSON, len(entries))
	for i, e := range entries {
		items[i] = auditJSON{At: e.At.In(Vietnam), Actor: e.Actor, Role: string(e.Role), Action: e.Action,
			Field: opt(e.Field), Old: opt(e.Old), New: opt(e.New), Detail: opt(e.Detail)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nil})
}

// numberSearch refuses a search by number to operators: they see numbers masked, and a search would let
// them find the masked digits by trying each. During a call, GET /api/v1/calls/{id}/tickets gives the
// caller's tickets.
func numberSearch(r *http.Request, number string) error {
	if number == "" || who(r).Role.AtLeast(tokens.Supervisor) {
		return nil
	}
	return forbidden{"operators do not search by number: during a call, GET /api/v1/calls/{id}/tickets gives the caller's tickets"}
}

// callerTickets: GET /api/v1/calls/{id}/tickets: the caller's earlier tickets, open ones first, so the
// operator on the call sees them in one request.
func (s *Server) callerTickets(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, calls.ErrNotFound)
		return
	}
	c, err := s.cfg.Calls.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.cfg.Tickets.ByNumber(r.Context(), actor(r), c.Caller, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toTicketsJSON(list), "next_cursor": nil})
}

// deadline: GET /api/v1/deadline?received_at=&channel=&field=.
func (s *Server) deadline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	received := time.Now()
	if v := q.Get("received_at"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			s.fail(w, r, badRequest{"received_at must be a time in RFC 3339, e.g. 2026-11-27T18:30:00+07:00"})
			return
		}
		received = t
	}
	ch := ticketing.Channel(q.Get("channel"))
	if ch == "" {
		ch = ticketing.Hotline
	}
	if !ch.Valid() {
		s.fail(w, r, badRequest{"channel must be hotline, zalo, field or web"})
		return
	}
	field := q.Get("field")
	if field != "" && !ticketing.ValidCode(field) {
		s.fail(w, r, badRequest{"field must be a field's code (see GET /api/v1/fields)"})
		return
	}
	at, err := s.cfg.Tickets.Deadline(r.Context(), received, ch, field)
	var ve *ticketing.ValidationError
	if errors.As(err, &ve) || errors.Is(err, ticketing.ErrNotFound) {
		s.fail(w, r, badRequest{"field must be a field's code (see GET /api/v1/fields)"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"received_at": received.In(Vietnam), "channel": ch,
		"deadline_at": at.In(Vietnam)})
}

// ticketRoutes adds the ticket endpoints.
func (s *Server) ticketRoutes() {
	s.route("POST /api/v1/tickets", tokens.Operator, s.createTicket)
	s.route("GET /api/v1/tickets", tokens.Operator, s.listTickets)
	s.route("GET /api/v1/tickets/{id}", tokens.Operator, s.getTicket)
	s.route("PATCH /api/v1/tickets/{id}", tokens.Operator, s.patchTicket)
	s.route("POST /api/v1/tickets/{id}/calls", tokens.Operator, s.linkCall)
	s.route("GET /api/v1/tickets/{id}/audit", tokens.Supervisor, s.ticketAudit)
	s.route("GET /api/v1/calls/{id}/tickets", tokens.Operator, s.callerTickets)
	s.route("GET /api/v1/deadline", tokens.Operator, s.deadline)
	s.referenceRoutes()
}
