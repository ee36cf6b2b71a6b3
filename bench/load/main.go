// Command load is the hotline's load benchmark. It starts bin/hotline on a private database and has SIPp
// place calls to it over loopback, then checks every call and recording and prints the figures
// ARCHITECTURE.md sets targets for: CPU seconds the hotline spent per call-minute, its peak RSS, failed
// calls and bad recordings (missing, off by more than 1 % in length, or with a channel silent where audio
// was sent).
//
// Answered calls (the hotline answers, plays its prompts at 50 packets/s and records both directions):
//
//	go run ./bench/load -calls 200 -duration 30s [-cpu 1]
//
// Bridged calls (callers wait in the line and are bridged to operators' phones, SIPp on both sides; a
// call-minute counts both legs; also prints the p99 from the operator's answer to media flowing both ways):
//
//	go run ./bench/load -operators 100 -calls 300 -duration 30s [-cpu 1]
//
// Everything talks to 127.0.0.1 only, is bounded in calls and time, and stops the processes it started.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-audio/wav"

	"hotline/internal/sipptest"
)

type options struct {
	calls, operators int
	talk             time.Duration
	rate             float64
	cpu              int
	bin              string
	keep             bool
	profile          string
}

func main() {
	var o options
	flag.IntVar(&o.calls, "calls", 200, "concurrent calls")
	flag.IntVar(&o.operators, "operators", 0, "operators' phones (SIPp) the calls are bridged to; 0: answered calls only")
	flag.DurationVar(&o.talk, "duration", 30*time.Second, "length of each call (bridged: of each conversation)")
	flag.Float64Var(&o.rate, "rate", 0, "new calls per second (default: calls/10, at least 10)")
	flag.IntVar(&o.cpu, "cpu", -1, "pin the hotline to this CPU with taskset, SIPp to the others (-1: no pinning)")
	flag.StringVar(&o.bin, "bin", "bin/hotline", "the hotline binary")
	flag.BoolVar(&o.keep, "keep", false, "keep the data folder (recordings) after the run")
	flag.StringVar(&o.profile, "profile", "", "write a CPU profile of the hotline over the whole run to this file")
	flag.Parse()
	if o.rate == 0 {
		o.rate = max(10, float64(o.calls)/10)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// hotline is the process under test.
type hotline struct {
	bin, data, http string
	sipPort         int
	env             []string
	cmd             *exec.Cmd
	exited          chan struct{}
	token           string // an admin token for the API, made after the start
}

func (h *hotline) url(path string) string { return "http://" + h.http + path }

// get reads the API with the admin token.
func (h *hotline) get(path string) (*http.Response, error) {
	req, err := http.NewRequest("GET", h.url(path), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	return http.DefaultClient.Do(req)
}

func run(o options) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run make build first)", bin, err)
	}
	dir, err := os.MkdirTemp("", "hotline-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Println("load: data kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	sipPort, _ := sipptest.FreePort()
	httpPort, _ := sipptest.FreePort()
	debugPort, _ := sipptest.FreePort()
	h := &hotline{bin: bin, data: filepath.Join(dir, "var"), http: "127.0.0.1:" + strconv.Itoa(httpPort), sipPort: sipPort}
	h.env = append(os.Environ(),
		"HOTLINE_DATA_DIR="+h.data,
		fmt.Sprintf("HOTLINE_SIP_LISTEN=udp:127.0.0.1:%d", sipPort),
		"HOTLINE_HTTP_LISTEN="+h.http,
		"HOTLINE_RTP_PORTS=40000-49999",
		"HOTLINE_ANSWER_DELAY=0s",
		"HOTLINE_WRAP_UP=0s",
		"HOTLINE_MAX_WAIT=30m",
		fmt.Sprintf("HOTLINE_MAX_CALLS=%d", o.calls+o.operators+100),
		fmt.Sprintf("HOTLINE_MAX_CALLS_PER_SOURCE=%d", o.calls+100),
		"HOTLINE_LOG_LEVEL=info",
		"HOTLINE_DEBUG_LISTEN=127.0.0.1:"+strconv.Itoa(debugPort),
	)
	if err := h.start(dir, o.cpu); err != nil {
		return err
	}
	defer h.stop()
	pid := h.cmd.Process.Pid // taskset execs the hotline: the PID stays the same

	t1k, err := sipptest.ToneFile(dir, 1000, "a", 1)
	if err != nil {
		return err
	}
	stopPhones := func() {}
	if o.operators > 0 {
		if stopPhones, err = h.operators(dir, o); err != nil {
			return err
		}
	}
	defer stopPhones()

	var scen string
	if o.operators > 0 {
		scen, err = sipptest.Waiter{Stream: t1k, Wait: o.talk*time.Duration(o.calls/o.operators+2) + 2*time.Minute}.Write(dir)
		fmt.Printf("load: %d callers bridged to %d operators, %s conversations (%.0f new calls/s), hotline pid %d\n",
			o.calls, o.operators, o.talk, o.rate, pid)
	} else {
		scen, err = sipptest.Caller{Stream: t1k, Talk: o.talk, ExpectCodec: "PCMA"}.Write(dir)
		fmt.Printf("load: %d concurrent calls of %s (%.0f new calls/s), hotline pid %d\n", o.calls, o.talk, o.rate, pid)
	}
	if err != nil {
		return err
	}
	cpu0, err := cpuTime(pid)
	if err != nil {
		return err
	}
	whole := o.talk + time.Duration(float64(o.calls)/o.rate*float64(time.Second))
	if o.operators > 0 {
		whole = o.talk*time.Duration((o.calls+o.operators-1)/o.operators) + time.Duration(float64(o.calls)/o.rate*float64(time.Second))
	}
	if o.profile != "" {
		go func() {
			if err := fetchProfile("127.0.0.1:"+strconv.Itoa(debugPort), o.profile, whole+5*time.Second); err != nil {
				fmt.Fprintln(os.Stderr, "load: profile:", err)
			}
		}()
	}
	start := time.Now()
	res, err := sipptest.Run{
		Scenario: scen, Target: "127.0.0.1:" + strconv.Itoa(sipPort), Calls: o.calls, Limit: o.calls, Rate: o.rate,
		Timeout: whole + 3*time.Minute, RTPPorts: [2]int{20000, 20000 + 8*o.calls}, Dir: dir, CPUs: otherCPUs(o.cpu),
	}.Exec(context.Background())
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	list, err := waitAllEnded(h, o.calls)
	if err != nil {
		return err
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return err
	}
	peakRSS := peakRSS(pid)

	var callMinutes float64
	bad, unbridged := 0, 0
	for _, c := range list {
		if problem := checkRecording(h.data, c, o.operators > 0); problem != "" {
			bad++
			if bad <= 5 {
				fmt.Printf("  bad recording of call %s: %s\n", c.ID, problem)
			}
		}
		if c.AnsweredAt != nil && c.EndedAt != nil {
			callMinutes += c.EndedAt.Sub(*c.AnsweredAt).Minutes()
		}
		if o.operators > 0 {
			talk := c.segment("talking")
			if talk == nil {
				unbridged++
				continue
			}
			callMinutes += talk.Seconds / 60 // the operator's leg
		}
	}
	cpuSec := (cpu1 - cpu0).Seconds()
	fmt.Printf("calls: %d placed, %d succeeded, %d failed (SIPp exit %d) in %s\n", o.calls, res.Successful, res.Failed,
		res.Exit, elapsed.Round(time.Second))
	fmt.Printf("recordings: %d stored, %d bad\n", len(list), bad+max(0, o.calls-len(list)))
	fmt.Printf("cpu: %.2f s for %.1f call-minutes = %.4f CPU s per call-minute\n", cpuSec, callMinutes, cpuSec/callMinutes)
	fmt.Printf("peak RSS: %.1f MiB\n", float64(peakRSS)/(1<<20))
	if o.operators > 0 {
		p99, n, err := bridgeSetupP99(h)
		if err != nil {
			return err
		}
		fmt.Printf("bridged: %d of %d calls; operator's answer → media both ways: p99 ≤ %s over %d bridges\n",
			o.calls-unbridged, o.calls, p99, n)
	}
	if res.Failed > 0 || res.Exit != 0 || bad > 0 || len(list) < o.calls || unbridged > 0 {
		return errors.New("some calls failed, were not bridged, or were not recorded in full")
	}
	return nil
}

func (h *hotline) start(dir string, cpu int) error {
	args := []string{h.bin, "serve"}
	if cpu >= 0 {
		args = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, args...)
	}
	h.cmd = exec.Command(args[0], args[1:]...)
	h.cmd.Env = h.env
	logFile, err := os.Create(filepath.Join(dir, "hotline.log"))
	if err != nil {
		return err
	}
	h.cmd.Stdout, h.cmd.Stderr = logFile, logFile
	if err := h.cmd.Start(); err != nil {
		return err
	}
	h.exited = make(chan struct{})
	go func() { _ = h.cmd.Wait(); logFile.Close(); close(h.exited) }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-h.exited:
			return errors.New("the hotline exited at start: see its log (-keep)")
		default:
		}
		if res, err := http.Get(h.url("/healthz")); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				cmd := exec.Command(h.bin, "token", "create", "--role", "admin", "--name", "load benchmark")
				cmd.Env = h.env
				out, err := cmd.Output()
				if err != nil {
					return fmt.Errorf("token create: %w", err)
				}
				h.token = strings.TrimSpace(string(out))
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the hotline did not become healthy within 2 minutes")
}

