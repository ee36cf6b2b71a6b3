package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"hotline/internal/pgtest"
	"hotline/internal/sipptest"
)

// shortGreeting makes a prompts folder whose greeting is half a second, for tests that are about the line,
// not the greeting.
func shortGreeting(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer",
		dir+"/greeting.wav", "synth", "0.5", "sine", "600", "vol", "0.3").CombinedOutput()
	if err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	return "HOTLINE_PROMPTS_DIR=" + dir
}

// addOperator runs `hotline operator add` against the instance's database.
func (h *instance) addOperator(ext, name, password string) {
	h.t.Helper()
	cmd := exec.Command(hotlineBin, "operator", "add", "--ext", ext, "--name", name, "--password", password)
	cmd.Env = append(os.Environ(), h.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("operator add %s: %v\n%s", ext, err, out)
	}
}

// phone runs an operator's SIPp phone (registration, then answering) until the test ends; it waits until
// the hotline shows the operator registered.
func (h *instance) phone(op sipptest.Operator) <-chan sipptest.Result {
	h.t.Helper()
	dir := h.t.TempDir()
	if op.Stay == 0 {
		op.Stay = 5 * time.Minute
	}
	reg, ans, err := op.Write(dir)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan sipptest.Result, 1)
	finished := make(chan struct{})
	var last sipptest.Result
	go func() {
		defer close(finished)
		res, err := sipptest.Run{Scenario: reg, OutOfCall: ans, Calls: 1, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort),
			Timeout: op.Stay + time.Minute}.Exec(ctx)
		if err != nil {
			res.Output += err.Error()
		}
		last = res
		done <- res
	}()
	h.t.Cleanup(func() {
		cancel()
		<-finished
		if h.t.Failed() {
			h.t.Logf("operator %s phone:\n%s\n%s", op.Ext, lastLines(last.Output, 15), lastLines(last.Errors, 15))
		}
	})
	h.waitFor("operator "+op.Ext+" registered", 20*time.Second, func() bool {
		a, ok := h.agent(op.Ext)
		return ok && a.Registered
	})
	return done
}

type apiAgent struct {
	Ext        string `json:"ext"`
	State      string `json:"state"`
	Reason     string `json:"reason"`
	CallsToday int    `json:"calls_today"`
	Registered bool   `json:"registered"`
}

type apiStats struct {
	Offered      int      `json:"offered"`
	Answered     int      `json:"answered"`
	Abandoned    int      `json:"abandoned"`
	ServiceLevel *float64 `json:"service_level"`
	AbandonRate  *float64 `json:"abandon_rate"`
	ASA          *float64 `json:"asa_seconds"`
	AHT          *float64 `json:"aht_seconds"`
}

type apiQueue struct {
	Waiting []struct {
		CallID   string `json:"call_id"`
		Position int    `json:"position"`
		Priority int    `json:"priority"`
	} `json:"waiting"`
	Agents []apiAgent `json:"agents"`
	Stats  struct {
		LastHour apiStats `json:"last_hour"`
		Today    apiStats `json:"today"`
	} `json:"stats"`
}

func (h *instance) queue() apiQueue {
	h.t.Helper()
	var q apiQueue
	h.getJSON("/api/v1/queue", 200, &q)
	return q
}

func (h *instance) agent(ext string) (apiAgent, bool) {
	for _, a := range h.queue().Agents {
		if a.Ext == ext {
			return a, true
		}
	}
	return apiAgent{}, false
}

// post sends a JSON body and returns the status and answer.
func (h *instance) post(path string, body any) (int, []byte) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", h.url(path), bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	res, err := h.do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

type apiSegment struct {
	Kind          string  `json:"kind"`
	Ext           *string `json:"ext"`
	OffsetSeconds float64 `json:"offset_seconds"`
	Seconds       float64 `json:"seconds"`
}

func (h *instance) segments(id string) []apiSegment {
	h.t.Helper()
	var c struct {
		Segments []apiSegment `json:"segments"`
		Operator *string      `json:"operator"`
	}
	h.getJSON("/api/v1/calls/"+id, 200, &c)
	return c.Segments
}

