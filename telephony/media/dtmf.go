package media

import "encoding/binary"

// DTMFEvent is one key press received as RFC 4733 telephone-events.
type DTMFEvent struct {
	// Digit is the key: '0'-'9', '*', '#' or 'A'-'D'.
	Digit byte
	// Duration is the press's length in RTP timestamp units, as the last
	// packet seen of it says.
	Duration uint16
	// TS is the RTP timestamp of the event: the time the key went down.
	TS uint32
}

// dtmfDigits maps RFC 4733 §3.2 event codes 0-15 to keys.
const dtmfDigits = "0123456789*#ABCD"

const (
	// dtmfHistory is how many earlier events the detector remembers, to
	// recognise their late packets.
	dtmfHistory = 16
	// dtmfRebase is how far (in timestamp units, 60 s at 8 kHz) a marked
	// packet's timestamp must lie behind the current event to be taken for a
	// sender that restarted its timestamps rather than a late packet.
	dtmfRebase = 60 * 8000
)

// dtmfState is where the current event stands.
type dtmfState uint8

const (
	dtmfIdle     dtmfState = iota // no event since the start or Reset
	dtmfActive                    // in progress, not reported
	dtmfEnded                     // ended, waiting for its turn to be reported
	dtmfReported                  // reported; its further packets are ignored
)

// DTMFDetector turns RFC 4733 telephone-event packets into key presses,
// reporting each press once.
//
// Events are keyed by RTP timestamp (RFC 4733 §2.5.1.3): all packets of one
// event share it, its end packet is sent three times, and a new timestamp is
// a new event. The detector reports a press on its first end packet; when a
// press never ends, on the start of the next one or on Flush. Retransmitted
// end packets, late duplicates and packets of earlier events are ignored, as
// are events other than the keys 0-15 (such as 16, flash) and payloads shorter
// than 4 bytes; of a longer payload only the first event counts. A packet
// whose timestamp lies well behind the current event (60 s) starts a new
// event only when its marker bit is set: the sender restarted its timestamps.
//
// The zero value is ready to use. A DTMFDetector is not safe for concurrent
// use: one per call, used from the call's RTP reader.
type DTMFDetector struct {
	cur   DTMFEvent
	state dtmfState
	past  [dtmfHistory]uint32 // timestamps of earlier events, a ring
	npast int                 // entries of past in use
	next  int                 // where the next one goes
}

// Feed takes one telephone-event packet: its RTP timestamp, marker bit and
// payload. It returns a press when one is complete. Feed never panics,
// whatever the payload, and does not retain it.
func (d *DTMFDetector) Feed(ts uint32, marker bool, payload []byte) (DTMFEvent, bool) {
	digit, end, dur, ok := parseTelephoneEvent(payload)
	if ok && d.state != dtmfIdle && ts == d.cur.TS {
		return d.continueEvent(digit, end, dur)
	}
	out, have := d.takeEnded()
	if !ok || !d.isNew(ts, marker) {
		return out, have
	}
	if d.state == dtmfActive {
		out, have = d.cur, true // the previous press never ended
	}
	if d.state != dtmfIdle {
		d.remember(d.cur.TS)
	}
	d.cur = DTMFEvent{Digit: digit, Duration: dur, TS: ts}
	switch {
	case !end:
		d.state = dtmfActive
	case have:
		d.state = dtmfEnded
	default:
		d.state = dtmfReported
		return d.cur, true
	}
	return out, have
}

// Flush reports the current press if it has not been reported: the caller
// calls it when telephone-events stopped coming without an end packet.
func (d *DTMFDetector) Flush() (DTMFEvent, bool) {
	if d.state == dtmfActive || d.state == dtmfEnded {
		d.state = dtmfReported
		return d.cur, true
	}
	return DTMFEvent{}, false
}

// Reset forgets every event, as a new detector. Call it when the stream's
// SSRC changes: its timestamps then start from a new random base.
func (d *DTMFDetector) Reset() { *d = DTMFDetector{} }

// continueEvent handles a packet of the current event.
func (d *DTMFDetector) continueEvent(digit byte, end bool, dur uint16) (DTMFEvent, bool) {
	switch {
	case d.state == dtmfReported:
		return DTMFEvent{}, false
	case digit != d.cur.Digit:
		// Another key under the same timestamp is not RFC 4733: ignore it.
		return d.takeEnded()
	}
	d.cur.Duration = max(d.cur.Duration, dur)
	if end || d.state == dtmfEnded {
		d.state = dtmfReported
		return d.cur, true
	}
	return DTMFEvent{}, false
}

// takeEnded reports the current event if it ended while another report took
// its turn.
func (d *DTMFDetector) takeEnded() (DTMFEvent, bool) {
	if d.state == dtmfEnded {
		d.state = dtmfReported
		return d.cur, true
	}
	return DTMFEvent{}, false
}

// isNew reports whether a packet with timestamp ts, other than the current
// event's, starts a new event.
func (d *DTMFDetector) isNew(ts uint32, marker bool) bool {
	if d.state == dtmfIdle {
		return true
	}
	for _, p := range d.past[:d.npast] {
		if p == ts {
			return false
		}
	}
	if int32(ts-d.cur.TS) > 0 {
		return true
	}
	return marker && d.cur.TS-ts > dtmfRebase
}

// remember adds ts to the ring of earlier events.
func (d *DTMFDetector) remember(ts uint32) {
	d.past[d.next] = ts
	d.next = (d.next + 1) % dtmfHistory
	d.npast = min(d.npast+1, dtmfHistory)
}

// parseTelephoneEvent reads the first event of an RFC 4733 §2.3 payload:
// event code, E bit and duration. It reports false for payloads shorter than
// 4 bytes and for events that are not keys.
func parseTelephoneEvent(p []byte) (digit byte, end bool, dur uint16, ok bool) {
	if len(p) < 4 || int(p[0]) >= len(dtmfDigits) {
		return 0, false, 0, false
	}
	return dtmfDigits[p[0]], p[1]&0x80 != 0, binary.BigEndian.Uint16(p[2:4]), true
}
