package ticketing

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

func TestParseOfficeHours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		ranges  []OfficeRange
		day     time.Duration
		str     string
		wantErr string // a part of the error, which must also say what the setting takes
	}{
		{"the default", "07:30-11:30,13:30-17:00", []OfficeRange{{hm(7, 30), hm(11, 30)}, {hm(13, 30), hm(17, 0)}}, hm(7, 30), "07:30-11:30,13:30-17:00", ""},
		{"one range", "08:00-17:00", []OfficeRange{{hm(8, 0), hm(17, 0)}}, 9 * time.Hour, "08:00-17:00", ""},
		{"spaces and one-digit hours", " 7:30-11:30 , 13:30-17:00 ", []OfficeRange{{hm(7, 30), hm(11, 30)}, {hm(13, 30), hm(17, 0)}}, hm(7, 30), "07:30-11:30,13:30-17:00", ""},
		{"round the clock", "00:00-24:00", []OfficeRange{{0, 24 * time.Hour}}, 24 * time.Hour, "00:00-24:00", ""},
		{"ranges that touch", "07:30-11:30,11:30-12:00", []OfficeRange{{hm(7, 30), hm(11, 30)}, {hm(11, 30), hm(12, 0)}}, hm(4, 30), "07:30-11:30,11:30-12:00", ""},
		{"three ranges", "06:00-08:00,09:00-10:00,22:00-23:59", []OfficeRange{{hm(6, 0), hm(8, 0)}, {hm(9, 0), hm(10, 0)}, {hm(22, 0), hm(23, 59)}}, hm(4, 59), "06:00-08:00,09:00-10:00,22:00-23:59", ""},
		{"empty", "", nil, 0, "", "empty"},
		{"blank", "   ", nil, 0, "", "empty"},
		{"an empty range", "07:30-11:30,", nil, 0, "", "range 2 is empty"},
		{"no end", "07:30", nil, 0, "", `range "07:30" has no end`},
		{"25:00", "07:30-25:00", nil, 0, "", `"25:00" is not a time of day`},
		{"24:30", "07:30-24:30", nil, 0, "", `"24:30" is not a time of day`},
		{"minute 60", "07:60-11:30", nil, 0, "", `"07:60" is not a time of day`},
		{"starting at 24:00", "24:00-24:00", nil, 0, "", "starts at 24:00"},
		{"bad order within a range", "17:00-13:30", nil, 0, "", `range "17:00-13:30" ends before it starts`},
		{"an empty span", "08:00-08:00", nil, 0, "", "ends before it starts"},
		{"overlap", "07:30-11:30,11:00-17:00", nil, 0, "", `range "11:00-17:00" starts before the previous one, "07:30-11:30", ends`},
		{"ranges out of order", "13:30-17:00,07:30-11:30", nil, 0, "", `range "07:30-11:30" starts before the previous one`},
		{"a dot", "07.30-11.30", nil, 0, "", `"07.30" is not HH:MM`},
		{"seconds", "07:30:00-11:30:00", nil, 0, "", "is not HH:MM"},
		{"signs", "+7:30-11:30", nil, 0, "", `"+7:30" is not HH:MM`},
		{"one-digit minutes", "7:3-11:30", nil, 0, "", "is not HH:MM"},
		{"a semicolon", "07:30-11:30;13:30-17:00", nil, 0, "", "is not HH:MM"},
		{"too many ranges", strings.Repeat("01:00-01:01,", 24) + "02:00-02:01", nil, 0, "", "25 ranges, at most 24"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseOfficeHours(tc.in)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidOfficeHours) || !strings.Contains(err.Error(), tc.wantErr) ||
					!strings.Contains(err.Error(), "want ranges HH:MM-HH:MM") {
					t.Fatalf("ParseOfficeHours(%q) error = %v, want one saying %q and what it takes", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseOfficeHours(%q): %v", tc.in, err)
			}
			if !slices.Equal(h.Ranges(), tc.ranges) || h.Day() != tc.day || h.String() != tc.str {
				t.Errorf("ParseOfficeHours(%q) = %v (%v, day %v), want %v (day %v)", tc.in, h, h.Ranges(), h.Day(), tc.str, tc.day)
			}
			if h.Opens() != tc.ranges[0].Start || h.Closes() != tc.ranges[len(tc.ranges)-1].End {
				t.Errorf("opens %v closes %v", h.Opens(), h.Closes())
			}
		})
	}
}

