package prompts

// numberWords are the recorded words numbers are composed of (files n-<word>.wav).
var numberWords = []string{"khong", "mot", "mot2", "hai", "ba", "bon", "tu", "nam", "lam", "sau", "bay", "tam",
	"chin", "muoi", "muoi2", "tram", "linh"}

var units = [10]string{"khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"}

// Words spells n (0 to 999; larger numbers are said as 999) with Vietnamese number words, by the names of
// their recordings: 21 → hai mươi mốt, 15 → mười lăm, 105 → một trăm linh năm, 24 → hai mươi tư.
func Words(n int) []string {
	n = min(max(n, 0), 999)
	if n < 10 {
		return []string{units[n]}
	}
	var out []string
	if h := n / 100; h > 0 {
		out = append(out, units[h], "tram")
		n %= 100
		switch {
		case n == 0:
			return out
		case n < 10:
			return append(out, "linh", units[n])
		}
	}
	tens, unit := n/10, n%10
	if tens == 1 {
		out = append(out, "muoi")
	} else {
		out = append(out, units[tens], "muoi2")
	}
	switch unit {
	case 0:
	case 1:
		if tens == 1 {
			out = append(out, "mot") // mười một
		} else {
			out = append(out, "mot2") // hai mươi mốt
		}
	case 4:
		if tens == 1 {
			out = append(out, "bon") // mười bốn
		} else {
			out = append(out, "tu") // hai mươi tư
		}
	case 5:
		out = append(out, "lam") // mười lăm, hai mươi lăm
	default:
		out = append(out, units[unit])
	}
	return out
}
