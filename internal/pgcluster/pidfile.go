package pgcluster

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pidFileName is the lock file a running server keeps in its data directory.
const pidFileName = "postmaster.pid"

// maxPID is the largest process id Linux hands out (pid_max's ceiling).
const maxPID = 1 << 22

var errPIDFile = errors.New("malformed postmaster.pid")

// pidFile is what a server wrote into postmaster.pid (or into the lock file
// beside its socket, which holds the first five lines).
type pidFile struct {
	pid       int    // the postmaster's process id
	dataDir   string // line 2: the data directory it serves
	socketDir string // line 5: its first socket directory
	status    string // line 8: "starting", "stopping", "ready" or "standby"
}

// parsePIDFile reads the lines PostgreSQL writes: PID (negated for a
// standalone backend), data directory, start time, port, socket directory,
// listen address, shared memory key, status.
func parsePIDFile(b []byte) (pidFile, error) {
	lines := strings.Split(string(b), "\n")
	if len(lines) < 2 {
		return pidFile{}, fmt.Errorf("%w: %d lines, want at least 2", errPIDFile, len(lines))
	}
	first := strings.TrimSpace(lines[0])
	pid, err := strconv.Atoi(strings.TrimPrefix(first, "-"))
	if err != nil || pid <= 0 || pid > maxPID || strings.HasPrefix(first, "+") {
		return pidFile{}, fmt.Errorf("%w: bad process id %q", errPIDFile, first)
	}
	pf := pidFile{pid: pid, dataDir: lines[1]}
	if pf.dataDir == "" || !filepath.IsAbs(pf.dataDir) {
		return pidFile{}, fmt.Errorf("%w: data directory %q is not absolute", errPIDFile, pf.dataDir)
	}
	if len(lines) > 4 {
		pf.socketDir = lines[4]
	}
	if len(lines) > 7 {
		pf.status = strings.TrimSpace(lines[7])
	}
	return pf, nil
}

// serverState is what postmaster.pid says about a cluster once checked
// against the live processes.
type serverState int

const (
	serverStopped serverState = iota // no postmaster.pid
	serverRunning                    // a live postgres serving this cluster owns it
	serverStale                      // left by a server that is gone
)

// inspection is the result of inspectServer.
type inspection struct {
	state  serverState
	pid    int    // from the file, when it could be read
	status string // the file's status line, when running
	reason string // why a file is stale, for the log
}

// inspectServer reads pgDir's postmaster.pid and decides whether a live
// server owns it. A file is stale when no process has its PID, when that
// process has exited (a zombie nobody reaped), or when it is not a postgres
// serving pgDir: PIDs are reused, and after a kill -9 or a reboot the number
// may belong to anything. Nothing is changed here.
func inspectServer(pgDir string) (inspection, error) {
	b, err := os.ReadFile(filepath.Join(pgDir, pidFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return inspection{state: serverStopped}, nil
	}
	if err != nil {
		return inspection{}, fmt.Errorf("read %s: %w", pidFileName, err)
	}
	pf, err := parsePIDFile(b)
	if err != nil {
		return inspection{state: serverStale, reason: err.Error()}, nil
	}
	ours, reason := servesDir(pf, pgDir)
	if !ours {
		return inspection{state: serverStale, pid: pf.pid, reason: reason}, nil
	}
	return inspection{state: serverRunning, pid: pf.pid, status: pf.status}, nil
}

// servesDir reports whether the process pf names is a live postgres serving
// pgDir, and if not, why.
func servesDir(pf pidFile, pgDir string) (bool, string) {
	p, err := readProcess(pf.pid)
	if err != nil {
		return false, fmt.Sprintf("no process has PID %d", pf.pid)
	}
	if !p.alive {
		return false, fmt.Sprintf("process %d has exited", pf.pid)
	}
	if len(p.argv) == 0 || !isPostgresName(p.argv[0]) {
		name := ""
		if len(p.argv) > 0 {
			name = p.argv[0]
		}
		return false, fmt.Sprintf("PID %d now belongs to %q, not to postgres", pf.pid, firstLine(name))
	}
	// The postmaster's working directory is its data directory; when that
	// cannot be read, its -D argument and then the file's own line stand in.
	dir := p.cwd
	if dir == "" {
		dir = argAfter(p.argv, "-D")
	}
	if dir == "" {
		dir = pf.dataDir
	}
	if !sameDir(dir, pgDir) {
		return false, fmt.Sprintf("PID %d is a postgres serving another data directory (%s)", pf.pid, dir)
	}
	if st, err := os.Stat(pgDir); err == nil {
		if uid := int(st.Sys().(*syscall.Stat_t).Uid); uid != p.uid {
			return false, fmt.Sprintf("PID %d is a postgres of uid %d, but the cluster belongs to uid %d", pf.pid, p.uid, uid)
		}
	}
	return true, ""
}

func isPostgresName(argv0 string) bool {
	base := filepath.Base(strings.TrimSpace(argv0))
	return base == "postgres" || base == "postmaster" || strings.HasPrefix(base, "postgres:")
}

func argAfter(argv []string, flag string) string {
	for i, a := range argv {
		if a == flag {
			if i+1 < len(argv) {
				return argv[i+1]
			}
			return ""
		}
		if v, ok := strings.CutPrefix(a, flag); ok {
			return v
		}
	}
	return ""
}

// sameDir reports whether a and b name one directory.
func sameDir(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// process is what /proc tells about one process.
type process struct {
	alive bool     // running or sleeping, not a zombie
	argv  []string // its command line (empty for zombies)
	cwd   string   // its working directory, "" when not readable
	uid   int      // its owner
}

func readProcess(pid int) (process, error) {
	base := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(base + "/stat")
	if err != nil {
		return process{}, err
	}
	var p process
	// The state follows the command name, which is in parentheses and may
	// itself hold parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		state := stat[i+2]
		p.alive = state != 'Z' && state != 'X' && state != 'x'
	}
	if st, err := os.Stat(base); err == nil {
		p.uid = int(st.Sys().(*syscall.Stat_t).Uid)
	}
	if cmdline, err := os.ReadFile(base + "/cmdline"); err == nil && len(cmdline) > 0 {
		p.argv = strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
	}
	if cwd, err := os.Readlink(base + "/cwd"); err == nil {
		p.cwd = cwd
	}
	return p, nil
}

// serverProcesses lists the live processes whose working directory is pgDir:
// a postmaster and its children all work there. After a postmaster is killed
// its children linger for a moment; a new server must not start before they
// are gone.
func serverProcesses(pgDir string) []int {
	real, err := filepath.EvalSymlinks(pgDir)
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink("/proc/" + e.Name() + "/cwd")
		if err != nil || cwd != real {
			continue
		}
		if p, err := readProcess(pid); err == nil && p.alive {
			pids = append(pids, pid)
		}
	}
	return pids
}