// The heart of the desk: a caller (1 kHz) waits, the registered operator (440 Hz) is rung with the
// caller's number and answers; the one recording has the caller on the left and the operator on the right
// over the talk; the caller's BYE ends both legs; states, figures and segments follow.
func TestCallerReachesOperator(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_WRAP_UP=1s")
	h.start()
	h.addOperator("1001", "Nguyễn Thị Lan", "mat-khau-1001")
	dir := t.TempDir()
	t440, _ := sipptest.ToneFile(dir, 440, "a", 1)
	t1k, _ := sipptest.ToneFile(dir, 1000, "a", 1)
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001", Stream: t440, ExpectCaller: "0987654321"})

	scen, _ := sipptest.Caller{Stream: t1k, Talk: 14 * time.Second}.Write(dir)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1, Caller: "0987654321"}))
	c := h.waitEnded(1, 20*time.Second)[0]
	if deref(c.EndReason) != "caller_hangup" {
		t.Errorf("end reason %q", deref(c.EndReason))
	}
	segs := h.segments(c.ID)
	var talk *apiSegment
	kinds := ""
	for i := range segs {
		kinds += segs[i].Kind + " "
		if segs[i].Kind == "talking" {
			talk = &segs[i]
		}
	}
	if kinds != "greeting queued ringing talking " || talk == nil || talk.Ext == nil || *talk.Ext != "1001" {
		t.Fatalf("segments %q, want greeting queued ringing talking (with 1001)", kinds)
	}
	w := readWAV(t, h.recordingPath(c))
	from := int(talk.OffsetSeconds*8000) + 8000 // a second into the talk: the bridge's jitter delay is past
	to := from + int(talk.Seconds*8000) - 16000
	if to-from < 8000*4 {
		t.Fatalf("talk of %.1f s is too short to check", talk.Seconds)
	}
	if got := toneShare(w.left[from:to], 1000); got < 0.95 {
		t.Errorf("left channel over the talk: 1 kHz in %.0f%% of blocks", 100*got)
	}
	if got := toneShare(w.right[from:to], 440); got < 0.95 {
		t.Errorf("right channel over the talk: 440 Hz in %.0f%% of blocks (the operator)", 100*got)
	}
	h.waitFor("the operator back to available after wrap-up", 10*time.Second, func() bool {
		a, _ := h.agent("1001")
		return a.State == "available" && a.CallsToday == 1
	})
	st := h.queue().Stats.Today
	if st.Offered != 1 || st.Answered != 1 || st.Abandoned != 0 || st.ServiceLevel == nil || *st.ServiceLevel != 1 ||
		st.AHT == nil || math.Abs(*st.AHT-talk.Seconds) > 1 {
		t.Errorf("today's figures %+v", st)
	}
	res, err := http.Get(h.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		"hotline_bridge_setup_seconds_count 1", `hotline_calls_ended_total{reason="caller_hangup"} 1`,
		`hotline_queue_offers_total{outcome="answered"} 1`, `hotline_agents{state="available"} 1`,
		"hotline_rtp_packets_received_total",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// An operator whose phone rings out is paused (no_answer) and the caller goes to the next operator; one
// that declines goes to the back of the line of operators. The operator's BYE ends the caller's call too.
func TestRingTimeoutAndDeclineGoToTheNextOperator(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_RING_TIMEOUT=2s")
	h.start()
	dir := t.TempDir()
	t440, _ := sipptest.ToneFile(dir, 440, "a", 1)
	// The order operators are offered calls is longest idle first: register them in that order.
	h.addOperator("1001", "Không nghe máy", "mat-khau-1001")
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001", NoAnswer: true})
	h.addOperator("1002", "Bận", "mat-khau-1002")
	h.phone(sipptest.Operator{Ext: "1002", Password: "mat-khau-1002", Decline: true})
	h.addOperator("1003", "Trả lời", "mat-khau-1003")
	h.phone(sipptest.Operator{Ext: "1003", Password: "mat-khau-1003", Stream: t440, Talk: 3 * time.Second})

	scen, _ := sipptest.Waiter{Wait: 40 * time.Second}.Write(dir)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	c := h.waitEnded(1, 20*time.Second)[0]
	if deref(c.EndReason) != "operator_hangup" {
		t.Errorf("end reason %q, want operator_hangup (the operator's BYE ends the caller's call)", deref(c.EndReason))
	}
	var rings []string
	for _, s := range h.segments(c.ID) {
		if s.Kind == "ringing" {
			rings = append(rings, *s.Ext)
		}
	}
	if len(rings) < 3 || rings[0] != "1001" || rings[1] != "1002" || rings[len(rings)-1] != "1003" {
		t.Errorf("phones rung %v, want 1001, 1002, then 1003", rings)
	}
	if a, _ := h.agent("1001"); a.State != "paused" || a.Reason != "no_answer" {
		t.Errorf("operator 1001 is %s (%s), want paused (no_answer)", a.State, a.Reason)
	}
	if a, _ := h.agent("1002"); a.State != "available" {
		t.Errorf("operator 1002 is %s, want available after declining", a.State)
	}
}

// A caller who hangs up while waiting is abandoned; with the wait over HOTLINE_MAX_WAIT the caller may
// leave a message and is flagged for a callback.
func TestAbandonAndVoicemail(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_MAX_WAIT=6s",
		"HOTLINE_ANNOUNCE_EVERY=2s", "HOTLINE_CALLBACK_WAIT=2s")
	h.start()
	h.addOperator("1001", "Tạm nghỉ", "mat-khau-1001")
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001"})
	if code, body := h.post("/api/v1/agents/1001/state", map[string]string{"state": "paused", "reason": "họp giao ban"}); code != 200 {
		t.Fatalf("pause: %d %s", code, body)
	}
	dir := t.TempDir()
	short, _ := sipptest.Caller{Talk: 2 * time.Second}.Write(dir) // leaves early in the wait
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: short, Calls: 1, Caller: "0911000001"}))
	medium, _ := sipptest.Caller{Talk: 5 * time.Second}.Write(dir) // leaves after HOTLINE_CALLBACK_WAIT
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: medium, Calls: 1, Caller: "0911000003"}))
	long, _ := sipptest.Caller{Talk: 20 * time.Second}.Write(dir) // waits past the limit, leaves a message
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: long, Calls: 1, Caller: "0911000002"}))
	cs := h.waitEnded(3, 20*time.Second)
	var kinds = map[string]string{}
	var callback = map[string]bool{}
	ids := map[string]string{}
	for _, c := range cs {
		ids[c.Caller] = c.ID
		for _, s := range h.segments(c.ID) {
			kinds[c.Caller] += s.Kind + " "
		}
		var full struct {
			Callback bool `json:"callback"`
		}
		h.getJSON("/api/v1/calls/"+c.ID, 200, &full)
		callback[c.Caller] = full.Callback
	}
	if kinds["0911000001"] != "greeting queued " || callback["0911000001"] {
		t.Errorf("caller who left at once: segments %q, callback %v; want no callback", kinds["0911000001"], callback["0911000001"])
	}
	if kinds["0911000003"] != "greeting queued " || !callback["0911000003"] {
		t.Errorf("caller who gave up after a long wait: segments %q, callback %v; want a callback", kinds["0911000003"], callback["0911000003"])
	}
	if kinds["0911000002"] != "greeting queued voicemail " || !callback["0911000002"] {
		t.Errorf("caller past the limit: segments %q, callback %v; want a voicemail and a callback", kinds["0911000002"], callback["0911000002"])
	}
	st := h.queue().Stats.Today
	if st.Offered != 3 || st.Abandoned != 2 || st.Answered != 0 {
		t.Errorf("figures %+v: want 3 offered, 2 abandoned", st)
	}
	// Each callback becomes a new ticket flagged callback, linked to its call; the early leaver's does not.
	type ticket struct {
		Status      string   `json:"status"`
		Callback    bool     `json:"callback"`
		CallIDs     []string `json:"call_ids"`
		Description string   `json:"description"`
		CreatedBy   string   `json:"created_by"`
	}
	tickets := func(number string) []ticket {
		var page struct {
			Items []ticket `json:"items"`
		}
		h.getJSON("/api/v1/tickets?number="+number, 200, &page)
		return page.Items
	}
	h.waitFor("callback tickets", 30*time.Second, func() bool {
		return len(tickets("0911000002")) == 1 && len(tickets("0911000003")) == 1
	})
	for number, want := range map[string]string{"0911000002": "Tin nhắn thoại", "0911000003": "Cuộc gọi nhỡ"} {
		tk := tickets(number)[0]
		if tk.Status != "new" || !tk.Callback || len(tk.CallIDs) != 1 || tk.CallIDs[0] != ids[number] ||
			!strings.HasPrefix(tk.Description, want) || tk.CreatedBy != "hotline" {
			t.Errorf("ticket of %s: %+v; want new, callback, linked to call %s, %q…", number, tk, ids[number], want)
		}
	}
	if n := len(tickets("0911000001")); n != 0 {
		t.Errorf("the early leaver has %d tickets, want none", n)
	}
}