func (h *hotline) stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(60 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.exited
	}
}

// operators creates the operators, starts their phones (one SIPp: registrations, then answering with a
// 440 Hz tone and hanging up after the conversation) and waits until every one is registered.
func (h *hotline) operators(dir string, o options) (stop func(), err error) {
	csv, exts, err := sipptest.ManyOperators(dir, 2001, o.operators)
	if err != nil {
		return nil, err
	}
	fmt.Printf("load: creating %d operators...\n", o.operators)
	for _, ext := range exts {
		cmd := exec.Command(h.bin, "operator", "add", "--ext", ext, "--name", "Operator "+ext, "--password", "password-"+ext)
		cmd.Env = h.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("operator add %s: %v: %s", ext, err, out)
		}
	}
	t440, err := sipptest.ToneFile(dir, 440, "a", 1)
	if err != nil {
		return nil, err
	}
	reg, ans, err := sipptest.Operator{Stream: t440, Talk: o.talk, Stay: 2 * time.Hour}.Write(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "phones"), 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := sipptest.Run{Scenario: reg, OutOfCall: ans, Inject: csv, Calls: o.operators, Limit: o.operators,
			Rate: 50, Target: "127.0.0.1:" + strconv.Itoa(h.sipPort), Timeout: 3 * time.Hour, CPUs: otherCPUs(o.cpu),
			RTPPorts: [2]int{32000, 32000 + 8*o.operators}, Dir: filepath.Join(dir, "phones")}.Exec(ctx)
		done <- err
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := h.registered()
		if err == nil && n == o.operators {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			return nil, fmt.Errorf("only %d of %d operators registered", n, o.operators)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return func() { cancel(); <-done }, nil
}

