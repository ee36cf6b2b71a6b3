package ticketpg_test

import (
	"errors"
	"testing"
	"time"

	"hotline/ticketing"
)

func TestFieldsAreSeeded(t *testing.T) {
	t.Parallel()
	e := setup(t)
	fields, err := e.store.Fields(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 15 {
		t.Fatalf("%d fields, want the 15 of state management", len(fields))
	}
	want := map[string]string{"antt": "An ninh trật tự", "atgt": "An toàn giao thông", "ttdt": "Trật tự đô thị",
		"xd": "Xây dựng", "vsmt": "Vệ sinh môi trường"}
	for _, f := range fields {
		if name, ok := want[f.Code]; ok && f.Name != name {
			t.Errorf("field %s is %q, want %q", f.Code, f.Name, name)
		}
		delete(want, f.Code)
		if !ticketing.ValidCode(f.Code) || f.DeadlineDays != nil || f.Department != "" {
			t.Errorf("seeded %+v", f)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v", want)
	}
}

func TestSetField(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.department("xd")
	before := e.create(operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "a", Field: "xd"}, monday)
	err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "xd", Department: ptr("xd"), DeadlineDays: ptr(10), Priority: ptr(2)}, monday)
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.store.Field(e.ctx, "xd")
	if err != nil || f.Name != "Xây dựng" || f.Department != "xd" || f.DeadlineDays == nil || *f.DeadlineDays != 10 || f.Priority != 2 {
		t.Fatalf("field %+v, %v", f, err)
	}
	after := e.create(operator, ticketing.NewTicket{Channel: ticketing.Hotline, Description: "b", Field: "xd"}, monday)
	if after.TermDays != 10 || after.Status != ticketing.Assigned || after.Department != "xd" {
		t.Errorf("a ticket after the change: %d days, %s, %s", after.TermDays, after.Status, after.Department)
	}
	if again, _ := e.store.Get(e.ctx, operator, before.Code, monday); again.TermDays != 3 || !again.DeadlineAt.Equal(before.DeadlineAt) {
		t.Errorf("a ticket before the change: %d days, %s", again.TermDays, again.DeadlineAt)
	}
	// Only what is given changes; 0 days and "" department remove them.
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "xd", DeadlineDays: ptr(0)}, monday); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.store.Field(e.ctx, "xd"); f.DeadlineDays != nil || f.Department != "xd" || f.Priority != 2 {
		t.Errorf("after days 0: %+v", f)
	}
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "xd", Department: ptr("")}, monday); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.store.Field(e.ctx, "xd"); f.Department != "" {
		t.Errorf("after department '': %+v", f)
	}
	var ve *ticketing.ValidationError
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "xd", Department: ptr("nope")}, monday); !errors.As(err, &ve) {
		t.Errorf("unknown department: %v", err)
	}
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "xd", Priority: ptr(12)}, monday); !errors.As(err, &ve) {
		t.Errorf("priority 12: %v", err)
	}
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "cntt", Priority: ptr(1)}, monday); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("unknown field without a name: %v", err)
	}
	if err := e.store.SetField(e.ctx, admin, ticketing.FieldChange{Code: "cntt", Name: ptr("Công nghệ thông tin")}, monday); err != nil {
		t.Fatal(err)
	}
	fields, _ := e.store.Fields(e.ctx)
	if last := fields[len(fields)-1]; len(fields) != 16 || last.Code != "cntt" {
		t.Errorf("a new field is listed last: %+v", last)
	}
	if _, err := e.store.Deadline(e.ctx, monday, ticketing.Hotline, "nope"); !errors.As(err, &ve) {
		t.Errorf("deadline of an unknown field: %v", err)
	}
	if _, err := e.store.Deadline(e.ctx, monday, "fax", ""); !errors.As(err, &ve) {
		t.Errorf("deadline of an unknown channel: %v", err)
	}
	if d, err := e.store.Deadline(e.ctx, monday, ticketing.FieldReport, ""); err != nil || !d.Equal(time.Date(2025, 3, 12, 17, 0, 0, 0, vn)) {
		t.Errorf("deadline of a field report: %s, %v", d, err)
	}
}

func TestDepartments(t *testing.T) {
	t.Parallel()
	e := setup(t)
	d := ticketing.Department{Code: "xd", Name: "Phòng Quản lý đô thị", Head: "Trần Văn Hùng", HeadEmail: "hung@bmt.gov.vn",
		Email: "qldt@bmt.gov.vn", Webhook: "https://qldt.bmt.gov.vn/hook", Secret: "s3cret"}
	if err := e.store.AddDepartment(e.ctx, d, monday); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddDepartment(e.ctx, d, monday); !errors.Is(err, ticketing.ErrExists) {
		t.Errorf("again: %v", err)
	}
	var ve *ticketing.ValidationError
	for _, bad := range []ticketing.Department{
		{Code: "Xây dựng", Name: "x"}, {Code: "a"}, {Code: "b", Name: "b", Email: "not mail"},
		{Code: "c", Name: "c", Webhook: "ftp://x"},
	} {
		if err := e.store.AddDepartment(e.ctx, bad, monday); !errors.As(err, &ve) {
			t.Errorf("add %+v: %v, want a *ValidationError", bad, err)
		}
	}
	if err := e.store.UpdateDepartment(e.ctx, ticketing.DepartmentChange{Code: "xd", Email: ptr("xaydung@bmt.gov.vn")}, monday); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Department(e.ctx, "xd")
	want := d
	want.Email = "xaydung@bmt.gov.vn"
	if err != nil || got != want {
		t.Errorf("after the update: %+v, %v", got, err)
	}
	if err := e.store.UpdateDepartment(e.ctx, ticketing.DepartmentChange{Code: "gd", Name: ptr("x")}, monday); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
	if _, err := e.store.Department(e.ctx, "gd"); !errors.Is(err, ticketing.ErrNotFound) {
		t.Errorf("get unknown: %v", err)
	}
	list, err := e.store.Departments(e.ctx)
	if err != nil || len(list) != 1 || list[0] != want {
		t.Errorf("list %+v, %v", list, err)
	}
}
