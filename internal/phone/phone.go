// Package phone handles phone numbers as Vietnamese callers and reports write them: the national form used
// to find a caller's calls and tickets whatever the writing, and the mask that hides a number from those
// who may not see it. Pure functions, safe for concurrent use.
package phone

import "strings"

// National writes a Vietnamese phone number in national form, so that "+84912345678",
// "0084912345678", "84912345678" and "0912 345 678" all read "0912345678". Separators (space, dot, dash,
// parentheses) are dropped; a number that is not Vietnamese E.164 keeps its digits (and a leading +) as
// they are. It is used both when a call is stored and when the API searches by number.
func National(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			// Anything else (letters in a SIP user part, say) is kept so that such callers stay findable.
			b.WriteRune(r)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+84"):
		return subscriber(n, n[3:])
	case strings.HasPrefix(n, "0084"):
		return subscriber(n, n[4:])
	case strings.HasPrefix(n, "84") && (len(n) == 11 || len(n) == 12) && n[2] != '0':
		// 84 followed by a 9- or 10-digit subscriber number: E.164 without its plus. National numbers
		// start with 0, so no national number is mistaken for this.
		return "0" + n[2:]
	}
	return n
}

// subscriber writes the number after the country code 84 in national form. A written "(0)" after the code
// ("+84 (0)912…") is dropped; a subscriber number never starts with 0, so after that anything starting
// with 0 is not Vietnamese and n is kept as written (which keeps National(National(s)) == National(s)).
func subscriber(n, rest string) string {
	rest = strings.TrimPrefix(rest, "0")
	if strings.HasPrefix(rest, "0") {
		return n
	}
	return "0" + rest
}

// Mask hides the middle of a number as written, keeping its first four and last three characters:
// "0912345678" → "0912***678", "+84912345678" → "+849***678"; a number with fewer than 8 digits → "***".
func Mask(number string) string {
	digits := 0
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	r := []rune(number)
	if digits < 8 || len(r) < 8 {
		return "***"
	}
	return string(r[:4]) + "***" + string(r[len(r)-3:])
}
