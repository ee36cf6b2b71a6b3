package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hotline/internal/pgtest"
	"hotline/internal/sipptest"
)

// kill -9 during ten calls: the next start repairs every WAV file and ends the calls with reason crash.
func TestCrashDuringCallsIsRepairedAtNextStart(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_RECORDING_SYNC=1s")
	h.start()
	dir := t.TempDir()
	tone, err := sipptest.ToneFile(dir, 1000, "a", 1)
	if err != nil {
		t.Fatal(err)
	}
	scen, _ := sipptest.Caller{Stream: tone, Talk: 60 * time.Second}.Write(dir)
	ctx, cancelSipp := context.WithCancel(context.Background())
	sippDone := make(chan struct{})
	go func() {
		defer close(sippDone)
		r := sipptest.Run{Scenario: scen, Calls: 10, Limit: 10, Rate: 20, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort),
			Timeout: 90 * time.Second}
		_, _ = r.Exec(ctx)
	}()
	defer func() { cancelSipp(); <-sippDone }()

	var answered time.Time
	h.waitFor("10 answered calls", 30*time.Second, func() bool {
		n := 0
		for _, c := range h.calls() {
			if c.AnsweredAt != nil {
				n++
			}
		}
		if n == 10 && answered.IsZero() {
			answered = time.Now()
		}
		return n == 10
	})
	time.Sleep(4 * time.Second) // let the calls run: the recordings must keep what came before the crash
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.exited
	cancelSipp()
	<-sippDone

	parts, _ := filepath.Glob(filepath.Join(h.data, "recordings", "*", "*", "*", "*.wav.part"))
	if len(parts) != 10 {
		t.Fatalf("%d .wav.part files after kill -9, want 10", len(parts))
	}
	h.start()
	cs := h.waitEnded(10, 30*time.Second)
	for _, c := range cs {
		if deref(c.EndReason) != "crash" {
			t.Errorf("call %s ended with %q, want crash", c.ID, deref(c.EndReason))
			continue
		}
		if c.RecordingID == nil {
			t.Errorf("call %s has no recording after the repair", c.ID)
			continue
		}
		path := h.recordingPath(c)
		w := readWAV(t, path)
		if w.duration < 3*time.Second {
			t.Errorf("call %s: repaired recording lasts %s, want at least the 3 s before the crash", c.ID, w.duration)
		}
		if got := toneShare(w.left[4000:len(w.left)-4000], 1000); got < 0.9 {
			t.Errorf("call %s: repaired left channel carries the tone in %.0f%% of the blocks", c.ID, 100*got)
		}
		var rec apiRecording
		h.getJSON("/api/v1/recordings/"+*c.RecordingID, 200, &rec)
		if !rec.Repaired || rec.SHA256 != fileSHA256(t, path) {
			t.Errorf("call %s: recording row repaired=%v sha256 %s, file %s", c.ID, rec.Repaired, rec.SHA256, fileSHA256(t, path))
		}
	}
	if parts, _ := filepath.Glob(filepath.Join(h.data, "recordings", "*", "*", "*", "*.wav.part")); len(parts) != 0 {
		t.Errorf("%d .wav.part files left after the repair", len(parts))
	}
}

