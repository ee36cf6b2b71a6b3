package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/internal/tokens"
)

// Calls is what the API reads call records from.
type Calls interface {
	Get(ctx context.Context, id uuid.UUID) (calls.Call, error)
	List(ctx context.Context, f calls.Filter) ([]calls.Call, string, error)
	GetRecording(ctx context.Context, id uuid.UUID) (calls.Recording, error)
	WithSegments(ctx context.Context, cs []calls.Call) error
	ListRecordings(ctx context.Context, f calls.RecordingFilter) ([]calls.ListedRecording, string, error)
	LogAccess(ctx context.Context, id uuid.UUID, a calls.Access) error
	AccessLog(ctx context.Context, id uuid.UUID) ([]calls.Access, error)
	AddReview(ctx context.Context, id uuid.UUID, r calls.Review, role string) error
	Reviews(ctx context.Context, id uuid.UUID) ([]calls.Review, error)
	SetHold(ctx context.Context, id uuid.UUID, hold bool, reason, by, role string, now time.Time) error
}

// Audio opens finished recording files by their stored relative path.
type Audio interface {
	Open(rel string) (*os.File, error)
}

// Part is one part of the service whose health /healthz reports.
type Part struct {
	Name  string
	Check func(ctx context.Context) error
}

// Config wires the API.
type Config struct {
	// Tokens signs requests in: every /api/ route needs a bearer token.
	Tokens Tokens
	Calls  Calls
	Audio  Audio
	Desk   Desk // nil: no queue endpoints
	// Escalation serves the breach report and acknowledgements; nil: none.
	Escalation Escalation
	// Outbox lists and retries notifications (admins); nil: no notification endpoints.
	Outbox Outbox
	// Tickets serves the tickets and their reference data; nil: no ticket endpoints.
	Tickets Tickets
	// Metrics serves GET /metrics (Prometheus text format, no sign-in); nil: none.
	Metrics http.Handler
	Parts   []Part
	Log     *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	cfg  Config
	log  *slog.Logger
	mux  *http.ServeMux
	http *http.Server
}

// New builds the routes.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Log, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	if cfg.Metrics != nil {
		s.mux.Handle("GET /metrics", cfg.Metrics)
	}
	s.route("GET /api/v1/calls", tokens.Operator, s.listCalls)
	s.route("GET /api/v1/calls/{id}", tokens.Operator, s.getCall)
	s.recordingRoutes()
	if cfg.Desk != nil {
		s.route("GET /api/v1/queue", tokens.Operator, s.getQueue)
		s.route("POST /api/v1/agents/{ext}/state", tokens.Operator, s.setAgentState)
		s.route("POST /api/v1/queue/pickup", tokens.Operator, s.pickup)
	}
	if cfg.Tickets != nil {
		s.ticketRoutes()
	}
	if cfg.Outbox != nil {
		s.notificationRoutes()
	}
	if cfg.Escalation != nil {
		s.escalationRoutes()
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: see the API in the README")
	})
	return s
}

// Handler is the API's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Serve answers on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.http = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops taking requests and waits for those in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.http == nil {
		return nil
	}
	return s.http.Shutdown(ctx)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var down []string
	for _, p := range s.cfg.Parts {
		if err := p.Check(ctx); err != nil {
			// Without sign-in the answer names the part only; the log has the details.
			s.log.Warn("health check failed", "part", p.Name, "error", err)
			down = append(down, p.Name)
		}
	}
	if len(down) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "down", "down": down,
			"error": strings.Join(down, ", ") + " down: see the hotline's log"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
