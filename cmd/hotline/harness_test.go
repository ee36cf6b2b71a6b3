package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hotline/internal/pgtest"
	"hotline/internal/sipptest"
)

// The end-to-end tests build the real binary once and run it as a process against a real PostgreSQL,
// with SIPp as the caller.

var hotlineBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hotline-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hotlineBin = filepath.Join(dir, "hotline")
	args := []string{"build", "-o", hotlineBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build hotline:", err)
		os.Exit(1)
	}
	pgtest.Main(m)
}

// syncBuffer collects a process's output for the test's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// instance is one hotline process.
type instance struct {
	t        *testing.T
	data     string
	env      []string
	sipPort  int
	httpAddr string
	cmd      *exec.Cmd
	out      *syncBuffer
	exited   chan struct{}
	exitErr  error
	admin    string // an admin token, made on first use of the API
}

// newInstance prepares a hotline on free ports with its own data folder and database (dbURL "" uses the
// embedded default). env adds HOTLINE_* settings.
func newInstance(t *testing.T, dbURL string, env ...string) *instance {
	t.Helper()
	sipPort, err := sipptest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	httpPort, err := sipptest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	rtp := sipptest.RTPRange(400)
	h := &instance{
		t:        t,
		data:     filepath.Join(t.TempDir(), "var"),
		sipPort:  sipPort,
		httpAddr: "127.0.0.1:" + strconv.Itoa(httpPort),
	}
	h.env = append([]string{
		"HOTLINE_DATABASE_URL=" + dbURL,
		"HOTLINE_DATA_DIR=" + h.data,
		fmt.Sprintf("HOTLINE_SIP_LISTEN=udp:127.0.0.1:%d,tcp:127.0.0.1:%d", sipPort, sipPort),
		"HOTLINE_HTTP_LISTEN=" + h.httpAddr,
		fmt.Sprintf("HOTLINE_RTP_PORTS=%d-%d", rtp[0], rtp[1]),
		"HOTLINE_NODE_ID=test-" + strconv.Itoa(sipPort),
		"HOTLINE_LOG_LEVEL=debug",
	}, env...)
	t.Cleanup(func() {
		h.kill()
		if t.Failed() {
			t.Logf("hotline output:\n%s", h.output())
		}
	})
	return h
}

