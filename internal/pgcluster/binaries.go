package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// versionedBinGlob is where Debian and Ubuntu install each major version.
const versionedBinGlob = "/usr/lib/postgresql/*/bin"

// serverPrograms must all be present in one directory for it to be used.
var serverPrograms = []string{"initdb", "pg_ctl", "postgres"}

// binaries is one installation of the PostgreSQL server programs.
type binaries struct {
	dir   string // the directory holding initdb, pg_ctl and postgres (symlinks resolved)
	major int    // the major version, e.g. 15
}

func (b binaries) path(program string) string { return filepath.Join(b.dir, program) }

// findBinaries returns the installation to use: the newest major version
// among the directories of pathEnv (a PATH value) and those matching glob, or,
// when want is not zero, the installation of that major version (the one that
// made an existing cluster in clusterDir).
func findBinaries(ctx context.Context, pathEnv, glob string, want int, clusterDir string) (binaries, error) {
	var dirs []string
	for _, d := range filepath.SplitList(pathEnv) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if glob != "" {
		matches, err := filepath.Glob(glob)
		if err != nil {
			return binaries{}, fmt.Errorf("search %s: %w", glob, err)
		}
		slices.Sort(matches)
		dirs = append(dirs, matches...)
	}

	var found []binaries
	seen := map[string]bool{}
	for _, d := range dirs {
		dir, ok := serverDir(d)
		if !ok || seen[dir] {
			continue
		}
		seen[dir] = true
		major, err := programMajor(ctx, filepath.Join(dir, "pg_ctl"))
		if err != nil {
			continue
		}
		found = append(found, binaries{dir: dir, major: major})
	}
	// Newest major first; among equals, the earlier place (PATH before the
	// versioned directories) wins.
	slices.SortStableFunc(found, func(a, b binaries) int { return b.major - a.major })

	if want == 0 {
		if len(found) == 0 {
			return binaries{}, ErrNoBinaries
		}
		return found[0], nil
	}
	for _, b := range found {
		if b.major == want {
			return b, nil
		}
	}
	majors := make([]int, 0, len(found))
	for _, b := range found {
		majors = append(majors, b.major)
	}
	return binaries{}, &versionError{dir: clusterDir, major: want, found: majors}
}

// serverDir reports whether d holds all the server programs, and returns the
// directory they really live in: pg_ctl finds postgres next to its own
// resolved path, so a directory of symlinks is replaced by their target.
func serverDir(d string) (string, bool) {
	for _, p := range serverPrograms {
		if !isExecutable(filepath.Join(d, p)) {
			return "", false
		}
	}
	real, err := filepath.EvalSymlinks(filepath.Join(d, "pg_ctl"))
	if err != nil {
		return "", false
	}
	dir := filepath.Dir(real)
	for _, p := range serverPrograms {
		if !isExecutable(filepath.Join(dir, p)) {
			return "", false
		}
	}
	return dir, true
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// programMajor runs "program --version" (allowed as root) and returns the
// major version it reports.
func programMajor(ctx context.Context, program string) (int, error) {
	out, err := exec.CommandContext(ctx, program, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s --version: %w", program, err)
	}
	return parseVersionOutput(string(out))
}

// parseVersionOutput reads the major version from a line such as
// "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)".
func parseVersionOutput(out string) (int, error) {
	const marker = "(PostgreSQL) "
	i := strings.Index(out, marker)
	if i < 0 {
		return 0, fmt.Errorf("unexpected version output %q", firstLine(out))
	}
	rest := out[i+len(marker):]
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	major, err := strconv.Atoi(rest[:end])
	if err != nil || major < 10 {
		return 0, fmt.Errorf("unsupported PostgreSQL version in %q (10 or newer is needed)", firstLine(out))
	}
	return major, nil
}

// clusterMajor returns the major version recorded in a cluster's PG_VERSION
// file, or 0 when dir holds no cluster.
func clusterMajor(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cluster version: %w", err)
	}
	major, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || major < 10 {
		return 0, fmt.Errorf("cluster %s has PG_VERSION %q: only PostgreSQL 10 or newer is supported", dir, strings.TrimSpace(string(b)))
	}
	return major, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
