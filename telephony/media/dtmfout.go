package media

import "encoding/binary"

// Sending keys as RFC 4733 telephone-events: each key is sent as an event lasting dtmfFrames frames (its
// packets share the event's start timestamp and carry the growing duration) and ends with three end
// packets, as RFC 4733 §2.5.1.4 asks. Audio pauses while a key is sent.

const dtmfFrames = 5 // 100 ms per key

// dtmfOut is the pacer-only state of the key being sent.
type dtmfOut struct {
	active bool
	event  byte
	ts     uint32
	frame  int
}

// SendDTMF queues a key ('0'-'9', '*', '#', 'A'-'D') to send to this session's peer; keys are dropped when
// the session did not negotiate telephone-event or more than 16 wait. Safe from any goroutine.
func (s *Session) SendDTMF(digit byte) {
	if s.p.DTMFPT < 0 {
		return
	}
	select {
	case s.dtmfQ <- digit:
	default:
	}
}

func dtmfEvent(d byte) (byte, bool) {
	switch {
	case d >= '0' && d <= '9':
		return d - '0', true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return 12 + d - 'A', true
	}
	return 0, false
}

// sendEvents sends this frame's telephone-event packets when a key is being sent (or one waits); it
// returns false when the frame is audio.
func (s *Session) sendEvents(ts uint32) bool {
	o := &s.out
	if !o.active {
		select {
		case d := <-s.dtmfQ:
			ev, ok := dtmfEvent(d)
			if !ok || s.p.DTMFPT < 0 {
				return false
			}
			*o = dtmfOut{active: true, event: ev, ts: ts}
		default:
			return false
		}
	}
	o.frame++
	end := o.frame >= dtmfFrames
	var payload [4]byte
	payload[0] = o.event
	payload[1] = 10 // volume -10 dBm0
	if end {
		payload[1] |= 0x80
	}
	binary.BigEndian.PutUint16(payload[2:], uint16(o.frame*FrameSamples))
	s.hdr.PayloadType = uint8(s.p.DTMFPT)
	s.hdr.Timestamp = o.ts
	s.hdr.Marker = o.frame == 1
	copies := 1
	if end {
		copies = 3
	}
	for i := 0; i < copies; i++ {
		s.send(payload[:])
	}
	if end {
		o.active = false
	}
	return true
}
