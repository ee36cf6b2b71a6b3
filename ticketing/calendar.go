package ticketing

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// ErrInvalidDate is returned (wrapped) when a date is not a day of the calendar in the form YYYY-MM-DD.
var ErrInvalidDate = errors.New("invalid date")

// CivilDate is a day of the Gregorian calendar, without a time or a place: a holiday, a make-up working day.
type CivilDate struct {
	Year  int
	Month time.Month
	Day   int
}

// CivilDateOf returns the date of t in t's location.
func CivilDateOf(t time.Time) CivilDate {
	y, m, d := t.Date()
	return CivilDate{y, m, d}
}

// ParseCivilDate reads a date written YYYY-MM-DD (as `hotline holiday add --date` and the API take it).
func ParseCivilDate(s string) (CivilDate, error) {
	if len(s) != 10 {
		return CivilDate{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDate, s)
	}
	var f [3]int // year, month, day
	field := 0
	for i := range len(s) {
		switch c := s[i]; {
		case (i == 4 || i == 7) && c == '-':
			field++
		case i != 4 && i != 7 && c >= '0' && c <= '9':
			f[field] = f[field]*10 + int(c-'0')
		default:
			return CivilDate{}, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDate, s)
		}
	}
	date := CivilDate{f[0], time.Month(f[1]), f[2]}
	if !date.IsValid() {
		return CivilDate{}, fmt.Errorf("%w %q: no such day; want YYYY-MM-DD", ErrInvalidDate, s)
	}
	return date, nil
}

// String writes the date as YYYY-MM-DD.
func (d CivilDate) String() string {
	if d.Year >= 0 && d.Year <= 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return fmt.Sprintf("%d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsValid reports whether d names a day that exists (not 30 February, not month 13).
func (d CivilDate) IsValid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 || d.Day > 31 {
		return false
	}
	y, m, dd := civilFromDays(d.days())
	return y == d.Year && m == d.Month && dd == d.Day
}

// In returns the midnight that begins d in loc.
func (d CivilDate) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before it when n < 0).
func (d CivilDate) AddDays(n int) CivilDate { return civilDateOfDays(d.days() + n) }

// Weekday returns the day of the week of d.
func (d CivilDate) Weekday() time.Weekday { return weekdayOfDays(d.days()) }