func (h *hotline) registered() (int, error) {
	res, err := h.get("/api/v1/queue")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var q struct {
		Agents []struct {
			Registered bool   `json:"registered"`
			State      string `json:"state"`
		} `json:"agents"`
	}
	if err := json.NewDecoder(res.Body).Decode(&q); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range q.Agents {
		if a.Registered && a.State == "available" {
			n++
		}
	}
	return n, nil
}

// otherCPUs lists the CPUs but cpu, for SIPp to run on while the hotline is pinned ("" when not pinned).
func otherCPUs(cpu int) string {
	if cpu < 0 {
		return ""
	}
	var out []string
	for i := 0; i < runtime.NumCPU(); i++ {
		if i != cpu {
			out = append(out, strconv.Itoa(i))
		}
	}
	return strings.Join(out, ",")
}

func fetchProfile(addr, path string, d time.Duration) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, res.Body)
	return err
}

// cpuTime is the user+system CPU time of a process, from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const hz = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / hz, nil
}

// peakRSS is the process's high-water RSS (VmHWM).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

type segment struct {
	Kind          string  `json:"kind"`
	OffsetSeconds float64 `json:"offset_seconds"`
	Seconds       float64 `json:"seconds"`
}

type call struct {
	ID          string     `json:"id"`
	ArrivedAt   time.Time  `json:"arrived_at"`
	AnsweredAt  *time.Time `json:"answered_at"`
	EndedAt     *time.Time `json:"ended_at"`
	RecordingID *string    `json:"recording_id"`
	Segments    []segment  `json:"segments"`
}

func (c call) segment(kind string) *segment {
	for i := range c.Segments {
		if c.Segments[i].Kind == kind {
			return &c.Segments[i]
		}
	}
	return nil
}

