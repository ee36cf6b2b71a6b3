package escalation_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

var update = flag.Bool("update", false, "rewrite testdata/breach_report.html")

// mar is a time in March 2026 in Vietnam; feb in February.
func mar(d, hh, mm int) time.Time { return at(2026, 3, d, hh, mm) }
func feb(d, hh, mm int) time.Time { return at(2026, 2, d, hh, mm) }

// reportFixture makes the tickets of the report of the week Monday 2 – Friday 6 March 2026 (to Saturday
// 00:00), read on Saturday 7 March 10:00. The working hours of each figure are counted by hand in the
// comments (office hours 07:30–11:30 and 13:30–17:00: 7.5 hours a day).
func reportFixture(t *testing.T) (*pgxpool.Pool, map[string]ticket) {
	t.Helper()
	pool, _ := setup(t)
	addDepts(t, pool, xd, gtvt, tnmt)
	tk := map[string]ticket{}
	add := func(name string, x ticket) { tk[name] = addTicket(t, pool, x) }
	// T1 xd/htdt, on time: resolved Wed 10:00, 17 h after Mon 08:00 (3.5 + 3.5 + 7.5 + 2.5).
	add("T1", ticket{dept: "xd", field: "htdt", status: ticketing.Resolved, received: mar(2, 8, 0), deadline: mar(5, 17, 0), resolved: ptr(mar(4, 10, 0))})
	// T2 xd/htdt, late: due Tue 17:00, resolved Thu 09:30: 23 h after Mon 09:00 (6 + 7.5 + 7.5 + 2);
	// 9.5 h late (Wed 7.5 + Thu 2) = 1.27 days.
	add("T2", ticket{dept: "xd", field: "htdt", status: ticketing.Closed, received: mar(2, 9, 0), deadline: mar(3, 17, 0), resolved: ptr(mar(5, 9, 30))})
	// T3 xd/xd, open, extended from Wed to Thu 17:00 (on Wed 11:00): overdue; 7.5 h (Fri) late by Sat.
	add("T3", ticket{dept: "xd", field: "xd", status: ticketing.InProgress, received: mar(3, 14, 0), deadline: mar(4, 17, 0), extended: ptr(mar(5, 17, 0))})
	// T4 gtvt, unclassified, not due yet.
	add("T4", ticket{dept: "gtvt", received: mar(4, 10, 0), deadline: mar(9, 17, 0)})
	// T5 gtvt/xd, received the week before, resolved on time Mon 16:00: 19 h after Thu 26/2 10:00
	// (1.5 + 3.5 + 7.5 + 4 + 2.5).
	add("T5", ticket{dept: "gtvt", field: "xd", status: ticketing.Resolved, received: feb(26, 10, 0), deadline: mar(2, 17, 0), resolved: ptr(mar(2, 16, 0))})
	// T6 gtvt/htdt, received the week before, due Fri 27/2 17:00, still open: overdue, 37.5 h (5 days) late.
	add("T6", ticket{dept: "gtvt", field: "htdt", received: feb(25, 9, 0), deadline: feb(27, 17, 0)})
	// T7 xd/htdt, rejected: received only.
	add("T7", ticket{dept: "xd", field: "htdt", status: ticketing.Rejected, received: mar(3, 8, 0), deadline: mar(6, 17, 0)})
	// T8 merged into T7: left out.
	t7 := tk["T7"].id
	add("T8", ticket{dept: "xd", field: "htdt", status: ticketing.Merged, mergedInto: &t7, received: mar(3, 8, 30), deadline: mar(6, 17, 0)})
	// T9 new, no department nor field: received only.
	add("T9", ticket{status: ticketing.New, received: mar(6, 16, 0), deadline: mar(11, 17, 0)})
	// T10 xd/htdt, resolved late after the period: received only.
	add("T10", ticket{dept: "xd", field: "htdt", status: ticketing.Resolved, received: mar(2, 10, 0), deadline: mar(5, 17, 0), resolved: ptr(mar(7, 9, 0))})

	_, err := pool.Exec(ctx, `INSERT INTO ticket_audit (ticket_id, at, actor, role, action, field, old, new, detail)
		VALUES ($1, $2, 'giamsat', 'supervisor', 'extend', 'extended_deadline_at', '', '', 'reason: x; legal basis: y')`,
		tk["T3"].id, mar(4, 11, 0))
	if err != nil {
		t.Fatal(err)
	}
	notice := func(name string, stage escalation.Stage, queued time.Time, ackAt *time.Time, by, via string) {
		x := tk[name]
		var v *string
		var b *string
		if ackAt != nil {
			v, b = &via, &by
		}
		_, err := pool.Exec(ctx, `INSERT INTO ticket_notices (ticket_id, due_at, stage, queued_at, department,
				acknowledged_at, acknowledged_by, ack_via) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			x.id, x.due(), string(stage), queued, x.dept, ackAt, b, v)
		if err != nil {
			t.Fatal(err)
		}
	}
	notice("T2", escalation.DueSoon, mar(3, 7, 30), ptr(mar(3, 8, 0)), "department xd", "link")
	notice("T2", escalation.Breached, mar(3, 17, 15), nil, "", "")
	notice("T3", escalation.Breached, mar(5, 17, 15), ptr(mar(6, 8, 0)), "1001", "api")
	notice("T6", escalation.Breached, feb(27, 17, 15), nil, "", "") // before the period
	return pool, tk
}

func f(v float64) *float64 { return &v }

func TestBreachReportAgainstAHandComputedFixture(t *testing.T) {
	t.Parallel()
	pool, tk := reportFixture(t)
	e := newEscalator(t, pool, baseConfig(t))
	r, err := e.Report(ctx, mar(2, 0, 0), mar(7, 0, 0), mar(7, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	htdt := "Hạ tầng đô thị (điện chiếu sáng, cấp thoát nước, cây xanh)"
	want := escalation.Report{
		From: mar(2, 0, 0), To: mar(7, 0, 0), At: mar(7, 10, 0), OfficeDayHours: 7.5,
		Departments: []escalation.Row{
			{Code: "gtvt", Name: gtvt.name, Received: 1, ResolvedOnTime: 1, OpenOverdue: 1, OnTimeRate: f(0.5), MedianResolutionHours: f(19)},
			{Code: "tnmt", Name: tnmt.name},
			{Code: "xd", Name: xd.name, Received: 5, ResolvedOnTime: 1, ResolvedLate: 1, OpenOverdue: 1, OnTimeRate: f(0.3333),
				MedianResolutionHours: f(20), Extensions: 1, Notices: 3, Acknowledged: 2},
			{Code: "", Name: "Chưa giao đơn vị", Received: 1},
		},
		Fields: []escalation.Row{
			{Code: "htdt", Name: htdt, Received: 4, ResolvedOnTime: 1, ResolvedLate: 1, OpenOverdue: 1, OnTimeRate: f(0.3333),
				MedianResolutionHours: f(20), Notices: 2, Acknowledged: 1},
			{Code: "xd", Name: "Xây dựng", Received: 1, ResolvedOnTime: 1, OpenOverdue: 1, OnTimeRate: f(0.5),
				MedianResolutionHours: f(19), Extensions: 1, Notices: 1, Acknowledged: 1},
			{Code: "", Name: "Chưa phân loại", Received: 2},
		},
		Total: escalation.Row{Name: "Tổng cộng", Received: 7, ResolvedOnTime: 2, ResolvedLate: 1, OpenOverdue: 2,
			OnTimeRate: f(0.4), MedianResolutionHours: f(19), Extensions: 1, Notices: 3, Acknowledged: 2},
		Breached: []escalation.BreachedTicket{
			{ID: tk["T6"].id, Code: tk["T6"].code, Field: "htdt", FieldName: htdt, Department: "gtvt", DepartmentName: gtvt.name,
				Status: ticketing.Assigned, ReceivedAt: feb(25, 9, 0), DeadlineAt: feb(27, 17, 0), LateHours: 37.5, LateDays: 5},
			{ID: tk["T2"].id, Code: tk["T2"].code, Field: "htdt", FieldName: htdt, Department: "xd", DepartmentName: xd.name,
				Status: ticketing.Closed, ReceivedAt: mar(2, 9, 0), DeadlineAt: mar(3, 17, 0), ResolvedAt: ptr(mar(5, 9, 30)),
				LateHours: 9.5, LateDays: 1.27, AcknowledgedAt: ptr(mar(3, 8, 0)), AcknowledgedBy: "department xd"},
			{ID: tk["T3"].id, Code: tk["T3"].code, Field: "xd", FieldName: "Xây dựng", Department: "xd", DepartmentName: xd.name,
				Status: ticketing.InProgress, ReceivedAt: mar(3, 14, 0), DeadlineAt: mar(5, 17, 0), LateHours: 7.5, LateDays: 1,
				AcknowledgedAt: ptr(mar(6, 8, 0)), AcknowledgedBy: "1001"},
		},
	}
	// Compared as JSON: every figure, name and time (in +07:00) at once.
	gotJSON, wantJSON := jsonOf(t, r), jsonOf(t, want)
	if gotJSON != wantJSON {
		t.Errorf("report\n%s\nwant\n%s", gotJSON, wantJSON)
	}

	// A report of a later period no longer counts the week's events, but still lists what is overdue.
	later, err := e.Report(ctx, mar(9, 0, 0), mar(10, 0, 0), mar(9, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if later.Total.Received != 0 || later.Total.OpenOverdue != 2 || len(later.Breached) != 2 || later.Total.Notices != 0 {
		t.Errorf("next Monday's report: %+v", later.Total)
	}
	if _, err := e.Report(ctx, mar(3, 0, 0), mar(2, 0, 0), mar(7, 0, 0)); err == nil {
		t.Error("a period that ends before it begins")
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBreachReportRenderers(t *testing.T) {
	t.Parallel()
	pool, tk := reportFixture(t)
	e := newEscalator(t, pool, baseConfig(t))
	r, err := e.Report(ctx, mar(2, 0, 0), mar(7, 0, 0), mar(7, 10, 0))
	if err != nil {
		t.Fatal(err)
	}

	var js bytes.Buffer
	if err := escalation.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back escalation.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if jsonOf(t, back) != jsonOf(t, r) || !strings.Contains(js.String(), `"deadline_at": "2026-02-27T17:00:00+07:00"`) {
		t.Errorf("JSON does not read back:\n%s", js.String())
	}

	var cs bytes.Buffer
	if err := escalation.WriteCSV(&cs, r); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(&cs)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][][]string{}
	for _, rec := range recs {
		sections[rec[0]] = append(sections[rec[0]], rec)
	}
	if len(sections["section"]) != 2 || len(sections["department"]) != 4 || len(sections["field"]) != 3 ||
		len(sections["total"]) != 1 || len(sections["breached"]) != 3 {
		t.Fatalf("CSV sections: %v", recs)
	}
	if got := strings.Join(sections["department"][2], ","); got != "department,xd,Sở Xây dựng,5,1,1,1,0.3333,20,1,3,2" {
		t.Errorf("xd's CSV line %s", got)
	}
	if got := strings.Join(sections["department"][1], ","); got != "department,tnmt,Sở Tài nguyên và Môi trường,0,0,0,0,,,0,0,0" {
		t.Errorf("tnmt's CSV line %s", got)
	}
	if got := strings.Join(sections["breached"][1], ","); got != "breached,"+tk["T2"].code+",htdt,xd,closed,2026-03-02T09:00:00+07:00,2026-03-03T17:00:00+07:00,2026-03-05T09:30:00+07:00,9.5,1.27,2026-03-03T08:00:00+07:00,department xd" {
		t.Errorf("T2's CSV line %s", got)
	}

	var text bytes.Buffer
	if err := escalation.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"BÁO CÁO TRỄ HẠN XỬ LÝ PHẢN ÁNH", "Kỳ báo cáo: 02/03/2026 – 06/03/2026", "tỷ lệ đúng hạn 40%",
		"THEO ĐƠN VỊ", "THEO LĨNH VỰC", "PHẢN ÁNH QUÁ HẠN (3)", "5 ngày (37,5 giờ) làm việc", "1,27 ngày (9,5 giờ) làm việc"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}

	var page bytes.Buffer
	if err := escalation.WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	path := filepath.Join(t.TempDir(), "breach_report.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "breach_report.html"), page.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{
		`<html lang="vi">`, "<h1>Báo cáo trễ hạn xử lý phản ánh</h1>", "Kỳ báo cáo: 02/03/2026 – 06/03/2026",
		"<h2>Tỷ lệ giải quyết đúng hạn theo đơn vị</h2>", "<h2>Theo đơn vị</h2>", "<h2>Theo lĩnh vực</h2>",
		"<h2>Phản ánh quá hạn (3)</h2>", `<svg xmlns="http://www.w3.org/2000/svg"`,
		`<rect x="230" y="10" width="190" height="18"`,   // gtvt: 50 % of 380 px
		`<rect x="230" y="58" width="126.7" height="18"`, // xd: 33.33 %
		">33,3%</text>", ">—</text>", // tnmt: no rate, no bar
		"@page { size: A4", "5 ngày (37,5 giờ)", tk["T6"].code,
	} {
		if !strings.Contains(html, s) {
			t.Errorf("the HTML report lacks %q", s)
		}
	}
	if strings.Count(html, "<rect") != 2 {
		t.Errorf("%d bars, want 2 (tnmt and the unassigned have no rate)", strings.Count(html, "<rect"))
	}
	for _, s := range []string{"<script", "<link", "src=", "url("} {
		if strings.Contains(html, s) {
			t.Errorf("the HTML report has an external asset or script: %q", s)
		}
	}
}

func TestDailyReportIsQueuedOncePerDay(t *testing.T) {
	t.Parallel()
	pool, _ := reportFixture(t)
	e := newEscalator(t, pool, baseConfig(t))
	sum, err := e.DailyReport(ctx, mar(6, 7, 30)) // Friday: the report of Thursday 5 March
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum, "2026-03-05 queued to 3 recipients") {
		t.Errorf("summary %q", sum)
	}
	// Another node, the same morning.
	if sum, err := newEscalator(t, pool, baseConfig(t)).DailyReport(ctx, mar(6, 7, 31)); err != nil || !strings.Contains(sum, "queued already") {
		t.Errorf("second run: %q, %v", sum, err)
	}
	ns := outbox(t, pool)
	if len(ns) != 3 {
		t.Fatalf("%d notifications: %v", len(ns), targets(ns))
	}
	// The e-mails' HTML part is the printable page of the same report.
	r, err := e.Report(ctx, mar(5, 0, 0), mar(6, 0, 0), mar(6, 7, 30))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := escalation.WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		switch {
		case n.channel == "email" && !bytes.Equal(n.html, page.Bytes()):
			t.Errorf("e-mail to %s: HTML part\n%s\nwant\n%s", n.target, n.html, page.Bytes())
		case n.channel == "webhook" && n.html != nil:
			t.Errorf("the webhook has an HTML part")
		}
	}
	if !strings.Contains(page.String(), "Kỳ báo cáo: 05/03/2026") || !strings.Contains(page.String(), "Phản ánh quá hạn (3)") {
		t.Errorf("the HTML part is not the report of 5 March:\n%s", page.String())
	}
	for _, n := range ns {
		if n.event != "report.breaches" || !strings.HasPrefix(n.key, "report.breaches:2026-03-05:") {
			t.Errorf("%s: event %s", n.key, n.event)
		}
		switch n.channel {
		case "email":
			if n.subject != "[Đường dây nóng] Báo cáo trễ hạn xử lý ngày 05/03/2026: 3 phản ánh quá hạn" ||
				!strings.Contains(string(n.body), "Kỳ báo cáo: 05/03/2026") {
				t.Errorf("e-mail %q:\n%s", n.subject, n.body)
			}
		case "webhook":
			var w escalation.ReportWebhook
			if err := json.Unmarshal(n.body, &w); err != nil {
				t.Fatal(err)
			}
			if w.Event != "report.breaches" || w.IdempotencyKey != n.key || w.BreachedTotal != 3 || len(w.Report.Breached) != 3 ||
				w.Report.Total.ResolvedLate != 1 || n.secret != supervisorSecret {
				t.Errorf("webhook %s", n.body)
			}
		}
	}
	// The next day: a new report.
	if sum, err := e.DailyReport(ctx, mar(7, 7, 30)); err != nil || !strings.Contains(sum, "2026-03-06 queued") {
		t.Errorf("the next day: %q, %v", sum, err)
	}
	// No supervisors: nothing to do, said so.
	cfg := baseConfig(t)
	cfg.SupervisorEmails, cfg.SupervisorWebhook, cfg.SupervisorWebhookSecret = nil, "", ""
	if sum, err := newEscalator(t, pool, cfg).DailyReport(ctx, mar(8, 7, 30)); err != nil || !strings.Contains(sum, "no supervisors") {
		t.Errorf("without supervisors: %q, %v", sum, err)
	}
}

func TestParsePeriodAndFormat(t *testing.T) {
	t.Parallel()
	now := mar(7, 10, 0)
	cases := []struct {
		from, to         string
		wantFrom, wantTo time.Time
		bad              string
	}{
		{"", "", mar(1, 0, 0), mar(8, 0, 0), ""},
		{"2026-03-02", "2026-03-06", mar(2, 0, 0), mar(7, 0, 0), ""},
		{"2026-03-02", "", mar(2, 0, 0), mar(8, 0, 0), ""},
		{"", "2026-03-06", feb(28, 0, 0), mar(7, 0, 0), ""},
		{"2026-03-02T07:30:00+07:00", "2026-03-02T01:00:00Z", mar(2, 7, 30), mar(2, 8, 0), ""},
		{"2026-03-06", "2026-03-02", time.Time{}, time.Time{}, "to"},
		{"yesterday", "", time.Time{}, time.Time{}, "from"},
		{"", "2026-13-01", time.Time{}, time.Time{}, "to"},
		{"2025-01-01", "2026-03-06", time.Time{}, time.Time{}, "from"},
	}
	for _, c := range cases {
		f, to, err := escalation.ParsePeriod(c.from, c.to, now)
		if c.bad != "" {
			var q *ticketing.QueryError
			if !errors.As(err, &q) || q.Param != c.bad {
				t.Errorf("%q–%q: %v, want an error on %s", c.from, c.to, err, c.bad)
			}
			continue
		}
		if err != nil || !f.Equal(c.wantFrom) || !to.Equal(c.wantTo) {
			t.Errorf("%q–%q: %s–%s, %v; want %s–%s", c.from, c.to, f, to, err, c.wantFrom, c.wantTo)
		}
	}
	for in, want := range map[string]escalation.Format{"": "json", "json": "json", "csv": "csv", "html": "html", "text": "text"} {
		if f, err := escalation.ParseFormat(in); err != nil || f != want {
			t.Errorf("ParseFormat(%q): %q, %v", in, f, err)
		}
	}
	var q *ticketing.QueryError
	if _, err := escalation.ParseFormat("pdf"); !errors.As(err, &q) || q.Param != "format" {
		t.Errorf("ParseFormat(pdf): %v", err)
	}
	if escalation.FormatCSV.ContentType() != "text/csv; charset=utf-8" || escalation.FormatHTML.ContentType() != "text/html; charset=utf-8" {
		t.Error("content types")
	}
}
