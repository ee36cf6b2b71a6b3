package notify_test

import (
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
	"hotline/migrations"
	"hotline/notify"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// setup returns a migrated database's pool.
func setup(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.NewPool(t)
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := migrations.Up(context.Background(), conn.Conn()); err != nil {
		t.Fatal(err)
	}
	return pool
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
