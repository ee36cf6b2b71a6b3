package ticketing

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Page sizes of lists.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter selects tickets for a list; zero members do not filter. Pages are newest first (by received_at,
// then id) and follow each other by Cursor.
type Filter struct {
	Status, Field, Department, Channel string
	Overdue                            *bool     // open and past the effective deadline (or not)
	From, To                           time.Time // received_at in [From, To)
	Q                                  string    // words of the description, address, reporter's name or code
	Number                             string    // the reporter's or a linked call's number, in any writing
	Limit                              int       // 1–500; 0 means 50
	Cursor                             string    // next_cursor of the previous page
}

// ParseFilter reads a list's query (GET /api/v1/tickets?status=&field=&department=&channel=&overdue=
// &from=&to=&q=&number=&limit=&cursor=). Times are RFC 3339 or dates (YYYY-MM-DD, in Asia/Ho_Chi_Minh;
// as to, a date means the end of that day). A bad value is a *QueryError (or ErrBadCursor) saying what the
// parameter takes; parameters it does not know are left to the caller.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{
		Status: q.Get("status"), Field: q.Get("field"), Department: q.Get("department"),
		Channel: q.Get("channel"), Q: q.Get("q"), Number: q.Get("number"), Cursor: q.Get("cursor"),
	}
	if f.Status != "" && !Status(f.Status).Valid() {
		return f, &QueryError{"status", "must be one of new, assigned, in_progress, resolved, closed, rejected, merged"}
	}
	if f.Field != "" && !ValidCode(f.Field) {
		return f, &QueryError{"field", "must be a field's code (see GET /api/v1/fields)"}
	}
	if f.Department != "" && !ValidCode(f.Department) {
		return f, &QueryError{"department", "must be a department's code (see GET /api/v1/departments)"}
	}
	if f.Channel != "" && !Channel(f.Channel).Valid() {
		return f, &QueryError{"channel", "must be hotline, zalo, field or web"}
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, &QueryError{"overdue", "must be true or false"}
		}
		f.Overdue = &b
	}
	var err error
	if f.From, err = queryTime("from", q.Get("from"), false); err != nil {
		return f, err
	}
	if f.To, err = queryTime("to", q.Get("to"), true); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, &QueryError{"from", "must be before to"}
	}
	if f.Q != "" {
		if !utf8.ValidString(f.Q) || utf8.RuneCountInString(f.Q) > 200 {
			return f, &QueryError{"q", "must be text of at most 200 characters"}
		}
		if words, prefix := SearchTerms(f.Q); words == "" && prefix == "" {
			return f, &QueryError{"q", "must hold a word or a number to look for"}
		}
	}
	if f.Number != "" && !validNumber(f.Number) {
		return f, &QueryError{"number", "must be a phone number, e.g. 0912345678 or +84912345678"}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return f, &QueryError{"limit", "must be a whole number from 1 to 500"}
		}
		f.Limit = n
	} else {
		f.Limit = DefaultLimit
	}
	if f.Cursor != "" {
		if _, _, err := DecodeCursor(f.Cursor); err != nil {
			return f, err
		}
	}
	return f, nil
}

func validNumber(s string) bool {
	if len(s) > 32 {
		return false
	}
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, c == ' ', c == '.', c == '-', c == '(', c == ')':
		default:
			return false
		}
	}
	return digits >= 3
}

// queryTime reads a time written in RFC 3339 or a date YYYY-MM-DD in Asia/Ho_Chi_Minh; a date that ends a
// range (end) means the end of that day.
func queryTime(name, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
		return t, nil
	}
	if d, err := ParseCivilDate(v); err == nil {
		if end {
			d = d.AddDays(1)
		}
		return d.In(Zone()), nil
	}
	return time.Time{}, &QueryError{name, "must be a time in RFC 3339 (2026-11-29T08:00:00+07:00) or a date (2026-11-29)"}
}

// SearchKey writes text as the search column holds it and as queries are matched against it: its words
// (runs of letters and digits) folded (Fold), separated by single spaces. Punctuation separates words, so
// "PA-2025-000123" is "pa 2025 000123" and "Q.1" is "q 1".
func SearchKey(s string) string {
	f := Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	space := false
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// SearchTerms splits a search text q into the words to match whole and the last word, to match as a
// prefix (so a list can follow what is being typed), both as SearchKey writes them:
// "Ô nhiễm tiếng ồ" → ("o nhiem tieng", "o"). When q ends in something other than a letter or a digit
// (a space, say), every word matches whole and prefix is "".
func SearchTerms(q string) (words, prefix string) {
	key := SearchKey(q)
	last, _ := utf8.DecodeLastRuneInString(q)
	if key == "" || !unicode.IsLetter(last) && !unicode.IsDigit(last) && !unicode.Is(unicode.Mn, last) {
		return key, ""
	}
	if i := strings.LastIndexByte(key, ' '); i >= 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}

// EncodeCursor makes the cursor of the page after the ticket received at at with id id.
func EncodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + id.String()))
}

// DecodeCursor reads a cursor made by EncodeCursor; anything else is ErrBadCursor.
func DecodeCursor(s string) (time.Time, uuid.UUID, error) {
	// The decoder skips line breaks; a cursor has none.
	if len(s) > 100 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	micros, idText, ok := strings.Cut(string(raw), ".")
	if !ok || len(idText) != 36 {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || micros != strconv.FormatInt(us, 10) {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	id, err := uuid.Parse(idText)
	if err != nil || id.String() != idText {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	at := time.UnixMicro(us)
	if at.Year() < 1 || at.Year() > 9999 {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	return at, id, nil
}
