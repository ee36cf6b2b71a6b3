package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"hotline/internal/tokens"
	"hotline/notify"
)

// Outbox is the notifications' outbox, as admins see it.
type Outbox interface {
	List(ctx context.Context, state string, limit int, cursor string) (notify.Page, error)
	Retry(ctx context.Context, id uuid.UUID, now time.Time) (notify.Entry, error)
}

type notificationJSON struct {
	ID             string     `json:"id"`
	IdempotencyKey string     `json:"idempotency_key"`
	Channel        string     `json:"channel"`
	Target         string     `json:"target"`
	Event          string     `json:"event"`
	Stage          *string    `json:"stage"`
	Department     *string    `json:"department"`
	TicketID       *string    `json:"ticket_id"`
	State          string     `json:"state"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	LastError      *string    `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

func toNotificationJSON(e notify.Entry) notificationJSON {
	j := notificationJSON{ID: e.ID.String(), IdempotencyKey: e.Key, Channel: string(e.Channel), Target: e.Target,
		Event: e.Event, Stage: opt(e.Stage), Department: opt(e.Department), State: string(e.State),
		Attempts: e.Attempts, LastError: opt(e.LastError), CreatedAt: e.CreatedAt.In(Vietnam)}
	if e.TicketID != uuid.Nil {
		id := e.TicketID.String()
		j.TicketID = &id
	}
	if e.State == notify.Pending || e.State == notify.Sending {
		j.NextAttemptAt = local(&e.NextAttemptAt)
	}
	if !e.DeliveredAt.IsZero() {
		j.DeliveredAt = local(&e.DeliveredAt)
	}
	return j
}

// listNotifications: GET /api/v1/notifications?state=pending|sending|delivered|dead (admins).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limit(q.Get("limit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.cfg.Outbox.List(r.Context(), q.Get("state"), limit, q.Get("cursor"))
	switch {
	case errors.Is(err, notify.ErrBadState):
		s.fail(w, r, badRequest{"state must be pending, sending, delivered or dead"})
		return
	case errors.Is(err, notify.ErrBadCursor):
		s.fail(w, r, badRequest{"bad cursor: pass next_cursor from the previous page as it is"})
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	items := make([]notificationJSON, len(page.Items))
	for i, e := range page.Items {
		items[i] = toNotificationJSON(e)
	}
	writePage(w, items, page.NextCursor)
}

// retryNotification: POST /api/v1/notifications/{id}/retry sends a dead notification again (admins).
func (s *Server) retryNotification(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, "no notification has this id")
		return
	}
	e, err := s.cfg.Outbox.Retry(r.Context(), id, time.Now())
	switch {
	case errors.Is(err, notify.ErrNotFound):
		writeError(w, http.StatusNotFound, "no notification has this id")
	case errors.Is(err, notify.ErrNotDead):
		writeError(w, http.StatusConflict, "only a dead notification is retried; this one is "+strconv.Quote(string(e.State)))
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, toNotificationJSON(e))
	}
}

func (s *Server) notificationRoutes() {
	s.route("GET /api/v1/notifications", tokens.Admin, s.listNotifications)
	s.route("POST /api/v1/notifications/{id}/retry", tokens.Admin, s.retryNotification)
}
