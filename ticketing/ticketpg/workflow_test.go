package ticketpg_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

// path lists the patches that bring a new ticket to each status.
func path(target string) map[ticketing.Status][]ticketing.Patch {
	assign := ticketing.Patch{Department: ptr("xd")}
	start := ticketing.Patch{Status: ptr(ticketing.InProgress)}
	resolve := ticketing.Patch{Status: ptr(ticketing.Resolved), Result: ptr("Đã cưỡng chế tháo dỡ")}
	return map[ticketing.Status][]ticketing.Patch{
		ticketing.New:        nil,
		ticketing.Assigned:   {assign},
		ticketing.InProgress: {assign, start},
		ticketing.Resolved:   {assign, start, resolve},
		ticketing.Closed:     {assign, start, resolve, {Status: ptr(ticketing.Closed), Note: ptr("Đã gọi báo người dân lúc 9 giờ")}},
		ticketing.Rejected:   {{Status: ptr(ticketing.Rejected), Reason: ptr("Ngoài thẩm quyền")}},
		ticketing.Merged:     {{Status: ptr(ticketing.Merged), MergedInto: ptr(target)}},
	}
}

// patchTo returns a patch that asks for status to with what it needs.
func patchTo(to ticketing.Status, target string) ticketing.Patch {
	p := ticketing.Patch{Status: &to}
	switch to {
	case ticketing.Assigned:
		p.Department = ptr("gd")
	case ticketing.Resolved:
		p.Result = ptr("Đã xử lý")
	case ticketing.Closed:
		p.Note = ptr("Đã nhắn Zalo cho người dân")
	case ticketing.Rejected:
		p.Reason = ptr("Thuộc thẩm quyền tỉnh")
	case ticketing.Merged:
		p.MergedInto = &target
	}
	return p
}

// Every status to every status through the store: allowed ones happen and are audited, refused ones are a
// *TransitionError carrying from, to and what is allowed, and change nothing.
func TestTransitionsThroughTheStore(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	e.department("gd")
	target := e.create(operator, report("the ticket others are merged into"), monday)
	at := monday.Add(time.Hour)
	for _, from := range ticketing.Statuses {
		for _, to := range ticketing.Statuses {
			tk := e.create(operator, report(string(from)+" → "+string(to)), monday)
			for _, p := range path(target.Code)[from] {
				e.update(operator, tk.ID, p, monday)
			}
			before := e.audit(tk.ID, ticketing.AuditTransition)
			got, err := e.store.Update(e.ctx, operator, tk.ID, patchTo(to, target.Code), at)
			allowed := slices.Contains(from.Next(), to)
			if allowed {
				if err != nil || got.Status != to {
					t.Errorf("%s → %s: %v, status %s", from, to, err, got.Status)
					continue
				}
				after := e.audit(tk.ID, ticketing.AuditTransition)
				last := after[len(after)-1]
				if len(after) != len(before)+1 || last.Old != string(from) || last.New != string(to) || last.Actor != "1001" {
					t.Errorf("%s → %s: audit %+v", from, to, last)
				}
				continue
			}
			var te *ticketing.TransitionError
			if !errors.As(err, &te) || te.From != from || te.To != to || !slices.Equal(te.Allowed, from.Next()) {
				t.Errorf("%s → %s: got %v, want a *TransitionError", from, to, err)
				continue
			}
			now, err := e.store.Get(e.ctx, operator, tk.Code, at)
			if err != nil || now.Status != from || !now.UpdatedAt.Before(at) {
				t.Errorf("%s → %s: refused, yet the ticket is %s, updated %s", from, to, now.Status, now.UpdatedAt)
			}
		}
	}
}

