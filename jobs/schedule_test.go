package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func vn(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05.999", s, Zone())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTickIsTheActivationARunBelongsTo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, spec, at, want string
	}{
		{"just after the activation", "30 7 * * *", "2026-03-02 07:30:00.2", "2026-03-02 07:30:00"},
		{"exactly at it", "30 7 * * *", "2026-03-02 07:30:00", "2026-03-02 07:30:00"},
		{"late in the day", "30 7 * * *", "2026-03-02 23:59:59", "2026-03-02 07:30:00"},
		{"before today's activation", "30 7 * * *", "2026-03-02 07:29:59", "2026-03-01 07:30:00"},
		{"a weekday schedule on a Saturday", "*/15 9-17 * * 1-5", "2026-03-07 10:00:00", "2026-03-06 17:45:00"},
		{"every minute", "* * * * *", "2026-03-02 10:07:42", "2026-03-02 10:07:00"},
		{"a leap day, years back", "0 0 29 2 *", "2027-03-01 00:00:00", "2024-02-29 00:00:00"},
		{"descriptor", "@daily", "2026-03-02 13:00:00", "2026-03-02 00:00:00"},
		{"@every truncates: phase does not matter", "@every 1m", "2026-03-02 10:00:42.5", "2026-03-02 10:00:00"},
		{"@every 5m", "@every 5m", "2026-03-02 10:14:59", "2026-03-02 10:10:00"},
		{"another zone named in the spec", "CRON_TZ=UTC 0 1 * * *", "2026-03-02 08:30:00", "2026-03-02 08:00:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := parseSchedule("j", c.spec)
			if err != nil {
				t.Fatal(err)
			}
			got := s.tick(vn(t, c.at))
			if want := vn(t, c.want); !got.Equal(want) {
				t.Errorf("tick(%s) = %s, want %s", c.at, got.In(Zone()), want)
			}
		})
	}
}

func TestNextRunIsReadInVietnam(t *testing.T) {
	t.Parallel()
	s, err := parseSchedule("breach_report", "30 7 * * *")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC) // 06:00 on 3 March in Vietnam
	got := s.next(at)
	if want := "2026-03-03T07:30:00+07:00"; got.Format(time.RFC3339) != want {
		t.Errorf("next after %s = %s, want %s", at.Format(time.RFC3339), got.Format(time.RFC3339), want)
	}
}

func TestFrequentSchedulesLogQuietly(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]bool{
		"@every 1m": true, "@every 30s": true, "* * * * *": true,
		"@every 2m": false, "*/5 * * * *": false, "30 7 * * *": false, "@hourly": false,
	} {
		s, err := parseSchedule("j", spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.frequent(); got != want {
			t.Errorf("%q: frequent = %v, want %v", spec, got, want)
		}
	}
}

func TestBadScheduleNamesTheJob(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"", "61 * * * *", "@every banana", "30 7 * *", "0 0 30 2 *", "CRON_TZ=Mars/Base 0 1 * * *"} {
		_, err := parseSchedule("breach_report", spec)
		if !errors.Is(err, ErrBadSchedule) {
			t.Errorf("%q: error %v, want ErrBadSchedule", spec, err)
			continue
		}
		for _, want := range []string{"breach_report", `"30 7 * * *"`, "@every 1m"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q: error %q does not say %s", spec, err, want)
			}
		}
	}
}

func TestTrimTextKeepsValidUTF8(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Hồ Chí Minh ", 100)
	got := trimText(long, 101)
	if len(got) > 101 || !strings.HasSuffix(got, " …") || !strings.HasPrefix(got, "Hồ Chí") {
		t.Errorf("trimText = %q (%d bytes)", got, len(got))
	}
	if got := trimText("a\x00b\xffc", 100); got != "ab\uFFFDc" {
		t.Errorf("trimText = %q", got)
	}
}