// SIGTERM hangs up the calls in progress (BYE), finishes their recordings and exits 0.
func TestSIGTERMHangsUpAndFinishes(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	dir := t.TempDir()
	tone, _ := sipptest.ToneFile(dir, 1000, "a", 1)
	scen, _ := sipptest.Waiter{Stream: tone, Wait: 60 * time.Second}.Write(dir)
	done := make(chan sipptest.Result)
	go func() {
		r := sipptest.Run{Scenario: scen, Calls: 3, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort), Timeout: 60 * time.Second}
		res, _ := r.Exec(context.Background())
		done <- res
	}()
	h.waitFor("3 answered calls", 30*time.Second, func() bool {
		n := 0
		for _, c := range h.calls() {
			if c.AnsweredAt != nil {
				n++
			}
		}
		return n == 3
	})
	time.Sleep(2 * time.Second)
	if code := h.signal(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0", code)
	}
	mustOK(t, <-done) // every caller got a BYE

	h.start()
	cs := h.waitEnded(3, 10*time.Second)
	for _, c := range cs {
		if deref(c.EndReason) != "shutdown" || c.RecordingID == nil {
			t.Errorf("call %s: end %q, recording %v; want shutdown with a recording", c.ID, deref(c.EndReason), c.RecordingID)
			continue
		}
		if w := readWAV(t, h.recordingPath(c)); w.duration < 2*time.Second {
			t.Errorf("call %s: recording lasts %s", c.ID, w.duration)
		}
	}
}

// A caller whose RTP stops is hung up after HOTLINE_RTP_TIMEOUT.
func TestSilentCallerIsHungUpAfterRTPTimeout(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s", "HOTLINE_RTP_TIMEOUT=2s")
	h.start()
	scen, _ := sipptest.Waiter{Wait: 20 * time.Second}.Write(t.TempDir())
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	c := h.waitEnded(1, 10*time.Second)[0]
	if deref(c.EndReason) != "rtp_timeout" {
		t.Errorf("end reason %q, want rtp_timeout", deref(c.EndReason))
	}
	if d := c.EndedAt.Sub(*c.AnsweredAt); d < 2*time.Second || d > 4*time.Second {
		t.Errorf("hung up %s after the answer, want about 2 s", d)
	}
}

// OPTIONS (a trunk's keepalive) gets 200; a method the hotline does not handle gets 405 with Allow.
func TestOptionsAndUnknownMethods(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t))
	h.start()
	for _, tc := range []struct {
		method string
		want   string
	}{
		{"OPTIONS", "SIP/2.0 200"},
		{"MESSAGE", "SIP/2.0 405"},
		{"SUBSCRIBE", "SIP/2.0 405"},
	} {
		res := sendUDP(t, h.sipPort, tc.method)
		if !strings.HasPrefix(res, tc.want) {
			t.Errorf("%s: answered %q, want %s", tc.method, firstLine(res), tc.want)
		}
		if !strings.Contains(res, "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS") {
			t.Errorf("%s: no Allow header listing the methods:\n%s", tc.method, res)
		}
	}
	if n := len(h.calls()); n != 0 {
		t.Errorf("%d call rows after OPTIONS and MESSAGE, want none", n)
	}
}

