package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"hotline/internal/tokens"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// Escalation is the reminders' side the API serves: the breach report and acknowledgements.
type Escalation interface {
	Report(ctx context.Context, from, to, now time.Time) (escalation.Report, error)
	Acknowledge(ctx context.Context, idOrCode string, stage escalation.Stage, by ticketing.Actor, note string, via escalation.Via, now time.Time) (escalation.Acknowledgement, error)
	VerifyAck(ctx context.Context, token string, now time.Time) (escalation.AckLink, error)
	AcknowledgeLink(ctx context.Context, token, note string, now time.Time) (escalation.Acknowledgement, error)
}

type ackJSON struct {
	TicketID string    `json:"ticket_id"`
	Code     string    `json:"code"`
	Stage    string    `json:"stage"`
	DueAt    time.Time `json:"due_at"`
	QueuedAt time.Time `json:"queued_at"`
	At       time.Time `json:"acknowledged_at"`
	By       string    `json:"by"`
	Via      string    `json:"via"`
	Note     string    `json:"note"`
}

func toAckJSON(a escalation.Acknowledgement) ackJSON {
	return ackJSON{TicketID: a.TicketID.String(), Code: a.Code, Stage: string(a.Stage), DueAt: a.DueAt.In(Vietnam),
		QueuedAt: a.QueuedAt.In(Vietnam), At: a.At.In(Vietnam), By: a.By, Via: string(a.Via), Note: a.Note}
}

// acknowledge: POST /api/v1/tickets/{id}/acknowledge {"stage", "note"}: any token, e.g. an operator who
// takes the department's call.
func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Stage string `json:"stage"`
		Note  string `json:"note"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.cfg.Escalation.Acknowledge(r.Context(), r.PathValue("id"), escalation.Stage(body.Stage), actor(r),
		body.Note, escalation.ViaAPI, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAckJSON(a))
}

// breachReport: GET /api/v1/reports/breaches?from=&to=&format=json|csv|html (supervisors). Default period:
// this month so far.
func (s *Server) breachReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := time.Now()
	from, err := queryTime("from", q.Get("from"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, err := queryTime("to", q.Get("to"), true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		y, m, _ := to.In(Vietnam).Date()
		from = time.Date(y, m, 1, 0, 0, 0, 0, Vietnam)
	}
	if !from.Before(to) {
		s.fail(w, r, badRequest{"from must be before to"})
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	write, ctype := map[string]func(*bytes.Buffer, escalation.Report) error{
		"json": func(b *bytes.Buffer, rep escalation.Report) error { return escalation.WriteJSON(b, rep) },
		"csv":  func(b *bytes.Buffer, rep escalation.Report) error { return escalation.WriteCSV(b, rep) },
		"html": func(b *bytes.Buffer, rep escalation.Report) error { return escalation.WriteHTML(b, rep) },
	}[format], map[string]string{"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8",
		"html": "text/html; charset=utf-8"}[format]
	if write == nil {
		s.fail(w, r, badRequest{"format must be json, csv or html"})
		return
	}
	rep, err := s.cfg.Escalation.Report(r.Context(), from, to, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := write(&b, rep); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		w.Header().Set("Content-Disposition", `attachment; filename="bao-cao-tre-han-`+from.In(Vietnam).Format("20060102")+
			"-"+to.In(Vietnam).Format("20060102")+`.csv"`)
	}
	_, _ = w.Write(b.Bytes())
}

// ackPage: GET /ack/{token} shows the notice and a confirm button; POST /ack/{token} (form field note)
// acknowledges it, once. No token is needed: the link is signed. Only POST changes anything, so mail
// scanners that open links acknowledge nothing.
func (s *Server) ackPage(w http.ResponseWriter, r *http.Request) {
	token, now := r.PathValue("token"), time.Now()
	var page escalation.AckPage
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "the form is larger than 64 KiB or malformed: send a shorter note")
			return
		}
		// Browsers send line breaks as CR LF; the note's length counts them once.
		note := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("note"), "\r\n", "\n"))
		done, err := s.cfg.Escalation.AcknowledgeLink(r.Context(), token, note, now)
		if err == nil {
			page.Done = &done
		} else {
			page.Err = err
		}
	}
	if page.Err == nil {
		link, err := s.cfg.Escalation.VerifyAck(r.Context(), token, now)
		if err == nil {
			page.Link = &link
		} else {
			page.Err = err
		}
	}
	var acked *escalation.AcknowledgedError
	var ve *ticketing.ValidationError
	switch {
	case page.Err == nil:
	case errors.As(page.Err, &ve):
		status = http.StatusUnprocessableEntity
	case errors.Is(page.Err, escalation.ErrBadLink):
		status = http.StatusNotFound
	case errors.Is(page.Err, escalation.ErrLinkExpired):
		status = http.StatusGone
	case errors.As(page.Err, &acked):
		status = http.StatusConflict
	case databaseDown(page.Err):
		status = http.StatusServiceUnavailable
	default:
		s.log.Error("acknowledgement link failed", "error", page.Err)
		status = http.StatusInternalServerError
	}
	var b bytes.Buffer
	if err := escalation.WriteAckPage(&b, page); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token must not leak to other sites
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) escalationRoutes() {
	s.route("GET /api/v1/reports/breaches", tokens.Supervisor, s.breachReport)
	s.route("POST /api/v1/tickets/{id}/acknowledge", tokens.Operator, s.acknowledge)
	s.mux.HandleFunc("GET /ack/{token}", s.ackPage)
	s.mux.HandleFunc("POST /ack/{token}", s.ackPage)
}
