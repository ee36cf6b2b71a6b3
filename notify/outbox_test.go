package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgtest"
	"hotline/notify"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// setup returns a migrated database's pool.
func setup(t *testing.T) *pgxpool.Pool {
	t.Helper()
	return pgtest.NewMigratedPool(t)
}

// t0 is the tests' clock: a Monday morning in Vietnam.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newDeliverer returns a deliverer with cfg (its Log set), closed at the end of the test.
func newDeliverer(t *testing.T, pool *pgxpool.Pool, cfg notify.Config) *notify.Deliverer {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = testLog(t)
	}
	d, err := notify.NewDeliverer(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// webhookBody is the JSON of a ticket notice as the escalation code sends it.
func webhookBody(key, stage string) []byte {
	b, err := json.Marshal(map[string]any{
		"event": "ticket.reminder", "stage": stage, "idempotency_key": key, "sent_at": t0.Format(time.RFC3339),
		"ticket": map[string]any{"code": "PA-2026-000123", "description": "Đèn đường hỏng ở phường Bến Nghé"},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func webhook(key, url, secret string) notify.Notification {
	return notify.Notification{
		Key: key, Channel: notify.Webhook, Target: url, Secret: secret, Body: webhookBody(key, "due_soon"),
		Event: "ticket.reminder", TicketID: uuid.MustParse("0195a1b2-0000-7000-8000-000000000123"),
		Stage: "due_soon", Department: "xd",
	}
}

func enqueue(t *testing.T, db notify.Querier, n notify.Notification, now time.Time) {
	t.Helper()
	ok, err := notify.Enqueue(context.Background(), db, n, now)
	if err != nil || !ok {
		t.Fatalf("enqueue %s: %v, %v", n.Key, ok, err)
	}
}

// entry reads the notification with key.
func entry(t *testing.T, pool *pgxpool.Pool, key string) notify.Entry {
	t.Helper()
	var id uuid.UUID
	if err := pool.QueryRow(context.Background(), `SELECT id FROM notifications WHERE idempotency_key = $1`, key).Scan(&id); err != nil {
		t.Fatalf("notification %s: %v", key, err)
	}
	e, err := notify.NewOutbox(pool).Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEnqueueKeepsOneNotificationPerKey(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	n := webhook("ticket.reminder:123:due_soon:xd", "http://127.0.0.1:9/hook", "s3cret")
	enqueue(t, pool, n, t0)
	ok, err := notify.Enqueue(ctx, pool, n, t0.Add(time.Minute))
	if err != nil || ok {
		t.Errorf("the same key again: %v, %v; want false, nil", ok, err)
	}
	e := entry(t, pool, n.Key)
	if e.State != notify.Pending || e.Attempts != 0 || !e.NextAttemptAt.Equal(t0) || !e.CreatedAt.Equal(t0) ||
		e.TicketID != n.TicketID || e.Stage != "due_soon" || e.Department != "xd" || e.Secret != "" ||
		string(e.Body) != string(n.Body) {
		t.Errorf("entry %+v", e)
	}

	// In the caller's transaction: gone with a rollback, kept with a commit.
	rolled := webhook("rolled-back", "http://127.0.0.1:9/hook", "")
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		enqueue(t, tx, rolled, t0)
		return errors.New("the ticket update failed")
	})
	if err == nil {
		t.Fatal("want the transaction's error")
	}
	var count int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE idempotency_key = 'rolled-back'`).Scan(&count); err != nil || count != 0 {
		t.Errorf("after a rollback: %d rows, %v", count, err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		enqueue(t, tx, webhook("committed", "http://127.0.0.1:9/hook", ""), t0)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entry(t, pool, "committed")
}

func TestEnqueueNamesTheBadField(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	good := webhook("k", "https://so-xd.example.vn/hook", "s")
	mail := notify.Notification{Key: "m", Channel: notify.Email, Target: "xd@so.gov.vn", Subject: "Nhắc hạn",
		Body: []byte("Kính gửi"), Event: "ticket.reminder"}
	cases := []struct {
		name  string
		edit  func(n *notify.Notification)
		field string
	}{
		{"no key", func(n *notify.Notification) { n.Key = "" }, "Key"},
		{"a space in the key", func(n *notify.Notification) { n.Key = "a b" }, "Key"},
		{"a line break in the key", func(n *notify.Notification) { n.Key = "a\r\nX-Evil: 1" }, "Key"},
		{"a key too long", func(n *notify.Notification) { n.Key = strings.Repeat("k", 201) }, "Key"},
		{"unknown channel", func(n *notify.Notification) { n.Channel = "sms" }, "Channel"},
		{"not a URL", func(n *notify.Notification) { n.Target = "so-xd.example.vn/hook" }, "Target"},
		{"ftp URL", func(n *notify.Notification) { n.Target = "ftp://so-xd.example.vn/hook" }, "Target"},
		{"no body", func(n *notify.Notification) { n.Body = nil }, "Body"},
		{"no event", func(n *notify.Notification) { n.Event = "" }, "Event"},
		{"not an address", func(n *notify.Notification) { *n = mail; n.Target = "xd at so.gov.vn" }, "Target"},
		{"an address with a name", func(n *notify.Notification) { *n = mail; n.Target = "Sở XD <xd@so.gov.vn>" }, "Target"},
		{"mail not UTF-8", func(n *notify.Notification) { *n = mail; n.Body = []byte{0xff, 0xfe} }, "Body"},
		{"HTML in a webhook", func(n *notify.Notification) { n.HTML = []byte("<p>Kính gửi</p>") }, "HTML"},
		{"HTML not UTF-8", func(n *notify.Notification) { *n = mail; n.HTML = []byte{'<', 0xff, '>'} }, "HTML"},
		{"HTML too long", func(n *notify.Notification) { *n = mail; n.HTML = bytes.Repeat([]byte("<p>"), 1<<20/3+1) }, "HTML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := good
			c.edit(&n)
			_, err := notify.Enqueue(context.Background(), pool, n, t0)
			if !errors.Is(err, notify.ErrInvalid) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("error %v, want ErrInvalid naming %s", err, c.field)
			}
		})
	}
}

func TestListPagesNewestFirst(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	box := notify.NewOutbox(pool)
	for i := range 5 {
		enqueue(t, pool, webhook(fmt.Sprintf("k%d", i), "http://127.0.0.1:9/hook", ""), t0.Add(time.Duration(i)*time.Minute))
	}
	if _, err := pool.Exec(ctx, `UPDATE notifications SET state = 'dead', attempts = 12, last_error = 'HTTP 500'
		WHERE idempotency_key IN ('k1', 'k3')`); err != nil {
		t.Fatal(err)
	}
	var keys []string
	cursor := ""
	for page := 0; ; page++ {
		p, err := box.List(ctx, "", 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Items {
			keys = append(keys, e.Key)
		}
		if p.NextCursor == "" {
			break
		}
		if page > 5 {
			t.Fatal("no last page")
		}
		cursor = p.NextCursor
	}
	if got := strings.Join(keys, ","); got != "k4,k3,k2,k1,k0" {
		t.Errorf("all, page by page: %s", got)
	}
	dead, err := box.List(ctx, "dead", 50, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(dead.Items) != 2 || dead.Items[0].Key != "k3" || dead.Items[1].Key != "k1" || dead.NextCursor != "" ||
		dead.Items[0].LastError != "HTTP 500" || dead.Items[0].Attempts != 12 {
		t.Errorf("dead: %+v", dead)
	}
	if _, err := box.List(ctx, "lost", 50, ""); !errors.Is(err, notify.ErrBadState) {
		t.Errorf("unknown state: %v", err)
	}
	if _, err := box.List(ctx, "", 50, "not-a-cursor"); !errors.Is(err, notify.ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

// outboxBodies returns the bodies of the outbox (as db sees it) by key.
func outboxBodies(t *testing.T, db notify.Querier) map[string]string {
	t.Helper()
	q, ok := db.(interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	})
	if !ok {
		t.Fatalf("%T cannot query", db)
	}
	rows, err := q.Query(context.Background(), `SELECT idempotency_key, body FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var k string
		var b []byte
		if err := rows.Scan(&k, &b); err != nil {
			t.Fatal(err)
		}
		out[k] = string(b)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// withBody returns n with a body of its own, so that a test can tell which of two with a key was kept.
func withBody(n notify.Notification, body string) notify.Notification {
	n.Body = []byte(body)
	return n
}

func TestEnqueueManyKeepsTheFirstOfEachKey(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	hook := "http://127.0.0.1:9/hook"
	enqueue(t, pool, withBody(webhook("old", hook, ""), `{"n":"old, kept"}`), t0)

	queued, err := notify.EnqueueMany(ctx, pool, []notify.Notification{
		withBody(webhook("a", hook, ""), `{"n":"a, first"}`),
		withBody(webhook("old", hook, ""), `{"n":"old, again"}`),
		withBody(webhook("b", hook, "s"), `{"n":"b"}`),
		withBody(webhook("a", hook, ""), `{"n":"a, second"}`),
		vietnameseMail(t, "mail", "xd@so.gov.vn"),
	}, t0.Add(time.Minute))
	if err != nil || queued != 3 {
		t.Fatalf("EnqueueMany: %d queued, %v; want 3 (a, b, mail)", queued, err)
	}
	got := outboxBodies(t, pool)
	want := map[string]string{"old": `{"n":"old, kept"}`, "a": `{"n":"a, first"}`, "b": `{"n":"b"}`,
		"mail": string(vietnameseMail(t, "mail", "xd@so.gov.vn").Body)}
	if len(got) != len(want) {
		t.Errorf("outbox %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: body %q, want %q", k, got[k], w)
		}
	}
	// Every column, as Enqueue writes it.
	b := entry(t, pool, "b")
	if b.State != notify.Pending || b.Channel != notify.Webhook || b.Target != hook || b.Event != "ticket.reminder" ||
		b.TicketID != webhook("b", hook, "").TicketID || b.Stage != "due_soon" || b.Department != "xd" ||
		!b.NextAttemptAt.Equal(t0.Add(time.Minute)) || !b.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("b: %+v", b)
	}
	var secret string
	if err := pool.QueryRow(ctx, `SELECT secret FROM notifications WHERE idempotency_key = 'b'`).Scan(&secret); err != nil || secret != "s" {
		t.Errorf("b's secret %q, %v", secret, err)
	}
	m := entry(t, pool, "mail")
	if m.Channel != notify.Email || m.Subject != vietnameseMail(t, "mail", "xd@so.gov.vn").Subject || m.TicketID != uuid.Nil {
		t.Errorf("mail: %+v", m)
	}

	// All of them again: nothing.
	if queued, err := notify.EnqueueMany(ctx, pool, []notify.Notification{webhook("a", hook, ""), webhook("b", hook, "")}, t0); err != nil || queued != 0 {
		t.Errorf("again: %d, %v", queued, err)
	}
	// None: nothing, no error.
	if queued, err := notify.EnqueueMany(ctx, pool, nil, t0); err != nil || queued != 0 {
		t.Errorf("none: %d, %v", queued, err)
	}
}

func TestEnqueueManyRejectsTheWholeBatchNamingTheBadOne(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	hook := "http://127.0.0.1:9/hook"
	bad := webhook("bad:target", "so-xd.example.vn/hook", "")
	_, err := notify.EnqueueMany(context.Background(), pool, []notify.Notification{
		webhook("a", hook, ""), webhook("b", hook, ""), bad, webhook("c", hook, ""),
	}, t0)
	if !errors.Is(err, notify.ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid", err)
	}
	for _, s := range []string{"notification 3 of 4", `"bad:target"`, "Target", "so-xd.example.vn/hook"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if got := outboxBodies(t, pool); len(got) != 0 {
		t.Errorf("queued %v", got)
	}
}

func TestEnqueueManyInTheCallersTransaction(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	hook := "http://127.0.0.1:9/hook"
	batch := []notify.Notification{webhook("a", hook, ""), webhook("b", hook, ""), vietnameseMail(t, "c", "xd@so.gov.vn")}

	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if queued, err := notify.EnqueueMany(ctx, tx, batch, t0); err != nil || queued != 3 {
			t.Errorf("in the transaction: %d, %v", queued, err)
		}
		if got := outboxBodies(t, tx); len(got) != 3 {
			t.Errorf("seen in the transaction: %v", got)
		}
		return errors.New("the ticket update failed")
	})
	if err == nil {
		t.Fatal("want the transaction's error")
	}
	if got := outboxBodies(t, pool); len(got) != 0 {
		t.Errorf("after a rollback: %v", got)
	}

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		queued, err := notify.EnqueueMany(ctx, tx, batch, t0)
		if err == nil && queued != 3 {
			err = fmt.Errorf("queued %d", queued)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := outboxBodies(t, pool); len(got) != 3 {
		t.Errorf("after a commit: %v", got)
	}
}

// listen returns a connection listening on the outbox's wake-up channel, and a function that says how
// many wake-ups arrived since the last call: it sends a marker of its own and counts what comes before it
// (notifications arrive in the order of the commits, so no waiting on a timer is needed).
func listen(t *testing.T, pool *pgxpool.Pool) func() int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN hotline_notifications"); err != nil {
		t.Fatal(err)
	}
	return func() int {
		t.Helper()
		if _, err := pool.Exec(ctx, `SELECT pg_notify('hotline_notifications', 'marker')`); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		n := 0
		for {
			msg, err := conn.WaitForNotification(wctx)
			if err != nil {
				t.Fatalf("waiting for the marker: %v", err)
			}
			if msg.Payload == "marker" {
				return n
			}
			n++
		}
	}
}

