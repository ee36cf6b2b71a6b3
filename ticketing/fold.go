package ticketing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// vietnamese lists the accented letters of Vietnamese by the ASCII letter they fold to: the 12 vowels with
// and without their 5 tone marks, and đ, in lower and upper case (134 letters).
var vietnamese = [...]struct {
	to      byte
	letters string
}{
	{'a', "àáảãạăằắẳẵặâầấẩẫậ"},
	{'a', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
	{'e', "èéẻẽẹêềếểễệ"},
	{'e', "ÈÉẺẼẸÊỀẾỂỄỆ"},
	{'i', "ìíỉĩị"},
	{'i', "ÌÍỈĨỊ"},
	{'o', "òóỏõọôồốổỗộơờớởỡợ"},
	{'o', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
	{'u', "ùúủũụưừứửữự"},
	{'u', "ÙÚỦŨỤƯỪỨỬỮỰ"},
	{'y', "ỳýỷỹỵ"},
	{'y', "ỲÝỶỸỴ"},
	{'d', "đ"},
	{'d', "Đ"},
}

// foldTable maps every Vietnamese accented letter (all below U+1F00) to its ASCII letter; 0 elsewhere.
var foldTable = func() (t [0x1F00]byte) {
	for _, g := range vietnamese {
		for _, r := range g.letters {
			t[r] = g.to
		}
	}
	return t
}()

// Fold writes s as search keys are written: lower case, Vietnamese letters without their diacritics
// (đ → d), so "Ô nhiễm" and "o nhiem" fold alike. Letters given decomposed (a base letter followed by
// combining marks, as some systems send them) fold the same as precomposed ones: combining marks are
// dropped. Other characters are lower-cased and kept (punctuation and spaces too); invalid UTF-8 is
// dropped. Fold(Fold(s)) == Fold(s).
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r) + 'a' - 'A')
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r == utf8.RuneError && size == 1:
			// invalid UTF-8: dropped
		case unicode.Is(unicode.Mn, r):
			// a combining mark (a tone or a vowel's hat given decomposed): dropped
		default:
			r = unicode.ToLower(r)
			if r < utf8.RuneSelf {
				b.WriteByte(byte(r))
			} else if r < rune(len(foldTable)) && foldTable[r] != 0 {
				b.WriteByte(foldTable[r])
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
