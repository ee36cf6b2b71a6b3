package prompts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	t.Parallel()
	spoken := map[string]string{"khong": "không", "mot": "một", "mot2": "mốt", "hai": "hai", "ba": "ba",
		"bon": "bốn", "tu": "tư", "nam": "năm", "lam": "lăm", "sau": "sáu", "bay": "bảy", "tam": "tám",
		"chin": "chín", "muoi": "mười", "muoi2": "mươi", "tram": "trăm", "linh": "linh"}
	for n, want := range map[int]string{
		0: "không", 1: "một", 5: "năm", 9: "chín", 10: "mười", 11: "mười một", 14: "mười bốn", 15: "mười lăm",
		20: "hai mươi", 21: "hai mươi mốt", 24: "hai mươi tư", 25: "hai mươi lăm", 99: "chín mươi chín",
		100: "một trăm", 101: "một trăm linh một", 105: "một trăm linh năm", 110: "một trăm mười",
		115: "một trăm mười lăm", 121: "một trăm hai mươi mốt", 999: "chín trăm chín mươi chín", 5000: "chín trăm chín mươi chín",
	} {
		var got []string
		for _, w := range Words(n) {
			got = append(got, spoken[w])
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("Words(%d) = %q, want %q", n, g, want)
		}
	}
}

func TestLoadAndOverride(t *testing.T) {
	t.Parallel()
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Announcement(21)) != 5 { // position, hai, mươi, mốt, please-hold
		t.Errorf("announcement of 21 has %d clips", len(s.Announcement(21)))
	}
	for _, c := range s.Announcement(999) {
		if c == nil || c.Frames() == 0 {
			t.Fatal("announcement with a missing clip")
		}
	}
	// A folder's greeting replaces the built-in one; a file that is not 8 kHz mono is refused by name.
	dir := t.TempDir()
	beep, _ := sounds.ReadFile("sounds/beep.wav")
	if err := os.WriteFile(filepath.Join(dir, "greeting.wav"), beep, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := Load(dir)
	if err != nil || s2.Greeting.Frames() != s.Beep.Frames() {
		t.Fatalf("override: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hold.wav"), []byte("not a wav"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "hold") {
		t.Errorf("a bad hold.wav: %v, want an error naming it", err)
	}
}