// A paused operator takes a waiting caller with POST /api/v1/queue/pickup: the phone rings and is connected.
// The state API refuses what it must.
func TestPickupByAPIAndAgentStates(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	h.addOperator("1001", "Trưởng ca", "mat-khau-1001")
	dir := t.TempDir()
	t440, _ := sipptest.ToneFile(dir, 440, "u", 1)
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001", Codec: sipptest.PCMU, Stream: t440, Talk: 2 * time.Second})
	for _, tc := range []struct {
		path string
		body any
		want int
	}{
		{"/api/v1/agents/1001/state", map[string]string{"state": "on_call"}, 422},
		{"/api/v1/agents/1001/state", map[string]any{"state": "paused", "mood": "tired"}, 422},
		{"/api/v1/agents/9999/state", map[string]string{"state": "paused"}, 404},
		{"/api/v1/agents/1001/state", "not an object", 400},
		{"/api/v1/queue/pickup", map[string]string{"operator": "1001"}, 409}, // nobody waits yet
		{"/api/v1/agents/1001/state", map[string]string{"state": "paused", "reason": "ăn trưa"}, 200},
	} {
		if code, body := h.post(tc.path, tc.body); code != tc.want {
			t.Errorf("POST %s %v: %d %s, want %d", tc.path, tc.body, code, body, tc.want)
		}
	}
	t1k, _ := sipptest.ToneFile(dir, 1000, "a", 1)
	scen, _ := sipptest.Waiter{Stream: t1k, Wait: 40 * time.Second}.Write(dir)
	done := make(chan sipptest.Result, 1)
	go func() {
		res, _ := sipptest.Run{Scenario: scen, Calls: 1, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort)}.Exec(context.Background())
		done <- res
	}()
	var callID string
	h.waitFor("the caller in the line", 20*time.Second, func() bool {
		q := h.queue()
		if len(q.Waiting) == 1 {
			callID = q.Waiting[0].CallID
		}
		return callID != ""
	})
	if code, body := h.post("/api/v1/queue/pickup", map[string]string{"operator": "1001", "call_id": callID}); code != 202 {
		t.Fatalf("pickup: %d %s", code, body)
	}
	mustOK(t, <-done) // the operator talks 2 s and hangs up; the caller gets the BYE
	c := h.waitEnded(1, 10*time.Second)[0]
	if deref(c.EndReason) != "operator_hangup" {
		t.Errorf("end reason %q, want operator_hangup", deref(c.EndReason))
	}
	w := readWAV(t, h.recordingPath(c))
	var talk apiSegment
	for _, s := range h.segments(c.ID) {
		if s.Kind == "talking" {
			talk = s
		}
	}
	from := int(talk.OffsetSeconds*8000) + 2400
	if to := from + 8000; to > len(w.right) || toneShare(w.right[from:to], 440) < 0.9 {
		t.Errorf("the µ-law operator is not heard on the A-law caller's right channel over the talk")
	}
}

