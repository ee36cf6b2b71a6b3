package ticketing

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// at returns a wall-clock time in Asia/Ho_Chi_Minh.
func at(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, Zone()) }

// decreedCalendar is the built-in calendar plus the overrides of testdata/calendar-decreed.txt: what an
// admin would have added for 2023–2026 (the make-up Saturday 26/4/2025, the swapped Friday 2/5/2025,
// 2/1/2026, 20/2/2026, 27/4/2026 off). Nothing is added for 2027, not yet decreed.
func decreedCalendar(t testing.TB) *Calendar {
	t.Helper()
	return NewCalendar(readDecreed(t).adds)
}

// TestDeadline: hand-checked deadlines over 2025–2027, with the default office hours 07:30–11:30 and
// 13:30–17:00 (an office day is 7.5 h: 3 days are 22.5 h, 7 days 52.5 h).
func TestDeadline(t *testing.T) {
	t.Parallel()
	decreed := decreedCalendar(t)
	builtin := NewCalendar(nil)
	tests := []struct {
		name     string
		rule     Rule
		cal      *Calendar
		received time.Time
		days     int
		want     time.Time
	}{
		// next_day: the day of receipt never counts; the term ends at 17:00 on the N-th working day after.
		{"next_day: Wednesday + 3 crosses a weekend", RuleNextDay, decreed, at(2025, 3, 5, 9, 0), 3, at(2025, 3, 10, 17, 0)},
		{"next_day: Monday + 3 within the week", RuleNextDay, decreed, at(2025, 3, 3, 10, 0), 3, at(2025, 3, 6, 17, 0)},
		{"next_day: Friday evening + 3: Mon, Tue, Wed", RuleNextDay, decreed, at(2025, 3, 7, 20, 0), 3, at(2025, 3, 12, 17, 0)},
		{"next_day: Saturday + 3: day 1 is Monday", RuleNextDay, decreed, at(2025, 3, 8, 10, 0), 3, at(2025, 3, 12, 17, 0)},
		{"next_day: Sunday 23:00 + 3", RuleNextDay, decreed, at(2025, 3, 9, 23, 0), 3, at(2025, 3, 12, 17, 0)},
		{"next_day: Monday 00:30, before opening, still does not count", RuleNextDay, decreed, at(2025, 3, 10, 0, 30), 3, at(2025, 3, 13, 17, 0)},
		{"next_day: Monday 07:29", RuleNextDay, decreed, at(2025, 3, 10, 7, 29), 3, at(2025, 3, 13, 17, 0)},
		{"next_day: Monday 07:30, at opening, same", RuleNextDay, decreed, at(2025, 3, 10, 7, 30), 3, at(2025, 3, 13, 17, 0)},
		{"next_day: Monday 16:59 + 1 is Tuesday's close", RuleNextDay, decreed, at(2025, 3, 10, 16, 59), 1, at(2025, 3, 11, 17, 0)},
		{"next_day: Monday 17:00 + 1 is Tuesday's close", RuleNextDay, decreed, at(2025, 3, 10, 17, 0), 1, at(2025, 3, 11, 17, 0)},
		{"next_day: Friday 24/1/2025, eve of the Tết break (25/1–2/2), + 3", RuleNextDay, decreed, at(2025, 1, 24, 15, 0), 3, at(2025, 2, 5, 17, 0)},
		{"next_day: during Tết (mùng 2, 30/1/2025) + 3", RuleNextDay, decreed, at(2025, 1, 30, 10, 0), 3, at(2025, 2, 5, 17, 0)},
		{"next_day: field report Thursday 23/1/2025 + 7: Fri 24, then 3–7/2, 10/2", RuleNextDay, decreed, at(2025, 1, 23, 9, 0), 7, at(2025, 2, 10, 17, 0)},
		{"next_day: Tuesday 29/4/2025 + 3 skips 30/4, 1/5, the swapped 2/5 and the weekend", RuleNextDay, decreed, at(2025, 4, 29, 10, 0), 3, at(2025, 5, 7, 17, 0)},
		{"next_day: Friday 25/4/2025 + 1 is the make-up Saturday 26/4", RuleNextDay, decreed, at(2025, 4, 25, 10, 0), 1, at(2025, 4, 26, 17, 0)},
		{"next_day: Friday 25/4/2025 + 3: Sat 26 (make-up), Mon 28, Tue 29", RuleNextDay, decreed, at(2025, 4, 25, 10, 0), 3, at(2025, 4, 29, 17, 0)},
		{"next_day: received on the make-up Saturday + 3: Mon 28, Tue 29, Mon 5/5", RuleNextDay, decreed, at(2025, 4, 26, 9, 0), 3, at(2025, 5, 5, 17, 0)},
		{"next_day: Friday 25/4/2025 + 3 without the decree's overrides: Mon 28, Tue 29, Fri 2/5", RuleNextDay, builtin, at(2025, 4, 25, 10, 0), 3, at(2025, 5, 2, 17, 0)},
		{"next_day: Friday 29/8/2025 + 3 skips 1/9 and 2/9", RuleNextDay, decreed, at(2025, 8, 29, 14, 0), 3, at(2025, 9, 5, 17, 0)},
		{"next_day: field report Thursday 28/8/2025 + 7", RuleNextDay, decreed, at(2025, 8, 28, 9, 0), 7, at(2025, 9, 10, 17, 0)},
		{"next_day: Friday 4/4/2025 + 3 skips Giỗ Tổ (Monday 7/4)", RuleNextDay, decreed, at(2025, 4, 4, 16, 0), 3, at(2025, 4, 10, 17, 0)},
		{"next_day: 31/12/2025 + 3 skips 1/1 and the swapped 2/1/2026", RuleNextDay, decreed, at(2025, 12, 31, 10, 0), 3, at(2026, 1, 7, 17, 0)},
		{"next_day: Friday 13/2/2026 at lunch, eve of Tết (off 14/2–22/2), + 3", RuleNextDay, decreed, at(2026, 2, 13, 11, 45), 3, at(2026, 2, 25, 17, 0)},
		{"next_day: the same without the compensatory 20/2: Fri 20, Mon 23, Tue 24", RuleNextDay, builtin, at(2026, 2, 13, 11, 45), 3, at(2026, 2, 24, 17, 0)},
		{"next_day: field report Wednesday 11/2/2026 + 7 over Tết", RuleNextDay, decreed, at(2026, 2, 11, 8, 0), 7, at(2026, 2, 27, 17, 0)},
		{"next_day: Friday 24/4/2026 + 3 skips 27/4 (Giỗ Tổ's compensatory day), 30/4, 1/5", RuleNextDay, decreed, at(2026, 4, 24, 9, 0), 3, at(2026, 5, 4, 17, 0)},
		{"next_day: Wednesday 3/2/2027, before Tết (4/2–8/2 built in), + 3", RuleNextDay, decreed, at(2027, 2, 3, 10, 0), 3, at(2027, 2, 11, 17, 0)},
		{"next_day: 1/9/2027 at 16:59, eve of 2/9 (Thursday) and 3/9, + 3", RuleNextDay, decreed, at(2027, 9, 1, 16, 59), 3, at(2027, 9, 8, 17, 0)},
		{"next_day: Thursday 15/4/2027 23:00, eve of Giỗ Tổ, + 1 is Monday", RuleNextDay, decreed, at(2027, 4, 15, 23, 0), 1, at(2027, 4, 19, 17, 0)},
		{"next_day: Monday 26/4/2027 + 10 over 30/4 and 1/5 (a Saturday)", RuleNextDay, decreed, at(2027, 4, 26, 10, 0), 10, at(2027, 5, 11, 17, 0)},
		{"next_day: received in UTC, 20:00Z Thursday, is 03:00 Friday in Hà Nội", RuleNextDay, decreed, time.Date(2025, 3, 6, 20, 0, 0, 0, time.UTC), 1, at(2025, 3, 10, 17, 0)},
		{"next_day: zero days ends at receipt", RuleNextDay, decreed, at(2025, 3, 5, 9, 0), 0, at(2025, 3, 5, 9, 0)},

		// office_hours: N × 7.5 h of office time, the clock running 07:30–11:30 and 13:30–17:00 on working days.
		{"office_hours: Monday 07:30 + 1 is Monday's close", RuleOfficeHours, decreed, at(2025, 3, 10, 7, 30), 1, at(2025, 3, 10, 17, 0)},
		{"office_hours: Monday 07:29 + 1: the clock starts at 07:30", RuleOfficeHours, decreed, at(2025, 3, 10, 7, 29), 1, at(2025, 3, 10, 17, 0)},
		{"office_hours: Monday 07:30 + 3 is Wednesday's close", RuleOfficeHours, decreed, at(2025, 3, 10, 7, 30), 3, at(2025, 3, 12, 17, 0)},
		{"office_hours: Monday 09:00 + 3 is Thursday 09:00", RuleOfficeHours, decreed, at(2025, 3, 10, 9, 0), 3, at(2025, 3, 13, 9, 0)},
		{"office_hours: Monday 11:45, at lunch, + 3: from 13:30, ends Thursday at 11:30", RuleOfficeHours, decreed, at(2025, 3, 10, 11, 45), 3, at(2025, 3, 13, 11, 30)},
		{"office_hours: Monday 16:59 + 1: 1 min, then Tuesday until 16:59", RuleOfficeHours, decreed, at(2025, 3, 10, 16, 59), 1, at(2025, 3, 11, 16, 59)},
		{"office_hours: Monday 17:00 + 1 is all of Tuesday", RuleOfficeHours, decreed, at(2025, 3, 10, 17, 0), 1, at(2025, 3, 11, 17, 0)},
		{"office_hours: Monday 23:00 + 3 starts Tuesday 07:30", RuleOfficeHours, decreed, at(2025, 3, 10, 23, 0), 3, at(2025, 3, 13, 17, 0)},
		{"office_hours: Friday evening + 3 starts Monday", RuleOfficeHours, decreed, at(2025, 3, 7, 20, 0), 3, at(2025, 3, 12, 17, 0)},
		{"office_hours: Friday 15:00 + 3: 2 h, Mon, Tue, then 5.5 h on Wednesday", RuleOfficeHours, decreed, at(2025, 3, 7, 15, 0), 3, at(2025, 3, 12, 15, 0)},
		{"office_hours: Friday 24/1/2025 15:00, eve of Tết, + 3: 2 h, then 3/2, 4/2, 5/2 until 15:00", RuleOfficeHours, decreed, at(2025, 1, 24, 15, 0), 3, at(2025, 2, 5, 15, 0)},
		{"office_hours: during Tết (mùng 1, 29/1/2025) + 3 starts Monday 3/2", RuleOfficeHours, decreed, at(2025, 1, 29, 10, 0), 3, at(2025, 2, 5, 17, 0)},
		{"office_hours: Friday 25/4/2025 13:30 + 1 ends on the make-up Saturday at 11:30", RuleOfficeHours, decreed, at(2025, 4, 25, 13, 30), 1, at(2025, 4, 26, 11, 30)},
		{"office_hours: Tuesday 29/4/2025 14:00 + 3: 3 h, then 5/5, 6/5 and 4.5 h of 7/5", RuleOfficeHours, decreed, at(2025, 4, 29, 14, 0), 3, at(2025, 5, 7, 14, 0)},
		{"office_hours: field report Thursday 28/8/2025 09:00 + 7 over 1/9 and 2/9", RuleOfficeHours, decreed, at(2025, 8, 28, 9, 0), 7, at(2025, 9, 10, 9, 0)},
		{"office_hours: Friday 13/2/2026 11:45 + 3: 3.5 h, then 23/2, 24/2, 4 h of 25/2", RuleOfficeHours, decreed, at(2026, 2, 13, 11, 45), 3, at(2026, 2, 25, 11, 30)},
		{"office_hours: Wednesday 1/9/2027 16:59 + 3 over 2/9 and 3/9", RuleOfficeHours, decreed, at(2027, 9, 1, 16, 59), 3, at(2027, 9, 8, 16, 59)},
		{"office_hours: Tuesday 2/3/2027 13:30 + 1 ends Wednesday 11:30", RuleOfficeHours, decreed, at(2027, 3, 2, 13, 30), 1, at(2027, 3, 3, 11, 30)},
		{"office_hours: Tuesday 2/3/2027 11:30, end of the morning, + 1: the same", RuleOfficeHours, decreed, at(2027, 3, 2, 11, 30), 1, at(2027, 3, 3, 11, 30)},
		{"office_hours: Sunday 26/4/2026 (Giỗ Tổ) + 3: Tue 28, Wed 29, Mon 4/5", RuleOfficeHours, decreed, at(2026, 4, 26, 10, 0), 3, at(2026, 5, 4, 17, 0)},
		{"office_hours: zero days ends at receipt", RuleOfficeHours, decreed, at(2025, 3, 8, 10, 0), 0, at(2025, 3, 8, 10, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := Deadlines{Calendar: tc.cal, Rule: tc.rule, Zone: Zone()}
			got := d.Deadline(tc.received, tc.days)
			if !got.Equal(tc.want) || got.Location() != Zone() {
				t.Errorf("Deadline(%v, %d) = %v, want %v", tc.received, tc.days, got, tc.want)
			}
			if tc.rule == RuleOfficeHours && tc.days > 0 {
				if office := d.WorkingHoursBetween(tc.received, got); office != time.Duration(tc.days)*hm(7, 30) {
					t.Errorf("office time from receipt to deadline = %v, want %d days", office, tc.days)
				}
			}
		})
	}
}

