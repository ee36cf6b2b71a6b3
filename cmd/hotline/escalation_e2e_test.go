package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"hotline/internal/pgtest"
)

// A ticket past its deadline: serve's reminders job queues the breach notice at once, the outbox delivers
// it signed to the supervisors' webhook (without the reporter), its ack link acknowledges it once, and the
// breach report lists the ticket, from the API and the CLI.
func TestBreachNoticeAckAndReport(t *testing.T) {
	t.Parallel()
	const secret = "giam-sat-secret"
	var mu sync.Mutex
	var got []map[string]any
	var bad []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		var v map[string]any
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Hotline-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			bad = append(bad, "signature")
		}
		if err := json.Unmarshal(body, &v); err != nil || r.Header.Get("Idempotency-Key") != v["idempotency_key"] {
			bad = append(bad, "body or Idempotency-Key: "+string(body))
		}
		if strings.Contains(string(body), "0912345678") || strings.Contains(string(body), "Nguyễn") || strings.Contains(string(body), "reporter") {
			bad = append(bad, "the reporter left in "+string(body))
		}
		got = append(got, v)
	}))
	defer receiver.Close()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_REMINDER_SCHEDULE=@every 1s",
		"HOTLINE_SUPERVISOR_WEBHOOK="+receiver.URL, "HOTLINE_SUPERVISOR_WEBHOOK_SECRET="+secret)
	h.start()
	received := time.Now().AddDate(0, 0, -20).Format(time.RFC3339)
	code, body := h.post("/api/v1/tickets", map[string]any{"channel": "zalo", "description": "Rác thải ùn ứ nhiều ngày",
		"received_at": received, "reporter": map[string]string{"name": "Nguyễn Văn An", "phone": "0912345678"}})
	if code != 201 {
		t.Fatalf("ticket: %d %s", code, body)
	}
	var tk struct{ ID, Code string }
	_ = json.Unmarshal(body, &tk)
	var notice map[string]any
	h.waitFor("the breach notice at the supervisors' webhook", 30*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range got {
			if v["event"] == "ticket.breached" {
				notice = v
				return true
			}
		}
		return false
	})
	mu.Lock()
	if len(bad) > 0 {
		t.Errorf("webhook problems: %v", bad)
	}
	mu.Unlock()
	ticket, _ := notice["ticket"].(map[string]any)
	if notice["stage"] != "breached" || ticket["code"] != tk.Code {
		t.Fatalf("notice %v; want the breached stage of %s", notice, tk.Code)
	}
	ack, _ := notice["ack_url"].(string)
	u, err := url.Parse(ack)
	if err != nil || !strings.HasPrefix(u.Path, "/ack/") {
		t.Fatalf("ack_url %q", ack)
	}
	page := h.url(u.Path)
	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(html), "<form method=\"post\">") || !strings.Contains(string(html), tk.Code) {
		t.Errorf("GET the ack link: %d\n%s", res.StatusCode, html)
	}
	post := func() int {
		res, err := http.PostForm(page, url.Values{"note": {"Phòng đã nhận, đang xử lý"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	res, err = http.PostForm(page, url.Values{"note": {strings.Repeat("dài ", 600)}})
	if err != nil {
		t.Fatal(err)
	}
	html, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(html), "Ghi chú quá dài") {
		t.Errorf("a note too long: %d\n%s\nwant 422 saying so in Vietnamese", res.StatusCode, html)
	}
	if got := post(); got != 200 {
		t.Errorf("POST the ack link: %d, want 200", got)
	}
	if got := post(); got != 409 {
		t.Errorf("POST the ack link again: %d, want 409", got)
	}
	res, err = http.Get(h.url("/ack/not-a-token"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("a made-up ack link: %d, want 404", res.StatusCode)
	}
	// The report, as JSON from the API and as CSV from the CLI.
	from := time.Now().AddDate(0, 0, -30).Format(time.DateOnly)
	var rep struct {
		Breached []struct {
			Code string `json:"code"`
		} `json:"breached"`
	}
	h.getJSON("/api/v1/reports/breaches?from="+from, 200, &rep)
	if len(rep.Breached) != 1 || rep.Breached[0].Code != tk.Code {
		t.Errorf("report's breached tickets %+v; want %s", rep.Breached, tk.Code)
	}
	req, _ := http.NewRequest("GET", h.url("/api/v1/reports/breaches?format=html&from="+from), nil)
	if res, err := h.do(req); err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("HTML report: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if code, out, errOut := h.cli("report", "breaches", "--from", from, "--format", "csv"); code != 0 || !strings.Contains(out, tk.Code) {
		t.Errorf("hotline report breaches: exit %d\n%s\n%s", code, out, errOut)
	}
	var audit struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	h.getJSON("/api/v1/tickets/"+tk.ID+"/audit", 200, &audit)
	acked := false
	for _, e := range audit.Items {
		acked = acked || e.Action == "acknowledge"
	}
	if !acked {
		t.Errorf("no acknowledge row in the ticket's audit: %+v", audit.Items)
	}
}
