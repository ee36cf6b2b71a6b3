package sdp

import (
	"strconv"
	"strings"
)

// eventSet is a set of RFC 4733 event codes (0-255), as listed by the fmtp
// of telephone-event ("0-15,66,70").
type eventSet [4]uint64

// Events the hotline understands: the DTMF digits 0-15 and flash (16).
var (
	dtmfEvents   = eventRange(0, 15)
	ourEvents    = eventRange(0, 16)
	ourEventText = "0-16"
)

func eventRange(lo, hi int) eventSet {
	var s eventSet
	for e := lo; e <= hi; e++ {
		s.add(e)
	}
	return s
}

func (s *eventSet) add(e int)     { s[e>>6] |= 1 << (e & 63) }
func (s eventSet) has(e int) bool { return s[e>>6]&(1<<(e&63)) != 0 }
func (s eventSet) empty() bool    { return s == eventSet{} }
func (s eventSet) and(o eventSet) eventSet {
	return eventSet{s[0] & o[0], s[1] & o[1], s[2] & o[2], s[3] & o[3]}
}

// parseEvents parses an event list: comma-separated codes and ranges. It
// reports false for anything else.
func parseEvents(text string) (eventSet, bool) {
	var s eventSet
	if strings.TrimSpace(text) == "" {
		return s, false
	}
	for item := range strings.SplitSeq(text, ",") {
		item = strings.TrimSpace(item)
		loText, hiText, isRange := strings.Cut(item, "-")
		lo, ok := parseUint(strings.TrimSpace(loText), 255)
		if !ok {
			return eventSet{}, false
		}
		hi := lo
		if isRange {
			if hi, ok = parseUint(strings.TrimSpace(hiText), 255); !ok || hi < lo {
				return eventSet{}, false
			}
		}
		for e := lo; e <= hi; e++ {
			s.add(int(e))
		}
	}
	return s, true
}

// offeredEvents returns the events a telephone-event format offers: its fmtp
// list, or 0-15 when the fmtp is absent or unreadable (RFC 4733 §2.4.1).
func offeredEvents(f Format) eventSet {
	if s, ok := parseEvents(f.Fmtp); ok {
		return s
	}
	return dtmfEvents
}

// String writes the set as ranges, e.g. "0-15,66".
func (s eventSet) String() string {
	var b []byte
	for e := 0; e < 256; e++ {
		if !s.has(e) {
			continue
		}
		end := e
		for end+1 < 256 && s.has(end+1) {
			end++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(e), 10)
		if end > e {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(end), 10)
		}
		e = end
	}
	return string(b)
}

// answerEvents is the fmtp we answer a telephone-event offer with: the
// offered events we understand, or "0-16" when the offer lists none.
func answerEvents(offered Format) string {
	s, ok := parseEvents(offered.Fmtp)
	if !ok {
		return ourEventText
	}
	if both := s.and(ourEvents); !both.empty() {
		return both.String()
	}
	return ourEventText
}
