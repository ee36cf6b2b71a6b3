package sdp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture reads testdata/name.
func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fixtures lists the offers in testdata.
func fixtures(tb testing.TB) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.sdp"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// body joins lines into an SDP body with CRLF line endings.
func body(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// header is the start of a valid offer, to which tests add lines.
var header = []string{
	"v=0",
	"o=- 1 1 IN IP4 192.0.2.10",
	"s=-",
	"c=IN IP4 192.0.2.10",
	"t=0 0",
}

// offer is header followed by lines.
func offer(lines ...string) []byte {
	return body(append(append([]string{}, header...), lines...)...)
}
