package media

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/pion/rtp"
)

// te builds a 4-byte RFC 4733 payload.
func te(event byte, end bool, volume byte, dur uint16) []byte {
	p := []byte{event, volume & 0x3F, 0, 0}
	if end {
		p[1] |= 0x80
	}
	binary.BigEndian.PutUint16(p[2:], dur)
	return p
}

// step is one packet fed to the detector, or a Flush.
type step struct {
	ts      uint32
	marker  bool
	payload []byte
	flush   bool
}

// press is the packets of one ordinary key press: a marked start, two
// updates and the end sent three times.
func press(ts uint32, event byte) []step {
	return []step{
		{ts: ts, marker: true, payload: te(event, false, 10, 160)},
		{ts: ts, payload: te(event, false, 10, 320)},
		{ts: ts, payload: te(event, false, 10, 480)},
		{ts: ts, payload: te(event, true, 10, 640)},
		{ts: ts, payload: te(event, true, 10, 640)},
		{ts: ts, payload: te(event, true, 10, 640)},
	}
}

func seq(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var flush = []step{{flush: true}}

// run feeds steps and returns what the detector reported.
func run(d *DTMFDetector, steps []step) []DTMFEvent {
	var got []DTMFEvent
	for _, s := range steps {
		var ev DTMFEvent
		var ok bool
		if s.flush {
			ev, ok = d.Flush()
		} else {
			ev, ok = d.Feed(s.ts, s.marker, s.payload)
		}
		if ok {
			got = append(got, ev)
		}
	}
	return got
}

func TestDTMFDetector(t *testing.T) {
	t.Parallel()
	const far = dtmfRebase + 8000
	tests := []struct {
		name  string
		steps []step
		want  []DTMFEvent
	}{
		{
			name:  "press with three end packets",
			steps: press(1000, 5),
			want:  []DTMFEvent{{'5', 640, 1000}},
		},
		{
			name:  "two presses of the same digit",
			steps: seq(press(1000, 1), press(3000, 1)),
			want:  []DTMFEvent{{'1', 640, 1000}, {'1', 640, 3000}},
		},
		{
			name: "start packets lost, only the ends arrive",
			steps: []step{
				{ts: 5000, payload: te(9, true, 10, 800)},
				{ts: 5000, payload: te(9, true, 10, 800)},
				{ts: 5000, payload: te(9, true, 10, 800)},
			},
			want: []DTMFEvent{{'9', 800, 5000}},
		},
		{
			name:  "timestamps wrap past 2^32",
			steps: seq(press(0xFFFFFE00, 3), press(0x00000100, 4), press(0x00000900, 4)),
			want:  []DTMFEvent{{'3', 640, 0xFFFFFE00}, {'4', 640, 0x00000100}, {'4', 640, 0x00000900}},
		},
		{
			name: "press without end, then another press",
			steps: seq([]step{
				{ts: 1000, marker: true, payload: te(2, false, 10, 160)},
				{ts: 1000, payload: te(2, false, 10, 320)},
			}, press(3000, 8)),
			want: []DTMFEvent{{'2', 320, 1000}, {'8', 640, 3000}},
		},
		{
			name: "press without end, reported by Flush once",
			steps: seq([]step{
				{ts: 1000, marker: true, payload: te(0, false, 10, 160)},
				{ts: 1000, payload: te(0, false, 10, 480)},
			}, flush, flush),
			want: []DTMFEvent{{'0', 480, 1000}},
		},
		{
			name:  "Flush after a reported press reports nothing",
			steps: seq(press(1000, 6), flush),
			want:  []DTMFEvent{{'6', 640, 1000}},
		},
		{
			name:  "Flush with nothing seen reports nothing",
			steps: flush,
		},
		{
			name: "reordered updates keep the longest duration",
			steps: []step{
				{ts: 1000, marker: true, payload: te(7, false, 10, 160)},
				{ts: 1000, payload: te(7, false, 10, 480)},
				{ts: 1000, payload: te(7, false, 10, 320)},
				{ts: 1000, payload: te(7, true, 10, 640)},
				{ts: 1000, payload: te(7, true, 10, 640)},
				{ts: 1000, payload: te(7, true, 10, 640)},
			},
			want: []DTMFEvent{{'7', 640, 1000}},
		},
		{
			name: "end overtakes the updates; late updates are ignored",
			steps: []step{
				{ts: 1000, marker: true, payload: te(7, false, 10, 160)},
				{ts: 1000, payload: te(7, true, 10, 640)},
				{ts: 1000, payload: te(7, false, 10, 320)},
				{ts: 1000, payload: te(7, false, 10, 480)},
				{ts: 1000, payload: te(7, true, 10, 640)},
			},
			want: []DTMFEvent{{'7', 640, 1000}},
		},
		{
			name: "start packet arrives after an update",
			steps: []step{
				{ts: 1000, payload: te(1, false, 10, 320)},
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 1000, payload: te(1, true, 10, 480)},
			},
			want: []DTMFEvent{{'1', 480, 1000}},
		},
		{
			name: "every packet duplicated",
			steps: func() []step {
				var out []step
				for _, s := range seq(press(1000, 4), press(2000, 4)) {
					out = append(out, s, s)
				}
				return out
			}(),
			want: []DTMFEvent{{'4', 640, 1000}, {'4', 640, 2000}},
		},
		{
			name: "volume and reserved bits do not matter",
			steps: []step{
				{ts: 1000, marker: true, payload: []byte{11, 0x7F, 0x00, 0xA0}},
				{ts: 1000, payload: []byte{11, 0x40, 0x01, 0x40}},
				{ts: 1000, payload: []byte{11, 0xFF, 0x02, 0x80}},
			},
			want: []DTMFEvent{{'#', 640, 1000}},
		},
		{
			name: "late ends of an unended press after the next one started",
			steps: seq([]step{
				{ts: 1000, marker: true, payload: te(2, false, 10, 160)},
				{ts: 3000, marker: true, payload: te(3, false, 10, 160)},
				{ts: 1000, payload: te(2, true, 10, 640)},
				{ts: 1000, payload: te(2, true, 10, 640)},
				{ts: 3000, payload: te(3, true, 10, 320)},
				{ts: 1000, payload: te(2, true, 10, 640)},
			}),
			want: []DTMFEvent{{'2', 160, 1000}, {'3', 320, 3000}},
		},
		{
			name: "a press seen only by its end while the previous never ended",
			steps: []step{
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 3000, payload: te(2, true, 10, 400)},
				{ts: 3000, payload: te(2, true, 10, 400)},
				{ts: 3000, payload: te(2, true, 10, 400)},
			},
			want: []DTMFEvent{{'1', 160, 1000}, {'2', 400, 3000}},
		},
		{
			name: "that waiting press goes out before the next one",
			steps: seq([]step{
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 3000, payload: te(2, true, 10, 400)},
			}, press(5000, 3)),
			want: []DTMFEvent{{'1', 160, 1000}, {'2', 400, 3000}, {'3', 640, 5000}},
		},
		{
			name: "that waiting press goes out on Flush",
			steps: seq([]step{
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 3000, payload: te(2, true, 10, 400)},
			}, flush),
			want: []DTMFEvent{{'1', 160, 1000}, {'2', 400, 3000}},
		},
		{
			name: "that waiting press goes out on the next packet, even a bad one",
			steps: []step{
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 3000, payload: te(2, true, 10, 400)},
				{ts: 4000, payload: []byte{1}},
			},
			want: []DTMFEvent{{'1', 160, 1000}, {'2', 400, 3000}},
		},
		{
			name: "events that are not keys, and short payloads, are ignored",
			steps: []step{
				{ts: 1000, marker: true, payload: te(16, false, 10, 160)},
				{ts: 1000, payload: te(16, true, 10, 640)},
				{ts: 2000, payload: te(200, true, 10, 640)},
				{ts: 3000, payload: []byte{5, 0x80, 1}},
				{ts: 4000, payload: nil},
				{ts: 5000, payload: []byte{}},
			},
		},
		{
			name: "a flash does not end a press",
			steps: []step{
				{ts: 1000, marker: true, payload: te(5, false, 10, 160)},
				{ts: 2000, marker: true, payload: te(16, true, 10, 160)},
				{ts: 1000, payload: te(5, true, 10, 320)},
			},
			want: []DTMFEvent{{'5', 320, 1000}},
		},
		{
			name: "longer payload: the first event counts",
			steps: []step{
				{ts: 1000, marker: true, payload: append(te(12, true, 10, 800), te(13, true, 10, 800)...)},
			},
			want: []DTMFEvent{{'A', 800, 1000}},
		},
		{
			name: "another key under the same timestamp is ignored",
			steps: []step{
				{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
				{ts: 1000, payload: te(2, true, 10, 320)},
				{ts: 1000, payload: te(1, true, 10, 480)},
			},
			want: []DTMFEvent{{'1', 480, 1000}},
		},
		{
			name: "late marked start of an earlier press is ignored",
			steps: seq(press(1000, 1), press(2000, 2), press(3000, 3),
				[]step{{ts: 1000, marker: true, payload: te(1, false, 10, 160)}},
				[]step{{ts: 2000, marker: true, payload: te(2, true, 10, 640)}}),
			want: []DTMFEvent{{'1', 640, 1000}, {'2', 640, 2000}, {'3', 640, 3000}},
		},
		{
			name: "a packet a little behind the current press is late, marker or not",
			steps: seq(press(9000, 1), []step{
				{ts: 8000, marker: true, payload: te(2, true, 10, 640)},
				{ts: 7000, payload: te(3, true, 10, 640)},
			}),
			want: []DTMFEvent{{'1', 640, 9000}},
		},
		{
			name: "sender restarts its timestamps far behind: marked start counts",
			steps: seq(press(far+1000, 1), []step{
				{ts: 500, payload: te(2, true, 10, 640)}, // unmarked: taken for late
			}, press(500, 2)),
			want: []DTMFEvent{{'1', 640, far + 1000}, {'2', 640, 500}},
		},
		{
			name: "all sixteen keys",
			steps: func() []step {
				var out []step
				for e := range byte(16) {
					out = append(out, step{ts: 1000 * uint32(e+1), marker: true, payload: te(e, true, 10, 400)})
				}
				return out
			}(),
			want: func() []DTMFEvent {
				var out []DTMFEvent
				for i, c := range []byte("0123456789*#ABCD") {
					out = append(out, DTMFEvent{c, 400, 1000 * uint32(i+1)})
				}
				return out
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d DTMFDetector
			got := run(&d, tt.steps)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("reported %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDTMFDetectorReset(t *testing.T) {
	t.Parallel()
	var d DTMFDetector
	first := run(&d, press(1000, 1))
	again := run(&d, press(1000, 1))
	d.Reset()
	afterReset := run(&d, press(1000, 1))
	if len(first) != 1 || len(again) != 0 || len(afterReset) != 1 {
		t.Errorf("reports: first %v, repeated %v, after Reset %v; want 1, 0, 1", first, again, afterReset)
	}
}

// TestDTMFDetectorLongCall runs a call's worth of presses through one
// detector, past the history the detector keeps and past the timestamp wrap.
func TestDTMFDetectorLongCall(t *testing.T) {
	t.Parallel()
	var d DTMFDetector
	ts := uint32(0xFFF00000)
	n := 0
	for i := range 500 {
		digit := byte(i % 16)
		// Each press, with its end packets also sent again a press later.
		got := run(&d, press(ts, digit))
		got = append(got, run(&d, []step{{ts: ts - 4000, payload: te(digit, true, 10, 640)}})...)
		if len(got) != 1 || got[0].TS != ts || got[0].Digit != dtmfDigits[digit] {
			t.Fatalf("press %d at %d: reported %v", i, ts, got)
		}
		n++
		ts += 4000
	}
	if n != 500 {
		t.Errorf("%d presses reported, want 500", n)
	}
}

func TestDTMFFeedNoAllocs(t *testing.T) {
	var d DTMFDetector
	steps := seq(press(1000, 1), press(2000, 2))
	ts := uint32(0)
	allocs := testing.AllocsPerRun(200, func() {
		ts += 4000
		for _, s := range steps {
			d.Feed(s.ts+ts, s.marker, s.payload)
		}
	})
	if allocs != 0 {
		t.Errorf("Feed allocates %.1f times per run", allocs)
	}
}

func BenchmarkDTMFFeed(b *testing.B) {
	var d DTMFDetector
	steps := press(0, 5)
	ts := uint32(0)
	b.ReportAllocs()
	for b.Loop() {
		ts += 1000
		for _, s := range steps {
			d.Feed(s.ts+ts, s.marker, s.payload)
		}
	}
}

// FuzzDTMF feeds random packet sequences: the detector never panics, reports
// only keys, and never reports one timestamp twice within the presses it
// remembers.
func FuzzDTMF(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeSteps(press(1000, 5)))
	f.Add(encodeSteps(seq(press(0xFFFFFF00, 1), press(0x100, 1))))
	f.Add(encodeSteps([]step{
		{ts: 1000, marker: true, payload: te(1, false, 10, 160)},
		{ts: 3000, payload: te(2, true, 10, 400)},
		{ts: 1000, payload: te(1, true, 10, 400)},
		{ts: 5, marker: true, payload: te(3, true, 0, 1)},
	}))
	f.Add([]byte{0xFF, 0, 0, 0, 0, 0x0F, 0x80, 0xFF, 0xFF, 0x07})
	f.Fuzz(func(t *testing.T, data []byte) {
		steps := decodeSteps(data)
		var d DTMFDetector
		var reported []uint32
		check := func(ev DTMFEvent) {
			if ev.Digit == 0 || !containsByte(dtmfDigits, ev.Digit) {
				t.Fatalf("reported digit %q", ev.Digit)
			}
			start := max(0, len(reported)-dtmfHistory)
			for _, ts := range reported[start:] {
				if ts == ev.TS {
					t.Fatalf("timestamp %d reported twice: %v", ev.TS, reported)
				}
			}
			reported = append(reported, ev.TS)
		}
		for _, s := range steps {
			if ev, ok := d.Feed(s.ts, s.marker, s.payload); ok {
				check(ev)
			}
		}
		if ev, ok := d.Flush(); ok {
			check(ev)
		}
		if ev, ok := d.Flush(); ok {
			t.Fatalf("second Flush reported %v", ev)
		}
	})
}

func containsByte(s string, c byte) bool {
	for i := range len(s) {
		if s[i] == c {
			return true
		}
	}
	return false
}

// decodeSteps reads packets from fuzz data. Each starts with a flags byte:
// bit 0 the marker, bit 1 an absolute 4-byte timestamp (else a 1-byte step
// of 160 units, signed, from the previous one), bits 2-4 the payload length.
func decodeSteps(data []byte) []step {
	var out []step
	var ts uint32
	for len(data) > 0 {
		flags := data[0]
		data = data[1:]
		if flags&2 != 0 {
			if len(data) < 4 {
				break
			}
			ts = binary.BigEndian.Uint32(data)
			data = data[4:]
		} else {
			if len(data) < 1 {
				break
			}
			ts += uint32(int32(int8(data[0])) * 160)
			data = data[1:]
		}
		n := min(int(flags>>2&7), len(data))
		out = append(out, step{ts: ts, marker: flags&1 != 0, payload: data[:n]})
		data = data[n:]
	}
	return out
}

// encodeSteps writes steps in decodeSteps' form, with absolute timestamps.
func encodeSteps(steps []step) []byte {
	var out []byte
	for _, s := range steps {
		flags := byte(2) | byte(len(s.payload))<<2
		if s.marker {
			flags |= 1
		}
		out = append(out, flags)
		out = binary.BigEndian.AppendUint32(out, s.ts)
		out = append(out, s.payload...)
	}
	return out
}

// ExampleDTMFDetector feeds the detector from RTP packets as they come off
// the wire.
func ExampleDTMFDetector() {
	var wire [][]byte
	for i, dur := range []uint16{160, 320, 480, 640, 640, 640} {
		pkt := rtp.Packet{
			Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: 101,
				SequenceNumber: uint16(100 + i), Timestamp: 48000, SSRC: 0x1234},
			Payload: te(5, i >= 3, 10, dur),
		}
		b, _ := pkt.Marshal()
		wire = append(wire, b)
	}

	var d DTMFDetector
	var pkt rtp.Packet
	for _, b := range wire {
		if err := pkt.Unmarshal(b); err != nil {
			continue
		}
		if ev, ok := d.Feed(pkt.Timestamp, pkt.Marker, pkt.Payload); ok {
			fmt.Printf("key %c, %d ms\n", ev.Digit, ev.Duration/8)
		}
	}
	// Output:
	// key 5, 80 ms
}
