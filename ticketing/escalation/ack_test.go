package escalation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// ackFixture is a ticket of xd due Wednesday 17:00 whose due_soon went out on Wednesday 07:30.
func ackFixture(t *testing.T) (*pgxpool.Pool, string, *escalation.Escalator, ticket) {
	t.Helper()
	pool, url := setup(t)
	addDepts(t, pool, xd)
	e := newEscalator(t, pool, baseConfig(t))
	tk := addTicket(t, pool, ticket{dept: "xd", deadline: at(2026, 3, 4, 17, 0)})
	if r := tick(t, e, at(2026, 3, 4, 7, 30)); r.Notices[escalation.DueSoon] != 1 {
		t.Fatalf("tick: %+v", r)
	}
	return pool, url, e, tk
}

// ackToken returns the token of the ack link in the webhook of tk's notice of stage.
func ackToken(t *testing.T, pool *pgxpool.Pool, tk ticket, stage escalation.Stage) string {
	t.Helper()
	for _, n := range outbox(t, pool) {
		if n.channel == "webhook" && n.ticket != nil && *n.ticket == tk.id && n.stage == string(stage) {
			var w escalation.WebhookNotice
			if err := json.Unmarshal(n.body, &w); err != nil {
				t.Fatal(err)
			}
			token, ok := strings.CutPrefix(w.AckURL, publicURL+"/ack/")
			if !ok || token == "" {
				t.Fatalf("ack_url %q", w.AckURL)
			}
			return token
		}
	}
	t.Fatalf("no webhook for %s of %s", stage, tk.code)
	return ""
}

