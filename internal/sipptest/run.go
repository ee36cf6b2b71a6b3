package sipptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Run describes one SIPp run against the hotline.
type Run struct {
	Scenario string // path of the scenario file
	// OutOfCall is a scenario for the requests that start a call of the peer's (-oocsf): an operator's
	// phone answers the hotline's INVITEs with it, on the port it registered from.
	OutOfCall string
	Target    string // "127.0.0.1:5060"
	TCP       bool
	Calls     int           // total calls (-m)
	Limit     int           // simultaneous calls at most (-l); default Calls
	Rate      float64       // new calls per second (-r); default 10
	Caller    string        // the caller's number ([caller]); default 0912345678
	Service   string        // the number called ([service]); default 1900
	Timeout   time.Duration // the whole run's limit (-timeout); default 2 min
	Dir       string        // where SIPp writes its files; default a temp folder
	// RTPPorts is the range SIPp takes its media ports from: runs in parallel need ranges of their own.
	RTPPorts [2]int
	// CPUs, when set, pins SIPp to these CPUs with taskset (e.g. "0"), away from a pinned hotline.
	CPUs string
	// Inject is a CSV file of values for [field0], [field1]… one line per call (-inf).
	Inject string
}

// Result is what SIPp reported.
type Result struct {
	Exit       int // 0: every call succeeded
	Successful int
	Failed     int
	Output     string // stdout and stderr
	Errors     string // the error file, when SIPp wrote one
}

var portMu sync.Mutex
var nextRTP = 30000 + (os.Getpid()%20)*1000

// RTPRange hands out a range of n media ports no other run of this process uses.
func RTPRange(n int) [2]int {
	portMu.Lock()
	defer portMu.Unlock()
	if nextRTP+n > 60000 {
		nextRTP = 30000
	}
	lo := nextRTP
	nextRTP += n
	return [2]int{lo, lo + n - 1}
}

// FreePort finds a port free for both UDP and TCP on 127.0.0.1.
func FreePort() (int, error) {
	for i := 0; i < 50; i++ {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.LocalAddr().(*net.UDPAddr).Port
		t, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		l.Close()
		if err == nil {
			t.Close()
			return port, nil
		}
	}
	return 0, errors.New("no port free for both UDP and TCP")
}

// Exec runs sipp and waits for it (or ctx).
func (r Run) Exec(ctx context.Context) (Result, error) {
	if _, err := exec.LookPath("sipp"); err != nil {
		return Result{}, errors.New("sipp is not installed: apt-get install -y sip-tester (make deps does it)")
	}
	if r.Limit == 0 {
		r.Limit = r.Calls
	}
	if r.Rate == 0 {
		r.Rate = 10
	}
	if r.Caller == "" {
		r.Caller = "0912345678"
	}
	if r.Service == "" {
		r.Service = "1900"
	}
	if r.Timeout == 0 {
		r.Timeout = 2 * time.Minute
	}
	if r.RTPPorts[0] == 0 {
		r.RTPPorts = RTPRange(4 * max(r.Limit, 1))
	}
	if r.Dir == "" {
		d, err := os.MkdirTemp("", "sipp-")
		if err != nil {
			return Result{}, err
		}
		defer os.RemoveAll(d)
		r.Dir = d
	}
	port, err := FreePort()
	if err != nil {
		return Result{}, err
	}
	errFile := filepath.Join(r.Dir, "errors.log")
	args := []string{
		"-sf", r.Scenario,
		"-m", strconv.Itoa(r.Calls), "-l", strconv.Itoa(r.Limit),
		"-r", strconv.FormatFloat(r.Rate, 'f', -1, 64), "-rp", "1000",
		"-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mi", "127.0.0.1",
		"-mp", strconv.Itoa(r.RTPPorts[0]),
		"-key", "caller", r.Caller, "-s", r.Service,
		"-timeout", strconv.Itoa(int(r.Timeout.Seconds())) + "s", "-timeout_error",
		"-max_retrans", "5", "-nostdin", "-trace_err", "-error_file", errFile,
		"-trace_stat", "-stf", filepath.Join(r.Dir, "stat.csv"),
	}
	if r.TCP {
		args = append(args, "-t", "t1")
	}
	if r.Inject != "" {
		args = append(args, "-inf", r.Inject)
	}
	if r.OutOfCall != "" {
		// A phone: it answers the hotline's calls, and its OPTIONS keepalives with 200 (-aa).
		args = append(args, "-oocsf", r.OutOfCall, "-aa")
	}
	args = append(args, r.Target)
	ctx, cancel := context.WithTimeout(ctx, r.Timeout+30*time.Second)
	defer cancel()
	name := "sipp"
	if r.CPUs != "" {
		name, args = "taskset", append([]string{"-c", r.CPUs, "sipp"}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "TERM=dumb")
	err = cmd.Run()
	res := Result{Output: out.String()}
	if b, rerr := os.ReadFile(errFile); rerr == nil {
		res.Errors = string(b)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.Exit = ee.ExitCode()
	} else if err != nil {
		return res, fmt.Errorf("sipp: %w", err)
	}
	res.Successful, res.Failed = readStats(filepath.Join(r.Dir, "stat.csv"))
	return res, nil
}

// readStats reads the totals of SIPp's last statistics line.
func readStats(path string) (ok, failed int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		return 0, 0
	}
	head := strings.Split(lines[0], ";")
	last := strings.Split(lines[len(lines)-1], ";")
	for i, h := range head {
		if i >= len(last) {
			break
		}
		switch h {
		case "SuccessfulCall(C)":
			ok, _ = strconv.Atoi(last[i])
		case "FailedCall(C)":
			failed, _ = strconv.Atoi(last[i])
		}
	}
	return ok, failed
}

// ToneFile writes seconds of a sine tone at freq Hz as raw G.711 (law "a" or "u") with sox and returns
// its path; a whole number of cycles per second keeps a looped file seamless.
func ToneFile(dir string, freq int, law string, seconds int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("tone%d.%slaw", freq, law))
	enc := "a-law"
	if law == "u" {
		enc = "u-law"
	}
	out, err := exec.Command("sox", "-n", "-r", "8000", "-c", "1", "-t", "raw", "-e", enc, path,
		"synth", strconv.Itoa(seconds), "sine", strconv.Itoa(freq), "vol", "0.5").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("sox: %v: %s", err, out)
	}
	return path, nil
}
