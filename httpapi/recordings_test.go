package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Supervisors review recordings: list with filters, listen (logged), score, hold; operators may not.
func TestRecordingReview(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ctx := context.Background()
	rec := "/api/v1/recordings/" + d.rec.ID.String()
	for _, tc := range []struct {
		who, path string
		status    int
		contains  string
	}{
		{"op1", "/api/v1/recordings", 403, "supervisor"},
		{"sup", "/api/v1/recordings", 200, d.rec.ID.String()},
		{"sup", "/api/v1/recordings?operator=1001", 200, d.rec.ID.String()},
		{"sup", "/api/v1/recordings?operator=1002", 200, `"items":[]`},
		{"sup", "/api/v1/recordings?min_duration=30", 200, d.rec.ID.String()},
		{"sup", "/api/v1/recordings?min_duration=61", 200, `"items":[]`},
		{"sup", "/api/v1/recordings?max_duration=59", 200, `"items":[]`},
		{"sup", "/api/v1/recordings?from=2026-11-29&to=2026-11-29", 200, d.rec.ID.String()},
		{"sup", "/api/v1/recordings?from=2026-11-30", 200, `"items":[]`},
		{"sup", "/api/v1/recordings?field=xd", 200, `"items":[]`},
		{"sup", "/api/v1/recordings?min_wait=ten", 400, "min_wait"},
		{"sup", "/api/v1/recordings?ticket=42", 400, "ticket"},
	} {
		status, body, _ := d.do(t, tc.who, "GET", tc.path, "")
		if status != tc.status || !strings.Contains(string(body), tc.contains) {
			t.Errorf("GET %s as %s: %d %s; want %d with %s", tc.path, tc.who, status, body, tc.status, tc.contains)
		}
	}
	// Linked to a ticket in field xd, the recording is found by ticket and by field.
	tk := d.create(t, "op1", `{"channel":"hotline","description":"Xây dựng không phép","field":"xd","call_id":"`+d.call.ID.String()+`"}`)
	for _, q := range []string{"field=xd", "ticket=" + tk.ID} {
		if _, body, _ := d.do(t, "sup", "GET", "/api/v1/recordings?"+q, ""); !strings.Contains(string(body), d.rec.ID.String()) {
			t.Errorf("recordings?%s: %s", q, body)
		}
	}
	// Listening is logged, whole or by range.
	d.must(t, "sup", "GET", rec+"/audio", "", 200)
	d.must(t, "admin", "GET", rec+"/audio", "", 206, "Range", "bytes=0-99")
	d.must(t, "sup", "POST", rec+"/reviews", `{"score":4,"note":"Tiếp nhận đúng quy trình, giọng lịch sự"}`, 201)
	d.must(t, "sup", "POST", rec+"/reviews", `{"score":9}`, 422)
	d.must(t, "op1", "POST", rec+"/reviews", `{"score":3}`, 403)
	var reviews struct {
		Items []struct {
			Reviewer string `json:"reviewer"`
			Score    int    `json:"score"`
		} `json:"items"`
	}
	if err := json.Unmarshal(d.must(t, "sup", "GET", rec+"/reviews", "", 200), &reviews); err != nil || len(reviews.Items) != 1 ||
		reviews.Items[0].Score != 4 || reviews.Items[0].Reviewer != "sup" {
		t.Errorf("reviews %+v %v", reviews, err)
	}
	if _, body, _ := d.do(t, "sup", "GET", "/api/v1/recordings", ""); !strings.Contains(string(body), `"review_score":4`) {
		t.Errorf("the list does not show the review score: %s", body)
	}
	d.must(t, "sup", "POST", rec+"/hold", `{"hold":true}`, 422)
	if b := d.must(t, "sup", "POST", rec+"/hold", `{"hold":true,"reason":"Hồ sơ khiếu nại số 12/2026"}`, 200); !strings.Contains(string(b), `"legal_hold":true`) {
		t.Errorf("hold: %s", b)
	}
	d.must(t, "sup", "POST", rec+"/hold", `{"hold":false,"reason":"Đã giải quyết"}`, 200)
	var log struct {
		Items []struct {
			Actor  string `json:"actor"`
			Action string `json:"action"`
			Detail string `json:"detail"`
		} `json:"items"`
	}
	if err := json.Unmarshal(d.must(t, "sup", "GET", rec+"/access", "", 200), &log); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log.Items {
		got = append(got, e.Actor+":"+e.Action+":"+e.Detail)
	}
	want := "sup:listen:whole admin:listen:bytes=0-99 sup:review:score 4 sup:hold:Hồ sơ khiếu nại số 12/2026 sup:release:Đã giải quyết"
	if strings.Join(got, " ") != want {
		t.Errorf("access log:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	// After retention the audio is gone (410 saying when and why), the row stays, hold is refused.
	if err := d.store.Tombstone(ctx, d.rec.ID, "retention", "older than 365 days", time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := d.do(t, "sup", "GET", rec+"/audio", ""); status != http.StatusGone || !strings.Contains(string(body), "older than 365 days") {
		t.Errorf("audio after retention: %d %s; want 410 with the reason", status, body)
	}
	if b := d.must(t, "sup", "GET", rec, "", 200); !strings.Contains(string(b), `"audio_url":null`) || !strings.Contains(string(b), `"deleted_by":"retention"`) {
		t.Errorf("tombstoned recording: %s", b)
	}
	d.must(t, "sup", "POST", rec+"/hold", `{"hold":true,"reason":"x"}`, 409)
	if _, body, _ := d.do(t, "sup", "GET", "/api/v1/recordings", ""); strings.Contains(string(body), d.rec.ID.String()) {
		t.Errorf("a deleted recording is listed without deleted=true: %s", body)
	}
	if _, body, _ := d.do(t, "sup", "GET", "/api/v1/recordings?deleted=true", ""); !strings.Contains(string(body), d.rec.ID.String()) {
		t.Errorf("deleted=true does not list it: %s", body)
	}
}
