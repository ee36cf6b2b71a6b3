package escalation_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgtest"
	"hotline/migrations"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// vn is Vietnam's zone; at returns a wall-clock time there.
var vn = ticketing.Zone()

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, vn) }

// The tests' week: Monday 2 March 2026 to Sunday 8 March 2026, no holidays.
func mon(hh, mm int) time.Time { return at(2026, 3, 2, hh, mm) }

// setup returns a migrated database's pool and its URL (for a second pool, as another node would have).
func setup(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	pool := newPool(t, url)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := migrations.Up(ctx, conn.Conn()); err != nil {
		t.Fatal(err)
	}
	return pool, url
}

func newPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// supervisors of the tests' configuration.
var supervisorEmails = []string{"giamsat@so.gov.vn", "pho.giamdoc@so.gov.vn"}

const (
	supervisorHook   = "https://giamsat.example.vn/hook"
	supervisorSecret = "sup-secret"
	publicURL        = "https://hotline.example.vn"
)

func baseConfig(t *testing.T) escalation.Config {
	return escalation.Config{
		SupervisorEmails: supervisorEmails, SupervisorWebhook: supervisorHook,
		SupervisorWebhookSecret: supervisorSecret, PublicURL: publicURL, Log: testLog(t),
	}
}

func newEscalator(t *testing.T, pool *pgxpool.Pool, cfg escalation.Config) *escalation.Escalator {
	t.Helper()
	e, err := escalation.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// dept is a department of the fixtures.
type dept struct {
	code, name, email, webhook, secret, head, headEmail string
}

var (
	xd   = dept{"xd", "Sở Xây dựng", "xd@so.gov.vn", "https://xd.example.vn/hook", "xd-secret", "Trần Văn Bình", "binh.tv@so.gov.vn"}
	gtvt = dept{"gtvt", "Sở Giao thông vận tải", "gtvt@so.gov.vn", "", "", "Lê Thị Hoa", "hoa.lt@so.gov.vn"}
	tnmt = dept{"tnmt", "Sở Tài nguyên và Môi trường", "tnmt@so.gov.vn", "https://tnmt.example.vn/hook", "tnmt-secret", "", ""}
)

func addDepts(t *testing.T, pool *pgxpool.Pool, ds ...dept) {
	t.Helper()
	for _, d := range ds {
		_, err := pool.Exec(ctx, `INSERT INTO departments (code, name, email, webhook, secret, head, head_email, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())`, d.code, d.name, d.email, d.webhook, d.secret, d.head, d.headEmail)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// ticket is a ticket of the fixtures, written straight to the table (the schema is the contract).
type ticket struct {
	id         uuid.UUID
	code       string
	field      string
	dept       string
	status     ticketing.Status
	received   time.Time
	deadline   time.Time
	extended   *time.Time
	resolved   *time.Time
	reporter   ticketing.Reporter
	descr      string
	mergedInto *uuid.UUID
}

// due is the ticket's effective deadline.
func (tk ticket) due() time.Time {
	if tk.extended != nil {
		return *tk.extended
	}
	return tk.deadline
}

var codeSeq atomic.Int64

func addTicket(t *testing.T, pool *pgxpool.Pool, tk ticket) ticket {
	t.Helper()
	if tk.id == uuid.Nil {
		tk.id = uuid.New()
	}
	if tk.code == "" {
		tk.code = fmt.Sprintf("PA-2026-%06d", codeSeq.Add(1))
	}
	if tk.status == "" {
		tk.status = ticketing.Assigned
	}
	if tk.received.IsZero() {
		tk.received = tk.deadline.Add(-72 * time.Hour)
	}
	if tk.descr == "" {
		tk.descr = "Đèn đường hỏng trên đường Nguyễn Huệ, phường Bến Nghé"
	}
	var closed *time.Time
	if tk.status == ticketing.Closed {
		closed = tk.resolved
	}
	_, err := pool.Exec(ctx, `INSERT INTO tickets (id, code, channel, field, department, status, received_at,
			term_days, deadline_at, extended_deadline_at, resolved_at, closed_at, reporter_name, reporter_phone,
			reporter_email, description, merged_into, created_by, created_at, updated_at, search)
		VALUES ($1, $2, 'hotline', $3, $4, $5, $6, 3, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'test', $6, $6, '')`,
		tk.id, tk.code, nullable(tk.field), nullable(tk.dept), tk.status, tk.received, tk.deadline, tk.extended,
		tk.resolved, closed, tk.reporter.Name, tk.reporter.Phone, tk.reporter.Email, tk.descr, tk.mergedInto)
	if err != nil {
		t.Fatalf("add ticket %+v: %v", tk, err)
	}
	return tk
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

// notification is an outbox row as the tests read it.
type notification struct {
	key, channel, target, secret, subject, event, stage, dept string
	body, html                                                []byte // html: nil when NULL
	ticket                                                    *uuid.UUID
	created                                                   time.Time
}

func outbox(t *testing.T, pool *pgxpool.Pool) []notification {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT idempotency_key, channel, target, secret, subject, event, stage, department,
		body, html, ticket_id, created_at FROM notifications ORDER BY created_at, idempotency_key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notification
	for rows.Next() {
		var n notification
		if err := rows.Scan(&n.key, &n.channel, &n.target, &n.secret, &n.subject, &n.event, &n.stage, &n.dept,
			&n.body, &n.html, &n.ticket, &n.created); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// notice is a ticket_notices row.
type notice struct {
	ticket        uuid.UUID
	due           time.Time
	stage         escalation.Stage
	queued        time.Time
	notifications int
}

func notices(t *testing.T, pool *pgxpool.Pool) []notice {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT ticket_id, due_at, stage, queued_at, notifications FROM ticket_notices
		ORDER BY queued_at, ticket_id, stage`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notice
	for rows.Next() {
		var n notice
		if err := rows.Scan(&n.ticket, &n.due, &n.stage, &n.queued, &n.notifications); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func tick(t *testing.T, e *escalation.Escalator, now time.Time) escalation.TickResult {
	t.Helper()
	r, err := e.Tick(ctx, now)
	if err != nil {
		t.Fatalf("tick at %s: %v", now, err)
	}
	return r
}