// Compare returns -1, 0 or +1 as d is before, the same as, or after e.
func (d CivilDate) Compare(e CivilDate) int {
	switch a, b := d.days(), e.days(); {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MarshalText writes the date as YYYY-MM-DD (the API's "date" fields).
func (d CivilDate) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date written YYYY-MM-DD.
func (d *CivilDate) UnmarshalText(b []byte) error {
	v, err := ParseCivilDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// days returns the number of days from 1970-01-01 to d.
func (d CivilDate) days() int { return daysFromCivil(d.Year, d.Month, d.Day) }

func civilDateOfDays(n int) CivilDate {
	y, m, d := civilFromDays(n)
	return CivilDate{y, m, d}
}

// weekdayOfDays returns the weekday of the day n days after 1970-01-01, a Thursday.
func weekdayOfDays(n int) time.Weekday {
	w := (n + int(time.Thursday)) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// DayKind says whether a day is worked.
type DayKind int

// The kinds of day. A make-up working day (a decreed Saturday) is a Workday; a day off added by an admin
// is a Holiday.
const (
	KindWorkday DayKind = iota + 1
	KindWeekend
	KindHoliday
)

// String returns "workday", "weekend" or "holiday" (the API's "kind").
func (k DayKind) String() string {
	switch k {
	case KindWorkday:
		return "workday"
	case KindWeekend:
		return "weekend"
	case KindHoliday:
		return "holiday"
	}
	return "DayKind(" + strconv.Itoa(int(k)) + ")"
}

// Override is a day whose kind an admin set with `hotline holiday add`: a day off (a compensatory day, a
// swapped day, a local holiday), or with Workday set, a make-up working day such as a decreed Saturday.
// An override wins over the weekend and over the built-in holidays.
type Override struct {
	Date    CivilDate
	Name    string
	Workday bool
}

// Holiday is a built-in public holiday, named in Vietnamese.
type Holiday struct {
	Date CivilDate
	Name string
}

// Calendar is the working-day calendar of Vietnamese state offices: Monday to Friday, less the public
// holidays of the Labor Code 2019, art. 112, less and plus the days admins add (Override). It is immutable
// and safe for concurrent use; NewCalendar makes a new one when the overrides change. A nil *Calendar is
// the calendar with no overrides.
//
// # Built-in holidays
//
// Computed for every year, the lunar ones (Tết, Giỗ Tổ) for 1001–3000 with the Vietnamese lunar calendar:
//
//   - Tết Dương lịch: 1/1.
//   - Tết Nguyên đán, 5 days: the last 2 days of the lunar year (28 and 29, or 29 and 30 tháng Chạp) and
//     mùng 1–3 tháng Giêng. Art. 112(3) leaves the 5 days to the Prime Minister each year. The decisions
//     for 2023 (off 20/1–26/1) and 2025 (off 25/1–2/2, the 5 days being the weekdays 27/1–31/1) took the
//     last 2 days and mùng 1–3, as did 2021's and 2024's; 2026's (off 14/2–22/2) fits it too, with a
//     compensatory day; 2022's took 1 day and mùng 1–4.
//   - Giỗ Tổ Hùng Vương: 10/3 lunar.
//   - Ngày Chiến thắng: 30/4. Ngày Quốc tế Lao động: 1/5.
//   - Quốc khánh: 2/9 and one adjacent day, chosen each year: 3/9 when 2/9 is a Thursday (3/9 joins the
//     weekend), a Sunday or a Monday (1/9 would fall on the weekend), otherwise 1/9. This is what was
//     decided for 2021 (3/9), 2022 (1/9), 2023 (1/9), 2024 (3/9) and 2025 (1/9).
//
// # What admins add
//
// Nothing that a yearly decision moves is computed: a compensatory day (nghỉ bù) when a holiday falls on a
// Saturday or a Sunday, a weekday swapped for a make-up Saturday (làm bù), a different choice of the Tết
// days or of the day beside 2/9. Admins add those with `hotline holiday add` as soon as they are
// published. For example:
//
//   - 2025: 2/5 (a Friday off) and the Saturday 26/4 as a working day (off 30/4–4/5).
//   - 2026: 2/1 (off 1/1–4/1, with the make-up Saturday the decision names); 20/2 (for Tết's 28 tháng Chạp,
//     a Sunday; off 14/2–22/2); 27/4 (Giỗ Tổ is a Sunday); the day beside 2/9 if it is not 1/9.
//   - 2027: the compensatory days for mùng 1 and mùng 2 (a Saturday and a Sunday) and for 1/5 (a Saturday).
//
// The schedules published for 2023–2026, their sources and the overrides that reproduce them are in
// testdata/calendar-decreed.txt, which the tests check.
//
// Ngày Văn hóa Việt Nam, 24/11, is to become a paid holiday (Resolution 80-NQ/TW, January 2026;
// Resolution 30/NQ-CP asks to amend art. 112); until the Labor Code says so, admins add it.
type Calendar struct {
	overrides map[int]Override // by day number (days since 1970-01-01)
}

// NewCalendar returns the calendar with these overrides. Later overrides of the same date win; dates out of
// range are normalized as time.Date does.
func NewCalendar(overrides []Override) *Calendar {
	c := &Calendar{overrides: make(map[int]Override, len(overrides))}
	for _, o := range overrides {
		o.Date = civilDateOfDays(o.Date.days())
		c.overrides[o.Date.days()] = o
	}
	return c
}

// Overrides returns the calendar's overrides by date.
func (c *Calendar) Overrides() []Override {
	if c == nil {
		return nil
	}
	out := make([]Override, 0, len(c.overrides))
	for _, o := range c.overrides {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Override) int { return a.Date.Compare(b.Date) })
	return out
}

// Kind returns what kind of day y-m-d is and, for a holiday or an override, its name. An override wins,
// then a built-in holiday (also on a weekend), then the weekend.
func (c *Calendar) Kind(y int, m time.Month, d int) (DayKind, string) {
	return c.kind(daysFromCivil(y, m, d))
}

// IsWorkday reports whether y-m-d is a working day.
func (c *Calendar) IsWorkday(y int, m time.Month, d int) bool {
	return c.isWorkday(daysFromCivil(y, m, d))
}

// PublicHolidays returns the built-in holidays of a Gregorian year by date, overrides aside.
func (c *Calendar) PublicHolidays(year int) []Holiday {
	return slices.Clone(holidaysOfYear(year).list)
}

// AddWorkdays returns the n-th working day after from, from itself not counted; from when n ≤ 0.
func (c *Calendar) AddWorkdays(from CivilDate, n int) CivilDate {
	return civilDateOfDays(c.addWorkdays(from.days(), n))
}

func (c *Calendar) addWorkdays(day, n int) int {
	for n > 0 {
		day++
		if c.isWorkday(day) {
			n--
		}
	}
	return day
}

func (c *Calendar) kind(day int) (DayKind, string) {
	if c != nil {
		if o, ok := c.overrides[day]; ok {
			if o.Workday {
				return KindWorkday, o.Name
			}
			return KindHoliday, o.Name
		}
	}
	if name, ok := holidaysOfDay(day); ok {
		return KindHoliday, name
	}
	if w := weekdayOfDays(day); w == time.Saturday || w == time.Sunday {
		return KindWeekend, ""
	}
	return KindWorkday, ""
}

func (c *Calendar) isWorkday(day int) bool {
	if c != nil && len(c.overrides) > 0 {
		if o, ok := c.overrides[day]; ok {
			return o.Workday
		}
	}
	if w := weekdayOfDays(day); w == time.Saturday || w == time.Sunday {
		return false
	}
	_, holiday := holidaysOfDay(day)
	return !holiday
}

// yearHolidays are the built-in holidays of one Gregorian year.
type yearHolidays struct {
	days []int // day numbers, parallel to list
	list []Holiday
}

// The built-in holidays of 1900–2199 are computed once each, on first use; other years each time.
const (
	cachedFirstYear = 1900
	cachedLastYear  = 2199
)

var holidayCache [cachedLastYear - cachedFirstYear + 1]atomic.Pointer[yearHolidays]

func holidaysOfDay(day int) (string, bool) {
	y, _, _ := civilFromDays(day)
	h := holidaysOfYear(y)
	for i, d := range h.days {
		if d == day {
			return h.list[i].Name, true
		}
	}
	return "", false
}

func holidaysOfYear(year int) *yearHolidays {
	if year < cachedFirstYear || year > cachedLastYear {
		return computeHolidays(year)
	}
	p := &holidayCache[year-cachedFirstYear]
	if h := p.Load(); h != nil {
		return h
	}
	h := computeHolidays(year) // two goroutines may both compute it; they store equal values
	p.Store(h)
	return h
}

// Names of the built-in holidays, as the Labor Code 2019, art. 112, calls them.
const (
	nameNewYear     = "Tết Dương lịch"
	nameTet         = "Tết Nguyên đán"
	nameHungKings   = "Giỗ Tổ Hùng Vương (10/3 âm lịch)"
	nameVictory     = "Ngày Chiến thắng"
	nameLabour      = "Ngày Quốc tế Lao động"
	nameNational    = "Quốc khánh"
	nameNationalAdj = "Quốc khánh (ngày liền kề)"
)

func computeHolidays(year int) *yearHolidays {
	var hs []Holiday
	add := func(day int, name string) {
		if y, _, _ := civilFromDays(day); y == year {
			hs = append(hs, Holiday{civilDateOfDays(day), name})
		}
	}
	add(daysFromCivil(year, time.January, 1), nameNewYear)
	if year >= lunarFirstYear && year <= lunarLastYear {
		if jd, ok := lunarToJulianDay(LunarDate{Year: year, Month: 1, Day: 1}, vietnamUTCOffset); ok {
			tet := jd - julianDayEpoch
			eve := solarToLunar(jd-1, vietnamUTCOffset) // the last day of the old year: 29 or 30 tháng Chạp
			for i := 2; i >= 1; i-- {
				add(tet-i, fmt.Sprintf("%s (%d tháng Chạp)", nameTet, eve.Day+1-i))
			}
			for i := range 3 {
				add(tet+i, fmt.Sprintf("%s (mùng %d tháng Giêng)", nameTet, i+1))
			}
		}
		if jd, ok := lunarToJulianDay(LunarDate{Year: year, Month: 3, Day: 10}, vietnamUTCOffset); ok {
			add(jd-julianDayEpoch, nameHungKings)
		}
	}
	add(daysFromCivil(year, time.April, 30), nameVictory)
	add(daysFromCivil(year, time.May, 1), nameLabour)
	national := daysFromCivil(year, time.September, 2)
	add(national, nameNational)
	switch weekdayOfDays(national) {
	case time.Thursday, time.Sunday, time.Monday:
		add(national+1, nameNationalAdj)
	default:
		add(national-1, nameNationalAdj)
	}

	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	h := &yearHolidays{}
	for _, x := range hs {
		// Two holidays on one day (Giỗ Tổ falls on 30/4 in 1947) make one day off with both names.
		if n := len(h.list); n > 0 && h.list[n-1].Date == x.Date {
			h.list[n-1].Name += ", " + x.Name
			continue
		}
		h.list = append(h.list, x)
		h.days = append(h.days, x.Date.days())
	}
	return h
}