// TestDeadlineDefaults: the zero Deadlines counts next_day on the built-in calendar, default hours, in
// Asia/Ho_Chi_Minh; other hours move the close.
func TestDeadlineDefaults(t *testing.T) {
	t.Parallel()
	received := at(2025, 3, 7, 20, 0)
	if got, want := (Deadlines{}).Deadline(received, 3), at(2025, 3, 12, 17, 0); !got.Equal(want) || got.Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("zero Deadlines: %v, want %v", got, want)
	}
	hours, err := ParseOfficeHours("08:00-12:00,13:00-16:30")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := (Deadlines{Hours: hours}).Deadline(received, 3), at(2025, 3, 12, 16, 30); !got.Equal(want) {
		t.Errorf("other hours: %v, want %v", got, want)
	}
	// 3 days of 8 h from Friday 20:00: Monday, Tuesday, Wednesday.
	if got, want := (Deadlines{Hours: hours, Rule: RuleOfficeHours}).Deadline(received, 3), at(2025, 3, 12, 16, 30); !got.Equal(want) {
		t.Errorf("other hours, office_hours: %v, want %v", got, want)
	}
	// Another zone: the same wall-clock rules, read in that zone.
	tokyo := time.FixedZone("UTC+9", 9*60*60)
	if got, want := (Deadlines{Zone: tokyo}).Deadline(time.Date(2025, 3, 7, 20, 0, 0, 0, tokyo), 1), time.Date(2025, 3, 10, 17, 0, 0, 0, tokyo); !got.Equal(want) {
		t.Errorf("another zone: %v, want %v", got, want)
	}
	// An unknown rule counts as next_day.
	if got, want := (Deadlines{Rule: Rule(9)}).Deadline(received, 3), at(2025, 3, 12, 17, 0); !got.Equal(want) {
		t.Errorf("unknown rule: %v, want %v", got, want)
	}
}

