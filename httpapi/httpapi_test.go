package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/calls"
	"hotline/httpapi"
	"hotline/internal/pgtest"
	"hotline/internal/tokens"
	"hotline/notify"
	"hotline/queue/queuepg"
	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// dir is a recordings folder holding files by relative path.
type dir string

func (d dir) Open(rel string) (*os.File, error) { return os.Open(filepath.Join(string(d), rel)) }

type fixture struct {
	dir   string // the recordings folder
	srv   *httptest.Server
	admin string // an admin token
	pool  *pgxpool.Pool
	store *calls.Store
	call  *calls.Call
	rec   calls.Recording
	wav   []byte
}

func setup(t *testing.T, parts ...httpapi.Part) fixture {
	t.Helper()
	pool := pgtest.NewMigratedPool(t)
	store := calls.NewStore(pool)
	f := fixture{store: store, pool: pool}
	var err error
	if f.admin, err = tokens.New(pool).Create(context.Background(), "admin", tokens.Admin, ""); err != nil {
		t.Fatal(err)
	}
	folder := t.TempDir()
	f.dir = folder
	f.wav = []byte("RIFF....WAVEfmt " + strings.Repeat("x", 1000))
	if err := os.MkdirAll(filepath.Join(folder, "2026/11/29"), 0o755); err != nil {
		t.Fatal(err)
	}
	answered := time.Date(2026, 11, 29, 1, 0, 1, 0, time.UTC)
	ended := answered.Add(time.Minute)
	f.call = &calls.Call{ID: uuid.Must(uuid.NewV7()), NodeID: "n", SIPCallID: "x@y", Caller: "+84912345678",
		Called: "1900", Transport: "udp", Source: "127.0.0.1:5060", Codec: "PCMA",
		ArrivedAt: answered.Add(-time.Second), AnsweredAt: &answered, EndedAt: &ended, EndReason: "caller_hangup", Version: 1}
	f.rec = calls.Recording{ID: uuid.Must(uuid.NewV7()), CallID: f.call.ID, Path: "2026/11/29/" + f.call.ID.String() + ".wav",
		StartedAt: answered, Duration: time.Minute, Bytes: int64(len(f.wav)),
		SHA256: strings.Repeat("a", 64)}
	if err := os.WriteFile(filepath.Join(folder, f.rec.Path), f.wav, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Write(context.Background(), []*calls.Call{f.call}, []*calls.Recording{&f.rec}); err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Tokens: tokens.New(pool), Calls: store, Audio: dir(folder), Parts: parts,
		Tickets: ticketpg.New(pool, ticketing.Deadlines{}), Log: slog.New(slog.DiscardHandler)})
	f.srv = httptest.NewServer(api.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestEndpoints(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id, recID := f.call.ID.String(), f.rec.ID.String()
	for _, tc := range []struct {
		name, path string
		status     int
		contains   string
	}{
		{"list", "/api/v1/calls", 200, `"next_cursor":null`},
		{"list by national number", "/api/v1/calls?number=0912345678", 200, id},
		{"list by E.164", "/api/v1/calls?number=%2B84912345678", 200, id},
		{"list by another number", "/api/v1/calls?number=0900000000", 200, `"items":[]`},
		{"list by date", "/api/v1/calls?from=2026-11-29&to=2026-11-29", 200, id},
		{"list by time", "/api/v1/calls?from=2026-11-29T09:00:00%2B07:00", 200, `"items":[]`},
		{"limit too big", "/api/v1/calls?limit=501", 400, "limit must be"},
		{"limit not a number", "/api/v1/calls?limit=ten", 400, "limit must be"},
		{"bad from", "/api/v1/calls?from=yesterday", 400, "from must be"},
		{"bad cursor", "/api/v1/calls?cursor=zzz", 400, "cursor"},
		{"one call", "/api/v1/calls/" + id, 200, `"arrived_at":"2026-11-29T08:00:00+07:00"`},
		{"call shape", "/api/v1/calls/" + id, 200, `"ticket_ids":[],"segments":[]`},
		{"unknown call", "/api/v1/calls/" + uuid.NewString(), 404, "no call has this id"},
		{"not an id", "/api/v1/calls/42", 404, "no call"},
		{"recording", "/api/v1/recordings/" + recID, 200, `"duration_seconds":60`},
		{"unknown recording", "/api/v1/recordings/" + uuid.NewString(), 404, "no recording"},
		{"unknown endpoint", "/api/v1/nothing", 404, "no such endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, f.srv.URL+tc.path, "Authorization", "Bearer "+f.admin)
			if res.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Errorf("GET %s: %d %s; want %d containing %s", tc.path, res.StatusCode, body, tc.status, tc.contains)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.status >= 400 {
				var e struct{ Error string }
				if json.Unmarshal(body, &e) != nil || e.Error == "" {
					t.Errorf("error body %s: want {\"error\": ...}", body)
				}
			}
		})
	}
}

