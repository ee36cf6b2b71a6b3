package ticketing

import (
	"strings"
	"unicode/utf8"

	"hotline/internal/phone"
)

// MaskPhone hides the middle of a phone number as written, keeping its first four and last three
// characters: "0912345678" → "0912***678", "+84912345678" → "+849***678"; under 8 digits → "***";
// "" stays "".
func MaskPhone(s string) string {
	if s == "" {
		return ""
	}
	return phone.Mask(s)
}

// MaskName keeps the first letter of each word of a name, followed by "***" except on the last word:
// "Nguyễn Văn An" → "N*** V*** A"; "" stays "".
func MaskName(s string) string {
	words := strings.Fields(s)
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(r)
		if i < len(words)-1 {
			b.WriteString("***")
		}
	}
	return b.String()
}

// MaskEmail keeps the first letter of an e-mail address and its domain: "an@mail.vn" → "a***@mail.vn";
// without a domain, "***"; "" stays "".
func MaskEmail(s string) string {
	if s == "" {
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + "***" + s[at:]
}