// An operator dials *8 (digest-authenticated INVITE) and is joined to the longest-waiting caller.
func TestStar8PicksUpTheLongestWaitingCaller(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	h.addOperator("1001", "Trưởng ca", "mat-khau-1001")
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001"})
	if code, body := h.post("/api/v1/agents/1001/state", map[string]string{"state": "paused"}); code != 200 {
		t.Fatalf("pause: %d %s", code, body)
	}
	dir := t.TempDir()
	t1k, _ := sipptest.ToneFile(dir, 1000, "a", 1)
	t440, _ := sipptest.ToneFile(dir, 440, "a", 1)
	callers := make(chan sipptest.Result, 2)
	for _, number := range []string{"0900000001", "0900000002"} {
		scen, _ := sipptest.Waiter{Stream: t1k, Wait: 40 * time.Second}.Write(dir)
		go func() {
			res, _ := sipptest.Run{Scenario: scen, Calls: 1, Caller: number, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort)}.Exec(context.Background())
			callers <- res
		}()
		h.waitFor("caller "+number+" in the line", 20*time.Second, func() bool { return len(h.queue().Waiting) >= 1 })
	}
	h.waitFor("two callers in the line", 20*time.Second, func() bool { return len(h.queue().Waiting) == 2 })
	first := h.queue().Waiting[0].CallID
	pick, _ := sipptest.Pickup{Ext: "1001", Password: "mat-khau-1001", Stream: t440, Talk: 3 * time.Second}.Write(dir)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: pick, Calls: 1}))
	mustOK(t, <-callers) // the picked-up caller got the BYE when the operator hung up
	var c apiCall
	h.getJSON("/api/v1/calls/"+first, 200, &c)
	if c.Caller != "0900000001" || deref(c.EndReason) != "operator_hangup" {
		t.Errorf("the longest-waiting caller %s ended %q; want 0900000001 ended by the operator", c.Caller, deref(c.EndReason))
	}
	if q := h.queue(); len(q.Waiting) != 1 {
		t.Errorf("%d callers still waiting, want the second one", len(q.Waiting))
	}
	// *8 with a wrong password is refused like any wrong password.
	bad, _ := sipptest.Pickup{Ext: "1001", Password: "wrong-password", Talk: time.Second}.Write(dir)
	if res := h.sipp(context.Background(), sipptest.Run{Scenario: bad, Calls: 1}); res.Exit == 0 {
		t.Error("*8 with a wrong password was answered")
	}
}

