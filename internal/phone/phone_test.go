package phone

import "testing"

func TestNational(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0912345678":          "0912345678",
		"+84912345678":        "0912345678",
		"0084912345678":       "0912345678",
		"84912345678":         "0912345678",
		"0912 345 678":        "0912345678",
		"(028) 3829-123":      "0283829123",
		"1900":                "1900",
		"+1 202 555 0100":     "+12025550100",
		"anonymous":           "anonymous",
		"+84 (0) 912 345 678": "0912345678",  // the national 0 written after the country code
		"84084000000":         "84084000000", // 84 then 0: not E.164 without its plus
		"+8400912345":         "+8400912345", // not a Vietnamese number: kept as written
	} {
		if got := National(in); got != want {
			t.Errorf("National(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0912345678":   "0912***678",
		"+84912345678": "+849***678",
		"1234567":      "***",
		"":             "***",
		"12345678":     "1234***678",
		"anonymous":    "***",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNational(f *testing.F) {
	for _, s := range []string{"0912345678", "+84 912 345 678", "84912345678", "ễ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := National(s)
		if National(n) != n {
			t.Errorf("National is not stable: %q → %q → %q", s, n, National(n))
		}
		_ = Mask(s)
	})
}
