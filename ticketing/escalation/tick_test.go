package escalation_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

func TestParseStages(t *testing.T) {
	t.Parallel()
	day := ticketing.DefaultOfficeHours().Day() // 7h30m
	cases := []struct {
		in   string
		want []escalation.Window
		bad  string
	}{
		{in: "", want: []escalation.Window{{escalation.DueSoon, day}, {escalation.DueHours, 2 * time.Hour}}},
		{in: "due_soon=1d,due_hours=2h", want: []escalation.Window{{escalation.DueSoon, day}, {escalation.DueHours, 2 * time.Hour}}},
		{in: " due_hours = 90m , due_soon = 1.5d ", want: []escalation.Window{{escalation.DueSoon, day * 3 / 2}, {escalation.DueHours, 90 * time.Minute}}},
		{in: "due_soon=2d", want: []escalation.Window{{escalation.DueSoon, 2 * day}}},
		{in: "due_hours=1h30m", want: []escalation.Window{{escalation.DueHours, 90 * time.Minute}}},
		{in: "due_soon=2h,due_hours=3h", bad: "less time left"},
		{in: "due_soon=1d,due_soon=2d", bad: "twice"},
		{in: "breached=1h", bad: "breached is always sent"},
		{in: "later=1h", bad: "not a reminder stage"},
		{in: "due_soon", bad: "has no ="},
		{in: "due_soon=soon", bad: "not a time"},
		{in: "due_soon=xd", bad: "not a number of days"},
		{in: "due_soon=0h", bad: "more than zero"},
		{in: "due_soon=31d", bad: "at most 30"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := escalation.ParseStages(c.in, ticketing.OfficeHours{})
			if c.bad != "" {
				if !errors.Is(err, escalation.ErrInvalidStages) || !strings.Contains(err.Error(), c.bad) {
					t.Fatalf("error %v, want one saying %q", err, c.bad)
				}
				return
			}
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestConfigNamesTheBadSetting(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t)
	cases := []struct {
		cfg  escalation.Config
		want string
	}{
		{escalation.Config{PublicURL: "hotline.example.vn"}, "HOTLINE_PUBLIC_URL"},
		{escalation.Config{PublicURL: publicURL, SupervisorEmails: []string{"not an address"}}, "HOTLINE_SUPERVISOR_EMAIL"},
		{escalation.Config{PublicURL: publicURL, SupervisorWebhook: "ftp://x"}, "HOTLINE_SUPERVISOR_WEBHOOK"},
		{escalation.Config{PublicURL: publicURL, SupervisorWebhookSecret: "s"}, "HOTLINE_SUPERVISOR_WEBHOOK_SECRET"},
		{escalation.Config{PublicURL: publicURL, Windows: []escalation.Window{{escalation.DueHours, 3 * time.Hour}, {escalation.DueSoon, time.Hour}}}, "HOTLINE_REMINDER_STAGES"},
		{escalation.Config{PublicURL: publicURL, Windows: []escalation.Window{{escalation.Breached, time.Hour}}}, "HOTLINE_REMINDER_STAGES"},
	}
	for _, c := range cases {
		if _, err := escalation.New(pool, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
	// The report needs no public URL; ticks do.
	noURL := newEscalator(t, pool, escalation.Config{})
	if _, err := noURL.Report(ctx, mon(0, 0), mon(0, 0).AddDate(0, 0, 1), mon(9, 0)); err != nil {
		t.Errorf("report without a public URL: %v", err)
	}
	if _, err := noURL.Tick(ctx, mon(9, 0)); err == nil || !strings.Contains(err.Error(), "HOTLINE_PUBLIC_URL") {
		t.Errorf("tick without a public URL: %v", err)
	}
	emails, err := escalation.ParseEmails(" giamsat@so.gov.vn,, GiamSat@so.gov.vn , b@so.gov.vn")
	if err != nil || !slices.Equal(emails, []string{"giamsat@so.gov.vn", "b@so.gov.vn"}) {
		t.Errorf("ParseEmails: %v, %v", emails, err)
	}
	if _, err := escalation.ParseEmails("a@b.vn, Giám sát <c@d.vn>"); err == nil {
		t.Error("ParseEmails took a display name")
	}
}

// byStage returns the notices of the outbox per ticket and stage.
func byStage(ns []notification) map[string][]notification {
	out := map[string][]notification{}
	for _, n := range ns {
		if n.ticket != nil {
			k := n.ticket.String() + "/" + n.stage
			out[k] = append(out[k], n)
		}
	}
	return out
}

func targets(ns []notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.channel+":"+n.target)
	}
	slices.Sort(out)
	return out
}

// A night, a morning and tickets that are done: the rules told as a story.
func TestRemindersWaitForOfficeHoursAndBreachesGoAtOnce(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t)
	addDepts(t, pool, xd)
	e := newEscalator(t, pool, baseConfig(t))

	a := addTicket(t, pool, ticket{dept: "xd", deadline: at(2026, 3, 3, 9, 0)})  // Tuesday 09:00
	b := addTicket(t, pool, ticket{dept: "xd", deadline: mon(17, 0)})            // Monday 17:00
	f := addTicket(t, pool, ticket{dept: "xd", deadline: at(2026, 3, 4, 17, 0)}) // Wednesday 17:00
	for _, st := range []ticketing.Status{ticketing.Resolved, ticketing.Closed, ticketing.Rejected} {
		addTicket(t, pool, ticket{dept: "xd", status: st, deadline: mon(10, 0), resolved: ptr(mon(11, 0))})
	}
	unassigned := addTicket(t, pool, ticket{status: ticketing.New, deadline: at(2026, 3, 3, 10, 0)})

	// Monday 21:00: b is past its deadline, a has 1.5 working hours left but it is night.
	r := tick(t, e, mon(21, 0))
	if r.OfficeHours || r.Notices[escalation.Breached] != 1 || r.Total() != 1 {
		t.Fatalf("Monday 21:00: %+v", r)
	}
	got := byStage(outbox(t, pool))
	if len(got) != 1 {
		t.Fatalf("Monday 21:00 queued %v", got)
	}
	want := []string{"email:binh.tv@so.gov.vn", "email:giamsat@so.gov.vn", "email:pho.giamdoc@so.gov.vn", "webhook:" + supervisorHook}
	if bn := got[b.id.String()+"/breached"]; !slices.Equal(targets(bn), want) || !bn[0].created.Equal(mon(21, 0)) {
		t.Errorf("b's breach notice: %v at %v, want %v at 21:00", targets(bn), bn[0].created, want)
	}

	// Tuesday 07:29: still night. 07:30: a has 1.5 hours left: due_hours alone (due_soon skipped), to the
	// department and its head.
	if r := tick(t, e, at(2026, 3, 3, 7, 29)); r.Total() != 0 {
		t.Fatalf("Tuesday 07:29: %+v", r)
	}
	r = tick(t, e, at(2026, 3, 3, 7, 30))
	if !r.OfficeHours || r.Total() != 1 || r.Notices[escalation.DueHours] != 1 {
		t.Fatalf("Tuesday 07:30: %+v", r)
	}
	got = byStage(outbox(t, pool))
	an := got[a.id.String()+"/due_hours"]
	if want := []string{"email:binh.tv@so.gov.vn", "email:xd@so.gov.vn", "webhook:" + xd.webhook}; !slices.Equal(targets(an), want) {
		t.Errorf("a's due_hours went to %v, want %v", targets(an), want)
	}
	if _, ok := got[a.id.String()+"/due_soon"]; ok {
		t.Error("a got due_soon after its time had passed")
	}

	// Tuesday 17:00: a and the unassigned ticket are past their deadlines (the latter goes to the
	// supervisors only); f has exactly one office day left, but office hours are over.
	r = tick(t, e, at(2026, 3, 3, 17, 0))
	if r.Total() != 2 || r.Notices[escalation.Breached] != 2 || r.Notifications != 4+3 {
		t.Fatalf("Tuesday 17:00: %+v", r)
	}
	got = byStage(outbox(t, pool))
	if un := got[unassigned.id.String()+"/breached"]; len(un) != 3 {
		t.Errorf("the unassigned ticket's breach went to %v", targets(un))
	}
	if _, ok := got[unassigned.id.String()+"/due_soon"]; ok {
		t.Error("an unassigned ticket got a department reminder")
	}
	// Wednesday 07:30: f's due_soon, to the department.
	r = tick(t, e, at(2026, 3, 4, 7, 30))
	if r.Notices[escalation.DueSoon] != 1 || r.Total() != 1 {
		t.Fatalf("Wednesday 07:30: %+v", r)
	}
	got = byStage(outbox(t, pool))
	if fn := got[f.id.String()+"/due_soon"]; !slices.Equal(targets(fn), []string{"email:xd@so.gov.vn", "webhook:" + xd.webhook}) {
		t.Errorf("f's due_soon went to %v", targets(fn))
	}

	// Resolved, closed and rejected tickets got nothing; nothing is queued twice.
	for _, n := range notices(t, pool) {
		if n.ticket != a.id && n.ticket != b.id && n.ticket != f.id && n.ticket != unassigned.id {
			t.Errorf("a done ticket got %s", n.stage)
		}
	}
	before := len(outbox(t, pool))
	if r := tick(t, e, at(2026, 3, 4, 7, 30)); r.Total() != 0 {
		t.Errorf("the same tick again: %+v", r)
	}
	if after := len(outbox(t, pool)); after != before {
		t.Errorf("%d notifications, then %d", before, after)
	}
}

// A department's malformed address leaves out that recipient alone: the rest of its notice, and the other
// tickets of the same batch, are queued (the outbox takes a batch all or none).
func TestABadAddressSkipsThatRecipientAlone(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t)
	bad := dept{"bad", "Phòng Quản lý đô thị", "qldt at so.gov.vn", "qldt.example.vn/hook", "s", "Ngô Văn Cường", "cuong.nv@so.gov.vn"}
	addDepts(t, pool, xd, bad)
	e := newEscalator(t, pool, baseConfig(t))
	b1 := addTicket(t, pool, ticket{dept: "bad", deadline: at(2026, 3, 3, 9, 0)}) // Tuesday 09:00: due_hours at 07:30
	x := addTicket(t, pool, ticket{dept: "xd", deadline: at(2026, 3, 3, 9, 30)})
	b2 := addTicket(t, pool, ticket{dept: "bad", deadline: at(2026, 3, 3, 9, 15)})

	r := tick(t, e, at(2026, 3, 3, 7, 30))
	if r.Notices[escalation.DueHours] != 3 || r.Skipped != 4 || r.Notifications != 1+3+1 {
		t.Fatalf("tick: %+v (%s)", r, r)
	}
	if !strings.Contains(r.String(), "4 recipients skipped for a bad address") {
		t.Errorf("summary %q", r)
	}
	got := byStage(outbox(t, pool))
	for _, tk := range []ticket{b1, b2} {
		if n := got[tk.id.String()+"/due_hours"]; !slices.Equal(targets(n), []string{"email:" + bad.headEmail}) {
			t.Errorf("the bad department's ticket went to %v, want its head alone", targets(n))
		}
	}
	if n := got[x.id.String()+"/due_hours"]; len(n) != 3 {
		t.Errorf("the other department's ticket went to %v", targets(n))
	}
	for _, n := range notices(t, pool) {
		want := 1
		if n.ticket == x.id {
			want = 3
		}
		if n.notifications != want {
			t.Errorf("notice of %s records %d notifications, want %d", n.ticket, n.notifications, want)
		}
	}
}

