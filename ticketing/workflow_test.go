package ticketing

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// Every pair of statuses: allowed exactly when the workflow lists it, and a refusal carries from, to and
// what is allowed.
func TestCheckTransitionEveryPair(t *testing.T) {
	t.Parallel()
	allowed := map[[2]Status]bool{
		{New, Assigned}: true, {New, Rejected}: true, {New, Merged}: true,
		{Assigned, InProgress}: true, {Assigned, Rejected}: true, {Assigned, Merged}: true, {Assigned, Assigned}: true,
		{InProgress, Resolved}: true, {InProgress, Rejected}: true, {InProgress, Merged}: true,
		{Resolved, Closed}: true, {Resolved, InProgress}: true,
		{Closed, InProgress}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				t.Parallel()
				err := CheckTransition(from, to)
				if allowed[[2]Status{from, to}] {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("got %v, want a *TransitionError", err)
				}
				if te.From != from || te.To != to || !slices.Equal(te.Allowed, from.Next()) {
					t.Errorf("got %+v", te)
				}
				for _, a := range te.Allowed {
					if !allowed[[2]Status{from, a}] {
						t.Errorf("allowed lists %s", a)
					}
				}
			})
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	t.Parallel()
	err := CheckTransition(Resolved, Assigned)
	if want := "a ticket cannot go from resolved to assigned (from resolved it may go to closed, in_progress)"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if err := CheckTransition(Merged, New); err.Error() != "a ticket cannot go from merged to new: merged is final" {
		t.Errorf("got %q", err)
	}
}