func TestWorkingHoursBetween(t *testing.T) {
	t.Parallel()
	d := Deadlines{Calendar: decreedCalendar(t)}
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"an hour of the morning", at(2025, 3, 10, 9, 0), at(2025, 3, 10, 10, 0), time.Hour},
		{"over lunch: 30 min + 30 min", at(2025, 3, 10, 11, 0), at(2025, 3, 10, 14, 0), time.Hour},
		{"all of a day, midnight to midnight", at(2025, 3, 10, 0, 0), at(2025, 3, 11, 0, 0), hm(7, 30)},
		{"before opening to after closing", at(2025, 3, 10, 6, 0), at(2025, 3, 10, 19, 0), hm(7, 30)},
		{"Friday 16:00 to Monday 08:30", at(2025, 3, 7, 16, 0), at(2025, 3, 10, 8, 30), 2 * time.Hour},
		{"a weekend", at(2025, 3, 8, 0, 0), at(2025, 3, 10, 0, 0), 0},
		{"a week", at(2025, 3, 10, 0, 0), at(2025, 3, 17, 0, 0), 5 * hm(7, 30)},
		{"the Tết break of 2025", at(2025, 1, 24, 17, 0), at(2025, 2, 3, 7, 30), 0},
		{"the make-up Saturday counts", at(2025, 4, 26, 0, 0), at(2025, 4, 27, 0, 0), hm(7, 30)},
		{"the same instant", at(2025, 3, 10, 9, 0), at(2025, 3, 10, 9, 0), 0},
		{"backwards: overdue time is negative", at(2025, 3, 10, 10, 0), at(2025, 3, 10, 9, 0), -time.Hour},
		// 261 weekdays, less 11 holidays on weekdays and the swapped Friday 2/5, plus the make-up Saturday 26/4.
		{"a year, 2025: 250 working days", at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0), 250 * hm(7, 30)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := d.WorkingHoursBetween(tc.from, tc.to); got != tc.want {
				t.Errorf("WorkingHoursBetween(%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

// TestAddConsistency walks pairs of instants over 2025–2027 at irregular steps (minutes and seconds off
// the hour, weekends, holidays) and checks that Add and WorkingHoursBetween are inverses.
func TestAddConsistency(t *testing.T) {
	t.Parallel()
	hours := DefaultOfficeHours()
	for _, rule := range []Rule{RuleNextDay, RuleOfficeHours} {
		d := Deadlines{Calendar: decreedCalendar(t), Rule: rule}
		pairs := 0
		for from := at(2025, 1, 1, 0, 0); from.Year() < 2028; from = from.Add(17*time.Hour + 23*time.Minute + 7*time.Second) {
			for _, step := range []time.Duration{0, 1, 47 * time.Minute, 5 * time.Hour, 26 * time.Hour, 9 * 24 * time.Hour, 40 * 24 * time.Hour} {
				to := from.Add(step)
				office := d.WorkingHoursBetween(from, to)
				if office < 0 || office > step {
					t.Fatalf("WorkingHoursBetween(%v, %v) = %v", from, to, office)
				}
				if back := d.WorkingHoursBetween(to, from); back != -office {
					t.Fatalf("WorkingHoursBetween(%v, %v) = %v, backwards %v", from, to, office, back)
				}
				// Add is the inverse for any to within office hours.
				day, off := clockOf(to, Zone())
				inside := false
				for _, r := range hours.Ranges() {
					inside = inside || (off > r.Start && off <= r.End)
				}
				if inside && d.Calendar.isWorkday(day) {
					pairs++
					if got := d.Add(from, office); !got.Equal(to) {
						t.Fatalf("Add(%v, WorkingHoursBetween(…, %v) = %v) = %v", from, to, office, got)
					}
				}
				// WorkingHoursBetween is the inverse of Add.
				if got := d.WorkingHoursBetween(from, d.Add(from, step)); got != step {
					t.Fatalf("WorkingHoursBetween(%v, Add(…, %v)) = %v", from, step, got)
				}
			}
		}
		if pairs < 1000 {
			t.Errorf("only %d pairs inside office hours", pairs)
		}
	}
}

func TestAddEdges(t *testing.T) {
	t.Parallel()
	d := Deadlines{}
	tests := []struct {
		name   string
		from   time.Time
		office time.Duration
		want   time.Time
	}{
		{"zero", at(2025, 3, 8, 10, 0), 0, at(2025, 3, 8, 10, 0)},
		{"negative", at(2025, 3, 10, 10, 0), -time.Hour, at(2025, 3, 10, 10, 0)},
		{"a nanosecond from a weekend", at(2025, 3, 8, 10, 0), 1, at(2025, 3, 10, 7, 30).Add(1)},
		{"the morning exactly ends at 11:30, not at 13:30", at(2025, 3, 10, 7, 30), 4 * time.Hour, at(2025, 3, 10, 11, 30)},
		{"a second more goes past lunch", at(2025, 3, 10, 7, 30), 4*time.Hour + time.Second, at(2025, 3, 10, 13, 30).Add(time.Second)},
		{"from lunch", at(2025, 3, 10, 12, 0), time.Hour, at(2025, 3, 10, 14, 30)},
		{"from 17:00 exactly", at(2025, 3, 10, 17, 0), time.Minute, at(2025, 3, 11, 7, 31)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := d.Add(tc.from, tc.office); !got.Equal(tc.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", tc.from, tc.office, got, tc.want)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Rule
		err  bool
	}{
		{"next_day", RuleNextDay, false},
		{"office_hours", RuleOfficeHours, false},
		{"", RuleNextDay, false},
		{"NEXT_DAY", 0, true},
		{"calendar_days", 0, true},
		{" next_day", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRule(tc.in)
			if tc.err {
				if !errors.Is(err, ErrInvalidRule) {
					t.Fatalf("ParseRule(%q) = %v, %v; want ErrInvalidRule", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRule(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if tc.in != "" && got.String() != tc.in {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
	if s := Rule(7).String(); s != "Rule(7)" {
		t.Errorf("Rule(7) = %q", s)
	}
}

func TestZone(t *testing.T) {
	t.Parallel()
	noTZData := func(string) (*time.Location, error) { return nil, errors.New("unknown time zone Asia/Ho_Chi_Minh") }
	for name, loc := range map[string]*time.Location{"Zone()": Zone(), "without tzdata": loadZone(noTZData)} {
		if loc.String() != "Asia/Ho_Chi_Minh" {
			t.Errorf("%s is named %q", name, loc)
		}
		for _, year := range []int{1990, 2026, 2100} {
			if _, off := time.Date(year, 6, 1, 12, 0, 0, 0, loc).Zone(); off != 7*60*60 {
				t.Errorf("%s: offset %d s in %d, want UTC+7", name, off, year)
			}
		}
		d := Deadlines{Zone: loc}
		if got, want := d.Deadline(time.Date(2025, 3, 7, 13, 0, 0, 0, time.UTC), 1), time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("%s: deadline %v, want %v", name, got, want)
		}
	}
}

// FuzzDeadline checks properties of Deadline for arbitrary receipts in 1990–2110 and terms up to 400
// working days: the deadline is never before receipt, never moves earlier when receipt moves later, falls
// at the close of a working day (next_day) or after exactly N office days of office time (office_hours).
func FuzzDeadline(f *testing.F) {
	f.Add(int64(1741600800), uint32(3600), uint16(3), false) // Monday 10/3/2025 17:00
	f.Add(int64(1737705600), uint32(86400), uint16(7), true) // Friday 24/1/2025, eve of Tết
	f.Add(int64(1771000000), uint32(1), uint16(0), true)
	f.Add(int64(0), uint32(0), uint16(400), false)
	f.Add(int64(-1), uint32(4294967295), uint16(65535), true)
	d0 := Deadlines{Calendar: NewCalendar([]Override{
		{Date: civil(2025, 4, 26), Name: "Làm bù", Workday: true},
		{Date: civil(2025, 5, 2), Name: "Nghỉ hoán đổi"},
		{Date: civil(2026, 2, 20), Name: "Nghỉ bù"},
	})}
	lo, hi := at(1990, 1, 1, 0, 0).Unix(), at(2110, 1, 1, 0, 0).Unix()
	f.Fuzz(func(t *testing.T, sec int64, delta uint32, days uint16, officeHours bool) {
		span := hi - lo
		r1 := time.Unix(lo+((sec%span)+span)%span, int64(delta%1000)*1e6)
		r2 := r1.Add(time.Duration(delta%(3*365*86400)) * time.Second)
		n := int(days % 401)
		d := d0
		if officeHours {
			d.Rule = RuleOfficeHours
		}
		dl1, dl2 := d.Deadline(r1, n), d.Deadline(r2, n)
		if dl1.Before(r1) || dl2.Before(r2) {
			t.Fatalf("deadline before receipt: %v → %v, %v → %v", r1, dl1, r2, dl2)
		}
		if dl2.Before(dl1) {
			t.Fatalf("later receipt %v has the earlier deadline %v than %v (%v)", r2, dl2, r1, dl1)
		}
		if dl1.Location() != Zone() {
			t.Fatalf("deadline in %v", dl1.Location())
		}
		if n == 0 {
			if !dl1.Equal(r1) {
				t.Fatalf("zero days: %v → %v", r1, dl1)
			}
			return
		}
		if officeHours {
			if office := d.WorkingHoursBetween(r1, dl1); office != time.Duration(n)*hm(7, 30) {
				t.Fatalf("%v + %d office days = %v, only %v of office time", r1, n, dl1, office)
			}
			return
		}
		day, off := clockOf(dl1, Zone())
		received, _ := clockOf(r1, Zone())
		if off != hm(17, 0) || !d.Calendar.isWorkday(day) {
			t.Fatalf("%v + %d days = %v, not the close of a working day", r1, n, dl1)
		}
		count := 0
		for x := received + 1; x <= day; x++ {
			if d.Calendar.isWorkday(x) {
				count++
			}
		}
		if count != n {
			t.Fatalf("%v + %d days = %v, %d working days after receipt", r1, n, dl1, count)
		}
	})
}

func ExampleDeadlines_Deadline() {
	// Tết Bính Ngọ: offices close from Saturday 14/2 to Sunday 22/2/2026. The built-in calendar has the 5
	// days of Tết (15/2–19/2); the admin added the compensatory day for 15/2, a Sunday.
	cal := NewCalendar([]Override{{Date: CivilDate{2026, time.February, 20}, Name: "Nghỉ bù Tết Nguyên đán"}})
	received := time.Date(2026, time.February, 13, 16, 0, 0, 0, Zone()) // a hotline call, Friday afternoon

	nextDay := Deadlines{Calendar: cal}
	fmt.Println(nextDay.Deadline(received, 3).Format(time.DateTime))

	officeHours := Deadlines{Calendar: cal, Rule: RuleOfficeHours}
	fmt.Println(officeHours.Deadline(received, 3).Format(time.DateTime))
	// Output:
	// 2026-02-25 17:00:00
	// 2026-02-25 16:00:00
}

func BenchmarkDeadline(b *testing.B) {
	cal := decreedCalendar(b)
	received := at(2026, 2, 11, 10, 17)
	for _, bc := range []struct {
		name string
		rule Rule
		days int
	}{
		{"next_day/3", RuleNextDay, 3},
		{"next_day/7", RuleNextDay, 7},
		{"office_hours/3", RuleOfficeHours, 3},
		{"office_hours/7", RuleOfficeHours, 7},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := Deadlines{Calendar: cal, Rule: bc.rule}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				d.Deadline(received.Add(time.Duration(i%1000)*time.Minute), bc.days)
			}
		})
	}
}

func BenchmarkWorkingHoursBetween(b *testing.B) {
	d := Deadlines{Calendar: decreedCalendar(b)}
	from, to := at(2026, 2, 11, 10, 17), at(2026, 2, 25, 15, 2)
	b.ReportAllocs()
	for b.Loop() {
		d.WorkingHoursBetween(from, to)
	}
}
