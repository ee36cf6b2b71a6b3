package ticketing

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrInvalidRule is returned (wrapped) by ParseRule.
var ErrInvalidRule = errors.New("invalid deadline rule")

// Rule says how a term of N working days is counted (HOTLINE_DEADLINE_RULE).
type Rule int

const (
	// RuleNextDay counts as the Civil Code 2015 counts a term in days (art. 147–148): the day of receipt
	// does not count, whatever the hour; day 1 is the next working day; the term ends at the close of office
	// hours of the N-th working day. The default, and the zero value.
	RuleNextDay Rule = iota
	// RuleOfficeHours counts N full office days of working time from receipt, the clock running only in
	// office hours on working days, as SLA systems do: a report received outside office hours starts the
	// clock at the next opening.
	RuleOfficeHours
)

// ParseRule reads "next_day" or "office_hours"; the empty string is the default, next_day.
func ParseRule(s string) (Rule, error) {
	switch s {
	case "next_day", "":
		return RuleNextDay, nil
	case "office_hours":
		return RuleOfficeHours, nil
	}
	return 0, fmt.Errorf("%w %q: want next_day or office_hours", ErrInvalidRule, s)
}

// String returns "next_day" or "office_hours".
func (r Rule) String() string {
	switch r {
	case RuleNextDay:
		return "next_day"
	case RuleOfficeHours:
		return "office_hours"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// MarshalText writes the rule as String does.
func (r Rule) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rule as ParseRule does (so flag.TextVar can take the setting).
func (r *Rule) UnmarshalText(b []byte) error {
	v, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Zone returns Asia/Ho_Chi_Minh, in which deadlines are counted; where the system has no time zone
// database (and the binary does not embed time/tzdata), a fixed UTC+7 zone with that name.
func Zone() *time.Location { return zone() }

var zone = sync.OnceValue(func() *time.Location { return loadZone(time.LoadLocation) })

func loadZone(load func(name string) (*time.Location, error)) *time.Location {
	if loc, err := load("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Ho_Chi_Minh", 7*60*60)
}

// maxTermDays bounds a term: a longer one is cut to this many working days (about a century).
const maxTermDays = 25000

// Deadlines computes deadlines and office time on a working-day calendar. The zero value counts by
// RuleNextDay on the built-in calendar with the default office hours in Asia/Ho_Chi_Minh; a nil Calendar,
// zero Hours or nil Zone stand for those. Office hours are read on the wall clock of Zone. Deadlines holds
// no state of its own: it is safe for concurrent use while its fields are not changed.
type Deadlines struct {
	Calendar *Calendar
	Hours    OfficeHours
	Rule     Rule
	Zone     *time.Location
}

// Deadline returns when a term of workingDays working days from received ends, in Zone, by the Rule (any
// Rule other than RuleOfficeHours counts as RuleNextDay). A term of zero or fewer days ends at receipt; one
// of more than 25,000 working days is cut to that. The deadline never precedes receipt and never moves
// earlier when receipt moves later. It costs well under a microsecond and allocates nothing.
func (d Deadlines) Deadline(received time.Time, workingDays int) time.Time {
	loc, hours := d.zone(), d.hours()
	if workingDays <= 0 {
		return received.In(loc)
	}
	workingDays = min(workingDays, maxTermDays)
	if d.Rule == RuleOfficeHours {
		return d.Add(received, time.Duration(workingDays)*hours.Day())
	}
	day, _ := clockOf(received, loc)
	return wallTime(d.Calendar.addWorkdays(day, workingDays), hours.Closes(), loc)
}

// WorkingHoursBetween returns the office time from from to to: the time both within office hours and on
// working days. It is negative when to is before from (time overdue, for reports).
func (d Deadlines) WorkingHoursBetween(from, to time.Time) time.Duration {
	if to.Before(from) {
		return -d.WorkingHoursBetween(to, from)
	}
	loc, hours, cal := d.zone(), d.hours(), d.Calendar
	fromDay, fromOff := clockOf(from, loc)
	toDay, toOff := clockOf(to, loc)
	if fromDay == toDay {
		if cal.isWorkday(fromDay) {
			return hours.within(fromOff, toOff)
		}
		return 0
	}
	var sum time.Duration
	if cal.isWorkday(fromDay) {
		sum += hours.within(fromOff, 24*time.Hour)
	}
	for day := fromDay + 1; day < toDay; day++ {
		if cal.isWorkday(day) {
			sum += hours.Day()
		}
	}
	if cal.isWorkday(toDay) {
		sum += hours.within(0, toOff)
	}
	return sum
}

// Add returns the earliest instant by which office time of the given length has elapsed from from, in
// Zone; from itself when office ≤ 0. Time that runs out exactly at the end of a range ends there, not at
// the next opening. For any to within office hours (after a range opens, up to its close) and not before
// from, Add(from, WorkingHoursBetween(from, to)) is to.
func (d Deadlines) Add(from time.Time, office time.Duration) time.Time {
	loc, hours, cal := d.zone(), d.hours(), d.Calendar
	if office <= 0 {
		return from.In(loc)
	}
	office = min(office, maxTermDays*hours.Day())
	day, off := clockOf(from, loc)
	for ; ; day, off = day+1, 0 {
		if !cal.isWorkday(day) {
			continue
		}
		if off == 0 && office > hours.Day() {
			office -= hours.Day()
			continue
		}
		for _, r := range hours.ranges {
			if off >= r.End {
				continue
			}
			start := max(off, r.Start)
			if avail := r.End - start; office > avail {
				office -= avail
				continue
			}
			return wallTime(day, start+office, loc)
		}
	}
}

func (d Deadlines) zone() *time.Location {
	if d.Zone != nil {
		return d.Zone
	}
	return zone()
}

func (d Deadlines) hours() OfficeHours {
	if d.Hours.IsZero() {
		return defaultHours
	}
	return d.Hours
}

var defaultHours = DefaultOfficeHours()

// clockOf returns t's day (days since 1970-01-01) and wall-clock offset from midnight in loc.
func clockOf(t time.Time, loc *time.Location) (int, time.Duration) {
	t = t.In(loc)
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return daysFromCivil(y, m, d), time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// wallTime returns the instant at wall-clock offset off from the midnight of day in loc.
func wallTime(day int, off time.Duration, loc *time.Location) time.Time {
	y, m, d := civilFromDays(day)
	return time.Date(y, m, d, 0, 0, 0, int(off), loc)
}
