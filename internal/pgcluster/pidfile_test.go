package pgcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePIDFile(t *testing.T) {
	t.Parallel()
	real, err := os.ReadFile(filepath.Join("testdata", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		in      string
		want    pidFile
		wantErr bool
	}{
		{name: "a ready server (PostgreSQL 15)", in: string(real),
			want: pidFile{pid: 5461, dataDir: "/tmp/pgt-C7Pr/pg", socketDir: "/tmp/pgt-C7Pr/run", status: "ready"}},
		{name: "a standalone backend writes its PID negated", in: "-77\n/d/pg\n",
			want: pidFile{pid: 77, dataDir: "/d/pg"}},
		{name: "a server still starting", in: "12\n/d/pg\n1\n5432\n/r\n\n  0 0\nstarting\n",
			want: pidFile{pid: 12, dataDir: "/d/pg", socketDir: "/r", status: "starting"}},
		{name: "empty, as a crash mid-write leaves it", in: "", wantErr: true},
		{name: "PID only", in: "12", wantErr: true},
		{name: "zero PID", in: "0\n/d\n", wantErr: true},
		{name: "PID beyond pid_max", in: "99999999\n/d\n", wantErr: true},
		{name: "plus sign", in: "+12\n/d\n", wantErr: true},
		{name: "relative data directory", in: "12\nd/pg\n", wantErr: true},
		{name: "not a number", in: "abc\n/d\n", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parsePIDFile([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, errPIDFile) {
					t.Errorf("parsePIDFile(%q) = %+v, %v; want errPIDFile", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parsePIDFile(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func FuzzParsePIDFile(f *testing.F) {
	real, err := os.ReadFile(filepath.Join("testdata", "postmaster.pid"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte("-77\n/d/pg\n"))
	f.Add([]byte(""))
	f.Add([]byte("4194304\n/\n\n\n\n\n\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := parsePIDFile(b)
		if err != nil {
			if !errors.Is(err, errPIDFile) {
				t.Fatalf("error %v does not wrap errPIDFile", err)
			}
			return
		}
		if pf.pid <= 0 || pf.pid > maxPID {
			t.Errorf("accepted PID %d", pf.pid)
		}
		if !filepath.IsAbs(pf.dataDir) {
			t.Errorf("accepted relative data directory %q", pf.dataDir)
		}
		if strings.ContainsRune(pf.dataDir, '\n') || strings.ContainsRune(pf.status, '\n') {
			t.Errorf("a field spans lines: %+v", pf)
		}
	})
}

func TestInspectServerWithoutPIDFile(t *testing.T) {
	t.Parallel()
	in, err := inspectServer(t.TempDir())
	if err != nil || in.state != serverStopped {
		t.Errorf("inspectServer(empty dir) = %+v, %v; want stopped", in, err)
	}
}

func TestArgAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		argv []string
		want string
	}{
		{"separate", []string{"postgres", "-D", "/d/pg", "-c", "x=y"}, "/d/pg"},
		{"joined", []string{"postgres", "-D/d/pg"}, "/d/pg"},
		{"missing value", []string{"postgres", "-D"}, ""},
		{"absent", []string{"postgres: checkpointer "}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := argAfter(tc.argv, "-D"); got != tc.want {
				t.Errorf("argAfter(%q) = %q, want %q", tc.argv, got, tc.want)
			}
		})
	}
}
