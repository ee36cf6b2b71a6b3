package ticketing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewTicketValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, Zone())
	operator := Actor{Name: "op", Role: RoleOperator, Operator: "1001"}
	supervisor := Actor{Name: "sup", Role: RoleSupervisor}
	ok := func() NewTicket { return NewTicket{Channel: Hotline, Description: "Ô nhiễm tiếng ồn"} }
	tests := []struct {
		name    string
		edit    func(*NewTicket)
		a       Actor
		invalid []string
		err     error
	}{
		{name: "minimal", edit: func(*NewTicket) {}},
		{name: "everything", a: supervisor, edit: func(n *NewTicket) {
			n.Field, n.Department = "vsmt", "tnmt"
			n.Reporter = &Reporter{Name: "Nguyễn Văn An", Phone: "+84 912 345 678", Email: "an@mail.vn"}
			n.Location = &Location{Address: "12 Lê Lợi", Lat: ptr(12.68), Lon: ptr(108.04)}
			n.ReceivedAt = ptr(now.Add(-time.Hour))
			n.Attachments = []Attachment{{URL: "https://zalo.me/p/1.jpg", Kind: KindImage}}
		}},
		{name: "no channel", edit: func(n *NewTicket) { n.Channel = "" }, invalid: []string{"channel"}},
		{name: "unknown channel", edit: func(n *NewTicket) { n.Channel = "facebook" }, invalid: []string{"channel"}},
		{name: "no description", edit: func(n *NewTicket) { n.Description = "  " }, invalid: []string{"description"}},
		{name: "description too long", edit: func(n *NewTicket) { n.Description = strings.Repeat("ô", 10001) }, invalid: []string{"description"}},
		{name: "description of 10,000 characters", edit: func(n *NewTicket) { n.Description = strings.Repeat("ô", 10000) }},
		{name: "bad codes", edit: func(n *NewTicket) { n.Field, n.Department = "Xây dựng", "A B" }, invalid: []string{"field", "department"}},
		{name: "bad reporter", edit: func(n *NewTicket) { n.Reporter = &Reporter{Phone: "call me", Email: "an at mail"} },
			invalid: []string{"reporter.phone", "reporter.email"}},
		{name: "bad location", edit: func(n *NewTicket) { n.Location = &Location{Lat: ptr(91.0), Lon: ptr(0.0)} }, invalid: []string{"location.lat"}},
		{name: "lat without lon", edit: func(n *NewTicket) { n.Location = &Location{Lat: ptr(12.0)} }, invalid: []string{"location"}},
		{name: "bad attachment", edit: func(n *NewTicket) { n.Attachments = []Attachment{{URL: "file:///etc/passwd", Kind: "exe"}} },
			invalid: []string{"attachments[0].url", "attachments[0].kind"}},
		{name: "received_at from an operator", edit: func(n *NewTicket) { n.ReceivedAt = ptr(now.Add(-time.Hour)) }, err: ErrForbidden},
		{name: "received_at ahead", a: supervisor, edit: func(n *NewTicket) { n.ReceivedAt = ptr(now.Add(6 * time.Minute)) },
			invalid: []string{"received_at"}},
		{name: "received_at a little ahead", a: supervisor, edit: func(n *NewTicket) { n.ReceivedAt = ptr(now.Add(4 * time.Minute)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := ok()
			tt.edit(&n)
			a := tt.a
			if a.Role == "" {
				a = operator
			}
			err := n.Validate(a, now)
			var ve *ValidationError
			switch {
			case tt.invalid != nil:
				if !errors.As(err, &ve) {
					t.Fatalf("got %v, want a *ValidationError", err)
				}
				if len(ve.Fields) != len(tt.invalid) {
					t.Errorf("%v, want %v", err, tt.invalid)
				}
				for _, f := range tt.invalid {
					if _, ok := ve.Fields[f]; !ok {
						t.Errorf("%v does not name %s", err, f)
					}
				}
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestValidationErrorNamesFields(t *testing.T) {
	t.Parallel()
	err := &ValidationError{Fields: map[string]string{"reporter.phone": "must be a phone number", "channel": "is required"}}
	if want := "invalid channel: is required; reporter.phone: must be a phone number"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
