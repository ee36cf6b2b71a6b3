package pgcluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinaries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// The machine's own installation is the reference: tests need it anyway.
	ref, err := findBinaries(ctx, os.Getenv("PATH"), versionedBinGlob, 0, "")
	if err != nil {
		t.Fatalf("no PostgreSQL on this machine: %v", err)
	}
	// A directory of symlinks, the way a PATH entry often is.
	links := t.TempDir()
	for _, p := range serverPrograms {
		if err := os.Symlink(ref.path(p), filepath.Join(links, p)); err != nil {
			t.Fatal(err)
		}
	}
	partial := t.TempDir()
	if err := os.Symlink(ref.path("pg_ctl"), filepath.Join(partial, "pg_ctl")); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		path     string
		glob     string
		want     int
		wantDir  string
		wantErr  error
		wantText string
	}{
		{name: "versioned directories only", glob: versionedBinGlob, wantDir: ref.dir},
		{name: "PATH of symlinks resolves to the real directory", path: links, wantDir: ref.dir},
		{name: "a directory missing initdb and postgres is passed over", path: partial + ":" + links, wantDir: ref.dir},
		{name: "the version an existing cluster needs", path: links, want: ref.major, wantDir: ref.dir},
		{name: "nothing anywhere", path: t.TempDir(), glob: filepath.Join(t.TempDir(), "*", "bin"),
			wantErr: ErrNoBinaries, wantText: "apt-get install -y postgresql"},
		{name: "only other versions than the cluster's", path: links, want: 99,
			wantErr: ErrNoBinaries, wantText: "apt-get install -y postgresql-99"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := findBinaries(ctx, tc.path, tc.glob, tc.want, "/data/pg")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("err = %v, want %v saying %q", err, tc.wantErr, tc.wantText)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.dir != tc.wantDir || got.major != ref.major {
				t.Errorf("found %+v, want dir %s major %d", got, tc.wantDir, ref.major)
			}
		})
	}
}

func TestParseVersionOutput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		out     string
		want    int
		wantErr bool
	}{
		{name: "debian", out: "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n", want: 15},
		{name: "plain", out: "pg_ctl (PostgreSQL) 17.2\n", want: 17},
		{name: "development snapshot", out: "pg_ctl (PostgreSQL) 18devel\n", want: 18},
		{name: "too old", out: "pg_ctl (PostgreSQL) 9.6.24\n", wantErr: true},
		{name: "not postgres", out: "pg_ctl 1.0\n", wantErr: true},
		{name: "no number", out: "pg_ctl (PostgreSQL) \n", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseVersionOutput(tc.out)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseVersionOutput(%q) = %d, %v; want %d, error %v", tc.out, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestClusterMajor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		content string // "" means no PG_VERSION file
		want    int
		wantErr bool
	}{
		{name: "no cluster", want: 0},
		{name: "version 15", content: "15\n", want: 15},
		{name: "too old", content: "9.6\n", wantErr: true},
		{name: "garbage", content: "x\n", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.content != "" {
				if err := os.WriteFile(filepath.Join(dir, "PG_VERSION"), []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := clusterMajor(dir)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("clusterMajor = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
