package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"hotline/calls"
)

type recordingJSON struct {
	ID              string    `json:"id"`
	CallID          string    `json:"call_id"`
	Kind            string    `json:"kind"`
	StartedAt       time.Time `json:"started_at"`
	DurationSeconds float64   `json:"duration_seconds"`
	Bytes           int64     `json:"bytes"`
	SHA256          string    `json:"sha256"`
	Repaired        bool      `json:"repaired"`
	AudioURL        string    `json:"audio_url"`
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
	writeJSON(w, http.StatusOK, recordingJSON{
		ID: rec.ID.String(), CallID: rec.CallID.String(), Kind: rec.Kind, StartedAt: rec.StartedAt.In(Vietnam),
		DurationSeconds: rec.Duration.Seconds(), Bytes: rec.Bytes, SHA256: rec.SHA256, Repaired: rec.Repaired,
		AudioURL: "/api/v1/recordings/" + rec.ID.String() + "/audio",
	})
}

// getAudio streams the WAV file with HTTP Range support (206 with Content-Range; 416 outside the file).
func (s *Server) getAudio(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	f, err := s.cfg.Audio.Open(rec.Path)
	if err != nil {
		s.log.Error("recording file cannot be opened", "path", rec.Path, "error", err)
		writeError(w, http.StatusNotFound, "the recording's file is missing from the recordings folder")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Content-Disposition", `inline; filename="`+rec.CallID.String()+`.wav"`)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", rec.StartedAt, f)
}

// verifyRecording: GET /api/v1/recordings/{id}/verify: hashes the file again and compares it with the
// SHA-256 stored when the call ended, so a supervisor can trust (or distrust) the evidence.
func (s *Server) verifyRecording(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.recording(w, r)
	if !ok {
		return
	}
	f, err := s.cfg.Audio.Open(rec.Path)
	if err != nil {
		s.log.Error("recording file cannot be opened", "path", rec.Path, "error", err)
		writeJSON(w, http.StatusOK, map[string]any{"id": rec.ID.String(), "intact": false, "sha256": rec.SHA256,
			"actual_sha256": nil, "bytes": rec.Bytes, "actual_bytes": nil,
			"error": "the recording's file is missing from the recordings folder"})
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
	res := map[string]any{"id": rec.ID.String(), "intact": actual == rec.SHA256 && n == rec.Bytes,
		"sha256": rec.SHA256, "actual_sha256": actual, "bytes": rec.Bytes, "actual_bytes": n}
	if actual != rec.SHA256 || n != rec.Bytes {
		s.log.Warn("recording does not match its stored checksum", "recording", rec.ID, "path", rec.Path)
		res["error"] = "the file differs from what was recorded: it was changed or damaged after the call"
	}
	writeJSON(w, http.StatusOK, res)
}
