package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"hotline/internal/pgtest"
)

// Tokens made with the CLI sign in to the API; an operator token acts only for its own extension; a revoked
// token stops working at once.
func TestTokensFromTheCLI(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t))
	h.start()
	h.addOperator("1001", "Lan", "secret-1001")
	h.addOperator("1002", "Minh", "secret-1002")
	desk := h.token("operator", "desk 1001", "1001")
	if !strings.HasPrefix(desk, "hl_") || len(desk) < 40 {
		t.Fatalf("token %q: want hl_ and 256 random bits", desk)
	}
	state := func(ext, token string) int {
		req, _ := http.NewRequest("POST", h.url("/api/v1/agents/"+ext+"/state"), strings.NewReader(`{"state":"paused","reason":"break"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := state("1001", desk); got != 200 {
		t.Errorf("operator 1001 pausing itself: %d, want 200", got)
	}
	if got := state("1002", desk); got != 403 {
		t.Errorf("operator 1001 pausing 1002: %d, want 403", got)
	}
	sup := h.token("supervisor", "duty supervisor")
	if got := state("1002", sup); got != 200 {
		t.Errorf("a supervisor pausing 1002: %d, want 200", got)
	}
	cli := func(args ...string) (int, string, string) {
		cmd := exec.Command(hotlineBin, args...)
		cmd.Env = append(os.Environ(), h.env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return code, stdout.String(), stderr.String()
	}
	if code, out, _ := cli("token", "list"); code != 0 || !strings.Contains(out, "desk 1001") || strings.Contains(out, desk) {
		t.Errorf("token list: exit %d\n%s\nwant the token's name and never its secret", code, out)
	}
	if code, _, errOut := cli("token", "create", "--role", "operator", "--name", "x"); code != 2 || !strings.Contains(errOut, "--operator") {
		t.Errorf("operator token without --operator: exit %d %s; want 2 naming --operator", code, errOut)
	}
	if code, _, errOut := cli("token", "create", "--role", "admin", "--name", "desk 1001"); code != 1 || !strings.Contains(errOut, "exists") {
		t.Errorf("a second token of one name: exit %d %s; want 1 saying it exists", code, errOut)
	}
	if code, _, errOut := cli("token", "revoke", "--name", "desk 1001"); code != 0 {
		t.Fatalf("token revoke: exit %d %s", code, errOut)
	}
	if got := state("1001", desk); got != 401 {
		t.Errorf("a revoked token: %d, want 401", got)
	}
}