func TestWorkflowRecordsWhatGoesWithEachStatus(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	tk := e.create(operator, report("Công trình lấn chiếm vỉa hè"), monday)
	got := e.update(operator, tk.ID, ticketing.Patch{Department: ptr("xd")}, monday)
	if got.Status != ticketing.Assigned || got.Department != "xd" {
		t.Fatalf("a department on a new ticket: %s, %s", got.Status, got.Department)
	}
	e.update(operator, tk.ID, ticketing.Patch{Status: ptr(ticketing.InProgress)}, monday.Add(time.Hour))
	resolvedAt := time.Date(2025, 3, 7, 10, 0, 0, 0, vn) // a day late
	got = e.update(operator, tk.ID, ticketing.Patch{Status: ptr(ticketing.Resolved), Result: ptr("Đã tháo dỡ")}, resolvedAt)
	if got.Result != "Đã tháo dỡ" || got.ResolvedAt == nil || !got.ResolvedAt.Equal(resolvedAt) || got.Overdue {
		t.Errorf("resolved: %+v", got)
	}
	if !got.ResolvedAt.After(got.DeadlineAt) {
		t.Errorf("resolved at %s, deadline %s: reports must tell it was late", got.ResolvedAt, got.DeadlineAt)
	}
	got = e.update(operator, tk.ID, ticketing.Patch{Status: ptr(ticketing.Closed), Note: ptr("Đã gọi lại 8/3")}, resolvedAt.Add(time.Hour))
	if got.Note != "Đã gọi lại 8/3" || got.ClosedAt == nil {
		t.Errorf("closed: %+v", got)
	}
	got = e.update(supervisor, tk.ID, ticketing.Patch{Status: ptr(ticketing.InProgress), Reason: ptr("Người dân khiếu nại: chưa tháo hết")}, resolvedAt.Add(48*time.Hour))
	if got.Status != ticketing.InProgress || got.ResolvedAt != nil || got.ClosedAt != nil || !got.Overdue {
		t.Errorf("reopened: %+v", got)
	}
	tr := e.audit(tk.ID, ticketing.AuditTransition)
	if last := tr[len(tr)-1]; last.Old != "closed" || last.New != "in_progress" || last.Actor != "giam-sat" ||
		last.Detail != "reopened: Người dân khiếu nại: chưa tháo hết" {
		t.Errorf("reopen audited as %+v", last)
	}
	// Not found, and a patch refused before the database.
	if _, err := e.store.Update(e.ctx, operator, uuid.New(), ticketing.Patch{Status: ptr(ticketing.Assigned)}, monday); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	var ve *ticketing.ValidationError
	if _, err := e.store.Update(e.ctx, operator, tk.ID, ticketing.Patch{Status: ptr(ticketing.Resolved)}, monday); !errors.As(err, &ve) {
		t.Errorf("resolve without result: %v", err)
	}
	if _, err := e.store.Update(e.ctx, operator, tk.ID, ticketing.Patch{Field: ptr("nope")}, monday); !errors.As(err, &ve) || ve.Fields["field"] == "" {
		t.Errorf("unknown field: %v", err)
	}
	other := e.create(operator, report("x"), monday)
	if _, err := e.store.Update(e.ctx, operator, other.ID, ticketing.Patch{Department: ptr("nope")}, monday); !errors.As(err, &ve) || ve.Fields["department"] == "" {
		t.Errorf("unknown department: %v", err)
	}
}