func TestPatchCheck(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2025, 3, 6, 17, 0, 0, 0, Zone())
	operator := Actor{Name: "op", Role: RoleOperator, Operator: "1001"}
	supervisor := Actor{Name: "sup", Role: RoleSupervisor}
	ticket := func(s Status, dept string) *Ticket {
		return &Ticket{Status: s, Department: dept, DeadlineAt: deadline}
	}
	tests := []struct {
		name    string
		t       *Ticket
		p       Patch
		a       Actor
		want    Status
		invalid []string // fields named by a *ValidationError
		refused bool     // a *TransitionError
		err     error    // a sentinel
	}{
		{name: "department assigns a new ticket", t: ticket(New, ""), p: Patch{Department: ptr("xd")}, want: Assigned},
		{name: "status assigned with department", t: ticket(New, ""), p: Patch{Status: ptr(Assigned), Department: ptr("xd")}, want: Assigned},
		{name: "assigned without department", t: ticket(New, ""), p: Patch{Status: ptr(Assigned)}, invalid: []string{"department"}},
		{name: "reassign", t: ticket(Assigned, "xd"), p: Patch{Department: ptr("gd")}, want: Assigned},
		{name: "reassign to the same department is nothing", t: ticket(Assigned, "xd"), p: Patch{Department: ptr("xd")}, want: Assigned},
		{name: "status assigned to the same department", t: ticket(Assigned, "xd"), p: Patch{Status: ptr(Assigned), Department: ptr("xd")}, invalid: []string{"department"}},
		{name: "department while in progress", t: ticket(InProgress, "xd"), p: Patch{Department: ptr("gd")}, refused: true},
		{name: "department with another status", t: ticket(Assigned, "xd"), p: Patch{Status: ptr(InProgress), Department: ptr("gd")}, invalid: []string{"department"}},
		{name: "start", t: ticket(Assigned, "xd"), p: Patch{Status: ptr(InProgress)}, want: InProgress},
		{name: "resolve with result", t: ticket(InProgress, "xd"), p: Patch{Status: ptr(Resolved), Result: ptr("đã xử lý")}, want: Resolved},
		{name: "resolve without result", t: ticket(InProgress, "xd"), p: Patch{Status: ptr(Resolved)}, invalid: []string{"result"}},
		{name: "resolve with empty result", t: ticket(InProgress, "xd"), p: Patch{Status: ptr(Resolved), Result: ptr("")}, invalid: []string{"result"}},
		{name: "close with note", t: ticket(Resolved, "xd"), p: Patch{Status: ptr(Closed), Note: ptr("gọi lại 10/3")}, want: Closed},
		{name: "close without note", t: ticket(Resolved, "xd"), p: Patch{Status: ptr(Closed)}, invalid: []string{"note"}},
		{name: "reject with reason", t: ticket(New, ""), p: Patch{Status: ptr(Rejected), Reason: ptr("ngoài thẩm quyền")}, want: Rejected},
		{name: "reject without reason", t: ticket(Assigned, "xd"), p: Patch{Status: ptr(Rejected)}, invalid: []string{"reason"}},
		{name: "merge with target", t: ticket(New, ""), p: Patch{Status: ptr(Merged), MergedInto: ptr("PA-2025-000001")}, want: Merged},
		{name: "merge without target", t: ticket(InProgress, "xd"), p: Patch{Status: ptr(Merged)}, invalid: []string{"merged_into"}},
		{name: "reopen resolved", t: ticket(Resolved, "xd"), p: Patch{Status: ptr(InProgress), Reason: ptr("chưa xong")}, want: InProgress},
		{name: "reopen closed", t: ticket(Closed, "xd"), p: Patch{Status: ptr(InProgress)}, want: InProgress},
		{name: "new to in_progress", t: ticket(New, ""), p: Patch{Status: ptr(InProgress)}, refused: true},
		{name: "closed to resolved", t: ticket(Closed, "xd"), p: Patch{Status: ptr(Resolved), Result: ptr("x")}, refused: true},
		{name: "rejected is final", t: ticket(Rejected, ""), p: Patch{Status: ptr(InProgress)}, refused: true},
		{name: "merged is final", t: ticket(Merged, ""), p: Patch{Status: ptr(New)}, refused: true},
		{name: "unknown status", t: ticket(New, ""), p: Patch{Status: ptr(Status("done"))}, invalid: []string{"status"}},
		{name: "result without resolving", t: ticket(InProgress, "xd"), p: Patch{Result: ptr("x")}, invalid: []string{"result"}},
		{name: "reason alone", t: ticket(InProgress, "xd"), p: Patch{Reason: ptr("x")}, invalid: []string{"reason"}},
		{name: "merged_into alone", t: ticket(InProgress, "xd"), p: Patch{MergedInto: ptr("x")}, invalid: []string{"merged_into"}},
		{name: "note alone", t: ticket(InProgress, "xd"), p: Patch{Note: ptr("đã gọi")}, want: InProgress},
		{name: "bad department code", t: ticket(New, ""), p: Patch{Department: ptr("Xây dựng")}, invalid: []string{"department"}},
		{name: "field change", t: ticket(Closed, "xd"), p: Patch{Field: ptr("xd")}, want: Closed},
		{name: "field of a merged ticket", t: ticket(Merged, ""), p: Patch{Field: ptr("xd")}, err: ErrConflict},
		{name: "extend", t: ticket(InProgress, "xd"), a: supervisor, want: InProgress,
			p: Patch{ExtendTo: ptr(deadline.AddDate(0, 0, 7)), Reason: ptr("cần xác minh"), LegalBasis: ptr("Điều 28 Luật Tiếp công dân")}},
		{name: "extend by an operator", t: ticket(InProgress, "xd"), a: operator, err: ErrForbidden,
			p: Patch{ExtendTo: ptr(deadline.AddDate(0, 0, 7)), Reason: ptr("x"), LegalBasis: ptr("y")}},
		{name: "extend without reason and basis", t: ticket(InProgress, "xd"), a: supervisor,
			p: Patch{ExtendTo: ptr(deadline.AddDate(0, 0, 7))}, invalid: []string{"reason", "legal_basis"}},
		{name: "extend to before the deadline", t: ticket(InProgress, "xd"), a: supervisor, invalid: []string{"extend_to"},
			p: Patch{ExtendTo: ptr(deadline.Add(-time.Hour)), Reason: ptr("x"), LegalBasis: ptr("y")}},
		{name: "extend a closed ticket", t: ticket(Closed, "xd"), a: supervisor, err: ErrConflict,
			p: Patch{ExtendTo: ptr(deadline.AddDate(0, 0, 7)), Reason: ptr("x"), LegalBasis: ptr("y")}},
		{name: "legal basis alone", t: ticket(InProgress, "xd"), a: supervisor, p: Patch{LegalBasis: ptr("y")}, invalid: []string{"legal_basis"}},
		{name: "nothing", t: ticket(Assigned, "xd"), p: Patch{}, want: Assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.a
			if a.Role == "" {
				a = operator
			}
			got, err := tt.p.Check(tt.t, a)
			var ve *ValidationError
			var te *TransitionError
			switch {
			case tt.invalid != nil:
				if !errors.As(err, &ve) {
					t.Fatalf("got %v, want a *ValidationError", err)
				}
				for _, f := range tt.invalid {
					if _, ok := ve.Fields[f]; !ok {
						t.Errorf("%v does not name %s", err, f)
					}
				}
				if len(ve.Fields) != len(tt.invalid) {
					t.Errorf("%v names %d fields, want %v", err, len(ve.Fields), tt.invalid)
				}
			case tt.refused:
				if !errors.As(err, &te) || te.From != tt.t.Status {
					t.Fatalf("got %v, want a *TransitionError from %s", err, tt.t.Status)
				}
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
			default:
				if err != nil || got != tt.want {
					t.Fatalf("got %s, %v; want %s", got, err, tt.want)
				}
			}
		})
	}
}

func TestRoleAtLeast(t *testing.T) {
	t.Parallel()
	roles := []Role{RoleOperator, RoleSupervisor, RoleAdmin}
	for i, r := range roles {
		for j, o := range roles {
			if got := r.AtLeast(o); got != (i >= j) {
				t.Errorf("%s.AtLeast(%s) = %v", r, o, got)
			}
		}
	}
	if Role("").AtLeast(RoleOperator) || Role("root").AtLeast(RoleOperator) {
		t.Error("an unknown role counts as a role")
	}
}