func TestEnqueueManyWakesTheDeliverersOncePerCall(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	wakeUps := listen(t, pool)
	hook := "http://127.0.0.1:9/hook"
	many := func(prefix string, n int) []notify.Notification {
		var ns []notify.Notification
		for i := range n {
			ns = append(ns, webhook(fmt.Sprintf("%s%d", prefix, i), hook, ""))
		}
		return ns
	}

	if queued, err := notify.EnqueueMany(ctx, pool, many("a", 50), t0); err != nil || queued != 50 {
		t.Fatalf("%d, %v", queued, err)
	}
	if n := wakeUps(); n != 1 {
		t.Errorf("50 queued: %d wake-ups, want 1", n)
	}
	if queued, err := notify.EnqueueMany(ctx, pool, many("a", 50), t0); err != nil || queued != 0 {
		t.Fatalf("%d, %v", queued, err)
	}
	if n := wakeUps(); n != 0 {
		t.Errorf("nothing queued: %d wake-ups, want 0", n)
	}
	// Cut into statements (here of at most 3 bodies each) within a transaction: one wake-up, at the commit.
	body := len(webhook("x", hook, "").Body)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		queued, err := notify.EnqueueChunked(ctx, tx, append(many("b", 10), many("a", 5)...), t0, 3*body)
		if err == nil && queued != 10 {
			err = fmt.Errorf("queued %d, want 10", queued)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := wakeUps(); n != 1 {
		t.Errorf("10 queued in 5 statements of a transaction: %d wake-ups, want 1", n)
	}
	if got := outboxBodies(t, pool); len(got) != 60 {
		t.Errorf("%d rows, want 60", len(got))
	}
}

// An e-mail's HTML part is kept in the row (NULL when there is none) and read back for delivery.
func TestEnqueueManyKeepsTheHTMLPart(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	html := vietnameseMail(t, "html", "giamsat@so.gov.vn")
	html.HTML = []byte("<!doctype html><html lang=\"vi\"><body><h1>Báo cáo trễ hạn xử lý phản ánh</h1></body></html>")
	empty := vietnameseMail(t, "empty", "giamsat@so.gov.vn")
	empty.HTML = []byte{}
	queued, err := notify.EnqueueMany(ctx, pool, []notify.Notification{html, vietnameseMail(t, "text", "xd@so.gov.vn"), empty,
		webhook("hook", "http://127.0.0.1:9/hook", "")}, t0)
	if err != nil || queued != 4 {
		t.Fatalf("%d, %v", queued, err)
	}
	rows, err := pool.Query(ctx, `SELECT idempotency_key, html FROM notifications`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for rows.Next() {
		var k string
		var h []byte
		if err := rows.Scan(&k, &h); err != nil {
			t.Fatal(err)
		}
		got[k] = h
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got["html"], html.HTML) {
		t.Errorf("html: %q", got["html"])
	}
	for _, k := range []string{"text", "empty", "hook"} {
		if h, ok := got[k]; !ok || h != nil {
			t.Errorf("%s: html %q, want NULL", k, h)
		}
	}
}
