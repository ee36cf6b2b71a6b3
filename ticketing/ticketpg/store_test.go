package ticketpg_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgtest"
	"hotline/internal/phone"
	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	vn = ticketing.Zone()
	// monday is a working Monday morning: hotline tickets received then are due on Thursday at 17:00.
	monday = time.Date(2025, 3, 3, 9, 0, 0, 0, vn)

	operator   = ticketing.Actor{Name: "desk-1001", Role: ticketing.RoleOperator, Operator: "1001"}
	operator2  = ticketing.Actor{Name: "desk-1002", Role: ticketing.RoleOperator, Operator: "1002"}
	supervisor = ticketing.Actor{Name: "giam-sat", Role: ticketing.RoleSupervisor}
	admin      = ticketing.Actor{Name: "quan-tri", Role: ticketing.RoleAdmin}
)

func ptr[T any](v T) *T { return &v }

// env is a migrated database of its own, with a store on it.
type env struct {
	t     testing.TB
	ctx   context.Context
	pool  *pgxpool.Pool
	store *ticketpg.Store
}

func setup(t testing.TB) *env {
	t.Helper()
	pool := pgtest.NewMigratedPool(t)
	return &env{t: t, ctx: context.Background(), pool: pool, store: ticketpg.New(pool, ticketing.Deadlines{})}
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(e.ctx, sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// call stores a call from caller taken by operator ext ("" for none) and returns its id.
func (e *env) call(caller, ext string) uuid.UUID {
	e.t.Helper()
	id := uuid.Must(uuid.NewV7())
	var op *string
	if ext != "" {
		op = &ext
		e.exec(`INSERT INTO operators (ext, name, realm, ha1_md5, ha1_sha256) VALUES ($1, $1, 'hotline', repeat('0', 32), repeat('0', 64))
			ON CONFLICT DO NOTHING`, ext)
	}
	e.exec(`INSERT INTO calls (id, node_id, sip_call_id, caller, caller_digits, called, transport, source, arrived_at,
			operator, version)
		VALUES ($1, 'n1', $2, $3, $4, '1900', 'udp', '127.0.0.1:5060', $5, $6, 1)`,
		id, id.String(), caller, phone.National(caller), monday.Add(-time.Hour), op)
	return id
}

// token stores an API token and returns its id.
func (e *env) token(name string) int64 {
	e.t.Helper()
	var id int64
	h := sha256.Sum256([]byte(name))
	err := e.pool.QueryRow(e.ctx, `INSERT INTO api_tokens (name, role, hash) VALUES ($1, 'supervisor', $2)
		RETURNING id`, name, hex.EncodeToString(h[:])).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) department(code string) {
	e.t.Helper()
	if err := e.store.AddDepartment(e.ctx, ticketing.Department{Code: code, Name: "Phòng " + code, Email: code + "@ubnd.vn"}, monday); err != nil {
		e.t.Fatal(err)
	}
}

// show writes a ticket with everything it points to, to compare tickets.
func show(t ticketing.Ticket) string {
	b, err := json.Marshal(t)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func report(desc string) ticketing.NewTicket {
	return ticketing.NewTicket{Channel: ticketing.Hotline, Description: desc}
}

func (e *env) create(a ticketing.Actor, n ticketing.NewTicket, now time.Time) ticketing.Ticket {
	e.t.Helper()
	t, _, err := e.store.Create(e.ctx, a, n, "", now)
	if err != nil {
		e.t.Fatalf("create %+v: %v", n, err)
	}
	return t
}

func (e *env) update(a ticketing.Actor, id uuid.UUID, p ticketing.Patch, now time.Time) ticketing.Ticket {
	e.t.Helper()
	t, err := e.store.Update(e.ctx, a, id, p, now)
	if err != nil {
		e.t.Fatalf("update %+v: %v", p, err)
	}
	return t
}

func (e *env) audit(id uuid.UUID, action string) []ticketing.AuditEntry {
	e.t.Helper()
	all, err := e.store.Audit(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []ticketing.AuditEntry
	for _, a := range all {
		if a.Action == action {
			out = append(out, a)
		}
	}
	return out
}

func TestCreate(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("tnmt")
	e.exec(`UPDATE fields SET department = 'tnmt' WHERE code = 'vsmt'`)
	callID := e.call("+84912345678", "1001")
	tests := []struct {
		name       string
		n          ticketing.NewTicket
		status     ticketing.Status
		department string
		deadline   time.Time
	}{
		{"anonymous, unclassified", report("Cây đổ chắn đường"), ticketing.New, "", time.Date(2025, 3, 6, 17, 0, 0, 0, vn)},
		{"field with a department", ticketing.NewTicket{Channel: ticketing.Zalo, Description: "Rác thải", Field: "vsmt"},
			ticketing.Assigned, "tnmt", time.Date(2025, 3, 6, 17, 0, 0, 0, vn)},
		{"field report: 7 working days", ticketing.NewTicket{Channel: ticketing.FieldReport, Description: "Ổ gà", Field: "atgt"},
			ticketing.New, "", time.Date(2025, 3, 12, 17, 0, 0, 0, vn)},
		{"department given", ticketing.NewTicket{Channel: ticketing.Web, Description: "Xây dựng trái phép", Department: "tnmt",
			Reporter: &ticketing.Reporter{Name: "Nguyễn Văn An", Phone: "0912345678"}, CallID: &callID,
			Location:    &ticketing.Location{Address: "12 Lê Lợi", Lat: ptr(12.68), Lon: ptr(108.04)},
			Attachments: []ticketing.Attachment{{URL: "https://zalo.me/a b.jpg", Kind: ticketing.KindImage, Name: "ảnh 1"}}},
			ticketing.Assigned, "tnmt", time.Date(2025, 3, 6, 17, 0, 0, 0, vn)},
	}
	for i, tt := range tests {
		got := e.create(operator, tt.n, monday)
		if want := fmt.Sprintf("PA-2025-%06d", i+1); got.Code != want {
			t.Errorf("%s: code %s, want %s", tt.name, got.Code, want)
		}
		if got.Status != tt.status || got.Department != tt.department || !got.DeadlineAt.Equal(tt.deadline) ||
			!got.ReceivedAt.Equal(monday) || got.CreatedBy != "1001" {
			t.Errorf("%s: got %+v", tt.name, got)
		}
		stored, err := e.store.Get(e.ctx, operator, got.Code, monday)
		if err != nil {
			t.Fatal(err)
		}
		got.Overdue = false
		if show(stored) != show(got) {
			t.Errorf("%s: stored\n%+v\nreturned\n%+v", tt.name, stored, got)
		}
		if stored.DeadlineAt.Location().String() != "Asia/Ho_Chi_Minh" {
			t.Errorf("times in %s", stored.DeadlineAt.Location())
		}
	}
	// The lower-case code finds it too; nothing else does.
	if _, err := e.store.Get(e.ctx, operator, "pa-2025-000001", monday); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"PA-2025-999999", uuid.NewString(), "xyz", ""} {
		if _, err := e.store.Get(e.ctx, operator, bad, monday); !errors.Is(err, ticketing.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tests := []struct {
		name  string
		a     ticketing.Actor
		n     ticketing.NewTicket
		field string // named by a *ValidationError
		err   error
	}{
		{"unknown field", operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "x", Field: "nope"}, "field", nil},
		{"unknown department", operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "x", Department: "nope"}, "department", nil},
		{"unknown call", operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "x", CallID: ptr(uuid.New())}, "call_id", nil},
		{"no description", operator, ticketing.NewTicket{Channel: ticketing.Hotline}, "description", nil},
		{"received_at from an operator", operator, ticketing.NewTicket{Channel: ticketing.Zalo, Description: "x", ReceivedAt: ptr(monday)}, "", ticketing.ErrForbidden},
		{"received_at ahead", supervisor, ticketing.NewTicket{Channel: ticketing.Zalo, Description: "x", ReceivedAt: ptr(monday.Add(time.Hour))}, "received_at", nil},
	}
	for _, tt := range tests {
		_, _, err := e.store.Create(e.ctx, tt.a, tt.n, "", monday)
		var ve *ticketing.ValidationError
		switch {
		case tt.err != nil && !errors.Is(err, tt.err):
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.err)
		case tt.field != "" && (!errors.As(err, &ve) || ve.Fields[tt.field] == ""):
			t.Errorf("%s: got %v, want a *ValidationError on %s", tt.name, err, tt.field)
		}
	}
	// None of them took a number.
	got := e.create(operator, report("x"), monday)
	if got.Code != "PA-2025-000001" {
		t.Errorf("code %s after refused creates, want PA-2025-000001", got.Code)
	}
}

// 100 creates at once get the numbers 1 to 100, each once.
func TestParallelCreatesAreGapFree(t *testing.T) {
	t.Parallel()
	e := setup(t)
	const n = 100
	codes := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, _, err := e.store.Create(e.ctx, operator, report(fmt.Sprintf("report %d", i)), "", monday)
			codes[i], errs[i] = tk.Code, err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(codes)
	for i, c := range codes {
		if want := fmt.Sprintf("PA-2025-%06d", i+1); c != want {
			t.Fatalf("codes[%d] = %s, want %s (codes %v)", i, c, want, codes)
		}
	}
}

// A create that fails after taking its number gives the number back.
func TestRolledBackCreateGivesItsNumberBack(t *testing.T) {
	t.Parallel()
	e := setup(t)
	first := e.create(operator, report("one"), monday)
	boom := errors.New("disk full")
	ticketpg.SetAfterNumber(e.store, func(ctx context.Context, tx pgx.Tx) error {
		var last int
		if err := tx.QueryRow(ctx, `SELECT last FROM ticket_counters WHERE year = 2025`).Scan(&last); err != nil {
			return err
		}
		if last != 2 {
			return fmt.Errorf("the failing create numbered %d, want 2", last)
		}
		return boom
	})
	if _, _, err := e.store.Create(e.ctx, operator, report("two"), "", monday); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the injected failure", err)
	}
	ticketpg.SetAfterNumber(e.store, nil)
	second := e.create(operator, report("three"), monday)
	if first.Code != "PA-2025-000001" || second.Code != "PA-2025-000002" {
		t.Errorf("codes %s, %s; want PA-2025-000001, PA-2025-000002", first.Code, second.Code)
	}
	var n int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d tickets (%v), want 2", n, err)
	}
}