// A merged ticket's calls go to the ticket it duplicates; merging into a merged or rejected ticket, or into
// itself, is refused.
func TestMergeInheritsCalls(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	c1, c2, c3 := e.call("0912345678", "1001"), e.call("0912345678", "1002"), e.call("0987000111", "")
	keep := e.create(operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "Đổ trộm phế thải", CallID: &c3}, monday)
	dup := e.create(operator2, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "Phế thải ven sông", CallID: &c1}, monday)
	if err := e.store.LinkCall(e.ctx, operator2, dup.ID, c2, monday); err != nil {
		t.Fatal(err)
	}
	got := e.update(operator, dup.ID, ticketing.Patch{Status: ptr(ticketing.Merged), MergedInto: ptr(keep.Code)}, monday.Add(time.Hour))
	if got.Status != ticketing.Merged || got.MergedInto == nil || *got.MergedInto != keep.ID {
		t.Fatalf("merged: %+v", got)
	}
	kept, err := e.store.Get(e.ctx, operator, keep.ID.String(), monday)
	if err != nil {
		t.Fatal(err)
	}
	want := []uuid.UUID{c3, c1, c2}
	if !sameIDs(kept.CallIDs, want) {
		t.Errorf("the target's calls %v, want %v", kept.CallIDs, want)
	}
	if m := e.audit(keep.ID, ticketing.AuditMergeIn); len(m) != 1 || m[0].New != dup.Code {
		t.Errorf("merge audited on the target as %+v", m)
	}
	// Operator 1002 took a call of the merged ticket: it now handles the target too.
	op1002, err := e.store.Get(e.ctx, operator2, keep.Code, monday)
	if err != nil || op1002.ReporterMasked {
		t.Errorf("1002 on the target: %v", err)
	}

	rejected := e.create(operator, report("y"), monday)
	e.update(operator, rejected.ID, ticketing.Patch{Status: ptr(ticketing.Rejected), Reason: ptr("trùng")}, monday)
	third := e.create(operator, report("z"), monday)
	for _, into := range []string{dup.Code, rejected.Code} {
		_, err := e.store.Update(e.ctx, operator, third.ID, ticketing.Patch{Status: ptr(ticketing.Merged), MergedInto: &into}, monday)
		if !errors.Is(err, ticketing.ErrConflict) {
			t.Errorf("merge into %s: %v, want ErrConflict", into, err)
		}
	}
	var ve *ticketing.ValidationError
	for _, into := range []string{third.Code, "PA-2025-999999", "rubbish"} {
		_, err := e.store.Update(e.ctx, operator, third.ID, ticketing.Patch{Status: ptr(ticketing.Merged), MergedInto: &into}, monday)
		if !errors.As(err, &ve) || ve.Fields["merged_into"] == "" {
			t.Errorf("merge into %s: %v, want a *ValidationError on merged_into", into, err)
		}
	}
	// A call is not linked to a merged ticket.
	if err := e.store.LinkCall(e.ctx, operator, dup.ID, e.call("0900000000", ""), monday); !errors.Is(err, ticketing.ErrConflict) {
		t.Errorf("link to a merged ticket: %v", err)
	}
}

func sameIDs(a, b []uuid.UUID) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(id uuid.UUID) bool { return !slices.Contains(b, id) })
}

