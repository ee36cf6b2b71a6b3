package ticketing

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func civil(y int, m time.Month, d int) CivilDate { return CivilDate{y, m, d} }

func TestPublicHolidays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year int
		want []Holiday
	}{
		{2025, []Holiday{
			{civil(2025, 1, 1), "Tết Dương lịch"},
			{civil(2025, 1, 27), "Tết Nguyên đán (28 tháng Chạp)"}, // Chạp Giáp Thìn has 29 days
			{civil(2025, 1, 28), "Tết Nguyên đán (29 tháng Chạp)"},
			{civil(2025, 1, 29), "Tết Nguyên đán (mùng 1 tháng Giêng)"},
			{civil(2025, 1, 30), "Tết Nguyên đán (mùng 2 tháng Giêng)"},
			{civil(2025, 1, 31), "Tết Nguyên đán (mùng 3 tháng Giêng)"},
			{civil(2025, 4, 7), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"},
			{civil(2025, 4, 30), "Ngày Chiến thắng"},
			{civil(2025, 5, 1), "Ngày Quốc tế Lao động"},
			{civil(2025, 9, 1), "Quốc khánh (ngày liền kề)"}, // 2/9 is a Tuesday
			{civil(2025, 9, 2), "Quốc khánh"},
		}},
		{2026, []Holiday{
			{civil(2026, 1, 1), "Tết Dương lịch"},
			{civil(2026, 2, 15), "Tết Nguyên đán (28 tháng Chạp)"}, // a Sunday: the compensatory day is an override
			{civil(2026, 2, 16), "Tết Nguyên đán (29 tháng Chạp)"},
			{civil(2026, 2, 17), "Tết Nguyên đán (mùng 1 tháng Giêng)"},
			{civil(2026, 2, 18), "Tết Nguyên đán (mùng 2 tháng Giêng)"},
			{civil(2026, 2, 19), "Tết Nguyên đán (mùng 3 tháng Giêng)"},
			{civil(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"},
			{civil(2026, 4, 30), "Ngày Chiến thắng"},
			{civil(2026, 5, 1), "Ngày Quốc tế Lao động"},
			{civil(2026, 9, 1), "Quốc khánh (ngày liền kề)"}, // 2/9 is a Wednesday
			{civil(2026, 9, 2), "Quốc khánh"},
		}},
		{2027, []Holiday{
			{civil(2027, 1, 1), "Tết Dương lịch"},
			{civil(2027, 2, 4), "Tết Nguyên đán (28 tháng Chạp)"}, // Chạp Bính Ngọ has 29 days
			{civil(2027, 2, 5), "Tết Nguyên đán (29 tháng Chạp)"},
			{civil(2027, 2, 6), "Tết Nguyên đán (mùng 1 tháng Giêng)"},
			{civil(2027, 2, 7), "Tết Nguyên đán (mùng 2 tháng Giêng)"},
			{civil(2027, 2, 8), "Tết Nguyên đán (mùng 3 tháng Giêng)"},
			{civil(2027, 4, 16), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"},
			{civil(2027, 4, 30), "Ngày Chiến thắng"},
			{civil(2027, 5, 1), "Ngày Quốc tế Lao động"},
			{civil(2027, 9, 2), "Quốc khánh"},
			{civil(2027, 9, 3), "Quốc khánh (ngày liền kề)"}, // 2/9 is a Thursday
		}},
		{2023, []Holiday{ // Chạp Nhâm Dần has 30 days; Giỗ Tổ late after the leap 2nd month
			{civil(2023, 1, 1), "Tết Dương lịch"},
			{civil(2023, 1, 20), "Tết Nguyên đán (29 tháng Chạp)"},
			{civil(2023, 1, 21), "Tết Nguyên đán (30 tháng Chạp)"},
			{civil(2023, 1, 22), "Tết Nguyên đán (mùng 1 tháng Giêng)"},
			{civil(2023, 1, 23), "Tết Nguyên đán (mùng 2 tháng Giêng)"},
			{civil(2023, 1, 24), "Tết Nguyên đán (mùng 3 tháng Giêng)"},
			{civil(2023, 4, 29), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"},
			{civil(2023, 4, 30), "Ngày Chiến thắng"},
			{civil(2023, 5, 1), "Ngày Quốc tế Lao động"},
			{civil(2023, 9, 1), "Quốc khánh (ngày liền kề)"}, // 2/9 is a Saturday
			{civil(2023, 9, 2), "Quốc khánh"},
		}},
		{1947, []Holiday{ // Giỗ Tổ on 30/4: one day, both names
			{civil(1947, 1, 1), "Tết Dương lịch"},
			{civil(1947, 1, 20), "Tết Nguyên đán (29 tháng Chạp)"},
			{civil(1947, 1, 21), "Tết Nguyên đán (30 tháng Chạp)"},
			{civil(1947, 1, 22), "Tết Nguyên đán (mùng 1 tháng Giêng)"},
			{civil(1947, 1, 23), "Tết Nguyên đán (mùng 2 tháng Giêng)"},
			{civil(1947, 1, 24), "Tết Nguyên đán (mùng 3 tháng Giêng)"},
			{civil(1947, 4, 30), "Giỗ Tổ Hùng Vương (10/3 âm lịch), Ngày Chiến thắng"},
			{civil(1947, 5, 1), "Ngày Quốc tế Lao động"},
			{civil(1947, 9, 1), "Quốc khánh (ngày liền kề)"},
			{civil(1947, 9, 2), "Quốc khánh"},
		}},
	}
	for _, tc := range tests {
		t.Run(time.Date(tc.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			t.Parallel()
			got := NewCalendar(nil).PublicHolidays(tc.year)
			if !slices.Equal(got, tc.want) {
				t.Errorf("PublicHolidays(%d):\n got %v\nwant %v", tc.year, got, tc.want)
			}
		})
	}
}

// TestNationalDayAdjacent covers every weekday 2/9 can fall on, with the year whose decision set the rule.
func TestNationalDayAdjacent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		year int
		want CivilDate
	}{
		{"Thursday: 3/9, joining the weekend (decided for 2021)", 2021, civil(2021, 9, 3)},
		{"Friday: 1/9 (decided for 2022)", 2022, civil(2022, 9, 1)},
		{"Saturday: 1/9 (decided for 2023)", 2023, civil(2023, 9, 1)},
		{"Monday: 3/9, 1/9 being a Sunday (decided for 2024)", 2024, civil(2024, 9, 3)},
		{"Tuesday: 1/9, joining the weekend (decided for 2025)", 2025, civil(2025, 9, 1)},
		{"Wednesday: 1/9", 2026, civil(2026, 9, 1)},
		{"Sunday: 3/9, 1/9 being a Saturday", 2029, civil(2029, 9, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []CivilDate
			for _, h := range NewCalendar(nil).PublicHolidays(tc.year) {
				if h.Name == "Quốc khánh (ngày liền kề)" {
					got = append(got, h.Date)
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("adjacent day of 2/9/%d = %v, want %v", tc.year, got, tc.want)
			}
		})
	}
}

// TestHolidaysEveryYear checks the shape of the built-in holidays over the lunar calendar's range: five
// consecutive Tết days ending on mùng 3, Giỗ Tổ on 10/3 lunar, eleven days off.
func TestHolidaysEveryYear(t *testing.T) {
	t.Parallel()
	c := NewCalendar(nil)
	for year := 1900; year <= 2199; year++ {
		hs := c.PublicHolidays(year)
		if len(hs) != 11 && year != 1947 {
			t.Fatalf("%d: %d holidays, want 11: %v", year, len(hs), hs)
		}
		var tet []CivilDate
		for _, h := range hs {
			if strings.HasPrefix(h.Name, "Tết Nguyên đán") {
				tet = append(tet, h.Date)
			}
			if strings.HasPrefix(h.Name, "Giỗ Tổ") {
				if l := SolarToLunar(h.Date.Year, h.Date.Month, h.Date.Day); l != (LunarDate{year, 3, 10, false}) {
					t.Errorf("%d: Giỗ Tổ on %v is %v lunar", year, h.Date, l)
				}
			}
		}
		if len(tet) != 5 {
			t.Fatalf("%d: %d days of Tết: %v", year, len(tet), tet)
		}
		for i, d := range tet {
			if i > 0 && d != tet[i-1].AddDays(1) {
				t.Errorf("%d: Tết days not consecutive: %v", year, tet)
			}
		}
		if l := SolarToLunar(tet[4].Year, tet[4].Month, tet[4].Day); l != (LunarDate{year, 1, 3, false}) {
			t.Errorf("%d: the last Tết day %v is %v lunar, want mùng 3", year, tet[4], l)
		}
		if l := SolarToLunar(tet[1].Year, tet[1].Month, tet[1].Day); l.Month != 12 || l.Year != year-1 {
			t.Errorf("%d: Tết day %v is %v lunar, want the old year's last", year, tet[1], l)
		}
	}
}

func TestKind(t *testing.T) {
	t.Parallel()
	cal := NewCalendar([]Override{
		{Date: civil(2025, 4, 26), Name: "Làm bù cho thứ Sáu 2/5/2025", Workday: true},
		{Date: civil(2025, 5, 2), Name: "Nghỉ hoán đổi"},
		{Date: civil(2026, 9, 1), Name: "Làm việc (Quốc khánh nghỉ 3/9)", Workday: true},
		{Date: civil(2026, 9, 3), Name: "Quốc khánh (ngày liền kề)"},
		{Date: civil(2026, 11, 24), Name: "Ngày Văn hóa Việt Nam"},
		{Date: civil(2026, 2, 20), Name: "first entry, replaced by the next"},
		{Date: civil(2026, 2, 20), Name: "Nghỉ bù Tết Nguyên đán"},
	})
	tests := []struct {
		name     string
		date     CivilDate
		kind     DayKind
		dayName  string
		workday  bool
		dayNames bool
	}{
		{"a Monday", civil(2025, 3, 3), KindWorkday, "", true, false},
		{"a Saturday", civil(2025, 3, 8), KindWeekend, "", false, false},
		{"a Sunday", civil(2025, 3, 9), KindWeekend, "", false, false},
		{"Tết Dương lịch", civil(2025, 1, 1), KindHoliday, "Tết Dương lịch", false, true},
		{"mùng 1 Tết", civil(2026, 2, 17), KindHoliday, "Tết Nguyên đán (mùng 1 tháng Giêng)", false, true},
		{"a Tết day on a Sunday is still a holiday", civil(2026, 2, 15), KindHoliday, "Tết Nguyên đán (28 tháng Chạp)", false, true},
		{"a compensatory day added", civil(2026, 2, 20), KindHoliday, "Nghỉ bù Tết Nguyên đán", false, true},
		{"the make-up Saturday", civil(2025, 4, 26), KindWorkday, "Làm bù cho thứ Sáu 2/5/2025", true, true},
		{"the swapped Friday", civil(2025, 5, 2), KindHoliday, "Nghỉ hoán đổi", false, true},
		{"an override beats a built-in holiday", civil(2026, 9, 1), KindWorkday, "Làm việc (Quốc khánh nghỉ 3/9)", true, true},
		{"the adjacent day moved by an admin", civil(2026, 9, 3), KindHoliday, "Quốc khánh (ngày liền kề)", false, true},
		{"a holiday not (yet) in the Labor Code", civil(2026, 11, 24), KindHoliday, "Ngày Văn hóa Việt Nam", false, true},
		{"Giỗ Tổ 2027", civil(2027, 4, 16), KindHoliday, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", false, true},
		{"a day beyond the cached years", civil(2300, 1, 1), KindHoliday, "Tết Dương lịch", false, true},
		{"a weekday beyond the cached years", civil(2300, 1, 3), KindWorkday, "", true, false},
		{"beyond the lunar calendar's years, the solar holidays remain", civil(1e9, 9, 2), KindHoliday, "Quốc khánh", false, true},
		{"normalized like time.Date: 31/4 is 1/5", civil(2025, 4, 31), KindHoliday, "Ngày Quốc tế Lao động", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			kind, name := cal.Kind(tc.date.Year, tc.date.Month, tc.date.Day)
			if kind != tc.kind || name != tc.dayName {
				t.Errorf("Kind(%v) = %v %q, want %v %q", tc.date, kind, name, tc.kind, tc.dayName)
			}
			if got := cal.IsWorkday(tc.date.Year, tc.date.Month, tc.date.Day); got != tc.workday {
				t.Errorf("IsWorkday(%v) = %v, want %v", tc.date, got, tc.workday)
			}
		})
	}
	if got := cal.Overrides(); len(got) != 6 || got[0].Date != civil(2025, 4, 26) || got[2].Name != "Nghỉ bù Tết Nguyên đán" {
		t.Errorf("Overrides() = %v, want 6 by date, the later of two entries for a date", got)
	}
}

func TestNilCalendar(t *testing.T) {
	t.Parallel()
	var nilCal *Calendar
	empty := NewCalendar(nil)
	for d := civil(2025, 1, 1); d.Year < 2028; d = d.AddDays(1) {
		k1, n1 := nilCal.Kind(d.Year, d.Month, d.Day)
		k2, n2 := empty.Kind(d.Year, d.Month, d.Day)
		if k1 != k2 || n1 != n2 || nilCal.IsWorkday(d.Year, d.Month, d.Day) != empty.IsWorkday(d.Year, d.Month, d.Day) {
			t.Fatalf("%v: nil calendar says %v %q, empty one %v %q", d, k1, n1, k2, n2)
		}
	}
	if nilCal.Overrides() != nil {
		t.Error("nil calendar has overrides")
	}
}

// decreed is testdata/calendar-decreed.txt.
type decreed struct {
	off  [][2]CivilDate
	work []CivilDate
	adds []Override
}

func readDecreed(t testing.TB) decreed {
	t.Helper()
	f, err := os.Open("testdata/calendar-decreed.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var d decreed
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "|")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) != 4 {
			t.Fatalf("line %q: want 4 fields", line)
		}
		date, err := ParseCivilDate(fields[1])
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		switch fields[0] {
		case "off":
			to, err := ParseCivilDate(fields[2])
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			d.off = append(d.off, [2]CivilDate{date, to})
		case "work":
			d.work = append(d.work, date)
		case "add":
			if fields[2] != "off" && fields[2] != "work" {
				t.Fatalf("line %q: want off or work", line)
			}
			d.adds = append(d.adds, Override{Date: date, Name: fields[3], Workday: fields[2] == "work"})
		default:
			t.Fatalf("line %q: unknown kind", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDecreedSchedules checks that the built-in holidays plus the overrides an admin adds give the
// published schedules of days off, no more and no less, and that every such override is needed.
func TestDecreedSchedules(t *testing.T) {
	t.Parallel()
	d := readDecreed(t)
	builtin := NewCalendar(nil)
	cal := NewCalendar(d.adds)
	inSomePeriod := func(x CivilDate) bool {
		for _, p := range d.off {
			if x.Compare(p[0]) >= 0 && x.Compare(p[1]) <= 0 {
				return true
			}
		}
		return false
	}
	for _, p := range d.off {
		for x := p[0]; x.Compare(p[1]) <= 0; x = x.AddDays(1) {
			if cal.IsWorkday(x.Year, x.Month, x.Day) {
				t.Errorf("%v (in %v–%v) is a working day, want a day off", x, p[0], p[1])
			}
		}
		for _, x := range []CivilDate{p[0].AddDays(-1), p[1].AddDays(1)} {
			w := x.Weekday()
			if w == time.Saturday || w == time.Sunday || inSomePeriod(x) {
				continue
			}
			if !cal.IsWorkday(x.Year, x.Month, x.Day) {
				k, name := cal.Kind(x.Year, x.Month, x.Day)
				t.Errorf("%v, beside %v–%v, is %v %q, want a working day", x, p[0], p[1], k, name)
			}
		}
	}
	for _, x := range d.work {
		if !cal.IsWorkday(x.Year, x.Month, x.Day) {
			t.Errorf("make-up day %v is not a working day", x)
		}
	}
	for _, o := range d.adds {
		if builtin.IsWorkday(o.Date.Year, o.Date.Month, o.Date.Day) == o.Workday {
			t.Errorf("override %v %q changes nothing", o.Date, o.Name)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	t.Parallel()
	cal := NewCalendar([]Override{{Date: civil(2026, 2, 20), Name: "Nghỉ bù Tết Nguyên đán"}})
	tests := []struct {
		name string
		from CivilDate
		n    int
		want CivilDate
	}{
		{"zero days", civil(2025, 3, 5), 0, civil(2025, 3, 5)},
		{"negative days", civil(2025, 3, 5), -2, civil(2025, 3, 5)},
		{"Wednesday + 1", civil(2025, 3, 5), 1, civil(2025, 3, 6)},
		{"Friday + 1 is Monday", civil(2025, 3, 7), 1, civil(2025, 3, 10)},
		{"Saturday + 1 is Monday", civil(2025, 3, 8), 1, civil(2025, 3, 10)},
		{"before Tết 2026: Friday 13/2 + 1 is Monday 23/2", civil(2026, 2, 13), 1, civil(2026, 2, 23)},
		{"Friday 13/2 + 3 is Wednesday 25/2", civil(2026, 2, 13), 3, civil(2026, 2, 25)},
		{"over 30/4–1/5 2026 and a weekend", civil(2026, 4, 29), 1, civil(2026, 5, 4)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := cal.AddWorkdays(tc.from, tc.n); got != tc.want {
				t.Errorf("AddWorkdays(%v, %d) = %v, want %v", tc.from, tc.n, got, tc.want)
			}
		})
	}
}

// TestCalendarConcurrentUse fills the holiday cache from many goroutines at once (run with -race).
func TestCalendarConcurrentUse(t *testing.T) {
	t.Parallel()
	cal := NewCalendar([]Override{{Date: civil(2150, 1, 2), Name: "x"}})
	var wg sync.WaitGroup
	results := make([][]bool, 8)
	for g := range results {
		wg.Go(func() {
			for year := 2100; year < 2199; year++ {
				results[g] = append(results[g], cal.IsWorkday(year, time.January, 2), cal.IsWorkday(year, time.September, 2))
			}
		})
	}
	wg.Wait()
	for g := range results {
		if !slices.Equal(results[g], results[0]) {
			t.Fatalf("goroutine %d saw another calendar", g)
		}
	}
}

func TestParseCivilDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    CivilDate
		wantErr string
	}{
		{"2026-02-17", civil(2026, 2, 17), ""},
		{"2024-02-29", civil(2024, 2, 29), ""},
		{"0001-01-01", civil(1, 1, 1), ""},
		{"2025-02-29", CivilDate{}, "no such day"},
		{"2025-13-01", CivilDate{}, "no such day"},
		{"2025-00-10", CivilDate{}, "no such day"},
		{"2025-04-31", CivilDate{}, "no such day"},
		{"2025-4-30", CivilDate{}, "want YYYY-MM-DD"},
		{"30/04/2025", CivilDate{}, "want YYYY-MM-DD"},
		{"2025-04-30T00:00", CivilDate{}, "want YYYY-MM-DD"},
		{"+025-04-30", CivilDate{}, "want YYYY-MM-DD"},
		{"2025-+4-30", CivilDate{}, "want YYYY-MM-DD"},
		{"2025 04 30", CivilDate{}, "want YYYY-MM-DD"},
		{"", CivilDate{}, "want YYYY-MM-DD"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCivilDate(tc.in)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrInvalidDate) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseCivilDate(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseCivilDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func FuzzParseCivilDate(f *testing.F) {
	for _, s := range []string{"2026-02-17", "2024-02-29", "2025-02-29", "9999-12-31", "0000-01-01", "2025-4-30", "", "-001-01-01", "2025-01-0\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseCivilDate(s)
		_, terr := time.Parse(time.DateOnly, s)
		if (err == nil) != (terr == nil) {
			t.Fatalf("ParseCivilDate(%q) error %v, time.Parse error %v", s, err, terr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) {
				t.Fatalf("error %v is not ErrInvalidDate", err)
			}
			return
		}
		if d.String() != s || !d.IsValid() {
			t.Fatalf("ParseCivilDate(%q) = %v", s, d)
		}
	})
}

func TestCivilDate(t *testing.T) {
	t.Parallel()
	hcm := Zone()
	for d := civil(1999, 12, 1); d.Year < 2031; d = d.AddDays(1) {
		tm := d.In(hcm)
		if CivilDateOf(tm) != d || tm.Hour() != 0 || tm.Weekday() != d.Weekday() {
			t.Fatalf("%v: In = %v, weekday %v", d, tm, d.Weekday())
		}
		if next := CivilDateOf(tm.AddDate(0, 0, 1)); next != d.AddDays(1) || d.Compare(next) != -1 || next.Compare(d) != 1 || d.Compare(d) != 0 {
			t.Fatalf("%v: the next day is %v, AddDays says %v", d, next, d.AddDays(1))
		}
	}
	if got := civil(2025, 1, 1).AddDays(-1); got != civil(2024, 12, 31) {
		t.Errorf("AddDays(-1) = %v", got)
	}
	b, err := json.Marshal(struct{ Date CivilDate }{civil(2026, 4, 27)})
	if err != nil || string(b) != `{"Date":"2026-04-27"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var v struct{ Date CivilDate }
	if err := json.Unmarshal([]byte(`{"Date":"2026-04-27"}`), &v); err != nil || v.Date != civil(2026, 4, 27) {
		t.Errorf("json read %v, %v", v.Date, err)
	}
	if err := json.Unmarshal([]byte(`{"Date":"2026-02-30"}`), &v); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("json read 2026-02-30: %v, want ErrInvalidDate", err)
	}
	if s := KindHoliday.String() + KindWeekend.String() + KindWorkday.String() + DayKind(0).String(); s != "holidayweekendworkdayDayKind(0)" {
		t.Errorf("DayKind strings: %s", s)
	}
}

func BenchmarkIsWorkday(b *testing.B) {
	cal := NewCalendar([]Override{{Date: civil(2026, 2, 20), Name: "Nghỉ bù"}})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		cal.IsWorkday(2026, time.February, 1+i%28)
	}
}

func BenchmarkComputeHolidays(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		computeHolidays(2000 + i%100)
	}
}
