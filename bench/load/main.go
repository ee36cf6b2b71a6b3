// Command load is the hotline's load benchmark: it starts bin/hotline on a private database, has SIPp
// hold N concurrent 30 s calls that stream G.711 A-law to it (the hotline answers, plays its greeting and
// hold audio at 50 packets/s and records both directions), and prints the CPU seconds the hotline spent
// per call-minute, its peak RSS, the failed calls and the bad recordings (missing, off by more than 1 %
// in length, or with a channel that is silent where audio was sent).
//
//	go run ./bench/load -calls 200 -duration 30s [-cpu 0] [-bin bin/hotline]
//
// Everything talks to 127.0.0.1 only, is bounded in calls and time, and stops the processes it started.
package main

import (
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-audio/wav"

	"hotline/internal/sipptest"
)

func main() {
	calls := flag.Int("calls", 200, "concurrent calls to hold")
	duration := flag.Duration("duration", 30*time.Second, "length of each call")
	rate := flag.Float64("rate", 0, "new calls per second (default: calls/10, at least 10)")
	cpu := flag.Int("cpu", -1, "pin the hotline to this CPU with taskset (-1: no pinning)")
	bin := flag.String("bin", "bin/hotline", "the hotline binary")
	keep := flag.Bool("keep", false, "keep the data folder (recordings) after the run")
	profile := flag.String("profile", "", "write a CPU profile of the hotline over the whole run to this file")
	flag.Parse()
	if err := run(*calls, *duration, *rate, *cpu, *bin, *keep, *profile); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(n int, talk time.Duration, rate float64, cpu int, bin string, keep bool, profile string) error {
	if rate == 0 {
		rate = max(10, float64(n)/10)
	}
	bin, err := filepath.Abs(bin)
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
	if !keep {
		defer os.RemoveAll(dir)
	}
	sipPort, _ := sipptest.FreePort()
	httpPort, _ := sipptest.FreePort()
	httpAddr := "127.0.0.1:" + strconv.Itoa(httpPort)
	data := filepath.Join(dir, "var")

	args := []string{bin, "serve"}
	if cpu >= 0 {
		args = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(),
		"HOTLINE_DATA_DIR="+data,
		fmt.Sprintf("HOTLINE_SIP_LISTEN=udp:127.0.0.1:%d", sipPort),
		"HOTLINE_HTTP_LISTEN="+httpAddr,
		"HOTLINE_RTP_PORTS=40000-49999",
		"HOTLINE_ANSWER_DELAY=0s",
		fmt.Sprintf("HOTLINE_MAX_CALLS=%d", n+100),
		fmt.Sprintf("HOTLINE_MAX_CALLS_PER_SOURCE=%d", n+100),
		"HOTLINE_LOG_LEVEL=warn",
	)
	debugPort, _ := sipptest.FreePort()
	debugAddr := "127.0.0.1:" + strconv.Itoa(debugPort)
	if profile != "" {
		cmd.Env = append(cmd.Env, "HOTLINE_DEBUG_LISTEN="+debugAddr)
	}
	logFile, err := os.Create(filepath.Join(dir, "hotline.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	if err := waitHealthy(httpAddr, exited); err != nil {
		return err
	}
	pid := cmd.Process.Pid // taskset execs the hotline: the PID stays the same

	tone, err := sipptest.ToneFile(dir, 1000, "a", 1)
	if err != nil {
		return err
	}
	scen, err := sipptest.Caller{Stream: tone, Talk: talk, ExpectCodec: "PCMA"}.Write(dir)
	if err != nil {
		return err
	}
	fmt.Printf("load: %d concurrent calls of %s (%.0f new calls/s) against pid %d\n", n, talk, rate, pid)
	cpu0, err := cpuTime(pid)
	if err != nil {
		return err
	}
	peak := make(chan int64)
	stopPeak := make(chan struct{})
	go func() { peak <- samplePeakRSS(pid, stopPeak) }()
	start := time.Now()
	if profile != "" {
		go func() {
			whole := talk + time.Duration(float64(n)/rate*float64(time.Second)) + 5*time.Second
			if err := fetchProfile(debugAddr, profile, whole); err != nil {
				fmt.Fprintln(os.Stderr, "load: profile:", err)
			}
		}()
	}
	res, err := sipptest.Run{
		Scenario: scen, Target: "127.0.0.1:" + strconv.Itoa(sipPort), Calls: n, Limit: n, Rate: rate,
		Timeout:  talk + time.Duration(float64(n)/rate*float64(time.Second)) + 2*time.Minute,
		RTPPorts: [2]int{20000, 20000 + 8*n}, Dir: dir, CPUs: otherCPUs(cpu),
	}.Exec(context.Background())
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	list, err := waitAllEnded(httpAddr, n)
	if err != nil {
		return err
	}
	cpu1, err := cpuTime(pid)
	if err != nil {
		return err
	}
	close(stopPeak)
	peakRSS := <-peak

	var callMinutes float64
	bad := 0
	for _, c := range list {
		problem := checkRecording(data, c)
		if problem != "" {
			bad++
			if bad <= 5 {
				fmt.Printf("  bad recording of call %s: %s\n", c.ID, problem)
			}
		}
		if c.AnsweredAt != nil && c.EndedAt != nil {
			callMinutes += c.EndedAt.Sub(*c.AnsweredAt).Minutes()
		}
	}
	cpuSec := (cpu1 - cpu0).Seconds()
	fmt.Printf("calls: %d placed, %d succeeded, %d failed (SIPp exit %d) in %s\n", n, res.Successful, res.Failed,
		res.Exit, elapsed.Round(time.Second))
	fmt.Printf("recordings: %d stored, %d bad\n", len(list), bad+max(0, n-len(list)))
	fmt.Printf("cpu: %.2f s for %.1f call-minutes = %.4f CPU s per call-minute\n", cpuSec, callMinutes, cpuSec/callMinutes)
	fmt.Printf("peak RSS: %.1f MiB\n", float64(peakRSS)/(1<<20))
	if res.Failed > 0 || res.Exit != 0 || bad > 0 || len(list) < n {
		return errors.New("some calls failed or were not recorded in full")
	}
	return nil
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

func waitHealthy(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("the hotline exited at start: see its log")
		default:
		}
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the hotline did not become healthy within 2 minutes")
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

// samplePeakRSS returns the process's high-water RSS (VmHWM) when stop closes.
func samplePeakRSS(pid int, stop <-chan struct{}) int64 {
	<-stop
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

type call struct {
	ID          string     `json:"id"`
	ArrivedAt   time.Time  `json:"arrived_at"`
	AnsweredAt  *time.Time `json:"answered_at"`
	EndedAt     *time.Time `json:"ended_at"`
	RecordingID *string    `json:"recording_id"`
}

func listCalls(addr string) ([]call, error) {
	var all []call
	cursor := ""
	for {
		res, err := http.Get("http://" + addr + "/api/v1/calls?limit=500&cursor=" + cursor)
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

func waitAllEnded(addr string, n int) ([]call, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		list, err := listCalls(addr)
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

var vietnam = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

// checkRecording says what is wrong with a call's recording ("" when nothing is).
func checkRecording(data string, c call) string {
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
	// Both channels must carry sound in every second but the first and last (SIPp streams all along; the
	// hotline plays its greeting, then hold audio).
	for ch := 0; ch < 2; ch++ {
		for sec := 1; sec < frames/8000-1; sec++ {
			var energy float64
			for i := sec * 8000; i < (sec+1)*8000; i++ {
				v := float64(buf.Data[2*i+ch])
				energy += v * v
			}
			if energy/8000 < 1000 {
				return fmt.Sprintf("channel %d silent in second %d", ch, sec)
			}
		}
	}
	return ""
}
