package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/internal/pgtest"
	"hotline/internal/sipptest"
)

// Nightly retention deletes the audio of old recordings but keeps those on legal hold and those linked to
// an open ticket; the rows stay, with a tombstone.
func TestRecordingRetention(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	h := newInstance(t, url, "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_RETENTION_SCHEDULE=@every 1s")
	h.start()
	scen, _ := sipptest.Caller{Talk: 2 * time.Second}.Write(t.TempDir())
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 3}))
	cs := h.waitEnded(3, 20*time.Second)
	old, held, linked := cs[0], cs[1], cs[2]
	if code, body := h.post("/api/v1/recordings/"+*held.RecordingID+"/hold", map[string]any{"hold": true, "reason": "Khiếu nại số 7"}); code != 200 {
		t.Fatalf("hold: %d %s", code, body)
	}
	if code, body := h.post("/api/v1/tickets", map[string]any{"channel": "hotline", "description": "Phản ánh đang xử lý",
		"call_id": linked.ID}); code != 201 {
		t.Fatalf("ticket: %d %s", code, body)
	}
	// A year and a month pass.
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE recordings SET started_at = started_at - interval '400 days'`); err != nil {
		t.Fatal(err)
	}
	audio := func(c apiCall) int {
		req, _ := http.NewRequest("GET", h.url("/api/v1/recordings/"+*c.RecordingID+"/audio"), nil)
		res, err := h.do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	h.waitFor("the old recording deleted", 20*time.Second, func() bool { return audio(old) == http.StatusGone })
	if _, err := os.Stat(h.recordingPath(old)); !os.IsNotExist(err) {
		t.Errorf("the old recording's file is still there: %v", err)
	}
	var rec struct {
		DeletedBy     string `json:"deleted_by"`
		DeletedReason string `json:"deleted_reason"`
	}
	h.getJSON("/api/v1/recordings/"+*old.RecordingID, 200, &rec)
	if rec.DeletedBy != "retention" || rec.DeletedReason == "" {
		t.Errorf("tombstone %+v", rec)
	}
	h.getJSON("/api/v1/calls/"+old.ID, 200, nil) // the call's row stays
	for name, c := range map[string]apiCall{"held": held, "linked to an open ticket": linked} {
		if got := audio(c); got != 200 {
			t.Errorf("the %s recording: audio %d, want 200", name, got)
		}
		if _, err := os.Stat(h.recordingPath(c)); err != nil {
			t.Errorf("the %s recording's file: %v", name, err)
		}
	}
	if code, out, _ := h.cli("jobs"); code != 0 || !containsAll(out, "recording_retention", "recording(s) deleted") {
		t.Errorf("hotline jobs:\n%s", out)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