func sendUDP(t *testing.T, port int, method string) string {
	t.Helper()
	conn, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := method + " sip:1900@127.0.0.1:" + strconv.Itoa(port) + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n" +
		"From: <sip:probe@" + local + ">;tag=1\r\n" +
		"To: <sip:1900@127.0.0.1>\r\n" +
		"Call-ID: " + strconv.FormatInt(time.Now().UnixNano(), 36) + "@test\r\n" +
		"CSeq: 1 " + method + "\r\n" +
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s: no answer: %v", method, err)
		}
		res := string(buf[:n])
		if !strings.HasPrefix(res, "SIP/2.0 100") {
			return res
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// With no database URL the hotline runs its own PostgreSQL under the data folder (here inside a 0700
// folder, as a clone in /root is), keeps its data across restarts, lets `hotline migrate` join it while
// it runs, and stops it on exit.
func TestEmbeddedDatabase(t *testing.T) {
	t.Parallel()
	private := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	h := newInstance(t, "", "HOTLINE_ANSWER_DELAY=0s")
	h.data = filepath.Join(private, "var")
	h.env = append(h.env, "HOTLINE_DATA_DIR="+h.data)
	h.start()

	scen, _ := sipptest.Caller{Talk: time.Second}.Write(t.TempDir())
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	first := h.waitEnded(1, 10*time.Second)[0]

	migrate := exec.Command(hotlineBin, "migrate")
	migrate.Env = append(os.Environ(), h.env...)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("hotline migrate while serve runs: %v\n%s", err, out)
	}
	if code := h.signal(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if pids := postgresOf(t, h.data); len(pids) > 0 {
		t.Fatalf("PostgreSQL still runs on %s after the hotline stopped: %v", h.data, pids)
	}
	h.start()
	cs := h.calls()
	if len(cs) != 1 || cs[0].ID != first.ID {
		t.Fatalf("after a restart the calls are %+v, want the first call %s", cs, first.ID)
	}
	if code := h.signal(syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// postgresOf lists the postgres processes whose data directory is under dir.
func postgresOf(t *testing.T, dir string) []string {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", "postgres.*"+dir).Output()
	return strings.Fields(string(out))
}

// A bad setting stops the start with one line naming it and what it accepts, exit status 2.
func TestBadSettingIsNamed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args    []string
		env     string
		wantSub string
	}{
		{[]string{"--rtp-ports", "5-3"}, "", "HOTLINE_RTP_PORTS"},
		{nil, "HOTLINE_RTP_TIMEOUT=soon", "HOTLINE_RTP_TIMEOUT"},
		{[]string{"--sip", "udp:nowhere"}, "", "HOTLINE_SIP_LISTEN"},
		{nil, "HOTLINE_HTTP_LISTEN=localhost:http", "HOTLINE_HTTP_LISTEN"},
		{nil, "HOTLINE_DEADLINE_RULE=soon", "HOTLINE_DEADLINE_RULE"},
		{nil, "HOTLINE_PURGE_SCHEDULE=sometimes", "HOTLINE_PURGE_SCHEDULE"},
		{nil, "HOTLINE_REMINDER_STAGES=due_soon=soon", "HOTLINE_REMINDER_STAGES"},
		{nil, "HOTLINE_PUBLIC_URL=hotline.vn", "HOTLINE_PUBLIC_URL"},
		{nil, "HOTLINE_SMTP_URL=smtp://mail:25", "HOTLINE_MAIL_FROM"},
		{nil, "HOTLINE_OFFICE_HOURS=17:00-07:30", "HOTLINE_OFFICE_HOURS"},
		{[]string{"--no-such-flag"}, "", "no-such-flag"},
	}
	for _, tc := range cases {
		cmd := exec.Command(hotlineBin, append([]string{"serve"}, tc.args...)...)
		cmd.Env = append(os.Environ(), "HOTLINE_DATA_DIR="+t.TempDir())
		if tc.env != "" {
			cmd.Env = append(cmd.Env, tc.env)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], tc.wantSub) {
			t.Errorf("serve %v %s: exit %d, stderr %q; want exit 2 and one line naming %s", tc.args, tc.env, code,
				stderr.String(), tc.wantSub)
		}
	}
}

// A caller who holds (re-INVITE a=sendonly) gets a=recvonly and the hotline stops sending; taken off hold
// (a=sendrecv) the call goes on and ends normally.
func TestReInviteHoldAndResume(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_ANSWER_DELAY=0s")
	h.start()
	scen, _ := sipptest.WriteScenario(t.TempDir(), sipptest.Holder)
	mustOK(t, h.sipp(context.Background(), sipptest.Run{Scenario: scen, Calls: 1}))
	c := h.waitEnded(1, 10*time.Second)[0]
	if deref(c.EndReason) != "caller_hangup" || c.RecordingID == nil {
		t.Fatalf("held call ended %q with recording %v; want caller_hangup with a recording", deref(c.EndReason), c.RecordingID)
	}
	// While held the caller hears nothing: the right channel has a stretch of silence of about the hold's
	// 500 ms, and the greeting before and after it.
	w := readWAV(t, h.recordingPath(c))
	longest, run := 0, 0
	for _, v := range w.right {
		if v == 0 {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest < 3200 {
		t.Errorf("longest silence on the right channel %d ms; want the ~500 ms hold", longest/8)
	}
}