// Two operators and five callers: served first by priority (the fourth caller presses 1, a field given
// priority 9 with hotline field set), then in order of arrival.
func TestFIFOAndPriority(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_WRAP_UP=0s",
		"HOTLINE_MENU=1=antt") // key 1: the field antt, with the priority the field has
	h.start()
	if code, _, errOut := h.cli("field", "set", "--code", "antt", "--priority", "9"); code != 0 {
		t.Fatalf("field set: %s", errOut)
	}
	for _, ext := range []string{"1001", "1002"} {
		h.addOperator(ext, "Điện thoại viên "+ext, "mat-khau-"+ext)
		h.phone(sipptest.Operator{Ext: ext, Password: "mat-khau-" + ext, Talk: 4 * time.Second})
		if code, body := h.post("/api/v1/agents/"+ext+"/state", map[string]string{"state": "paused"}); code != 200 {
			t.Fatalf("pause %s: %d %s", ext, code, body)
		}
	}
	dir := t.TempDir()
	results := make(chan sipptest.Result, 5)
	for i := 1; i <= 5; i++ {
		c := sipptest.Caller{Talk: 40 * time.Second}
		if i == 4 {
			c.Key = '1'
		}
		scen, err := c.Write(dir)
		if err != nil {
			t.Fatal(err)
		}
		number := "090000000" + strconv.Itoa(i)
		go func() {
			res, _ := sipptest.Run{Scenario: scen, Calls: 1, Caller: number, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort),
				Timeout: time.Minute}.Exec(context.Background())
			results <- res
		}()
		h.waitFor("caller "+number+" in the line", 20*time.Second, func() bool { return len(h.queue().Waiting) == i })
	}
	q := h.queue()
	if q.Waiting[0].Priority != 9 {
		t.Fatalf("head of the line has priority %d, want the caller who pressed 1 (9)", q.Waiting[0].Priority)
	}
	for _, ext := range []string{"1001", "1002"} {
		h.post("/api/v1/agents/"+ext+"/state", map[string]string{"state": "available"})
	}
	cs := h.waitEnded(5, 60*time.Second)
	connected := map[string]time.Time{}
	for _, c := range cs {
		var full struct {
			ConnectedAt *time.Time `json:"connected_at"`
		}
		h.getJSON("/api/v1/calls/"+c.ID, 200, &full)
		if full.ConnectedAt == nil {
			t.Fatalf("caller %s was never connected", c.Caller)
		}
		connected[c.Caller] = *full.ConnectedAt
	}
	// Rounds of two (two operators, 4 s talks): {4, 1}, then {2, 3}, then 5. A round starts when
	// connections are more than 2 s apart.
	order := []string{"0900000001", "0900000002", "0900000003", "0900000004", "0900000005"}
	sort.Slice(order, func(i, j int) bool { return connected[order[i]].Before(connected[order[j]]) })
	rounds := map[string]int{}
	for i, n := range order {
		if i > 0 {
			rounds[n] = rounds[order[i-1]]
			if connected[n].Sub(connected[order[i-1]]) > 2*time.Second {
				rounds[n]++
			}
		}
	}
	want := map[string]int{"0900000004": 0, "0900000001": 0, "0900000002": 1, "0900000003": 1, "0900000005": 2}
	for n, r := range want {
		if rounds[n] != r {
			t.Errorf("caller %s connected in round %d, want %d (connections: %v)", n, rounds[n], r, connected)
		}
	}
}

