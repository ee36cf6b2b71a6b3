package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/internal/phone"
	"hotline/internal/tokens"
	"hotline/queue"
	"hotline/queue/queuepg"
)

// Desk is what the API reads and changes of the call desk.
type Desk interface {
	Line(ctx context.Context) ([]queuepg.Waiting, error)
	Agents(ctx context.Context, dayStart, now time.Time) ([]queue.Agent, error)
	Agent(ctx context.Context, ext string, now time.Time) (queue.Agent, error)
	Events(ctx context.Context, from, to time.Time) ([]queue.Event, error)
	SetState(ctx context.Context, ext string, to queue.State, reason string, now time.Time) error
	// Pickup rings the operator's phone and connects it to the caller (callID, or the head of the line).
	Pickup(ctx context.Context, ext string, callID *uuid.UUID) (uuid.UUID, error)
}

type waitingJSON struct {
	CallID      string  `json:"call_id"`
	Caller      string  `json:"caller"`
	Position    int     `json:"position"`
	WaitSeconds float64 `json:"wait_seconds"`
	Field       *string `json:"field"`
	Priority    int     `json:"priority"`
	OfferedTo   *string `json:"offered_to"`
}

type agentJSON struct {
	Ext        string    `json:"ext"`
	Name       string    `json:"name"`
	State      string    `json:"state"`
	Since      time.Time `json:"since"`
	Reason     string    `json:"reason"`
	CallsToday int       `json:"calls_today"`
	Registered bool      `json:"registered"`
}

type statsJSON struct {
	Offered            int      `json:"offered"`
	Answered           int      `json:"answered"`
	Abandoned          int      `json:"abandoned"`
	ServiceLevel       *float64 `json:"service_level"`
	AbandonRate        *float64 `json:"abandon_rate"`
	ASASeconds         *float64 `json:"asa_seconds"`
	AHTSeconds         *float64 `json:"aht_seconds"`
	LongestWaitSeconds float64  `json:"longest_wait_seconds"`
}

func toStats(f queue.Figures) statsJSON {
	secs := func(d *time.Duration) *float64 {
		if d == nil {
			return nil
		}
		v := round(d.Seconds())
		return &v
	}
	return statsJSON{Offered: f.Offered, Answered: f.Answered, Abandoned: f.Abandoned, ServiceLevel: f.ServiceLevel,
		AbandonRate: f.AbandonRate, ASASeconds: secs(f.ASA), AHTSeconds: secs(f.AHT),
		LongestWaitSeconds: round(f.LongestWait.Seconds())}
}

func round(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

func toAgent(a queue.Agent) agentJSON {
	return agentJSON{Ext: a.Ext, Name: a.Name, State: string(a.State), Since: a.Since.In(Vietnam), Reason: a.Reason,
		CallsToday: a.CallsToday, Registered: a.Registered}
}

func (s *Server) getQueue(w http.ResponseWriter, r *http.Request) {
	ctx, now := r.Context(), time.Now()
	line, err := s.cfg.Desk.Line(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	y, m, d := now.In(Vietnam).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, Vietnam)
	agents, err := s.cfg.Desk.Agents(ctx, today, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from := today
	if hour := now.Add(-time.Hour); hour.Before(from) {
		from = hour
	}
	events, err := s.cfg.Desk.Events(ctx, from, now.Add(time.Second))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	waiting := make([]waitingJSON, len(line))
	var waits []time.Duration
	// Operators see who waits only masked: the number is theirs once the call is.
	whole := who(r).Role.AtLeast(tokens.Supervisor)
	for i, e := range line {
		wait := now.Sub(e.EnteredAt)
		waits = append(waits, wait)
		caller := e.Caller
		if !whole {
			caller = phone.Mask(caller)
		}
		waiting[i] = waitingJSON{CallID: e.CallID.String(), Caller: caller, Position: e.Position,
			WaitSeconds: round(wait.Seconds()), Field: opt(e.Field), Priority: e.Priority, OfferedTo: opt(e.OfferedTo)}
	}
	var lastHour, day []queue.Event
	for _, e := range events {
		if !e.At.Before(now.Add(-time.Hour)) {
			lastHour = append(lastHour, e)
		}
		if !e.At.Before(today) {
			day = append(day, e)
		}
	}
	as := make([]agentJSON, len(agents))
	for i, a := range agents {
		as[i] = toAgent(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"waiting": waiting,
		"agents":  as,
		"stats": map[string]statsJSON{
			"last_hour": toStats(queue.Compute(lastHour, waits)),
			"today":     toStats(queue.Compute(day, waits)),
		},
	})
}

func (s *Server) setAgentState(w http.ResponseWriter, r *http.Request) {
	var body struct {
		State  string `json:"state"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	st, ok := queue.ParseState(body.State)
	if !ok || (st != queue.Available && st != queue.Paused && st != queue.Offline) {
		s.fail(w, r, unprocessable{`field "state" must be "available", "paused" or "offline"`})
		return
	}
	reason := strings.TrimSpace(body.Reason)
	if len(reason) > 200 {
		s.fail(w, r, unprocessable{`field "reason" is longer than 200 characters`})
		return
	}
	ext := r.PathValue("ext")
	if err := mayActFor(r, ext); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.cfg.Desk.SetState(r.Context(), ext, st, reason, time.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.cfg.Desk.Agent(r.Context(), ext, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAgent(a))
}

func (s *Server) pickup(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Operator string  `json:"operator"`
		CallID   *string `json:"call_id"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Operator == "" {
		s.fail(w, r, unprocessable{`field "operator" is required: the extension whose phone rings`})
		return
	}
	if err := mayActFor(r, body.Operator); err != nil {
		s.fail(w, r, err)
		return
	}
	var callID *uuid.UUID
	if body.CallID != nil {
		id, err := uuid.Parse(*body.CallID)
		if err != nil {
			s.fail(w, r, unprocessable{`field "call_id" must be a call's id (a UUID)`})
			return
		}
		callID = &id
	}
	id, err := s.cfg.Desk.Pickup(r.Context(), body.Operator, callID)
	if errors.Is(err, queue.ErrNotWaiting) {
		s.fail(w, r, conflict{"no such caller is waiting on this node (taken, gone, or another operator's phone rings for it)"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"call_id": id.String(), "operator": body.Operator,
		"status": "ringing"})
}

// conflict is a request that the current state forbids (409).
type conflict struct{ msg string }

func (e conflict) Error() string { return e.msg }
