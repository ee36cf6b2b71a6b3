package ticketpg

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/internal/phone"
	"hotline/ticketing"
)

// selectTicket reads a ticket and whether the operator $1 handles it (created it, or took a linked call).
const selectTicket = `
SELECT t.id, t.code, t.channel, coalesce(t.field, ''), coalesce(t.department, ''), t.status,
	t.received_at, t.term_days, t.deadline_at, t.extended_deadline_at, t.extension_reason,
	t.extension_legal_basis, t.resolved_at, t.closed_at,
	t.reporter_name, t.reporter_phone, t.reporter_email, t.address, t.lat, t.lon,
	t.description, t.result, t.reason, t.note, t.merged_into, t.callback, t.created_by, t.created_at,
	t.updated_at,
	ARRAY(SELECT tc.call_id FROM ticket_calls tc WHERE tc.ticket_id = t.id ORDER BY tc.linked_at, tc.call_id),
	coalesce((SELECT json_agg(json_build_object('url', a.url, 'kind', a.kind, 'name', a.name) ORDER BY a.id)
		FROM ticket_attachments a WHERE a.ticket_id = t.id), '[]'),
	$1 <> '' AND (coalesce(t.created_by_operator = $1, false) OR EXISTS (SELECT 1 FROM ticket_calls tc JOIN calls c ON c.id = tc.call_id
		WHERE tc.ticket_id = t.id AND c.operator = $1))
FROM tickets t`

type attachmentJSON struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// row is a ticket as stored, before masking.
type row struct {
	t       ticketing.Ticket
	handler bool
}

func scanTicket(r pgx.Row) (row, error) {
	var x row
	t := &x.t
	var rep ticketing.Reporter
	var loc ticketing.Location
	var attachments []attachmentJSON
	err := r.Scan(&t.ID, &t.Code, &t.Channel, &t.Field, &t.Department, &t.Status,
		&t.ReceivedAt, &t.TermDays, &t.DeadlineAt, &t.ExtendedDeadlineAt, &t.ExtensionReason,
		&t.LegalBasis, &t.ResolvedAt, &t.ClosedAt,
		&rep.Name, &rep.Phone, &rep.Email, &loc.Address, &loc.Lat, &loc.Lon,
		&t.Description, &t.Result, &t.Reason, &t.Note, &t.MergedInto, &t.Callback, &t.CreatedBy, &t.CreatedAt,
		&t.UpdatedAt, &t.CallIDs, &attachments, &x.handler)
	if err != nil {
		return x, err
	}
	if !rep.IsZero() {
		t.Reporter = &rep
	}
	if !loc.IsZero() {
		t.Location = &loc
	}
	t.Attachments = make([]ticketing.Attachment, len(attachments))
	for i, a := range attachments {
		t.Attachments[i] = ticketing.Attachment{URL: a.URL, Kind: ticketing.AttachmentKind(a.Kind), Name: a.Name}
	}
	if t.CallIDs == nil {
		t.CallIDs = []uuid.UUID{}
	}
	inZone(t)
	return x, nil
}

// inZone shows a ticket's times in Asia/Ho_Chi_Minh.
func inZone(t *ticketing.Ticket) {
	z := ticketing.Zone()
	for _, p := range []*time.Time{&t.ReceivedAt, &t.DeadlineAt, &t.CreatedAt, &t.UpdatedAt} {
		*p = p.In(z)
	}
	for _, p := range []**time.Time{&t.ExtendedDeadlineAt, &t.ResolvedAt, &t.ClosedAt} {
		if *p != nil {
			v := (*p).In(z)
			*p = &v
		}
	}
}

// reveal masks the reporters a may not see and writes an audit row for each reporter shown whole, on q
// (the read's transaction, or the pool).
func reveal(ctx context.Context, q querier, a ticketing.Actor, rows []row, now time.Time) ([]ticketing.Ticket, error) {
	out := make([]ticketing.Ticket, len(rows))
	var whole []uuid.UUID
	for i, r := range rows {
		t := r.t
		t.Overdue = t.IsOverdue(now)
		if t.Reporter != nil {
			if a.Role.AtLeast(ticketing.RoleSupervisor) || r.handler {
				whole = append(whole, t.ID)
			} else {
				m := t.Reporter.Masked()
				t.Reporter, t.ReporterMasked = &m, true
			}
		}
		out[i] = t
	}
	if len(whole) > 0 {
		_, err := q.Exec(ctx, `INSERT INTO ticket_audit (ticket_id, at, actor, role, action)
			SELECT id, $2, $3, $4, $5 FROM unnest($1::uuid[]) AS id`,
			whole, now, a.Who(), string(a.Role), ticketing.AuditReporterRead)
		if err != nil {
			return nil, fmt.Errorf("audit reporter reads: %w", err)
		}
	}
	return out, nil
}

