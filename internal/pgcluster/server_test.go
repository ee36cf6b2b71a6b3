package pgcluster

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestShellJoinSurvivesTheShell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
	}{
		{"server options", serverOptions(layout{run: "/srv/my data/run"}, Options{})},
		{"single quotes", []string{"it's", "'", "''"}},
		{"shell syntax", []string{"$(true)", "`x`", "a;b", "*", "\\", `"`}},
		{"empty values", []string{"", "listen_addresses="}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// pg_ctl hands -o to /bin/sh; printf shows what arrives.
			out, err := exec.Command("/bin/sh", "-c", `printf '%s\0' `+shellJoin(tc.args)).Output()
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if !slices.Equal(got, tc.args) {
				t.Errorf("the shell saw %q, want %q", got, tc.args)
			}
		})
	}
}

func TestLastLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"fewer than n", "a\nb\n", 5, "a\nb"},
		{"more than n", "1\n2\n3\n4\n", 2, "3\n4"},
		{"trailing blank lines", "a\n\n\n", 1, "a"},
		{"empty", "", 3, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := lastLines([]byte(tc.in), tc.n); got != tc.want {
				t.Errorf("lastLines(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestAncestors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dir  string
		want []string
	}{
		{"/", []string{"/"}},
		{"/root/clone/var", []string{"/", "/root", "/root/clone", "/root/clone/var"}},
		{"/a/../b/", []string{"/", "/b"}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			if got := ancestors(tc.dir); !slices.Equal(got, tc.want) {
				t.Errorf("ancestors(%q) = %q, want %q", tc.dir, got, tc.want)
			}
		})
	}
}