func TestLinkCall(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tk := e.create(operator, report("x"), monday)
	c := e.call("0912345678", "1002")
	for range 2 { // linking again changes nothing
		if err := e.store.LinkCall(e.ctx, operator, tk.ID, c, monday); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.store.Get(e.ctx, operator, tk.Code, monday)
	if err != nil || !sameIDs(got.CallIDs, []uuid.UUID{c}) {
		t.Errorf("calls %v, %v", got.CallIDs, err)
	}
	if a := e.audit(tk.ID, ticketing.AuditLinkCall); len(a) != 1 || a[0].New != c.String() {
		t.Errorf("links audited %+v", a)
	}
	if err := e.store.LinkCall(e.ctx, operator, uuid.New(), c, monday); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	var ve *ticketing.ValidationError
	if err := e.store.LinkCall(e.ctx, operator, tk.ID, uuid.New(), monday); !errors.As(err, &ve) || ve.Fields["call_id"] == "" {
		t.Errorf("unknown call: %v", err)
	}
}

// The deadline is counted at creation, again from receipt when the field changes (audited), and a
// supervisor's extension stands through it; overdue is judged against the extension.
func TestDeadlines(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	e.exec(`UPDATE fields SET deadline_days = 10 WHERE code = 'xd'`)
	tk := e.create(operator, report("Nhà xây sai phép"), monday)
	thursday := time.Date(2025, 3, 6, 17, 0, 0, 0, vn)
	if !tk.DeadlineAt.Equal(thursday) || tk.TermDays != 3 {
		t.Fatalf("deadline %s (%d days), want %s", tk.DeadlineAt, tk.TermDays, thursday)
	}
	// Classified on Wednesday as construction: 10 working days from Monday's receipt.
	got := e.update(operator, tk.ID, ticketing.Patch{Field: ptr("xd")}, monday.Add(48*time.Hour))
	tenDays := time.Date(2025, 3, 17, 17, 0, 0, 0, vn)
	if !got.DeadlineAt.Equal(tenDays) || got.TermDays != 10 || got.Field != "xd" {
		t.Fatalf("after the field: deadline %s (%d days), want %s", got.DeadlineAt, got.TermDays, tenDays)
	}
	changes := e.audit(tk.ID, ticketing.AuditChange)
	var deadline *ticketing.AuditEntry
	for i := range changes {
		if changes[i].Field == "deadline_at" {
			deadline = &changes[i]
		}
	}
	if deadline == nil || deadline.Old != "2025-03-06T17:00:00+07:00" || deadline.New != "2025-03-17T17:00:00+07:00" {
		t.Errorf("deadline change audited as %+v", deadline)
	}
	// The desk assigns and works; the supervisor extends to 31/3; then the field changes back.
	e.update(operator, tk.ID, ticketing.Patch{Department: ptr("xd")}, monday)
	ext := time.Date(2025, 3, 31, 17, 0, 0, 0, vn)
	got = e.update(supervisor, tk.ID, ticketing.Patch{ExtendTo: &ext, Reason: ptr("Cần đo đạc lại"), LegalBasis: ptr("Khoản 2 Điều 28 Luật Khiếu nại")}, monday.Add(72*time.Hour))
	if got.ExtendedDeadlineAt == nil || !got.ExtendedDeadlineAt.Equal(ext) || got.ExtensionReason != "Cần đo đạc lại" ||
		got.LegalBasis != "Khoản 2 Điều 28 Luật Khiếu nại" {
		t.Fatalf("extension: %+v", got)
	}
	if x := e.audit(tk.ID, ticketing.AuditExtend); len(x) != 1 || x[0].Old != "2025-03-17T17:00:00+07:00" ||
		x[0].New != "2025-03-31T17:00:00+07:00" || x[0].Actor != "giam-sat" {
		t.Errorf("extension audited as %+v", x)
	}
	got = e.update(operator, tk.ID, ticketing.Patch{Field: ptr("vsmt")}, monday)
	if !got.DeadlineAt.Equal(thursday) || got.ExtendedDeadlineAt == nil || !got.ExtendedDeadlineAt.Equal(ext) {
		t.Errorf("the extension must stand a field change: deadline %s, extension %v", got.DeadlineAt, got.ExtendedDeadlineAt)
	}
	// Past the deadline but within the extension: not overdue; past the extension: overdue.
	for _, tt := range []struct {
		at      time.Time
		overdue bool
	}{{ext.Add(-time.Hour), false}, {ext.Add(time.Minute), true}} {
		got, err := e.store.Get(e.ctx, operator, tk.Code, tt.at)
		if err != nil || got.Overdue != tt.overdue {
			t.Errorf("at %s: overdue %v (%v), want %v", tt.at, got.Overdue, err, tt.overdue)
		}
		list, _, err := e.store.List(e.ctx, operator, ticketing.Filter{Overdue: ptr(true)}, tt.at)
		if err != nil || (len(list) == 1) != tt.overdue {
			t.Errorf("at %s: the overdue list has %d tickets (%v)", tt.at, len(list), err)
		}
	}
	// An operator may not extend.
	if _, err := e.store.Update(e.ctx, operator, tk.ID, ticketing.Patch{ExtendTo: &ext, Reason: ptr("x"), LegalBasis: ptr("y")}, monday); !errors.Is(err, ticketing.ErrForbidden) {
		t.Errorf("an operator's extension: %v", err)
	}
	// A change of the field's term counts for tickets received after it only.
	e.exec(`UPDATE fields SET deadline_days = 2 WHERE code = 'xd'`)
	if again, err := e.store.Get(e.ctx, operator, tk.Code, monday); err != nil || !again.DeadlineAt.Equal(thursday) {
		t.Errorf("an older ticket's deadline moved: %s, %v", again.DeadlineAt, err)
	}
}

// Holidays added by admins move deadlines at once on the node that adds them.
func TestHolidaysMoveDeadlines(t *testing.T) {
	t.Parallel()
	e := setup(t)
	thursday := time.Date(2025, 3, 6, 17, 0, 0, 0, vn)
	d, err := e.store.Deadline(e.ctx, monday, ticketing.Hotline, "")
	if err != nil || !d.Equal(thursday) {
		t.Fatalf("deadline %s, %v", d, err)
	}
	day := ticketing.Override{Date: ticketing.CivilDate{Year: 2025, Month: 3, Day: 5}, Name: "Nghỉ bù"}
	if err := e.store.AddHoliday(e.ctx, day); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddHoliday(e.ctx, day); !errors.Is(err, ticketing.ErrExists) {
		t.Errorf("the same day again: %v", err)
	}
	friday := thursday.AddDate(0, 0, 1)
	if d, err := e.store.Deadline(e.ctx, monday, ticketing.Hotline, ""); err != nil || !d.Equal(friday) {
		t.Errorf("with a day off on Wednesday: %s, %v; want %s", d, err, friday)
	}
	if tk := e.create(operator, report("x"), monday); !tk.DeadlineAt.Equal(friday) {
		t.Errorf("a new ticket's deadline %s, want %s", tk.DeadlineAt, friday)
	}
	workday := ticketing.Override{Date: ticketing.CivilDate{Year: 2025, Month: 3, Day: 8}, Name: "Làm bù", Workday: true}
	if err := e.store.AddHoliday(e.ctx, workday); err != nil {
		t.Fatal(err)
	}
	// From Thursday: Friday, the make-up Saturday, Monday.
	if d, _ := e.store.Deadline(e.ctx, time.Date(2025, 3, 6, 9, 0, 0, 0, vn), ticketing.Hotline, ""); !d.Equal(time.Date(2025, 3, 10, 17, 0, 0, 0, vn)) {
		t.Errorf("with a make-up Saturday: %s", d)
	}
	list, err := e.store.Holidays(e.ctx, 2025)
	if err != nil || len(list) != 2 || list[0] != day || list[1] != workday {
		t.Errorf("holidays of 2025: %+v, %v", list, err)
	}
	if list, err := e.store.Holidays(e.ctx, 2024); err != nil || len(list) != 0 {
		t.Errorf("holidays of 2024: %+v, %v", list, err)
	}
	if err := e.store.RemoveHoliday(e.ctx, day.Date); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveHoliday(e.ctx, day.Date); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("removing it again: %v", err)
	}
	if d, _ := e.store.Deadline(e.ctx, monday, ticketing.Hotline, ""); !d.Equal(thursday) {
		t.Errorf("after removing the day off: %s", d)
	}
	// Another node's change is seen within CalendarTTL.
	wall := time.Now()
	ticketpg.SetWallClock(e.store, func() time.Time { return wall })
	e.exec(`INSERT INTO holidays (date, name, kind) VALUES ('2025-03-04', 'Nghỉ', 'holiday')`)
	if d, _ := e.store.Deadline(e.ctx, monday, ticketing.Hotline, ""); !d.Equal(thursday) {
		t.Errorf("the cached calendar: %s", d)
	}
	wall = wall.Add(ticketpg.CalendarTTL)
	if d, _ := e.store.Deadline(e.ctx, monday, ticketing.Hotline, ""); !d.Equal(friday) {
		t.Errorf("after CalendarTTL: %s, want %s", d, friday)
	}
}

// A callback ticket is made only for a call no ticket has: if an operator linked the call first, the
// callback's create is a conflict, and nothing is made.
func TestCallbackTicketOnlyForAnUnticketedCall(t *testing.T) {
	t.Parallel()
	e := setup(t)
	call := e.call("0912345678", "1001")
	taken := e.create(operator, report("Công dân gọi về nước ngập"), monday)
	if err := e.store.LinkCall(e.ctx, operator, taken.ID, call, monday); err != nil {
		t.Fatal(err)
	}
	n := report("Tin nhắn thoại")
	n.CallID, n.Callback = &call, true
	if _, _, err := e.store.Create(e.ctx, supervisor, n, "", monday); !errors.Is(err, ticketing.ErrConflict) {
		t.Fatalf("callback ticket for a linked call: %v, want ErrConflict", err)
	}
	// Without the callback flag an operator may still open a second ticket about the same call.
	n.Callback = false
	if _, _, err := e.store.Create(e.ctx, operator, n, "", monday); err != nil {
		t.Fatalf("a second ticket about a call: %v", err)
	}
}
