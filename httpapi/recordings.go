package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"hotline/calls"
	"hotline/internal/phone"
	"hotline/internal/tokens"
	"hotline/ticketing"
)

// Recordings are evidence: supervisors list them, listen with HTTP Range (every listen logged), verify
// their SHA-256, review them, and put them on legal hold; retention leaves a tombstone.

type recordingJSON struct {
	ID              string     `json:"id"`
	CallID          string     `json:"call_id"`
	Kind            string     `json:"kind"`
	StartedAt       time.Time  `json:"started_at"`
	DurationSeconds float64    `json:"duration_seconds"`
	Bytes           int64      `json:"bytes"`
	SHA256          string     `json:"sha256"`
	Repaired        bool       `json:"repaired"`
	AudioURL        *string    `json:"audio_url"` // null once the audio is deleted
	LegalHold       bool       `json:"legal_hold"`
	HoldReason      *string    `json:"hold_reason"`
	DeletedAt       *time.Time `json:"deleted_at"`
	DeletedBy       *string    `json:"deleted_by"`
	DeletedReason   *string    `json:"deleted_reason"`
	// In lists:
	Operator    *string  `json:"operator,omitempty"`
	Caller      *string  `json:"caller,omitempty"`
	WaitSeconds *float64 `json:"wait_seconds,omitempty"`
	ReviewScore *float64 `json:"review_score,omitempty"`
	Reviews     *int     `json:"reviews,omitempty"`
}

func toRecordingJSON(rec calls.Recording) recordingJSON {
	j := recordingJSON{
		ID: rec.ID.String(), CallID: rec.CallID.String(), Kind: rec.Kind, StartedAt: rec.StartedAt.In(Vietnam),
		DurationSeconds: rec.Duration.Seconds(), Bytes: rec.Bytes, SHA256: rec.SHA256, Repaired: rec.Repaired,
		LegalHold: rec.LegalHold, HoldReason: opt(rec.HoldReason), DeletedAt: local(rec.DeletedAt),
		DeletedBy: opt(rec.DeletedBy), DeletedReason: opt(rec.DeletedReason),
	}
	if rec.DeletedAt == nil {
		u := "/api/v1/recordings/" + rec.ID.String() + "/audio"
		j.AudioURL = &u
	}
	return j
}

func (s *Server) recording(w http.ResponseWriter, r *http.Request) (calls.Recording, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, calls.ErrRecordingNotFound)
		return calls.Recording{}, false
	}
	rec, err := s.cfg.Calls.GetRecording(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return calls.Recording{}, false
	}
	return rec, true
}

func (s *Server) getRecording(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toRecordingJSON(rec))
}

// listRecordings: GET /api/v1/recordings?from=&to=&operator=&ticket=&field=&min_duration=&max_duration=
// &min_wait=&deleted=&limit=&cursor= (durations in seconds), newest first.
func (s *Server) listRecordings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := calls.RecordingFilter{Operator: q.Get("operator"), Field: q.Get("field"), Cursor: q.Get("cursor")}
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
	if v := q.Get("ticket"); v != "" {
		if f.Ticket, err = uuid.Parse(v); err != nil {
			s.fail(w, r, badRequest{"ticket must be a ticket's id (a UUID)"})
			return
		}
	}
	if f.Field != "" && !ticketing.ValidCode(f.Field) {
		s.fail(w, r, badRequest{"field must be a field's code (see GET /api/v1/fields)"})
		return
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"min_duration", &f.MinDuration}, {"max_duration", &f.MaxDuration}, {"min_wait", &f.MinWait}} {
		if v := q.Get(d.name); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n < 0 || n > 1e7 {
				s.fail(w, r, badRequest{d.name + " must be a number of seconds, e.g. 30"})
				return
			}
			*d.dst = time.Duration(n * float64(time.Second))
		}
	}
	if v := q.Get("deleted"); v != "" {
		if f.IncludeDeleted, err = strconv.ParseBool(v); err != nil {
			s.fail(w, r, badRequest{"deleted must be true or false"})
			return
		}
	}
	list, next, err := s.cfg.Calls.ListRecordings(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]recordingJSON, len(list))
	for i, l := range list {
		j := toRecordingJSON(l.Recording)
		caller := l.Caller
		if !who(r).Role.AtLeast(tokens.Supervisor) {
			caller = phone.Mask(caller)
		}
		j.Operator, j.Caller, j.ReviewScore, j.Reviews = opt(l.Operator), &caller, l.ReviewScore, &l.Reviews
		if l.Wait != nil {
			w := round(l.Wait.Seconds())
			j.WaitSeconds = &w
		}
		items[i] = j
	}
	writePage(w, items, next)
}

