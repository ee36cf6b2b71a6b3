package httpapi

import (
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
