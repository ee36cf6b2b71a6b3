package ticketing

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidOfficeHours is returned (wrapped) by ParseOfficeHours.
var ErrInvalidOfficeHours = errors.New("invalid office hours")

// DefaultOfficeHoursSpec is the default of HOTLINE_OFFICE_HOURS: the hours of Vietnamese state offices.
const DefaultOfficeHoursSpec = "07:30-11:30,13:30-17:00"

// maxOfficeRanges bounds the number of ranges a spec may list.
const maxOfficeRanges = 24

// OfficeRange is a span of office time within a day, as offsets from midnight on the wall clock.
type OfficeRange struct {
	Start, End time.Duration
}

// OfficeHours are the hours of a working day in which an office works: ranges in order, not overlapping.
// The zero value means the default hours (DefaultOfficeHours) to Deadlines. Safe for concurrent use.
type OfficeHours struct {
	ranges []OfficeRange
	day    time.Duration
}

// DefaultOfficeHours returns the hours of DefaultOfficeHoursSpec: 07:30–11:30 and 13:30–17:00, 7.5 hours.
func DefaultOfficeHours() OfficeHours {
	return OfficeHours{
		ranges: []OfficeRange{
			{7*time.Hour + 30*time.Minute, 11*time.Hour + 30*time.Minute},
			{13*time.Hour + 30*time.Minute, 17 * time.Hour},
		},
		day: 7*time.Hour + 30*time.Minute,
	}
}

// ParseOfficeHours reads office hours written as comma-separated ranges HH:MM-HH:MM, in order and not
// overlapping, e.g. "07:30-11:30,13:30-17:00". Hours run from 00 to 23, and 24:00 may end the last range;
// one-digit hours and spaces around the ranges are accepted. The error names the range at fault and what
// the setting takes.
func ParseOfficeHours(s string) (OfficeHours, error) {
	bad := func(format string, args ...any) (OfficeHours, error) {
		return OfficeHours{}, fmt.Errorf("%w %q: %s; want ranges HH:MM-HH:MM in order, such as %s",
			ErrInvalidOfficeHours, s, fmt.Sprintf(format, args...), DefaultOfficeHoursSpec)
	}
	if strings.TrimSpace(s) == "" {
		return bad("empty")
	}
	items := strings.Split(s, ",")
	if len(items) > maxOfficeRanges {
		return bad("%d ranges, at most %d", len(items), maxOfficeRanges)
	}
	var h OfficeHours
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			return bad("range %d is empty", i+1)
		}
		from, to, ok := strings.Cut(item, "-")
		if !ok {
			return bad("range %q has no end", item)
		}
		start, err := parseClock(from)
		if err != nil {
			return bad("range %q: %v", item, err)
		}
		end, err := parseClock(to)
		if err != nil {
			return bad("range %q: %v", item, err)
		}
		if start == 24*time.Hour {
			return bad("range %q starts at 24:00, the end of the day", item)
		}
		if end <= start {
			return bad("range %q ends before it starts", item)
		}
		if n := len(h.ranges); n > 0 && start < h.ranges[n-1].End {
			return bad("range %q starts before the previous one, %q, ends", item, strings.TrimSpace(items[i-1]))
		}
		h.ranges = append(h.ranges, OfficeRange{start, end})
		h.day += end - start
	}
	return h, nil
}

// parseClock reads H:MM or HH:MM, from 00:00 to 24:00.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h, m := 0, 0
	for _, c := range []byte(hh) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not HH:MM", s)
		}
		h = h*10 + int(c-'0')
	}
	for _, c := range []byte(mm) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not HH:MM", s)
		}
		m = m*10 + int(c-'0')
	}
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day (00:00 to 24:00)", strings.TrimSpace(s))
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// IsZero reports whether h is the zero value, which Deadlines reads as the default hours.
func (h OfficeHours) IsZero() bool { return len(h.ranges) == 0 }

// Ranges returns the ranges in order.
func (h OfficeHours) Ranges() []OfficeRange { return append([]OfficeRange(nil), h.ranges...) }

// Day returns the office time of one working day: the sum of the ranges (7.5 hours by default).
func (h OfficeHours) Day() time.Duration { return h.day }

// Opens returns the start of the first range; Closes the end of the last (the close of office hours).
func (h OfficeHours) Opens() time.Duration {
	if h.IsZero() {
		return 0
	}
	return h.ranges[0].Start
}

// Closes returns the end of the last range: the close of office hours, when a term in days ends.
func (h OfficeHours) Closes() time.Duration {
	if h.IsZero() {
		return 0
	}
	return h.ranges[len(h.ranges)-1].End
}

// String writes the hours as ParseOfficeHours reads them, e.g. "07:30-11:30,13:30-17:00".
func (h OfficeHours) String() string {
	var b strings.Builder
	for i, r := range h.ranges {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%02d:%02d-%02d:%02d", int(r.Start.Hours()), int(r.Start.Minutes())%60,
			int(r.End.Hours()), int(r.End.Minutes())%60)
	}
	return b.String()
}

// MarshalText writes the hours as String does.
func (h OfficeHours) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads hours as ParseOfficeHours does (so flag.TextVar can take the setting).
func (h *OfficeHours) UnmarshalText(b []byte) error {
	v, err := ParseOfficeHours(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// within returns the office time in [from, to) of one working day, both offsets from midnight.
func (h OfficeHours) within(from, to time.Duration) time.Duration {
	var sum time.Duration
	for _, r := range h.ranges {
		if s, e := max(from, r.Start), min(to, r.End); e > s {
			sum += e - s
		}
	}
	return sum
}
