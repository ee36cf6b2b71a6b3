package ticketing

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	vn := Zone()
	tests := []struct {
		query   string
		want    Filter
		badParm string // a *QueryError naming it
		cursor  bool   // ErrBadCursor
	}{
		{query: "", want: Filter{Limit: 50}},
		{query: "status=in_progress&field=xd&department=qldt&channel=zalo&limit=10",
			want: Filter{Status: "in_progress", Field: "xd", Department: "qldt", Channel: "zalo", Limit: 10}},
		{query: "overdue=true", want: Filter{Overdue: ptr(true), Limit: 50}},
		{query: "overdue=0", want: Filter{Overdue: ptr(false), Limit: 50}},
		{query: "from=2025-03-01&to=2025-03-31",
			want: Filter{From: time.Date(2025, 3, 1, 0, 0, 0, 0, vn), To: time.Date(2025, 4, 1, 0, 0, 0, 0, vn), Limit: 50}},
		{query: "from=2025-03-01T08:00:00%2B07:00",
			want: Filter{From: time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC), Limit: 50}},
		{query: "q=%C3%B4+nhi%E1%BB%85m&number=%2B84912345678", want: Filter{Q: "ô nhiễm", Number: "+84912345678", Limit: 50}},
		{query: "status=done", badParm: "status"},
		{query: "channel=facebook", badParm: "channel"},
		{query: "field=X%C3%A2y", badParm: "field"},
		{query: "department=a+b", badParm: "department"},
		{query: "overdue=maybe", badParm: "overdue"},
		{query: "from=yesterday", badParm: "from"},
		{query: "to=2025-13-01", badParm: "to"},
		{query: "from=2025-03-02&to=2025-03-01", badParm: "from"},
		{query: "limit=0", badParm: "limit"},
		{query: "limit=501", badParm: "limit"},
		{query: "limit=ten", badParm: "limit"},
		{query: "q=...", badParm: "q"},
		{query: "q=" + strings.Repeat("a", 201), badParm: "q"},
		{query: "number=abc", badParm: "number"},
		{query: "cursor=xyz", cursor: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseFilter(q)
			var qe *QueryError
			switch {
			case tt.badParm != "":
				if !errors.As(err, &qe) || qe.Param != tt.badParm {
					t.Fatalf("got %v, want a *QueryError on %s", err, tt.badParm)
				}
			case tt.cursor:
				if !errors.Is(err, ErrBadCursor) {
					t.Fatalf("got %v, want ErrBadCursor", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !sameFilter(got, tt.want) {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

func sameFilter(a, b Filter) bool {
	if (a.Overdue == nil) != (b.Overdue == nil) || a.Overdue != nil && *a.Overdue != *b.Overdue {
		return false
	}
	a.Overdue, b.Overdue = nil, nil
	if !a.From.Equal(b.From) || !a.To.Equal(b.To) {
		return false
	}
	a.From, b.From, a.To, b.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

func TestSearchTerms(t *testing.T) {
	t.Parallel()
	tests := []struct{ q, words, prefix string }{
		{"ô nhiễm", "o", "nhiem"},
		{"Ô nhiễm tiếng ồ", "o nhiem tieng", "o"},
		{"  Ô  nhiễm,tiếng ồ", "o nhiem tieng", "o"},
		{"nhiễm", "", "nhiem"},
		{"o nhiem ", "o nhiem", ""},
		{"nhie\u0302\u0303", "", "nhie"},
		{"PA-2025-0001", "pa 2025", "0001"},
		{"...", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if w, p := SearchTerms(tt.q); w != tt.words || p != tt.prefix {
			t.Errorf("SearchTerms(%q) = %q, %q; want %q, %q", tt.q, w, p, tt.words, tt.prefix)
		}
	}
}

func TestSearchKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"Ô nhiễm tiếng ồn", "o nhiem tieng on"},
		{"PA-2025-000123", "pa 2025 000123"},
		{"  Đường Lê Lợi, Q.1 (số 5a) an@mail.vn ", "duong le loi q 1 so 5a an mail vn"},
		{"12/3 - 14/3", "12 3 14 3"},
	}
	for _, tt := range tests {
		if got := SearchKey(tt.in); got != tt.want {
			t.Errorf("SearchKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 12, 31, 23, 59, 0, 123456789, Zone())
	id := uuid.Must(uuid.NewV7())
	gotAt, gotID, err := DecodeCursor(EncodeCursor(at, id))
	if err != nil || !gotAt.Equal(at.Truncate(time.Microsecond)) || gotID != id {
		t.Errorf("got %v, %v, %v", gotAt, gotID, err)
	}
	for _, bad := range []string{"", "x", "!!!", EncodeCursor(at, id) + "A", "MTIz"} {
		if _, _, err := DecodeCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("DecodeCursor(%q) = %v, want ErrBadCursor", bad, err)
		}
	}
}

// Any query either parses into a filter whose every member is valid, or fails with a *QueryError or
// ErrBadCursor; a cursor that decodes encodes back to itself.
func FuzzParseFilter(f *testing.F) {
	f.Add("status=new&field=xd&overdue=true&from=2025-01-01&to=2025-02-01&q=%C3%B4+nhi&number=0912&limit=5")
	f.Add("cursor=" + EncodeCursor(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Nil))
	f.Add("from=2025-01-01T00:00:00Z&limit=500")
	f.Add("q=%FF&number=%2B84")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := ParseFilter(q)
		var qe *QueryError
		if err != nil {
			if !errors.As(err, &qe) && !errors.Is(err, ErrBadCursor) {
				t.Fatalf("ParseFilter(%q): %v is neither a *QueryError nor ErrBadCursor", raw, err)
			}
			return
		}
		if got.Status != "" && !Status(got.Status).Valid() || got.Channel != "" && !Channel(got.Channel).Valid() ||
			got.Field != "" && !ValidCode(got.Field) || got.Department != "" && !ValidCode(got.Department) ||
			got.Limit < 1 || got.Limit > MaxLimit {
			t.Fatalf("ParseFilter(%q) = %+v", raw, got)
		}
		if got.Cursor != "" {
			at, id, err := DecodeCursor(got.Cursor)
			if err != nil || EncodeCursor(at, id) != got.Cursor {
				t.Fatalf("cursor %q does not round-trip (%v)", got.Cursor, err)
			}
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Must(uuid.NewV7())))
	f.Add("")
	f.Add("LTEuMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw")
	f.Fuzz(func(t *testing.T, s string) {
		at, id, err := DecodeCursor(s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("DecodeCursor(%q): %v", s, err)
			}
			return
		}
		if again := EncodeCursor(at, id); again != s {
			t.Fatalf("DecodeCursor(%q) encodes back as %q", s, again)
		}
	})
}