func TestAudioRanges(t *testing.T) {
	t.Parallel()
	f := setup(t)
	url := f.srv.URL + "/api/v1/recordings/" + f.rec.ID.String() + "/audio"
	n := len(f.wav)
	for _, tc := range []struct {
		rng    string
		status int
		body   string
		cr     string
	}{
		{"", 200, string(f.wav), ""},
		{"bytes=0-9", 206, string(f.wav[:10]), "bytes 0-9/" + itoa(n)},
		{"bytes=500-599", 206, string(f.wav[500:600]), "bytes 500-599/" + itoa(n)},
		{"bytes=-20", 206, string(f.wav[n-20:]), "bytes " + itoa(n-20) + "-" + itoa(n-1) + "/" + itoa(n)},
		{"bytes=" + itoa(n+5) + "-", 416, "", "bytes */" + itoa(n)},
	} {
		res, body := get(t, url, "Range", tc.rng, "Authorization", "Bearer "+f.admin)
		if res.StatusCode != tc.status || (tc.status != 416 && string(body) != tc.body) || res.Header.Get("Content-Range") != tc.cr {
			t.Errorf("Range %q: %d, Content-Range %q, %d bytes; want %d, %q", tc.rng, res.StatusCode,
				res.Header.Get("Content-Range"), len(body), tc.status, tc.cr)
		}
		if tc.status != 416 && res.Header.Get("Content-Type") != "audio/wav" {
			t.Errorf("Range %q: Content-Type %q", tc.rng, res.Header.Get("Content-Type"))
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// With the database gone, reads answer 503 saying so, and /healthz names the part that is down.
func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	cfg, _ := pgxpool.ParseConfig("postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	api := httpapi.New(httpapi.Config{
		Tokens: tokens.New(pool), Calls: calls.NewStore(pool), Audio: dir(t.TempDir()), Log: slog.New(slog.DiscardHandler),
		Parts: []httpapi.Part{
			{Name: "sip", Check: func(context.Context) error { return nil }},
			{Name: "database", Check: func(ctx context.Context) error { return pool.Ping(ctx) }},
		},
	})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	res, body := get(t, srv.URL+"/api/v1/calls", "Authorization", "Bearer hl_any")
	if res.StatusCode != 503 || !strings.Contains(string(body), "database") {
		t.Errorf("list with the database down: %d %s; want 503 naming the database", res.StatusCode, body)
	}
	res, body = get(t, srv.URL+"/healthz")
	var h struct {
		Status string   `json:"status"`
		Down   []string `json:"down"`
	}
	if err := json.Unmarshal(body, &h); err != nil || res.StatusCode != 503 || len(h.Down) != 1 || h.Down[0] != "database" {
		t.Errorf("healthz: %d %s; want 503 naming the database", res.StatusCode, body)
	}
}

func TestHealthzOK(t *testing.T) {
	t.Parallel()
	f := setup(t, httpapi.Part{Name: "sip", Check: func(context.Context) error { return nil }})
	res, body := get(t, f.srv.URL+"/healthz")
	if res.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", res.StatusCode, body)
	}
	f2 := setup(t, httpapi.Part{Name: "sip", Check: func(context.Context) error { return errors.New("closed") }})
	if res, _ := get(t, f2.srv.URL+"/healthz"); res.StatusCode != 503 {
		t.Errorf("healthz with SIP down: %d, want 503", res.StatusCode)
	}
}

// Every /api/ route needs a token of a high enough role; /healthz needs none.
func TestTokensAndRoles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	store := tokens.New(f.pool)
	if err := queuepg.New(f.pool).AddOperator(ctx, "1001", "Lan", "secret-pw", "hotline", time.Now()); err != nil {
		t.Fatal(err)
	}
	operator, err := store.Create(ctx, "desk", tokens.Operator, "1001")
	if err != nil {
		t.Fatal(err)
	}
	supervisor, err := store.Create(ctx, "sup", tokens.Supervisor, "")
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := store.Create(ctx, "old", tokens.Supervisor, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Revoke(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, "sup", tokens.Admin, ""); !errors.Is(err, tokens.ErrExists) {
		t.Errorf("a second token named sup: %v, want ErrExists", err)
	}
	if _, err := store.Create(ctx, "ghost", tokens.Operator, "9999"); !errors.Is(err, tokens.ErrUnknownOperator) {
		t.Errorf("a token for a missing operator: %v, want ErrUnknownOperator", err)
	}
	rec := "/api/v1/recordings/" + f.rec.ID.String()
	for _, tc := range []struct {
		name, path, auth string
		status           int
	}{
		{"no token", "/api/v1/calls", "", 401},
		{"not bearer", "/api/v1/calls", "Basic " + operator, 401},
		{"unknown token", "/api/v1/calls", "Bearer hl_nothing", 401},
		{"not ours", "/api/v1/calls", "Bearer abc", 401},
		{"revoked token", "/api/v1/calls", "Bearer " + revoked, 401},
		{"operator reads calls", "/api/v1/calls", "Bearer " + operator, 200},
		{"scheme in any case", "/api/v1/calls", "bearer " + operator, 200},
		{"operator may not hear recordings", rec, "Bearer " + operator, 403},
		{"operator may not fetch audio", rec + "/audio", "Bearer " + operator, 403},
		{"supervisor hears recordings", rec, "Bearer " + supervisor, 200},
		{"admin hears recordings", rec, "Bearer " + f.admin, 200},
		{"healthz needs none", "/healthz", "", 200},
	} {
		hdr := []string{}
		if tc.auth != "" {
			hdr = []string{"Authorization", tc.auth}
		}
		res, body := get(t, f.srv.URL+tc.path, hdr...)
		if res.StatusCode != tc.status {
			t.Errorf("%s: GET %s: %d %s; want %d", tc.name, tc.path, res.StatusCode, body, tc.status)
		}
		if tc.status == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: 401 without a Bearer challenge", tc.name)
		}
	}
	list, err := store.List(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("List: %v %v; want admin, desk, sup", list, err)
	}
	for _, tok := range list {
		if tok.Name == "desk" && (tok.Operator != "1001" || tok.LastUsedAt == nil) {
			t.Errorf("desk token %+v: want operator 1001 and a last use", tok)
		}
	}
}

