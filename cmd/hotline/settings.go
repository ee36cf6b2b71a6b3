package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// setting is one configuration value: a flag, its HOTLINE_* environment variable, and a default. The flag
// wins over the variable, which wins over the default.
type setting struct {
	flag, env, def, help string
	value                string
	fromFlag, fromEnv    bool
}

// settings is the configuration of one verb, read from flags and the environment.
type settings struct {
	fs    *flag.FlagSet
	list  []*setting
	byEnv map[string]*setting
}

func newSettings(verb string) *settings {
	fs := flag.NewFlagSet("hotline "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &settings{fs: fs, byEnv: map[string]*setting{}}
}

// add declares a setting; flagName may be "" to derive it from the variable (HOTLINE_RTP_TIMEOUT →
// --rtp-timeout).
func (s *settings) add(flagName, env, def, help string) {
	if flagName == "" {
		flagName = strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(env, "HOTLINE_")), "_", "-")
	}
	st := &setting{flag: flagName, env: env, def: def, help: help, value: def}
	s.list = append(s.list, st)
	s.byEnv[env] = st
	s.fs.Func(flagName, help, func(v string) error {
		st.value, st.fromFlag = v, true
		return nil
	})
}

// parse reads the flags in args, then the environment for the settings no flag set.
func (s *settings) parse(args []string, getenv func(string) string) error {
	if err := s.fs.Parse(args); err != nil {
		return err
	}
	if s.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", s.fs.Arg(0))
	}
	for _, st := range s.list {
		if st.fromFlag {
			continue
		}
		if v, ok := lookup(getenv, st.env); ok {
			st.value, st.fromEnv = v, true
		}
	}
	return nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	if getenv == nil {
		return os.LookupEnv(name)
	}
	v := getenv(name)
	return v, v != ""
}

// usage writes the verb's settings with their variables and defaults.
func (s *settings) usage(w io.Writer, synopsis string) {
	fmt.Fprintf(w, "Usage: %s\n\nSettings (flag, environment variable, default):\n", synopsis)
	for _, st := range s.list {
		def := st.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%s, %s (default %s)\n      %s\n", st.flag, st.env, def, st.help)
	}
}

// badValue is a configuration value that cannot be used; its message names the setting and what it takes.
type badValue struct {
	st   *setting
	want string
}

func (e badValue) Error() string {
	return fmt.Sprintf("%s (--%s) is %q: want %s", e.st.env, e.st.flag, e.st.value, e.want)
}

func (s *settings) get(env string) *setting {
	st, ok := s.byEnv[env]
	if !ok {
		panic("undeclared setting " + env)
	}
	return st
}

func (s *settings) str(env string) string { return s.get(env).value }

// given returns the value when a flag or the environment gave one, nil when it is the default.
func (s *settings) given(env string) *string {
	st := s.get(env)
	if !st.fromFlag && !st.fromEnv {
		return nil
	}
	v := st.value
	return &v
}

func (s *settings) duration(env string, min time.Duration) (time.Duration, error) {
	st := s.get(env)
	d, err := time.ParseDuration(st.value)
	if err != nil || d < min {
		return 0, badValue{st, fmt.Sprintf("a duration of at least %s, like 60s or 2m", min)}
	}
	return d, nil
}

func (s *settings) integer(env string, lo, hi int) (int, error) {
	st := s.get(env)
	n, err := strconv.Atoi(st.value)
	if err != nil || n < lo || n > hi {
		return 0, badValue{st, fmt.Sprintf("a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}

func (s *settings) portRange(env string) (int, int, error) {
	st := s.get(env)
	a, b, ok := strings.Cut(st.value, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || hi < lo+1 {
		return 0, 0, badValue{st, "a UDP port range LOW-HIGH within 1024-65535 holding at least one pair, like 20000-29999"}
	}
	return lo, hi, nil
}

func (s *settings) ip(env string) (netip.Addr, error) {
	st := s.get(env)
	if st.value == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(st.value)
	if err != nil || a.IsUnspecified() {
		return netip.Addr{}, badValue{st, "an IP address callers can reach, like 203.0.113.10"}
	}
	return a, nil
}