// where returns the condition that finds a ticket by id or code, and its argument.
func byIDOrCode(idOrCode string) (string, any, bool) {
	if id, err := uuid.Parse(idOrCode); err == nil {
		return "t.id = $2", id, true
	}
	code := strings.ToUpper(idOrCode)
	if strings.HasPrefix(code, "PA-") && len(code) <= 20 {
		return "t.code = $2", code, true
	}
	return "", nil, false
}

// Get returns a ticket by id or code (PA-YYYY-NNNNNN, any case) as a sees it; ErrNotFound (wrapped) when
// there is none.
func (s *Store) Get(ctx context.Context, a ticketing.Actor, idOrCode string, now time.Time) (ticketing.Ticket, error) {
	return s.get(ctx, s.db, a, idOrCode, now, "")
}

func (s *Store) get(ctx context.Context, q querier, a ticketing.Actor, idOrCode string, now time.Time, lock string) (ticketing.Ticket, error) {
	rows, err := s.getRows(ctx, q, a, idOrCode, lock)
	if err != nil {
		return ticketing.Ticket{}, err
	}
	ts, err := reveal(ctx, q, a, rows, now)
	if err != nil {
		return ticketing.Ticket{}, err
	}
	return ts[0], nil
}

// getRows reads one ticket unmasked, with lock (e.g. " FOR UPDATE OF t") appended.
func (s *Store) getRows(ctx context.Context, q querier, a ticketing.Actor, idOrCode string, lock string) ([]row, error) {
	cond, arg, ok := byIDOrCode(idOrCode)
	if !ok {
		return nil, fmt.Errorf("ticket %q: %w", idOrCode, ticketing.ErrNotFound)
	}
	r, err := scanTicket(q.QueryRow(ctx, selectTicket+" WHERE "+cond+lock, a.Operator, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("ticket %s: %w", idOrCode, ticketing.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get ticket %s: %w", idOrCode, err)
	}
	return []row{r}, nil
}

// byNumberIDs selects the ids of the tickets of the number in parameter n (national form): those whose
// reporter gave it, those linked to a call from it, and the tickets such tickets were merged into.
func byNumberIDs(n string) string {
	return `ARRAY(
	SELECT id FROM tickets WHERE reporter_phone_national = ` + n + `
	UNION SELECT tc.ticket_id FROM calls c JOIN ticket_calls tc ON tc.call_id = c.id WHERE c.caller_digits = ` + n + `
	UNION SELECT merged_into FROM tickets WHERE reporter_phone_national = ` + n + ` AND merged_into IS NOT NULL)`
}

// ByNumberLimit is how many tickets ByNumber returns at most.
const ByNumberLimit = 50

// ByNumber returns the tickets of a caller's number in any writing (the reporter's phone, or a linked
// call's caller), open ones first, then newest first; merged tickets are left out (the tickets they were
// merged into are in). At most ByNumberLimit.
func (s *Store) ByNumber(ctx context.Context, a ticketing.Actor, number string, now time.Time) ([]ticketing.Ticket, error) {
	n := phone.National(number)
	if n == "" {
		return []ticketing.Ticket{}, nil
	}
	rows, err := s.db.Query(ctx, selectTicket+` WHERE t.id = ANY(`+byNumberIDs("$2")+`) AND t.status <> 'merged'
		ORDER BY t.is_open DESC, t.received_at DESC, t.id DESC LIMIT `+strconv.Itoa(ByNumberLimit), a.Operator, n)
	if err != nil {
		return nil, fmt.Errorf("tickets of a number: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) { return scanTicket(r) })
	if err != nil {
		return nil, fmt.Errorf("tickets of a number: %w", err)
	}
	return reveal(ctx, s.db, a, list, now)
}

// walkBudget is how many tickets, newest first, a text search tests one by one before it asks the text
// index instead: a word found in one recent ticket in a hundred fills a page within the budget.
const walkBudget = 5000

// List returns a page of tickets matching f, newest first (received_at, then id), as a sees them, and the
// cursor of the next page ("" on the last). f is read as ParseFilter leaves it; a bad cursor is
// ErrBadCursor.
//
// A page is found in two steps: the ids of the page, by an index walk in (received_at, id) order (index
// alone where the filters allow it), then their rows. A text search first tests the newest walkBudget
// tickets (of the other filters) one by one; when they do not fill the page it takes the matches from the
// text index and sorts them. Each query is planned with its values (not a generic plan), since how many
// tickets a status, a field or a word has decides the plan.
func (s *Store) List(ctx context.Context, a ticketing.Actor, f ticketing.Filter, now time.Time) ([]ticketing.Ticket, string, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = ticketing.DefaultLimit
	case limit > ticketing.MaxLimit:
		limit = ticketing.MaxLimit
	}
	args := []any{a.Operator} // $1: the operator, for selectTicket
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var where []string
	if f.Status != "" {
		where = append(where, "t.status = "+arg(f.Status))
	}
	if f.Field != "" {
		where = append(where, "t.field = "+arg(f.Field))
	}
	if f.Department != "" {
		where = append(where, "t.department = "+arg(f.Department))
	}
	if f.Channel != "" {
		where = append(where, "t.channel = "+arg(f.Channel))
	}
	if f.Overdue != nil {
		if *f.Overdue {
			where = append(where, "t.is_open", "t.due_at < "+arg(now))
		} else {
			where = append(where, "NOT (t.is_open AND t.due_at < "+arg(now)+")")
		}
	}
	if !f.From.IsZero() {
		where = append(where, "t.received_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "t.received_at < "+arg(f.To))
	}
	if f.Number != "" {
		where = append(where, "t.id = ANY("+byNumberIDs(arg(phone.National(f.Number)))+")")
	}
	if f.Cursor != "" {
		at, id, err := ticketing.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, fmt.Sprintf("(t.received_at, t.id) < (%s, %s)", arg(at), arg(id)))
	}
	cond := "true"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	const order = " ORDER BY received_at DESC, id DESC LIMIT "
	n := strconv.Itoa(limit + 1)
	var pages []string
	if q := tsquery(f.Q, arg); q != "" {
		pages = []string{
			`SELECT id, received_at FROM (SELECT t.id, t.received_at, t.search_vector FROM tickets t WHERE ` + cond +
				` ORDER BY t.received_at DESC, t.id DESC LIMIT ` + strconv.Itoa(walkBudget) + `) t
			WHERE t.search_vector @@ ` + q + order + n,
			`WITH m AS MATERIALIZED (SELECT t.id, t.received_at FROM tickets t WHERE ` + cond + ` AND t.search_vector @@ ` + q + `)
			SELECT id, received_at FROM m` + order + n,
		}
	} else {
		pages = []string{`SELECT t.id, t.received_at FROM tickets t WHERE ` + cond + order + n}
	}
	var list []row
	for _, page := range pages {
		var err error
		list, err = s.page(ctx, page, args)
		if err != nil {
			return nil, "", err
		}
		if len(list) > limit {
			break
		}
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1].t
		next = ticketing.EncodeCursor(last.ReceivedAt, last.ID)
	}
	out, err := reveal(ctx, s.db, a, list, now)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// page reads the tickets whose ids (with received_at) the query page selects, in its order.
func (s *Store) page(ctx context.Context, page string, args []any) ([]row, error) {
	q := selectTicket + ` JOIN (` + page + `) p ON p.id = t.id ORDER BY p.received_at DESC, p.id DESC`
	rows, err := s.db.Query(ctx, q, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) { return scanTicket(r) })
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return list, nil
}

// tsquery returns the text search query of q (see ticketing.SearchTerms): its words whole and its last
// word as a prefix, written as the search column is (ticketing.SearchKey), so the parser that indexed the
// tickets cuts them alike; "" when q has no word.
func tsquery(q string, arg func(any) string) string {
	words, prefix := ticketing.SearchTerms(q)
	var parts []string
	if words != "" {
		parts = append(parts, "plainto_tsquery('simple', "+arg(words)+")")
	}
	switch {
	case utf8.RuneCountInString(prefix) == 1:
		// One letter as a prefix would match a good part of the dictionary: it is matched as a word.
		parts = append(parts, "plainto_tsquery('simple', "+arg(prefix)+")")
	case prefix != "":
		// The prefix is letters and digits only: quoted, it is one lexeme.
		parts = append(parts, "to_tsquery('simple', "+arg("'"+prefix+"':*")+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, " && ") + ")"
}
