package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"hotline/calls"
	"hotline/queue"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// badRequest is a query or body the client must fix; its message says how.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// errDatabaseDown is reported when PostgreSQL cannot be reached.
var errDatabaseDown = errors.New("the database does not answer: try again in a moment; if it lasts, check PostgreSQL")

// status maps an error to its HTTP status and the message the client sees: the one table from errors to
// HTTP answers. Unknown errors are logged and answered 500 without details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var br badRequest
	var un unprocessable
	var tl tooLarge
	var cf conflict
	var fb forbidden
	var te *queue.TransitionError
	var tte *ticketing.TransitionError
	var ve *ticketing.ValidationError
	var qe *ticketing.QueryError
	switch {
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, br.msg)
	case errors.As(err, &un):
		writeError(w, http.StatusUnprocessableEntity, un.msg)
	case errors.As(err, &tl):
		writeError(w, http.StatusRequestEntityTooLarge, tl.Error())
	case errors.As(err, &fb):
		writeError(w, http.StatusForbidden, fb.msg)
	case errors.As(err, &cf):
		writeError(w, http.StatusConflict, cf.msg)
	case errors.As(err, &te):
		allowed := make([]string, len(te.Allowed))
		for i, a := range te.Allowed {
			allowed[i] = string(a)
		}
		writeJSON(w, http.StatusConflict, map[string]any{"error": te.Error(), "from": te.From, "to": te.To,
			"allowed": allowed})
	case errors.As(err, &tte):
		allowed := make([]string, len(tte.Allowed))
		for i, a := range tte.Allowed {
			allowed[i] = string(a)
		}
		writeJSON(w, http.StatusConflict, map[string]any{"error": tte.Error(), "from": tte.From, "to": tte.To,
			"allowed": allowed})
	case errors.As(err, &ve):
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": ve.Error(), "fields": ve.Fields})
	case errors.As(err, &qe):
		writeError(w, http.StatusBadRequest, qe.Error())
	case errors.Is(err, ticketing.ErrBadCursor):
		writeError(w, http.StatusBadRequest, ticketing.ErrBadCursor.Error())
	case errors.Is(err, escalation.ErrAcknowledged):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, escalation.ErrNoNotice), errors.Is(err, escalation.ErrBadLink):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, escalation.ErrLinkExpired):
		writeError(w, http.StatusGone, err.Error())
	case errors.Is(err, ticketing.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ticketing.ErrForbidden):
		writeError(w, http.StatusForbidden, err.Error())
	case errors.Is(err, ticketing.ErrConflict), errors.Is(err, ticketing.ErrExists):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, queue.ErrUnknownOperator):
		writeError(w, http.StatusNotFound, "no operator has this extension (see hotline operator list)")
	case errors.Is(err, calls.ErrBadCursor):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, calls.ErrNotFound):
		writeError(w, http.StatusNotFound, "no call has this id")
	case errors.Is(err, calls.ErrRecordingNotFound):
		writeError(w, http.StatusNotFound, "no recording has this id")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away: nobody reads an answer.
	case databaseDown(err):
		writeError(w, http.StatusServiceUnavailable, errDatabaseDown.Error())
	default:
		s.log.Error("http request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal error: the hotline logged it; try again or tell the administrator")
	}
}

func databaseDown(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Connection exceptions (class 08) and a server shutting down or restarting (57P01–57P03).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) ||
		pgconn.SafeToRetry(err)
}
