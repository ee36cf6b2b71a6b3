package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"testing"
	"time"

	"hotline/internal/pgtest"
	"hotline/internal/sipptest"
	"hotline/telephony/prompts"
)

// A real call over UDP and over TCP: SIPp streams 10 s of a 1 kHz tone in G.711; the hotline answers with
// the codec it prefers, records both directions, and keeps the call's record.
func TestCallIsAnsweredRecordedAndStored(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tcp       bool
		offer     []sipptest.Codec
		law       string
		wantCodec string
	}{
		{"udp A-law", false, []sipptest.Codec{sipptest.PCMA}, "a", "PCMA"},
		{"tcp µ-law", true, []sipptest.Codec{sipptest.PCMU}, "u", "PCMU"},
		{"udp µ-law offered before A-law", false, []sipptest.Codec{sipptest.PCMU, sipptest.PCMA}, "u", "PCMA"},
	}
	sounds, err := prompts.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s")
			h.start()
			dir := t.TempDir()
			tone, err := sipptest.ToneFile(dir, 1000, tc.law, 1)
			if err != nil {
				t.Fatal(err)
			}
			offer := tc.offer
			if tc.wantCodec != offer[0].Name {
				// SIPp streams with the first offered payload type: stream what the hotline chose.
				offer = []sipptest.Codec{offer[1], offer[0]}
				tone, _ = sipptest.ToneFile(dir, 1000, "a", 1)
			}
			scen, err := sipptest.Caller{Offer: offer, Stream: tone, Talk: 10 * time.Second, ExpectCodec: tc.wantCodec}.Write(dir)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1, TCP: tc.tcp, Caller: "0912345678"}))
			sippTime := time.Since(start)

			cs := h.waitEnded(1, 20*time.Second)
			if len(cs) != 1 {
				t.Fatalf("%d calls stored, want 1", len(cs))
			}
			c := cs[0]
			checkCall(t, c, callWant{caller: "0912345678", name: "Nguyen Van An", called: "1900",
				transport: map[bool]string{false: "udp", true: "tcp"}[tc.tcp], codec: tc.wantCodec,
				reason: "caller_hangup"})
			if talk := c.EndedAt.Sub(*c.AnsweredAt); talk < 10*time.Second || talk > sippTime {
				t.Errorf("answered→ended %s, want between the 10 s talk and SIPp's %s", talk, sippTime)
			}

			path := h.recordingPath(c)
			w := readWAV(t, path)
			callLen := c.EndedAt.Sub(*c.AnsweredAt)
			if diff := math.Abs(float64(w.duration - callLen)); diff > 0.01*float64(callLen) {
				t.Errorf("recording lasts %s, the call %s: more than 1%% apart", w.duration, callLen)
			}
			if got := toneShare(w.left[8000:len(w.left)-8000], 1000); got < 0.95 {
				t.Errorf("left channel: 1 kHz in %.0f%% of the blocks, want ≥ 95%%", 100*got)
			}
			greeting := sounds.Greeting.PCM
			if len(w.right) < len(greeting) {
				t.Fatalf("right channel has %d samples, shorter than the greeting (%d)", len(w.right), len(greeting))
			}
			for i, v := range greeting {
				if w.right[i] != v {
					t.Fatalf("right channel differs from the greeting at sample %d: %d, want %d", i, w.right[i], v)
				}
			}
			// Nobody is on duty: right after the greeting (the frames it takes to queue the call) the caller
			// is told so and may leave a message.
			nobody := sounds.Nobody.PCM
			found := false
			for at := len(greeting); at <= len(greeting)+25*160 && at+8000 <= len(w.right); at += 160 {
				// The call may end before the prompt does; its last partial frame was never sent.
				n := min(len(nobody), len(w.right)-at-160)
				if equalPCM(w.right[at:at+n], nobody[:n]) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("the no-operator prompt does not follow the greeting on the right channel")
			}

			var rec apiRecording
			h.getJSON("/api/v1/recordings/"+*c.RecordingID, 200, &rec)
			if sum := fileSHA256(t, path); rec.SHA256 != sum {
				t.Errorf("stored sha256 %s, file's %s", rec.SHA256, sum)
			}
			if d := time.Duration(rec.DurationSeconds * float64(time.Second)); math.Abs(float64(d-w.duration)) > float64(20*time.Millisecond) {
				t.Errorf("stored duration %s, file's %s", d, w.duration)
			}
			checkAudioEndpoint(t, h, *c.RecordingID, path)
		})
	}
}