// access logs a use of a recording; a log that cannot be written refuses the use (no unlogged listening).
func (s *Server) access(r *http.Request, rec calls.Recording, action, detail string) error {
	t := who(r)
	return s.cfg.Calls.LogAccess(r.Context(), rec.ID, calls.Access{At: time.Now(), Actor: t.Name, Role: string(t.Role),
		Action: action, Detail: detail})
}

// getAudio streams the WAV file with HTTP Range support (206 with Content-Range; 416 outside the file);
// every request is written to the recording's access log.
func (s *Server) getAudio(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	if rec.DeletedAt != nil {
		writeError(w, http.StatusGone, "the audio was deleted on "+rec.DeletedAt.In(Vietnam).Format(time.DateOnly)+
			" by "+rec.DeletedBy+" ("+rec.DeletedReason+"); the call's record stays")
		return
	}
	f, err := s.cfg.Audio.Open(rec.Path)
	if err != nil {
		s.log.Error("recording file cannot be opened", "path", rec.Path, "error", err)
		writeError(w, http.StatusNotFound, "the recording's file is missing from the recordings folder")
		return
	}
	defer f.Close()
	detail := "whole"
	if rg := r.Header.Get("Range"); rg != "" {
		detail = trimTo(rg, 100)
	}
	if err := s.access(r, rec, "listen", detail); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", `inline; filename="`+rec.CallID.String()+`.wav"`)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", rec.StartedAt, f)
}

func trimTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// verifyRecording: GET /api/v1/recordings/{id}/verify: hashes the file again and compares it with the
// SHA-256 stored when the call ended, so a supervisor can trust (or distrust) the evidence.
func (s *Server) verifyRecording(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	if err := s.access(r, rec, "verify", ""); err != nil {
		s.fail(w, r, err)
		return
	}
	res := map[string]any{"id": rec.ID.String(), "intact": false, "sha256": rec.SHA256, "actual_sha256": nil,
		"bytes": rec.Bytes, "actual_bytes": nil}
	if rec.DeletedAt != nil {
		res["error"] = "the audio was deleted by retention (" + rec.DeletedReason + "): nothing to verify"
		writeJSON(w, http.StatusOK, res)
		return
	}
	f, err := s.cfg.Audio.Open(rec.Path)
	if err != nil {
		s.log.Error("recording file cannot be opened", "path", rec.Path, "error", err)
		res["error"] = "the recording's file is missing from the recordings folder"
		writeJSON(w, http.StatusOK, res)
		return
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actual := hex.EncodeToString(h.Sum(nil))
	res["intact"], res["actual_sha256"], res["actual_bytes"] = actual == rec.SHA256 && n == rec.Bytes, actual, n
	if actual != rec.SHA256 || n != rec.Bytes {
		s.log.Warn("recording does not match its stored checksum", "recording", rec.ID, "path", rec.Path)
		res["error"] = "the file differs from what was recorded: it was changed or damaged after the call"
	}
	writeJSON(w, http.StatusOK, res)
}

// addReview: POST /api/v1/recordings/{id}/reviews {"score": 1–5, "note"} (supervisors): 201.
func (s *Server) addReview(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Score int    `json:"score"`
		Note  string `json:"note"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Score < 1 || body.Score > 5 {
		s.fail(w, r, ticketing.Invalid("score", "is required: a whole number from 1 to 5"))
		return
	}
	if utf8.RuneCountInString(body.Note) > 5000 || !utf8.ValidString(body.Note) {
		s.fail(w, r, ticketing.Invalid("note", "must be text of at most 5000 characters"))
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, calls.ErrRecordingNotFound)
		return
	}
	rv := calls.Review{At: time.Now(), Reviewer: who(r).Name, Score: body.Score, Note: strings.TrimSpace(body.Note)}
	if err := s.cfg.Calls.AddReview(r.Context(), id, rv, string(who(r).Role)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/recordings/"+id.String()+"/reviews")
	writeJSON(w, http.StatusCreated, map[string]any{"at": rv.At.In(Vietnam), "reviewer": rv.Reviewer,
		"score": rv.Score, "note": rv.Note})
}

// listReviews: GET /api/v1/recordings/{id}/reviews, oldest first.
func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Calls.Reviews(r.Context(), rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]map[string]any, len(list))
	for i, v := range list {
		items[i] = map[string]any{"at": v.At.In(Vietnam), "reviewer": v.Reviewer, "score": v.Score, "note": v.Note}
	}
	writePage(w, items, "")
}

// accessLog: GET /api/v1/recordings/{id}/access: who listened, verified, reviewed, held; oldest first.
func (s *Server) accessLog(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Calls.AccessLog(r.Context(), rec.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]map[string]any, len(list))
	for i, a := range list {
		items[i] = map[string]any{"at": a.At.In(Vietnam), "actor": a.Actor, "role": a.Role, "action": a.Action,
			"detail": opt(a.Detail)}
	}
	writePage(w, items, "")
}

// setHold: POST /api/v1/recordings/{id}/hold {"hold": true|false, "reason"} (supervisors): a recording on
// legal hold survives retention.
func (s *Server) setHold(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Hold   *bool  `json:"hold"`
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if body.Hold == nil {
		s.fail(w, r, ticketing.Invalid("hold", "is required: true to keep the recording past retention, false to release it"))
		return
	}
	reason := strings.TrimSpace(body.Reason)
	if *body.Hold && reason == "" {
		s.fail(w, r, ticketing.Invalid("reason", "is required to hold a recording: the case or the request that needs it"))
		return
	}
	if utf8.RuneCountInString(reason) > 500 {
		s.fail(w, r, ticketing.Invalid("reason", "must be at most 500 characters"))
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, calls.ErrRecordingNotFound)
		return
	}
	err = s.cfg.Calls.SetHold(r.Context(), id, *body.Hold, reason, who(r).Name, string(who(r).Role), time.Now())
	if errors.Is(err, calls.ErrDeleted) {
		s.fail(w, r, conflict{"the recording's audio was deleted already: there is nothing to hold"})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.getRecording(w, r)
}

func (s *Server) recordingRoutes() {
	s.route("GET /api/v1/recordings", tokens.Supervisor, s.listRecordings)
	s.route("GET /api/v1/recordings/{id}", tokens.Supervisor, s.getRecording)
	s.route("GET /api/v1/recordings/{id}/audio", tokens.Supervisor, s.getAudio)
	s.route("GET /api/v1/recordings/{id}/verify", tokens.Supervisor, s.verifyRecording)
	s.route("GET /api/v1/recordings/{id}/reviews", tokens.Supervisor, s.listReviews)
	s.route("POST /api/v1/recordings/{id}/reviews", tokens.Supervisor, s.addReview)
	s.route("GET /api/v1/recordings/{id}/access", tokens.Supervisor, s.accessLog)
	s.route("POST /api/v1/recordings/{id}/hold", tokens.Supervisor, s.setHold)
}
