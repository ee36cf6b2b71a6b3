package escalation

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"hotline/ticketing"
)

// Ack links come from anyone's browser: any token is refused or read back exactly as it was signed.
func FuzzParseLink(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	due := time.Date(2026, 3, 4, 17, 0, 0, 0, ticketing.Zone())
	good := signLink(key, link{Ticket: uuid.MustParse("0195a1b2-0000-7000-8000-000000000123"), Stage: DueHours,
		DueAt: due, Expires: due.Add(7 * 24 * time.Hour)})
	f.Add(good)
	f.Add(good[:20])
	f.Add("")
	f.Add("%%%")
	now := due.Add(-time.Hour)
	f.Fuzz(func(t *testing.T, token string) {
		l, err := parseLink(key, token, now)
		if err != nil {
			if !errors.Is(err, ErrBadLink) && !errors.Is(err, ErrLinkExpired) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !l.Stage.Valid() {
			t.Fatalf("stage %q", l.Stage)
		}
		if again := signLink(key, l); again != token {
			t.Fatalf("%q read as %+v, signed again as %q", token, l, again)
		}
	})
}

// The stages setting: any text is refused with ErrInvalidStages or read as ordered, positive windows.
func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"", DefaultStagesSpec, "due_hours=90m", "due_soon=1.5d,due_hours=1h30m", "due_soon=-1d", "x=y,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ws, err := ParseStages(s, ticketing.OfficeHours{})
		if err != nil {
			if !errors.Is(err, ErrInvalidStages) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(ws) == 0 || len(ws) > 2 {
			t.Fatalf("%q: %v", s, ws)
		}
		for i, w := range ws {
			if !w.Stage.toDepartment() || w.Left <= 0 || (i > 0 && (w.Left >= ws[i-1].Left || w.Stage.rank() <= ws[i-1].Stage.rank())) {
				t.Fatalf("%q: %v", s, ws)
			}
		}
	})
}
