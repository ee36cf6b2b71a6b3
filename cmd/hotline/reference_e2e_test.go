package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"hotline/internal/pgtest"
)

// cli runs a hotline admin verb with the instance's settings; it returns the exit status, stdout, stderr.
func (h *instance) cli(args ...string) (int, string, string) {
	h.t.Helper()
	cmd := exec.Command(hotlineBin, args...)
	cmd.Env = append(os.Environ(), h.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// Departments, fields and holidays from the CLI, with or without hotline serve running.
func TestReferenceVerbs(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t))
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout, or stderr for failures
	}{
		{[]string{"department", "add", "--code", "xd", "--name", "Sở Xây dựng", "--email", "xd@example.vn",
			"--head", "Trần Văn Bình", "--head-email", "binh@example.vn"}, 0, "xd\tSở Xây dựng"},
		{[]string{"department", "add", "--code", "xd", "--name", "again"}, 1, "exists already"},
		{[]string{"department", "add", "--code", "X D", "--name", "bad"}, 2, "--code"},
		{[]string{"department", "add", "--code", "gt", "--name", "Sở GTVT", "--email", "nope"}, 2, "--email"},
		{[]string{"department", "update", "--code", "xd", "--webhook", "https://xd.example.vn/hook", "--secret", "s3cret"}, 0, ""},
		{[]string{"department", "update", "--code", "none", "--name", "x"}, 1, "no department"},
		{[]string{"department", "list"}, 0, "https://xd.example.vn/hook"},
		{[]string{"field", "set", "--code", "xd", "--department", "xd", "--days", "5", "--priority", "2"}, 0, ""},
		{[]string{"field", "set", "--code", "xd", "--days", "many"}, 2, "HOTLINE_FIELD_DAYS"},
		{[]string{"field", "set", "--code", "xd", "--department", "none"}, 1, "no department"},
		{[]string{"field", "list"}, 0, "xd    Xây dựng"},
		{[]string{"holiday", "add", "--date", "2027-05-03", "--name", "Nghỉ bù Quốc tế Lao động"}, 0, ""},
		{[]string{"holiday", "add", "--workday", "2027-04-24", "--name", "Làm bù"}, 0, ""},
		{[]string{"holiday", "add", "--date", "2027-05-03", "--name", "again"}, 1, "listed already"},
		{[]string{"holiday", "add", "--date", "2027-13-01", "--name", "x"}, 2, "not a date"},
		{[]string{"holiday", "add", "--name", "x"}, 2, "--date"},
		{[]string{"holiday", "list", "--year", "2027"}, 0, "2027-04-24  workday  added"},
		{[]string{"holiday", "list", "--year", "2027"}, 0, "2027-09-02  holiday  law"},
		{[]string{"holiday", "remove", "--date", "2027-05-03"}, 0, ""},
		{[]string{"holiday", "remove", "--date", "2027-05-03"}, 1, "not added"},
	} {
		code, out, errOut := h.cli(tc.args...)
		where := out
		if tc.code != 0 {
			where = errOut
		}
		if code != tc.code || !strings.Contains(where, tc.out) {
			t.Errorf("hotline %s: exit %d\nstdout: %s\nstderr: %s\nwant exit %d with %q", strings.Join(tc.args, " "),
				code, out, errOut, tc.code, tc.out)
		}
		if code != 0 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("hotline %s: a failure of more than one line: %s", strings.Join(tc.args, " "), errOut)
		}
	}
	if _, out, _ := h.cli("field", "list"); !strings.Contains(out, "xd    Xây dựng") || !strings.Contains(out, "5") {
		t.Errorf("field list:\n%s", out)
	}
}

// hotline jobs lists the scheduled jobs with their schedules, last and next runs, as serve runs them.
func TestJobsVerb(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_PURGE_SCHEDULE=@every 1s")
	h.start()
	var out string
	h.waitFor("a run of purge_idempotency_keys", 20*time.Second, func() bool {
		code, o, _ := h.cli("jobs")
		out = o
		return code == 0 && strings.Contains(o, "purge_idempotency_keys") && strings.Contains(o, " ok ")
	})
	if !strings.Contains(out, "key(s) older than a day deleted") || !strings.Contains(out, "@every 1s") {
		t.Errorf("hotline jobs:\n%s", out)
	}
}
