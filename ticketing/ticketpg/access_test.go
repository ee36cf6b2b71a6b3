package ticketpg_test

import (
	"testing"

	"hotline/ticketing"
)

// The reporter is whole to supervisors, admins and the ticket's handlers, masked to everyone else; every
// whole read is in the audit trail, with who read it.
func TestReporterMaskedByRole(t *testing.T) {
	t.Parallel()
	e := setup(t)
	callID := e.call("0912345678", "1003") // taken by operator 1003
	n := report("Karaoke ồn sau 23 giờ")
	n.Reporter = &ticketing.Reporter{Name: "Nguyễn Văn An", Phone: "0912345678", Email: "an@mail.vn"}
	tk := e.create(operator, n, monday) // created by 1001
	if err := e.store.LinkCall(e.ctx, operator, tk.ID, callID, monday); err != nil {
		t.Fatal(err)
	}
	anonymous := e.create(operator2, report("Không để lại tên"), monday)

	whole := ticketing.Reporter{Name: "Nguyễn Văn An", Phone: "0912345678", Email: "an@mail.vn"}
	masked := ticketing.Reporter{Name: "N*** V*** A", Phone: "0912***678", Email: "a***@mail.vn"}
	operator3 := ticketing.Actor{Name: "desk-1003", Role: ticketing.RoleOperator, Operator: "1003"}
	tests := []struct {
		name   string
		a      ticketing.Actor
		masked bool
	}{
		{"the operator who created it", operator, false},
		{"the operator who took its call", operator3, false},
		{"another operator", operator2, true},
		{"a supervisor", supervisor, false},
		{"an admin", admin, false},
		{"an operator token without an extension", ticketing.Actor{Name: "x", Role: ticketing.RoleOperator}, true},
		{"no role", ticketing.Actor{Name: "callflow"}, true},
	}
	wholeReads := 0
	for _, tt := range tests {
		// Every way of reading a ticket masks alike.
		got, err := e.store.Get(e.ctx, tt.a, tk.Code, monday)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := e.store.List(e.ctx, tt.a, ticketing.Filter{Q: "karaoke"}, monday)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: list %v, %v", tt.name, list, err)
		}
		byNumber, err := e.store.ByNumber(e.ctx, tt.a, "+84912345678", monday)
		if err != nil || len(byNumber) != 1 {
			t.Fatalf("%s: by number %v, %v", tt.name, byNumber, err)
		}
		for how, r := range map[string]ticketing.Ticket{"get": got, "list": list[0], "by number": byNumber[0]} {
			want := whole
			if tt.masked {
				want = masked
			}
			if r.Reporter == nil || *r.Reporter != want || r.ReporterMasked != tt.masked {
				t.Errorf("%s, %s: reporter %+v (masked %v), want %+v", tt.name, how, r.Reporter, r.ReporterMasked, want)
			}
		}
		if !tt.masked {
			wholeReads += 3
		}
		reads := e.audit(tk.ID, ticketing.AuditReporterRead)
		if len(reads) != wholeReads {
			t.Fatalf("%s: %d reporter reads audited, want %d", tt.name, len(reads), wholeReads)
		}
		if !tt.masked {
			last := reads[len(reads)-1]
			if last.Actor != tt.a.Who() || last.Role != tt.a.Role || !last.At.Equal(monday) {
				t.Errorf("%s: audit row %+v", tt.name, last)
			}
		}
	}
	// An anonymous ticket has no reporter to show, and nothing to audit.
	got, err := e.store.Get(e.ctx, supervisor, anonymous.Code, monday)
	if err != nil || got.Reporter != nil || got.ReporterMasked {
		t.Errorf("anonymous: %+v, %v", got.Reporter, err)
	}
	if reads := e.audit(anonymous.ID, ticketing.AuditReporterRead); len(reads) != 0 {
		t.Errorf("anonymous: %d reads audited", len(reads))
	}
}