func audit(t *testing.T, pool *pgxpool.Pool, tk ticket) []ticketing.AuditEntry {
	t.Helper()
	rows, err := pool.Query(ctx, `SELECT actor, role, action, field, new, detail FROM ticket_audit WHERE ticket_id = $1 ORDER BY id`, tk.id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []ticketing.AuditEntry
	for rows.Next() {
		var a ticketing.AuditEntry
		if err := rows.Scan(&a.Actor, &a.Role, &a.Action, &a.Field, &a.New, &a.Detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestAcknowledgeOnceThroughTheAPI(t *testing.T) {
	t.Parallel()
	pool, _, e, tk := ackFixture(t)
	op := ticketing.Actor{Name: "desk", Role: ticketing.RoleOperator, Operator: "1001"}
	when := at(2026, 3, 4, 8, 15)

	a, err := e.Acknowledge(ctx, tk.code, escalation.DueSoon, op, "Đã giao tổ kỹ thuật", escalation.ViaAPI, when)
	if err != nil {
		t.Fatal(err)
	}
	if a.TicketID != tk.id || a.Code != tk.code || !a.At.Equal(when) || a.By != "1001" || a.Via != escalation.ViaAPI ||
		!a.DueAt.Equal(tk.deadline) || !a.QueuedAt.Equal(at(2026, 3, 4, 7, 30)) {
		t.Errorf("acknowledgement %+v", a)
	}
	trail := audit(t, pool, tk)
	if len(trail) != 1 || trail[0].Action != escalation.AuditAcknowledge || trail[0].Actor != "1001" ||
		trail[0].Role != ticketing.RoleOperator || trail[0].New != "due_soon" || !strings.Contains(trail[0].Detail, "Đã giao tổ kỹ thuật") {
		t.Errorf("audit %+v", trail)
	}

	// Again, by id this time: 409 saying when, by whom and how.
	_, err = e.Acknowledge(ctx, tk.id.String(), escalation.DueSoon, op, "", escalation.ViaAPI, when.Add(time.Hour))
	var acked *escalation.AcknowledgedError
	if !errors.Is(err, escalation.ErrAcknowledged) || !errors.As(err, &acked) || !acked.At.Equal(when) || acked.By != "1001" {
		t.Fatalf("second acknowledgement: %v", err)
	}
	for _, s := range []string{tk.code, "due_soon", "2026-03-04T08:15:00+07:00", "1001", "through the API"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
	if n := len(audit(t, pool, tk)); n != 1 {
		t.Errorf("%d audit rows after a refused acknowledgement", n)
	}

	cases := []struct {
		name, ticket string
		stage        escalation.Stage
		note         string
		want         func(error) bool
	}{
		{"a stage never sent", tk.code, escalation.DueHours, "", func(err error) bool { return errors.Is(err, escalation.ErrNoNotice) }},
		{"an unknown ticket", "PA-2026-999999", escalation.DueSoon, "", func(err error) bool { return errors.Is(err, ticketing.ErrNotFound) }},
		{"an unknown stage", tk.code, "late", "", func(err error) bool {
			var v *ticketing.ValidationError
			return errors.As(err, &v) && v.Fields["stage"] != ""
		}},
		{"a long note", tk.code, escalation.DueSoon, strings.Repeat("ư", 2001), func(err error) bool {
			var v *ticketing.ValidationError
			return errors.As(err, &v) && v.Fields["note"] != ""
		}},
	}
	for _, c := range cases {
		if _, err := e.Acknowledge(ctx, c.ticket, c.stage, op, c.note, escalation.ViaAPI, when); !c.want(err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestAckLinkWorksOnceEverywhereUntilItExpires(t *testing.T) {
	t.Parallel()
	pool, url, e, tk := ackFixture(t)
	token := ackToken(t, pool, tk, escalation.DueSoon)
	when := at(2026, 3, 4, 9, 0)

	// Another node (another Escalator, after a restart) reads the same link: the key is in the database.
	other := newEscalator(t, newPool(t, url), baseConfig(t))
	l, err := other.VerifyAck(ctx, token, when)
	if err != nil {
		t.Fatal(err)
	}
	if l.TicketID != tk.id || l.Code != tk.code || l.Stage != escalation.DueSoon || !l.DueAt.Equal(tk.deadline) ||
		l.Department != "xd" || l.DepartmentName != xd.name || l.Acknowledged != nil ||
		!l.Expires.Equal(tk.deadline.Add(7*24*time.Hour)) {
		t.Errorf("link %+v", l)
	}

	// Altered tokens, and nonsense.
	flip := []byte(token)
	flip[10] ^= 1
	for _, bad := range []string{string(flip), token[:len(token)-2], token + "AA", "", "abc", strings.Repeat("A", len(token))} {
		if _, err := e.VerifyAck(ctx, bad, when); !errors.Is(err, escalation.ErrBadLink) {
			t.Errorf("VerifyAck(%q): %v, want ErrBadLink", bad, err)
		}
		if _, err := e.AcknowledgeLink(ctx, bad, "", when); !errors.Is(err, escalation.ErrBadLink) {
			t.Errorf("AcknowledgeLink(%q): %v, want ErrBadLink", bad, err)
		}
	}
	// Valid until 7 days after the deadline (later than the notice), not a second more.
	if _, err := e.VerifyAck(ctx, token, l.Expires); err != nil {
		t.Errorf("at its expiry: %v", err)
	}
	if _, err := e.VerifyAck(ctx, token, l.Expires.Add(time.Second)); !errors.Is(err, escalation.ErrLinkExpired) {
		t.Errorf("after its expiry: %v, want ErrLinkExpired", err)
	}
	if _, err := e.AcknowledgeLink(ctx, token, "", l.Expires.Add(time.Second)); !errors.Is(err, escalation.ErrLinkExpired) {
		t.Errorf("acknowledged after its expiry: %v", err)
	}

	// The GET page: a confirm form, and nothing acknowledged by looking.
	var page bytes.Buffer
	if err := escalation.WriteAckPage(&page, escalation.AckPage{Link: &l}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<form method="post">`, `name="note"`, "Xác nhận đã nhận", tk.code, xd.name, "17:00 04/03/2026"} {
		if !strings.Contains(page.String(), s) {
			t.Errorf("the confirm page lacks %q:\n%s", s, page.String())
		}
	}
	if l, _ := e.VerifyAck(ctx, token, when); l.Acknowledged != nil {
		t.Fatal("reading the link acknowledged it")
	}

	// The POST: once.
	a, err := e.AcknowledgeLink(ctx, token, "Đã nhận, đang xử lý", when)
	if err != nil {
		t.Fatal(err)
	}
	if a.Via != escalation.ViaLink || a.By != "department xd" || !a.At.Equal(when) || a.Note != "Đã nhận, đang xử lý" {
		t.Errorf("acknowledgement %+v", a)
	}
	trail := audit(t, pool, tk)
	if len(trail) != 1 || trail[0].Action != "acknowledge" || trail[0].Role != "department" || !strings.Contains(trail[0].Detail, "link") {
		t.Errorf("audit %+v", trail)
	}
	_, err = other.AcknowledgeLink(ctx, token, "", when.Add(time.Minute))
	var acked *escalation.AcknowledgedError
	if !errors.As(err, &acked) || acked.Via != escalation.ViaLink || !acked.At.Equal(when) ||
		!strings.Contains(err.Error(), "through the link") {
		t.Fatalf("second POST: %v", err)
	}
	// The API sees the same notice acknowledged.
	if _, err := e.Acknowledge(ctx, tk.code, escalation.DueSoon, ticketing.Actor{Name: "x", Role: ticketing.RoleAdmin}, "", escalation.ViaAPI, when); !errors.Is(err, escalation.ErrAcknowledged) {
		t.Errorf("API after the link: %v", err)
	}

	// The pages after: done, already done, expired.
	l, _ = e.VerifyAck(ctx, token, when)
	pages := []struct {
		p    escalation.AckPage
		want string
	}{
		{escalation.AckPage{Link: &l, Done: &a}, "Đã xác nhận lúc 09:00 04/03/2026"},
		{escalation.AckPage{Link: &l}, "đã được xác nhận lúc 09:00 04/03/2026 (qua liên kết trong thông báo)"},
		{escalation.AckPage{Link: &l, Err: err}, "đã được xác nhận lúc 09:00 04/03/2026"},
		{escalation.AckPage{Err: escalation.ErrLinkExpired}, "đã hết hạn"},
		{escalation.AckPage{}, "không hợp lệ"},
	}
	for _, c := range pages {
		page.Reset()
		if err := escalation.WriteAckPage(&page, c.p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page.String(), c.want) || strings.Contains(page.String(), "<form") {
			t.Errorf("page %+v lacks %q or has a form:\n%s", c.p, c.want, page.String())
		}
	}
}