func listCalls(h *hotline) ([]call, error) {
	var all []call
	cursor := ""
	for {
		res, err := h.get("/api/v1/calls?limit=500&cursor=" + cursor)
		if err != nil {
			return nil, err
		}
		var page struct {
			Items      []call  `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all, nil
		}
		cursor = *page.NextCursor
	}
}

func waitAllEnded(h *hotline, n int) ([]call, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		list, err := listCalls(h)
		if err != nil {
			return nil, err
		}
		done := 0
		for _, c := range list {
			if c.EndedAt != nil && (c.AnsweredAt == nil || c.RecordingID != nil) {
				done++
			}
		}
		if done >= n || time.Now().After(deadline) {
			return list, nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// bridgeSetupP99 reads the bridge setup histogram from /metrics and returns the upper bound of the bucket
// holding its 99th percentile.
func bridgeSetupP99(h *hotline) (time.Duration, int, error) {
	res, err := http.Get(h.url("/metrics"))
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	type bucket struct {
		le    float64
		count float64
	}
	var buckets []bucket
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, `hotline_bridge_setup_seconds_bucket{le="`)
		if !ok {
			continue
		}
		le, count, _ := strings.Cut(rest, `"} `)
		b := bucket{le: math.Inf(1)}
		if le != "+Inf" {
			b.le, _ = strconv.ParseFloat(le, 64)
		}
		b.count, _ = strconv.ParseFloat(count, 64)
		buckets = append(buckets, b)
	}
	if len(buckets) == 0 {
		return 0, 0, errors.New("no hotline_bridge_setup_seconds in /metrics")
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].le < buckets[j].le })
	total := buckets[len(buckets)-1].count
	for i, b := range buckets {
		if b.count >= 0.99*total {
			if math.IsInf(b.le, 1) {
				// Above the largest bound: say so rather than print an overflowed duration.
				if i == 0 {
					return 0, int(total), errors.New("the bridge setup histogram has no finite bucket")
				}
				return 0, int(total), fmt.Errorf("p99 of the bridge setup is above the histogram's largest bound, %s",
					time.Duration(buckets[i-1].le*float64(time.Second)))
			}
			return time.Duration(b.le * float64(time.Second)), int(total), nil
		}
	}
	return 0, int(total), nil
}

var vietnam = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

// checkRecording says what is wrong with a call's recording ("" when nothing is): it must exist, last as
// long as the call within 1 %, carry the caller (streaming all along) every second on the left, and on the
// right what the caller heard: prompts and hold audio, or (bridged) the operator's tone over the talk.
// The right channel may be silent only where the hotline was silent on purpose: while a caller leaves a
// message after the beep.
func checkRecording(data string, c call, bridged bool) string {
	if c.AnsweredAt == nil || c.EndedAt == nil {
		return "call not answered or not ended"
	}
	day := c.ArrivedAt.In(vietnam)
	path := filepath.Join(data, "recordings", day.Format("2006"), day.Format("01"), day.Format("02"), c.ID+".wav")
	f, err := os.Open(path)
	if err != nil {
		return "missing: " + err.Error()
	}
	defer f.Close()
	d := wav.NewDecoder(f)
	buf, err := d.FullPCMBuffer()
	if err != nil || d.NumChans != 2 || d.SampleRate != 8000 {
		return fmt.Sprintf("unreadable or wrong format: %v", err)
	}
	frames := len(buf.Data) / 2
	length := time.Duration(frames) * time.Second / 8000
	callLen := c.EndedAt.Sub(*c.AnsweredAt)
	if math.Abs(float64(length-callLen)) > 0.01*float64(callLen) {
		return fmt.Sprintf("lasts %s for a call of %s", length, callLen)
	}
	rightUntil := frames / 8000
	if vm := c.segment("voicemail"); vm != nil {
		rightUntil = int(vm.OffsetSeconds) - 1
	}
	silent := func(ch, sec int) bool {
		var energy float64
		for i := sec * 8000; i < (sec+1)*8000; i++ {
			v := float64(buf.Data[2*i+ch])
			energy += v * v
		}
		return energy/8000 < 1000
	}
	for sec := 1; sec < frames/8000-1; sec++ {
		if silent(0, sec) {
			return fmt.Sprintf("the caller's channel is silent in second %d", sec)
		}
		if sec < rightUntil && silent(1, sec) {
			return fmt.Sprintf("what the caller heard is silent in second %d", sec)
		}
	}
	if bridged {
		talk := c.segment("talking")
		if talk == nil {
			return "never bridged"
		}
		from, to := int(talk.OffsetSeconds)+1, int(talk.OffsetSeconds+talk.Seconds)-1
		for sec := from; sec < to && sec < frames/8000; sec++ {
			if silent(1, sec) {
				return fmt.Sprintf("the operator is silent in second %d of the recording", sec)
			}
		}
	}
	return ""
}