// start runs the process and waits until /healthz answers 200.
func (h *instance) start() {
	h.t.Helper()
	h.cmd = exec.Command(hotlineBin, "serve")
	h.cmd.Env = append(os.Environ(), h.env...)
	if h.out == nil {
		h.out = &syncBuffer{}
	}
	h.cmd.Stdout, h.cmd.Stderr = h.out, h.out
	if err := h.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.exited = make(chan struct{})
	go func() { h.exitErr = h.cmd.Wait(); close(h.exited) }()
	h.waitFor("healthz 200", 90*time.Second, func() bool {
		res, err := http.Get("http://" + h.httpAddr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
}

func (h *instance) output() string {
	if h.out == nil {
		return ""
	}
	return h.out.String()
}

// signal sends sig to the process and waits for it to exit; it returns the exit code.
func (h *instance) signal(sig syscall.Signal, within time.Duration) int {
	h.t.Helper()
	if err := h.cmd.Process.Signal(sig); err != nil {
		h.t.Fatal(err)
	}
	select {
	case <-h.exited:
	case <-time.After(within):
		h.t.Fatalf("hotline did not exit within %s after %s", within, sig)
	}
	return h.cmd.ProcessState.ExitCode()
}

// kill ends the process with SIGKILL if it still runs (the embedded cluster, if any, is left running;
// tests that use it stop the hotline with SIGTERM).
func (h *instance) kill() {
	if h.cmd == nil || h.cmd.Process == nil {
		return
	}
	select {
	case <-h.exited:
	default:
		_ = h.cmd.Process.Kill()
		<-h.exited
	}
}

// waitFor polls cond until it holds or the time is up.
func (h *instance) waitFor(what string, within time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("waited %s for %s", within, what)
		}
		select {
		case <-h.exited:
			h.t.Fatalf("hotline exited while waiting for %s: %v", what, h.exitErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (h *instance) url(path string) string { return "http://" + h.httpAddr + path }

// token runs `hotline token create` against the instance's database and returns the token.
func (h *instance) token(role, name string, operator ...string) string {
	h.t.Helper()
	args := []string{"token", "create", "--role", role, "--name", name}
	if len(operator) > 0 {
		args = append(args, "--operator", operator[0])
	}
	cmd := exec.Command(hotlineBin, args...)
	cmd.Env = append(os.Environ(), h.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		h.t.Fatalf("token create: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// do sends a request to the API signed with an admin token.
func (h *instance) do(req *http.Request) (*http.Response, error) {
	h.t.Helper()
	if h.admin == "" {
		h.admin = h.token("admin", "e2e admin")
	}
	req.Header.Set("Authorization", "Bearer "+h.admin)
	return http.DefaultClient.Do(req)
}

// getJSON GETs path and decodes the JSON answer, failing the test on any status but want.
func (h *instance) getJSON(path string, want int, v any) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.url(path), nil)
	res, err := h.do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		h.t.Fatalf("GET %s: status %d, want %d: %s", path, res.StatusCode, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			h.t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
}

// apiCall is a call as the API shows it.
type apiCall struct {
	ID          string     `json:"id"`
	SIPCallID   string     `json:"sip_call_id"`
	Caller      string     `json:"caller"`
	CallerName  string     `json:"caller_name"`
	Called      string     `json:"called"`
	Transport   string     `json:"transport"`
	Codec       *string    `json:"codec"`
	ArrivedAt   time.Time  `json:"arrived_at"`
	AnsweredAt  *time.Time `json:"answered_at"`
	EndedAt     *time.Time `json:"ended_at"`
	EndReason   *string    `json:"end_reason"`
	RecordingID *string    `json:"recording_id"`
}

type apiRecording struct {
	ID              string  `json:"id"`
	CallID          string  `json:"call_id"`
	DurationSeconds float64 `json:"duration_seconds"`
	Bytes           int64   `json:"bytes"`
	SHA256          string  `json:"sha256"`
	Repaired        bool    `json:"repaired"`
}

// calls lists every call (up to 500), newest first.
func (h *instance) calls() []apiCall {
	h.t.Helper()
	var page struct {
		Items []apiCall `json:"items"`
	}
	h.getJSON("/api/v1/calls?limit=500", 200, &page)
	return page.Items
}

// waitEnded waits until n calls have ended and have their recording row when answered.
func (h *instance) waitEnded(n int, within time.Duration) []apiCall {
	h.t.Helper()
	var cs []apiCall
	h.waitFor(fmt.Sprintf("%d ended calls", n), within, func() bool {
		cs = h.calls()
		done := 0
		for _, c := range cs {
			if c.EndedAt != nil && (c.AnsweredAt == nil || c.RecordingID != nil) {
				done++
			}
		}
		return done >= n
	})
	return cs
}

// recordingPath is where the contract puts a call's WAV file.
func (h *instance) recordingPath(c apiCall) string {
	day := c.ArrivedAt.In(vietnam)
	return filepath.Join(h.data, "recordings", day.Format("2006"), day.Format("01"), day.Format("02"), c.ID+".wav")
}

// sipp runs SIPp against the instance.
func (h *instance) sipp(ctx context.Context, r sipptest.Run) sipptest.Result {
	h.t.Helper()
	r.Target = "127.0.0.1:" + strconv.Itoa(h.sipPort)
	res, err := r.Exec(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func mustOK(t *testing.T, res sipptest.Result) {
	t.Helper()
	if res.Exit != 0 {
		t.Fatalf("sipp exit %d (ok %d, failed %d)\n%s\n%s", res.Exit, res.Successful, res.Failed,
			lastLines(res.Output, 30), lastLines(res.Errors, 30))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