func TestDefaultOfficeHours(t *testing.T) {
	t.Parallel()
	parsed, err := ParseOfficeHours(DefaultOfficeHoursSpec)
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultOfficeHours()
	if !slices.Equal(parsed.Ranges(), def.Ranges()) || parsed.Day() != def.Day() || def.Day() != hm(7, 30) {
		t.Errorf("default hours %v (day %v), parsed %v", def, def.Day(), parsed)
	}
	if def.Opens() != hm(7, 30) || def.Closes() != hm(17, 0) {
		t.Errorf("default hours open %v close %v", def.Opens(), def.Closes())
	}
	var zero OfficeHours
	if !zero.IsZero() || zero.Day() != 0 || zero.Closes() != 0 || zero.Opens() != 0 || zero.String() != "" {
		t.Errorf("zero hours: %v", zero)
	}
	// Ranges returns a copy.
	def.Ranges()[0].Start = 0
	if def.Opens() != hm(7, 30) {
		t.Error("Ranges shares its slice")
	}
}

// TestOfficeHoursFlag sets the hours and the rule as cmd does, through flag.TextVar.
func TestOfficeHoursFlag(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var hours OfficeHours
	var rule Rule
	fs.TextVar(&hours, "office-hours", DefaultOfficeHours(), "office hours")
	fs.TextVar(&rule, "deadline-rule", RuleNextDay, "next_day or office_hours")
	if hours.String() != DefaultOfficeHoursSpec || rule != RuleNextDay {
		t.Fatalf("defaults: %v %v", hours, rule)
	}
	if err := fs.Parse([]string{"-office-hours", "08:00-12:00,13:00-17:00", "-deadline-rule", "office_hours"}); err != nil {
		t.Fatal(err)
	}
	if hours.String() != "08:00-12:00,13:00-17:00" || hours.Day() != 8*time.Hour || rule != RuleOfficeHours {
		t.Errorf("parsed %v (%v) %v", hours, hours.Day(), rule)
	}
	for _, args := range [][]string{{"-office-hours", "17:00-08:00"}, {"-deadline-rule", "calendar_days"}} {
		if err := fs.Parse(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func FuzzParseOfficeHours(f *testing.F) {
	for _, s := range []string{DefaultOfficeHoursSpec, "08:00-17:00", "00:00-24:00", " 7:30-11:30 , 13:30-17:00 ",
		"07:30-11:30,11:00-17:00", "17:00-13:30", "25:00-26:00", "", ",", "-", ":-:", "07:30-11:30,", "24:00-24:00",
		"9:5-10:00", "0:00-0:01,0:01-0:02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseOfficeHours(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidOfficeHours) || !h.IsZero() {
				t.Fatalf("ParseOfficeHours(%q) = %v, %v", s, h, err)
			}
			return
		}
		var sum, end time.Duration
		for i, r := range h.Ranges() {
			if r.Start < 0 || r.End > 24*time.Hour || r.End <= r.Start || (i > 0 && r.Start < end) || r.Start%time.Minute != 0 || r.End%time.Minute != 0 {
				t.Fatalf("ParseOfficeHours(%q) has range %d %v", s, i, r)
			}
			sum += r.End - r.Start
			end = r.End
		}
		if h.IsZero() || sum != h.Day() || h.Closes() != end {
			t.Fatalf("ParseOfficeHours(%q) = %v, day %v, want %v", s, h, h.Day(), sum)
		}
		again, err := ParseOfficeHours(h.String())
		if err != nil || !slices.Equal(again.Ranges(), h.Ranges()) {
			t.Fatalf("ParseOfficeHours(%q) = %v, which reads back as %v, %v", s, h, again, err)
		}
	})
}
