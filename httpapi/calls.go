package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/internal/phone"
	"hotline/internal/tokens"
	"hotline/ticketing"
)

// Vietnam is the time zone times are shown in and dates are read in.
var Vietnam = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Without tzdata on the host the zone is fixed UTC+7 (Vietnam has no daylight saving).
		return time.FixedZone(name, 7*3600)
	}
	return loc
}

type callJSON struct {
	ID           string        `json:"id"`
	SIPCallID    string        `json:"sip_call_id"`
	Caller       string        `json:"caller"`
	CallerName   string        `json:"caller_name"`
	Called       string        `json:"called"`
	Transport    string        `json:"transport"`
	Codec        *string       `json:"codec"`
	ArrivedAt    time.Time     `json:"arrived_at"`
	AnsweredAt   *time.Time    `json:"answered_at"`
	QueuedAt     *time.Time    `json:"queued_at"`
	ConnectedAt  *time.Time    `json:"connected_at"`
	EndedAt      *time.Time    `json:"ended_at"`
	EndReason    *string       `json:"end_reason"`
	Operator     *string       `json:"operator"`
	RecordingID  *string       `json:"recording_id"`
	TicketIDs    []string      `json:"ticket_ids"`
	Segments     []segmentJSON `json:"segments"`
	Callback     bool          `json:"callback"`
	CallerMasked bool          `json:"caller_masked"`
	Node         string        `json:"node"`
}

type segmentJSON struct {
	Kind          string     `json:"kind"`
	Ext           *string    `json:"ext"`
	StartedAt     time.Time  `json:"started_at"`
	EndedAt       *time.Time `json:"ended_at"`
	OffsetSeconds float64    `json:"offset_seconds"` // from the start of the recording
	Seconds       *float64   `json:"seconds"`
}

func toCallJSON(c calls.Call) callJSON {
	j := callJSON{
		ID: c.ID.String(), SIPCallID: c.SIPCallID, Caller: c.Caller, CallerName: c.CallerName,
		Called: c.Called, Transport: c.Transport, Codec: opt(c.Codec), ArrivedAt: c.ArrivedAt.In(Vietnam),
		AnsweredAt: local(c.AnsweredAt), QueuedAt: local(c.QueuedAt), ConnectedAt: local(c.ConnectedAt),
		EndedAt: local(c.EndedAt), EndReason: opt(c.EndReason), Operator: opt(c.Operator),
		TicketIDs: []string{}, Segments: []segmentJSON{}, Callback: c.Callback, Node: c.NodeID,
	}
	for _, id := range c.TicketIDs {
		j.TicketIDs = append(j.TicketIDs, id.String())
	}
	for _, sg := range c.Segments {
		js := segmentJSON{Kind: sg.Kind, Ext: opt(sg.Ext), StartedAt: sg.StartedAt.In(Vietnam), EndedAt: local(sg.EndedAt),
			OffsetSeconds: float64(sg.Offset.Milliseconds()) / 1000}
		if sg.EndedAt != nil {
			d := float64(sg.EndedAt.Sub(sg.StartedAt).Milliseconds()) / 1000
			js.Seconds = &d
		}
		j.Segments = append(j.Segments, js)
	}
	if c.RecordingID != nil {
		id := c.RecordingID.String()
		j.RecordingID = &id
	}
	return j
}

// callFor shows a call to the request's token: the caller's number and name are whole to supervisors and
// to the operator who took the call, masked to other operators (as a ticket's reporter is).
func (s *Server) callFor(r *http.Request, c calls.Call) callJSON {
	j := toCallJSON(c)
	if t := who(r); !t.Role.AtLeast(tokens.Supervisor) && (t.Operator == "" || t.Operator != c.Operator) {
		j.Caller, j.CallerName, j.CallerMasked = phone.Mask(j.Caller), ticketing.MaskName(j.CallerName), true
	}
	return j
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func local(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.In(Vietnam)
	return &v
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) {
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
	one := []calls.Call{c}
	if err := s.cfg.Calls.WithSegments(r.Context(), one); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.callFor(r, one[0]))
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := calls.Filter{Operator: q.Get("operator"), Number: q.Get("number"), Cursor: q.Get("cursor")}
	if err := numberSearch(r, f.Number); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	if f.Limit, err = limit(q.Get("limit")); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.From, err = queryTime("from", q.Get("from"), false); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.To, err = queryTime("to", q.Get("to"), true); err != nil {
		s.fail(w, r, err)
		return
	}
	list, next, err := s.cfg.Calls.List(r.Context(), f)
	if err == nil {
		err = s.cfg.Calls.WithSegments(r.Context(), list)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]callJSON, len(list))
	for i, c := range list {
		items[i] = s.callFor(r, c)
	}
	writePage(w, items, next)
}

func writePage[T any](w http.ResponseWriter, items []T, next string) {
	writeJSON(w, http.StatusOK, struct {
		Items      []T     `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}{items, opt(next)})
}

// limit reads ?limit= (default 50, 1 to 500).
func limit(v string) (int, error) {
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		return 0, badRequest{"limit must be a whole number from 1 to 500"}
	}
	return n, nil
}

// queryTime reads a time given as RFC 3339 or as a date YYYY-MM-DD in Vietnam; a date used as the end of
// a range (end=true) means the end of that day.
func queryTime(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, Vietnam); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	return time.Time{}, badRequest{name + " must be a time in RFC 3339 (2026-11-29T08:00:00+07:00) or a date (2026-11-29)"}
}