// The operator holds the call (re-INVITE a=sendonly): the caller hears hold audio, not the operator, until
// the operator resumes; the recording's segments show the hold.
func TestOperatorHold(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	h.addOperator("1001", "Nguyễn Thị Lan", "mat-khau-1001")
	dir := t.TempDir()
	t440, _ := sipptest.ToneFile(dir, 440, "a", 1)
	h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001", Stream: t440, Hold: true, Talk: 2 * time.Second})
	t1k, _ := sipptest.ToneFile(dir, 1000, "a", 1)
	scen, _ := sipptest.Waiter{Stream: t1k, Wait: 30 * time.Second}.Write(dir)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	c := h.waitEnded(1, 10*time.Second)[0]
	var kinds string
	var held *apiSegment
	segs := h.segments(c.ID)
	for i := range segs {
		kinds += segs[i].Kind + " "
		if segs[i].Kind == "held" {
			held = &segs[i]
		}
	}
	if kinds != "greeting queued ringing talking held talking " || held == nil {
		t.Fatalf("segments %q, want greeting queued ringing talking held talking", kinds)
	}
	w := readWAV(t, h.recordingPath(c))
	from := int(held.OffsetSeconds*8000) + 1600
	to := int((held.OffsetSeconds+held.Seconds)*8000) - 800
	if to-from < 4000 {
		t.Fatalf("hold of %.2f s is too short to check", held.Seconds)
	}
	if got := toneShare(w.right[from:to], 440); got > 0.2 {
		t.Errorf("the caller hears the operator's 440 Hz in %.0f%% of the hold", 100*got)
	}
	var energy float64
	for _, v := range w.right[from:to] {
		energy += float64(v) * float64(v)
	}
	if energy/float64(to-from) < 1000 {
		t.Error("the caller hears silence during the hold, not hold audio")
	}
}

// A caller who hangs up while an operator's phone rings: the phone gets CANCEL and its operator stays
// available (the missed call is not the operator's fault).
func TestCallerLeavesWhilePhoneRings(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), shortGreeting(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_RING_TIMEOUT=30s")
	h.start()
	h.addOperator("1001", "Nguyễn Thị Lan", "mat-khau-1001")
	phone := h.phone(sipptest.Operator{Ext: "1001", Password: "mat-khau-1001", NoAnswer: true, Stay: 20 * time.Second})
	scen, _ := sipptest.Caller{Talk: 3 * time.Second}.Write(t.TempDir())
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	c := h.waitEnded(1, 10*time.Second)[0]
	h.waitFor("the operator available again", 10*time.Second, func() bool {
		a, _ := h.agent("1001")
		return a.State == "available"
	})
	if st := h.queue().Stats.Today; st.Abandoned != 1 {
		t.Errorf("figures %+v: want the call abandoned", st)
	}
	var kinds string
	for _, s := range h.segments(c.ID) {
		kinds += s.Kind + " "
	}
	if kinds != "greeting queued ringing " {
		t.Errorf("segments %q", kinds)
	}
	// The phone's scenario ends well only if it got the CANCEL (and answered 487).
	res := <-phone
	if res.Exit != 0 {
		t.Errorf("the phone did not see its call cancelled: exit %d\n%s", res.Exit, lastLines(res.Errors, 10))
	}
}