// inOffice is office hours as the tests know them: 07:30–11:30 and 13:30–17:00, Monday to Friday (the
// tests' week has no holidays).
func inOffice(t time.Time) bool {
	t = t.In(vn)
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	return (m >= 7*60+30 && m < 11*60+30) || (m >= 13*60+30 && m < 17*60)
}

// recipientCount is how many notifications a stage's notice of a ticket of d makes with baseConfig.
func recipientCount(d dept, st escalation.Stage) int {
	n := 0
	count := func(s string) {
		if s != "" {
			n++
		}
	}
	switch st {
	case escalation.DueSoon:
		count(d.email)
		count(d.webhook)
	case escalation.DueHours:
		count(d.email)
		count(d.webhook)
		count(d.headEmail)
	case escalation.Breached:
		count(d.headEmail)
		n += len(supervisorEmails) + 1
	}
	return n
}

// Two nodes tick together every 15 minutes through a week of days and nights, one restarts, tickets are
// made, extended and resolved on the way: every (ticket, deadline, stage) is queued once, at the tick a
// model of the rules (working time from ticketing.Deadlines, office hours) says, with one notification per
// recipient; no department hears anything at night.
func TestTwoNodesThroughAWeekQueueEachStageOnce(t *testing.T) {
	t.Parallel()
	pool1, url := setup(t)
	pool2 := newPool(t, url)
	depts := []dept{xd, gtvt, tnmt}
	addDepts(t, pool1, depts...)
	deptOf := map[string]dept{"xd": xd, "gtvt": gtvt, "tnmt": tnmt, "": {}}
	cfg := baseConfig(t)
	cfg.Batch = 7 // several batches per tick
	e1, e2 := newEscalator(t, pool1, cfg), newEscalator(t, pool2, cfg)

	start, end := at(2026, 3, 1, 20, 0), at(2026, 3, 8, 12, 0)
	var tickets []*ticket
	add := func(tk ticket) *ticket {
		tk = addTicket(t, pool1, tk)
		tickets = append(tickets, &tk)
		return &tk
	}
	// Deadlines every 2h13m from Monday 08:00 (any minute, as the office_hours rule gives), a department
	// each in turn or none; some made late (due before the week began).
	for i := range 45 {
		code := []string{"xd", "gtvt", "tnmt", ""}[i%4]
		st := ticketing.Assigned
		if code == "" {
			st = ticketing.New
		}
		add(ticket{dept: code, status: st, deadline: mon(8, 0).Add(time.Duration(i) * (2*time.Hour + 13*time.Minute))})
	}
	// The close of office hours, as the next_day rule gives.
	for d := 2; d <= 6; d++ {
		add(ticket{dept: "xd", deadline: at(2026, 3, d, 17, 0)})
	}
	add(ticket{dept: "gtvt", deadline: at(2026, 3, 1, 10, 0)}) // late already
	for _, st := range []ticketing.Status{ticketing.Resolved, ticketing.Closed, ticketing.Rejected} {
		add(ticket{dept: "xd", status: st, deadline: at(2026, 3, 3, 10, 0), resolved: ptr(mon(9, 0))})
	}
	master := add(ticket{dept: "xd", deadline: at(2026, 3, 9, 17, 0)})
	add(ticket{dept: "xd", status: ticketing.Merged, deadline: at(2026, 3, 3, 10, 0), mergedInto: &master.id})
	extended := tickets[20] // its deadline moves two days later on Wednesday 10:00
	resolved := tickets[30] // resolved on Tuesday 12:00
	restartAt := at(2026, 3, 4, 7, 30)

	type key struct {
		id    uuid.UUID
		due   time.Time
		stage escalation.Stage
	}
	expected := map[key]time.Time{}
	sentRank := map[uuid.UUID]map[time.Time]int{}
	rank := map[escalation.Stage]int{escalation.DueSoon: 1, escalation.DueHours: 2, escalation.Breached: 3}
	windows := escalation.DefaultWindows(ticketing.OfficeHours{})
	var d ticketing.Deadlines // the built-in calendar and default hours, as the empty holidays table gives

	for now := start; !now.After(end); now = now.Add(15 * time.Minute) {
		switch {
		case now.Equal(at(2026, 3, 3, 12, 0)):
			resolved.status, resolved.resolved = ticketing.Resolved, ptr(now)
			if _, err := pool1.Exec(ctx, `UPDATE tickets SET status = 'resolved', resolved_at = $2 WHERE id = $1`, resolved.id, now); err != nil {
				t.Fatal(err)
			}
		case now.Equal(at(2026, 3, 4, 10, 0)):
			extended.extended = ptr(extended.deadline.Add(48 * time.Hour))
			if _, err := pool1.Exec(ctx, `UPDATE tickets SET extended_deadline_at = $2 WHERE id = $1`, extended.id, *extended.extended); err != nil {
				t.Fatal(err)
			}
		case now.Equal(at(2026, 3, 5, 10, 0)):
			// Made during the day with an hour left: due_hours at once, no due_soon.
			add(ticket{dept: "tnmt", received: now, deadline: now.Add(time.Hour)})
		}

		// The model: what each open ticket is due now.
		for _, tk := range tickets {
			if !tk.status.Open() {
				continue
			}
			due := tk.due()
			var st escalation.Stage
			switch {
			case due.Before(now):
				st = escalation.Breached
			case inOffice(now) && tk.dept != "":
				left := d.WorkingHoursBetween(now, due)
				for _, w := range windows {
					if left <= w.Left {
						st = w.Stage
					}
				}
			}
			if st == "" {
				continue
			}
			if sentRank[tk.id] == nil {
				sentRank[tk.id] = map[time.Time]int{}
			}
			if sentRank[tk.id][due] >= rank[st] {
				continue
			}
			sentRank[tk.id][due] = rank[st]
			expected[key{tk.id, due, st}] = now
		}

		// Both nodes tick at once.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, e := range []*escalation.Escalator{e1, e2} {
			wg.Go(func() { _, errs[i] = e.Tick(ctx, now) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("tick at %s: %v", now, err)
		}
		if now.Equal(restartAt) {
			// A node restarts: a new Escalator, a new pool; the same tick again queues nothing.
			e1 = newEscalator(t, newPool(t, url), cfg)
			if r := tick(t, e1, now); r.Total() != 0 {
				t.Fatalf("after a restart the same tick queued %+v", r)
			}
		}
	}

	// Every expected notice, at the expected tick, and no other.
	got := map[key]notice{}
	for _, n := range notices(t, pool1) {
		got[key{n.ticket, n.due.In(vn), n.stage}] = n
	}
	for k, when := range expected {
		n, ok := got[key{k.id, k.due.In(vn), k.stage}]
		if !ok {
			t.Errorf("ticket %s (due %s) never got %s, due at %s", k.id, k.due.Format(time.DateTime), k.stage, when.Format(time.DateTime))
			continue
		}
		if !n.queued.Equal(when) {
			t.Errorf("ticket %s (due %s) got %s at %s, want %s", k.id, k.due.Format(time.DateTime), k.stage,
				n.queued.In(vn).Format(time.DateTime), when.Format(time.DateTime))
		}
	}
	if len(got) != len(expected) {
		for k, n := range got {
			if _, ok := expected[key{k.id, k.due, k.stage}]; !ok {
				t.Errorf("unexpected %s of ticket %s (due %s) at %s", k.stage, k.id, k.due.Format(time.DateTime), n.queued.In(vn).Format(time.DateTime))
			}
		}
	}
	stagesSeen := map[escalation.Stage]int{}
	for k := range expected {
		stagesSeen[k.stage]++
	}
	if stagesSeen[escalation.DueSoon] < 20 || stagesSeen[escalation.DueHours] < 20 || stagesSeen[escalation.Breached] < 40 {
		t.Errorf("the fixture exercises too little: %v", stagesSeen)
	}
	if _, ok := expected[key{extended.id, *extended.extended, escalation.Breached}]; !ok {
		t.Error("the extended deadline was not re-armed")
	}

	// One notification per recipient of each notice, each key once; none to a department at night.
	ticketDept := map[uuid.UUID]string{}
	for _, tk := range tickets {
		ticketDept[tk.id] = tk.dept
	}
	keys := map[string]int{}
	perNotice := map[string]int{}
	deptTargets := map[string]bool{}
	for _, d := range depts {
		deptTargets[d.email], deptTargets[d.webhook] = true, true
	}
	delete(deptTargets, "")
	for _, n := range outbox(t, pool1) {
		keys[n.key]++
		if n.ticket == nil {
			t.Errorf("notification %s has no ticket", n.key)
			continue
		}
		perNotice[fmt.Sprintf("%s/%s/%s", n.ticket, n.stage, strings.Split(n.key, ":")[3])]++
		if deptTargets[n.target] && !inOffice(n.created) {
			t.Errorf("%s to the department %s at %s, outside office hours", n.stage, n.target, n.created.In(vn).Format(time.DateTime))
		}
	}
	for k, c := range keys {
		if c != 1 {
			t.Errorf("key %s queued %d times", k, c)
		}
	}
	for k, n := range got {
		want := recipientCount(deptOf[ticketDept[k.id]], k.stage)
		if n.notifications != want {
			t.Errorf("%s of ticket %s: %d notifications recorded, want %d", k.stage, k.id, n.notifications, want)
		}
		if c := perNotice[fmt.Sprintf("%s/%s/%d", k.id, k.stage, k.due.UnixMicro())]; c != want {
			t.Errorf("%s of ticket %s: %d notifications in the outbox, want %d", k.stage, k.id, c, want)
		}
	}
}

// A notice's webhook body is exactly the documented JSON, without the reporter; e-mails are Vietnamese
// with the ack link; each channel carries its own secret.
func TestNoticeContents(t *testing.T) {
	t.Parallel()
	pool, _ := setup(t)
	addDepts(t, pool, xd)
	e := newEscalator(t, pool, baseConfig(t))
	rep := ticketing.Reporter{Name: "Nguyễn Văn An", Phone: "0912345678", Email: "an.nguyen@mail.vn"}
	tk := addTicket(t, pool, ticket{code: "PA-2026-000123", field: "htdt", dept: "xd", status: ticketing.InProgress,
		received: at(2026, 2, 27, 14, 5), deadline: at(2026, 3, 4, 17, 0), reporter: rep,
		descr: "Đèn đường hỏng <3 ngày> & tối om trước số 12 Lê Lợi (người dân gọi nhiều lần)"})

	tick(t, e, at(2026, 3, 4, 7, 30)) // one office day left: due_soon
	tick(t, e, at(2026, 3, 4, 17, 1)) // breached
	ns := outbox(t, pool)
	if len(ns) != 2+4 {
		t.Fatalf("%d notifications: %v", len(ns), targets(ns))
	}
	for _, n := range ns {
		for _, s := range []string{rep.Name, rep.Email, "0912***678", "N*** V*** A", "a***@mail.vn", "reporter"} {
			if strings.Contains(string(n.body), s) || strings.Contains(n.subject, s) {
				t.Errorf("%s to %s carries %q:\n%s", n.key, n.target, s, n.body)
			}
		}
		if strings.Count(n.key, ":") != 5 || len(n.key) > 200 {
			t.Errorf("key %q", n.key)
		}
		switch n.channel {
		case "webhook":
			wantSecret := xd.secret
			if n.target == supervisorHook {
				wantSecret = supervisorSecret
			}
			if n.secret != wantSecret {
				t.Errorf("webhook to %s signed with %q, want %q", n.target, n.secret, wantSecret)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(n.body, &body); err != nil {
				t.Fatalf("webhook body: %v\n%s", err, n.body)
			}
			if got := sorted(mapKeys(body)); !slices.Equal(got, []string{"ack_url", "event", "idempotency_key", "sent_at", "stage", "ticket"}) {
				t.Errorf("webhook keys %v", got)
			}
			var tkt map[string]any
			if err := json.Unmarshal(body["ticket"], &tkt); err != nil {
				t.Fatal(err)
			}
			if got := sorted(mapKeys(tkt)); !slices.Equal(got, []string{"code", "deadline_at", "department", "description", "field", "id", "received_at", "status"}) {
				t.Errorf("ticket keys %v", got)
			}
			var w escalation.WebhookNotice
			if err := json.Unmarshal(n.body, &w); err != nil {
				t.Fatal(err)
			}
			wantEvent := map[string]string{"due_soon": "ticket.reminder", "breached": "ticket.breached"}[n.stage]
			if w.Event != wantEvent || string(w.Stage) != n.stage || w.IdempotencyKey != n.key || w.Ticket.ID != tk.id.String() ||
				w.Ticket.Code != "PA-2026-000123" || *w.Ticket.Field != "htdt" || *w.Ticket.Department != "xd" ||
				w.Ticket.Status != "in_progress" || w.Ticket.DeadlineAt != "2026-03-04T17:00:00+07:00" ||
				w.Ticket.ReceivedAt != "2026-02-27T14:05:00+07:00" || w.Ticket.Description != tk.descr ||
				!strings.HasPrefix(w.AckURL, publicURL+"/ack/") {
				t.Errorf("webhook body %s", n.body)
			}
			if n.stage == "due_soon" && w.SentAt != "2026-03-04T07:30:00+07:00" {
				t.Errorf("sent_at %s", w.SentAt)
			}
		case "email":
			want := "[Đường dây nóng] Phản ánh PA-2026-000123 sắp đến hạn xử lý (còn 1 ngày làm việc)"
			if n.stage == "breached" {
				want = "[Đường dây nóng] Phản ánh PA-2026-000123 đã quá hạn xử lý (hạn 17:00 04/03/2026)"
			}
			if n.subject != want {
				t.Errorf("subject %q, want %q", n.subject, want)
			}
			body := string(n.body)
			for _, s := range []string{"Kính gửi", "PA-2026-000123", "Hạ tầng đô thị", "17:00 04/03/2026", "Thứ Tư",
				"Nội dung phản ánh:\n" + tk.descr, publicURL + "/ack/", "Sở Xây dựng"} {
				if !strings.Contains(body, s) {
					t.Errorf("e-mail to %s lacks %q:\n%s", n.target, s, body)
				}
			}
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