func equalPCM(a, b []int16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type callWant struct {
	caller, name, called, transport, codec, reason string
}

func checkCall(t *testing.T, c apiCall, w callWant) {
	t.Helper()
	if c.Caller != w.caller || c.CallerName != w.name || c.Called != w.called || c.Transport != w.transport {
		t.Errorf("call from %q %q to %q over %q; want %q %q to %q over %q", c.Caller, c.CallerName, c.Called,
			c.Transport, w.caller, w.name, w.called, w.transport)
	}
	if got := deref(c.Codec); got != w.codec {
		t.Errorf("codec %q, want %q", got, w.codec)
	}
	if got := deref(c.EndReason); got != w.reason {
		t.Errorf("end reason %q, want %q", got, w.reason)
	}
	if c.SIPCallID == "" {
		t.Error("no SIP Call-ID stored")
	}
	if c.AnsweredAt == nil || c.EndedAt == nil {
		t.Fatalf("answered %v, ended %v: want both", c.AnsweredAt, c.EndedAt)
	}
	if c.AnsweredAt.Before(c.ArrivedAt) || c.EndedAt.Before(*c.AnsweredAt) {
		t.Errorf("times out of order: arrived %s, answered %s, ended %s", c.ArrivedAt, c.AnsweredAt, c.EndedAt)
	}
	if _, off := c.ArrivedAt.Zone(); off != 7*3600 {
		t.Errorf("arrived_at %s: want the Vietnam offset +07:00", c.ArrivedAt)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkAudioEndpoint fetches the recording whole and by ranges, as a browser's audio element does.
func checkAudioEndpoint(t *testing.T, h *instance, id, path string) {
	t.Helper()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	get := func(rng string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", h.url("/api/v1/recordings/"+id+"/audio"), nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		res, err := h.do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, body := get("")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "audio/wav" || string(body) != string(file) {
		t.Errorf("whole audio: status %d, type %q, %d bytes (file %d)", res.StatusCode,
			res.Header.Get("Content-Type"), len(body), len(file))
	}
	res, body = get("bytes=0-43")
	if res.StatusCode != 206 || string(body) != string(file[:44]) ||
		res.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-43/%d", len(file)) {
		t.Errorf("first bytes: status %d, Content-Range %q", res.StatusCode, res.Header.Get("Content-Range"))
	}
	res, body = get("bytes=-100")
	if res.StatusCode != 206 || string(body) != string(file[len(file)-100:]) {
		t.Errorf("suffix: status %d, %d bytes", res.StatusCode, len(body))
	}
	res, _ = get(fmt.Sprintf("bytes=%d-", len(file)+10))
	if res.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range outside the file: status %d, want 416", res.StatusCode)
	}
}

// Calls that cannot or do not get answered still leave their record.
func TestRefusedAndCancelledCallsAreStored(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t)) // the default answer delay lets a CANCEL arrive first
	h.start()
	dir := t.TempDir()

	refused, _ := sipptest.WriteScenario(dir, sipptest.Refused)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: refused, Calls: 1, Caller: "0987000111"}))
	cancel, _ := sipptest.WriteScenario(dir, sipptest.Canceller)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: cancel, Calls: 1, Caller: "0987000222"}))

	cs := h.waitEnded(2, 20*time.Second)
	reasons := map[string]apiCall{}
	for _, c := range cs {
		reasons[deref(c.EndReason)] = c
	}
	if c, ok := reasons["no_codec"]; !ok || c.Caller != "0987000111" || c.Codec != nil || c.AnsweredAt != nil || c.RecordingID != nil {
		t.Errorf("refused call: %+v; want no_codec, no codec, not answered, no recording", c)
	}
	if c, ok := reasons["cancelled"]; !ok || c.Caller != "0987000222" || c.AnsweredAt != nil || c.RecordingID != nil {
		t.Errorf("cancelled call: %+v; want cancelled, not answered, no recording", c)
	}
}

// Fifty callers at once are all answered and recorded in full.
func TestFiftySimultaneousCallsAreAllRecorded(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	dir := t.TempDir()
	tone, err := sipptest.ToneFile(dir, 1000, "a", 1)
	if err != nil {
		t.Fatal(err)
	}
	scen, _ := sipptest.Caller{Stream: tone, Talk: 10 * time.Second, ExpectCodec: "PCMA"}.Write(dir)
	res := h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 50, Limit: 50, Rate: 50})
	mustOK(t, res)
	if res.Successful != 50 {
		t.Fatalf("SIPp: %d calls succeeded, want 50", res.Successful)
	}
	cs := h.waitEnded(50, 30*time.Second)
	for _, c := range cs {
		w := readWAV(t, h.recordingPath(c))
		callLen := c.EndedAt.Sub(*c.AnsweredAt)
		if w.duration < 10*time.Second || math.Abs(float64(w.duration-callLen)) > 0.01*float64(callLen) {
			t.Errorf("call %s: recording %s for a call of %s", c.ID, w.duration, callLen)
		}
		if got := toneShare(w.left[8000:len(w.left)-8000], 1000); got < 0.95 {
			t.Errorf("call %s: left channel carries the tone in %.0f%% of the blocks", c.ID, 100*got)
		}
	}
}