// verify hashes the file again: the stored SHA-256 holds for the file as written, and a flipped byte is
// reported.
func TestVerifyRecording(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// The fixture stores a made-up hash: store the real one first.
	sum := sha256.Sum256(f.wav)
	if _, err := f.pool.Exec(context.Background(), `UPDATE recordings SET sha256 = $1 WHERE id = $2`,
		hex.EncodeToString(sum[:]), f.rec.ID); err != nil {
		t.Fatal(err)
	}
	url := f.srv.URL + "/api/v1/recordings/" + f.rec.ID.String() + "/verify"
	check := func() (bool, string) {
		res, body := get(t, url, "Authorization", "Bearer "+f.admin)
		var v struct {
			Intact bool   `json:"intact"`
			Error  string `json:"error"`
		}
		if res.StatusCode != 200 || json.Unmarshal(body, &v) != nil {
			t.Fatalf("verify: %d %s", res.StatusCode, body)
		}
		return v.Intact, v.Error
	}
	if ok, msg := check(); !ok {
		t.Fatalf("an untouched recording: intact false (%s)", msg)
	}
	path := filepath.Join(f.dir, f.rec.Path)
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, msg := check(); ok || !strings.Contains(msg, "changed or damaged") {
		t.Errorf("a flipped byte: intact %v, %q; want false saying it was changed", ok, msg)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if ok, msg := check(); ok || !strings.Contains(msg, "missing") {
		t.Errorf("a missing file: intact %v, %q", ok, msg)
	}
}

// Admins list dead notifications and send one again; nobody else may.
func TestNotificationsForAdmins(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// A receiver that always fails, and one attempt allowed: the webhook is dead after one delivery run.
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer dead.Close()
	now := time.Now()
	if _, err := notify.Enqueue(ctx, f.pool, notify.Notification{Key: "t-1:due_soon:xd", Channel: notify.Webhook,
		Target: dead.URL, Secret: "s", Body: []byte(`{}`), Event: "ticket.reminder", Stage: "due_soon", Department: "xd"}, now); err != nil {
		t.Fatal(err)
	}
	d, err := notify.NewDeliverer(f.pool, notify.Config{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.DeliverDue(ctx, now); err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Tokens: tokens.New(f.pool), Calls: f.store, Audio: dir(t.TempDir()),
		Outbox: notify.NewOutbox(f.pool), Log: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	sup, err := tokens.New(f.pool).Create(ctx, "sup", tokens.Supervisor, "")
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := get(t, srv.URL+"/api/v1/notifications?state=dead", "Authorization", "Bearer "+sup); res.StatusCode != 403 {
		t.Errorf("a supervisor listing notifications: %d, want 403", res.StatusCode)
	}
	res, body := get(t, srv.URL+"/api/v1/notifications?state=dead", "Authorization", "Bearer "+f.admin)
	var page struct {
		Items []struct {
			ID        string `json:"id"`
			State     string `json:"state"`
			Attempts  int    `json:"attempts"`
			LastError string `json:"last_error"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil || res.StatusCode != 200 || len(page.Items) != 1 ||
		page.Items[0].State != "dead" || page.Items[0].Attempts != 1 || !strings.Contains(page.Items[0].LastError, "500") {
		t.Fatalf("dead notifications: %d %s", res.StatusCode, body)
	}
	if strings.Contains(string(body), `"s"`) {
		t.Errorf("the webhook's secret is shown: %s", body)
	}
	if res, _ := get(t, srv.URL+"/api/v1/notifications?state=lost", "Authorization", "Bearer "+f.admin); res.StatusCode != 400 {
		t.Errorf("an unknown state: %d, want 400", res.StatusCode)
	}
	retry := func() int {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/notifications/"+page.Items[0].ID+"/retry", nil)
		req.Header.Set("Authorization", "Bearer "+f.admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := retry(); got != 200 {
		t.Errorf("retry a dead notification: %d, want 200", got)
	}
	if got := retry(); got != 409 {
		t.Errorf("retry a pending notification: %d, want 409", got)
	}
}