// The year of a code is the year of receipt in Asia/Ho_Chi_Minh, and each year counts from 1.
func TestCodeYearBoundary(t *testing.T) {
	t.Parallel()
	e := setup(t)
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, vn)
	tests := []struct {
		received time.Time
		want     string
	}{
		{time.Date(2025, 12, 31, 23, 59, 0, 0, vn), "PA-2025-000001"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, vn), "PA-2026-000001"},
		{time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC), "PA-2026-000002"}, // 00:30 on 1/1 in Vietnam
		{time.Date(2025, 12, 31, 16, 59, 0, 0, time.UTC), "PA-2025-000002"}, // 23:59 on 31/12 in Vietnam
	}
	for _, tt := range tests {
		got := e.create(supervisor, ticketing.NewTicket{Channel: ticketing.Web, Description: "x", ReceivedAt: ptr(tt.received)}, now)
		if got.Code != tt.want {
			t.Errorf("received %s: code %s, want %s", tt.received, got.Code, tt.want)
		}
	}
}

func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	e := setup(t)
	zalo := ticketing.Actor{Name: "zalo-oa", Role: ticketing.RoleSupervisor, TokenID: e.token("zalo-oa")}
	web := ticketing.Actor{Name: "portal", Role: ticketing.RoleSupervisor, TokenID: e.token("portal")}
	n := ticketing.NewTicket{Channel: ticketing.Zalo, Description: "Đèn đường hỏng",
		Reporter: &ticketing.Reporter{Name: "Trần Thị Bình", Phone: "0987654321"}}

	first, replayed, err := e.store.Create(e.ctx, zalo, n, "msg-42", monday)
	if err != nil || replayed {
		t.Fatalf("first: %v, replayed %v", err, replayed)
	}
	again, replayed, err := e.store.Create(e.ctx, zalo, n, "msg-42", monday.Add(time.Minute))
	if err != nil || !replayed || again.ID != first.ID || again.Code != first.Code {
		t.Fatalf("repeat: %+v, replayed %v, %v; want the first ticket", again, replayed, err)
	}
	other, replayed, err := e.store.Create(e.ctx, web, n, "msg-42", monday)
	if err != nil || replayed || other.ID == first.ID {
		t.Fatalf("another token's key: %v, replayed %v", err, replayed)
	}

	// The same key sent 20 times at once makes one ticket.
	const n2 = 20
	ids := make([]uuid.UUID, n2)
	var wg sync.WaitGroup
	for i := range n2 {
		wg.Go(func() {
			tk, _, err := e.store.Create(e.ctx, zalo, n, "msg-43", monday)
			if err != nil {
				t.Error(err)
			}
			ids[i] = tk.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent repeats made several tickets: %v", ids)
		}
	}
	var count int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM tickets`).Scan(&count); err != nil || count != 3 {
		t.Errorf("%d tickets (%v), want 3", count, err)
	}
	// Codes stay gap-free: the losers of the race gave their numbers back.
	var last int
	if err := e.pool.QueryRow(e.ctx, `SELECT last FROM ticket_counters WHERE year = 2025`).Scan(&last); err != nil || last != 3 {
		t.Errorf("counter at %d (%v), want 3", last, err)
	}
	if _, err := e.store.PurgeIdempotencyKeys(e.ctx, monday.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if tk, replayed, err := e.store.Create(e.ctx, zalo, n, "msg-42", monday.Add(25*time.Hour)); err != nil || replayed || tk.ID == first.ID {
		t.Errorf("after the purge: %v, replayed %v", err, replayed)
	}
}
