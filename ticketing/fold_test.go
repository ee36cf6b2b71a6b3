package ticketing

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The Vietnamese vowels in every tone, one row per vowel: no mark, huyền, sắc, hỏi, ngã, nặng.
var vowelTones = []struct {
	base  string
	forms string
}{
	{"a", "aàáảãạ"}, {"a", "ăằắẳẵặ"}, {"a", "âầấẩẫậ"},
	{"e", "eèéẻẽẹ"}, {"e", "êềếểễệ"},
	{"i", "iìíỉĩị"},
	{"o", "oòóỏõọ"}, {"o", "ôồốổỗộ"}, {"o", "ơờớởỡợ"},
	{"u", "uùúủũụ"}, {"u", "ưừứửữự"},
	{"y", "yỳýỷỹỵ"},
}

func TestFoldEveryVietnameseLetter(t *testing.T) {
	t.Parallel()
	accented := 0
	check := func(letter, want string) {
		t.Helper()
		if got := Fold(letter); got != want {
			t.Errorf("Fold(%q) = %q, want %q", letter, got, want)
		}
	}
	for _, v := range vowelTones {
		if n := utf8.RuneCountInString(v.forms); n != 6 {
			t.Fatalf("row %q has %d forms", v.forms, n)
		}
		for _, r := range v.forms {
			lower, upper := string(r), strings.ToUpper(string(r))
			if lower != v.base {
				accented += 2
			}
			check(lower, v.base)
			check(upper, v.base)
		}
	}
	check("đ", "d")
	check("Đ", "d")
	accented += 2
	if accented != 134 {
		t.Errorf("checked %d accented letters, want 134", accented)
	}
	// The table holds exactly those letters.
	n := 0
	for _, g := range vietnamese {
		n += utf8.RuneCountInString(g.letters)
	}
	if n != 134 {
		t.Errorf("the fold table has %d letters, want 134", n)
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"o nhiem", "o nhiem"},
		{"Ô nhiễm", "o nhiem"},
		{"ô nhiễm", "o nhiem"},
		{"Ô NHIỄM TIẾNG ỒN", "o nhiem tieng on"},
		{"Đường Lê Lợi, Q.1", "duong le loi, q.1"},
		{"Nguyễn Văn An", "nguyen van an"},
		{"PA-2025-000123", "pa-2025-000123"},
		// Decomposed (NFD): the base letter with combining marks.
		{"o\u0302 nhie\u0302\u0303m", "o nhiem"},
		{"D\u0323", "d"},
		{"ư\u0300", "u"},
		// Other scripts are lower-cased and kept; invalid UTF-8 is dropped.
		{"Ωμέγα", "ωμέγα"},
		{"a\xffb", "ab"},
		{"Straße", "straße"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "Ô nhiễm", "o\u0302", "Đ\xff", "Ωμέγα", "İstanbul", "\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q: not UTF-8", s, got)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold(Fold(%q)) = %q, want %q", s, again, got)
		}
		for _, r := range got {
			if r >= 'A' && r <= 'Z' || r < rune(len(foldTable)) && foldTable[r] != 0 {
				t.Fatalf("Fold(%q) = %q keeps %q", s, got, r)
			}
		}
	})
}

func BenchmarkFold(b *testing.B) {
	s := "Ô nhiễm tiếng ồn kéo dài từ xưởng gỗ trên đường Lê Lợi, phường Thắng Lợi, Buôn Ma Thuột"
	b.ReportAllocs()
	for b.Loop() {
		Fold(s)
	}
}

// SearchKey writes words of letters and digits, folded, with single spaces, and changes nothing it wrote;
// SearchTerms takes its words from it.
func FuzzSearchKey(f *testing.F) {
	for _, s := range []string{"", "Ô nhiễm, tiếng ồ", "PA-2025-000001", "  a  ", "nhie\u0302\u0303", "\xff.\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := SearchKey(s)
		if SearchKey(key) != key || strings.HasPrefix(key, " ") || strings.HasSuffix(key, " ") || strings.Contains(key, "  ") {
			t.Fatalf("SearchKey(%q) = %q", s, key)
		}
		for _, r := range key {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("SearchKey(%q) = %q holds %q", s, key, r)
			}
		}
		words, prefix := SearchTerms(s)
		joined := strings.TrimSpace(words + " " + prefix)
		if joined != key || strings.Contains(prefix, " ") {
			t.Fatalf("SearchTerms(%q) = %q, %q; SearchKey %q", s, words, prefix, key)
		}
	})
}
