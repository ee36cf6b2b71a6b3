package telephony

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hotline/telephony/media"
	"hotline/telephony/sdp"
)

// holdHandler keeps every call it is given unanswered until release closes (or the call ends), and
// refuses calls without a usable offer as the call flow does.
type holdHandler struct {
	release chan struct{}
	mu      sync.Mutex
	calls   []*Call
}

func (h *holdHandler) HandleCall(c *Call) {
	h.mu.Lock()
	h.calls = append(h.calls, c)
	h.mu.Unlock()
	if err := c.Offer(); err != nil {
		_ = c.Reject(err)
		return
	}
	select {
	case <-h.release:
	case <-c.Context().Done():
	}
}

func startServer(t *testing.T, cfg Config) (*Server, *holdHandler, int) {
	t.Helper()
	port := freePort(t)
	cfg.Listen = []Listen{{"udp", "127.0.0.1:" + strconv.Itoa(port)}, {"tcp", "127.0.0.1:" + strconv.Itoa(port)}}
	cfg.Log = slog.New(slog.DiscardHandler)
	lo := 30000 + 2*(port%10000)
	engine, err := media.NewEngine(lo, lo+200, cfg.Log)
	if err != nil {
		t.Fatal(err)
	}
	engine.Start()
	h := &holdHandler{release: make(chan struct{})}
	s, err := NewServer(cfg, engine, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(h.release)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
		engine.Stop()
	})
	return s, h, port
}

func freePort(t *testing.T) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		u.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

var branches atomic.Int64

// request writes a SIP request from a test client at local.
func request(method, local string, port int, callID string, body string, extra ...string) string {
	branch := branches.Add(1)
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:1900@127.0.0.1:%d SIP/2.0\r\n", method, port)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-%d-%d\r\n", local, time.Now().UnixNano(), branch)
	fmt.Fprintf(&b, "From: \"Tester\" <sip:0912345678@%s>;tag=t%d\r\n", local, branch)
	fmt.Fprintf(&b, "To: <sip:1900@127.0.0.1:%d>\r\n", port)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: 1 %s\r\nMax-Forwards: 70\r\n", callID, method)
	fmt.Fprintf(&b, "Contact: <sip:0912345678@%s>\r\n", local)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

func offer(pts string) string {
	return "v=0\r\no=t 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP " + pts + "\r\n"
}

type udpClient struct {
	t    *testing.T
	conn *net.UDPConn
}

func dialUDP(t *testing.T, port int) *udpClient {
	t.Helper()
	return dialUDPFrom(t, net.IPv4(127, 0, 0, 1), port)
}

// dialUDPFrom is a client on another loopback address (a second caller's address).
func dialUDPFrom(t *testing.T, ip net.IP, port int) *udpClient {
	t.Helper()
	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: ip}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &udpClient{t, conn}
}

func (c *udpClient) local() string { return c.conn.LocalAddr().String() }

func (c *udpClient) send(msg string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

// final reads responses until a final one (≥ 200) and returns its status line and text.
func (c *udpClient) final() (int, string) {
	c.t.Helper()
	return c.finalFor("")
}

// finalFor reads responses until a final one to the request with this Call-ID ("" for any).
func (c *udpClient) finalFor(callID string) (int, string) {
	c.t.Helper()
	buf := make([]byte, 65535)
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.conn.Read(buf)
		if err != nil {
			c.t.Fatalf("no final response: %v", err)
		}
		msg := string(buf[:n])
		code, _ := strconv.Atoi(strings.Fields(msg)[1])
		if code >= 200 && (callID == "" || strings.Contains(msg, "Call-ID: "+callID+"\r\n")) {
			return code, msg
		}
	}
}

func (c *udpClient) options(port int) int {
	id := fmt.Sprintf("opt-%d@test", branches.Add(1))
	c.send(request("OPTIONS", c.local(), port, id, ""))
	code, _ := c.finalFor(id)
	return code
}

// Beyond MaxCalls in total or MaxCallsPerSource from one address, INVITEs get 503 with Retry-After; the
// calls already admitted are unaffected.
func TestLimitsAnswer503(t *testing.T) {
	t.Parallel()
	s, h, port := startServer(t, Config{MaxCalls: 3, MaxCallsPerSource: 2})
	a, b := dialUDP(t, port), dialUDPFrom(t, net.IPv4(127, 0, 0, 2), port)
	for i, c := range []*udpClient{a, a} {
		c.send(request("INVITE", c.local(), port, fmt.Sprintf("lim-%d@test", i), offer("8")))
	}
	waitUntil(t, "two calls held", func() bool { return s.Calls() == 2 })
	a.send(request("INVITE", a.local(), port, "lim-a3@test", offer("8")))
	if code, msg := a.final(); code != 503 || !strings.Contains(msg, "Retry-After:") {
		t.Errorf("third call from one address: %d, want 503 with Retry-After", code)
	}
	b.send(request("INVITE", b.local(), port, "lim-b1@test", offer("8")))
	waitUntil(t, "the third call held", func() bool { return s.Calls() == 3 })
	b.send(request("INVITE", b.local(), port, "lim-b2@test", offer("8")))
	if code, _ := b.final(); code != 503 {
		t.Errorf("fourth call in total: %d, want 503", code)
	}
	h.mu.Lock()
	n := len(h.calls)
	h.mu.Unlock()
	if n != 3 {
		t.Errorf("handler saw %d calls, want 3", n)
	}
}

// After Drain every new INVITE gets 503.
func TestDrainRefusesNewCalls(t *testing.T) {
	t.Parallel()
	s, _, port := startServer(t, Config{})
	s.Drain()
	c := dialUDP(t, port)
	c.send(request("INVITE", c.local(), port, "drain@test", offer("8")))
	if code, _ := c.final(); code != 503 {
		t.Errorf("INVITE while draining: %d, want 503", code)
	}
	if code := c.options(port); code != 200 {
		t.Errorf("OPTIONS while draining: %d, want 200 (the trunk must not think we are dead)", code)
	}
}

// A call with no usable offer reaches the handler, which refuses it with 488 and a Warning.
func TestNoCommonCodecIs488(t *testing.T) {
	t.Parallel()
	_, h, port := startServer(t, Config{})
	c := dialUDP(t, port)
	c.send(request("INVITE", c.local(), port, "g729@test", offer("18")))
	code, msg := c.final()
	if code != 488 || !strings.Contains(msg, "Warning: 399") {
		t.Errorf("G.729-only offer: %d, want 488 with a Warning\n%s", code, msg)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.calls) != 1 || !errors.Is(h.calls[0].Offer(), sdp.ErrNoCodec) {
		t.Errorf("handler calls %d, offer error %v", len(h.calls), h.calls[0].Offer())
	}
}

// Values from the caller are cleaned before they are kept: no control characters, quotes or angle
// brackets (which could break a header they are copied into), bounded length.
func TestCleanCallerValues(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0912345678":             "0912345678",
		"Nguyễn Văn An":          "Nguyễn Văn An",
		"evil\r\nX-Injected: 1":  "evilX-Injected: 1",
		`"quoted" <sip:x@y>`:     "quoted sip:x@y",
		"bad\xffutf8":            "badutf8",
		strings.Repeat("9", 100): strings.Repeat("9", 64),
		strings.Repeat("ễ", 40):  strings.Repeat("ễ", 21),
	} {
		if got := clean(in, 64); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSIPStatusTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		code int
	}{
		{errDraining, 503}, {errTooManyCalls, 503}, {errTooManyFromSource, 503}, {media.ErrNoPorts, 503},
		{sdp.ErrNoCodec, 488}, {sdp.ErrNoAudio, 488}, {errNoOffer, 488},
		{sdp.ErrMalformed, 400}, {errBadRequest, 400}, {errUnknownDialog, 481},
		{RejectError{Code: 486, Reason: "Busy Here"}, 486},
		{fmt.Errorf("wrapped: %w", errTooManyCalls), 503},
		{errors.New("anything else"), 500},
	} {
		if code, _ := sipStatus(tc.err); code != tc.code {
			t.Errorf("sipStatus(%v) = %d, want %d", tc.err, code, tc.code)
		}
	}
}

func TestParseListen(t *testing.T) {
	t.Parallel()
	got, err := ParseListen("udp:0.0.0.0:5060, tcp:[::1]:5061")
	if err != nil || len(got) != 2 || got[1] != (Listen{"tcp", "[::1]:5061"}) {
		t.Errorf("ParseListen: %v, %v", got, err)
	}
	for _, bad := range []string{"", "sctp:0.0.0.0:5060", "udp:localhost:5060", "udp:0.0.0.0", "tcp"} {
		if _, err := ParseListen(bad); err == nil {
			t.Errorf("ParseListen(%q): no error", bad)
		}
	}
}

// Every RFC 4475 torture message, over UDP and over TCP, leaves the server answering; none starts a call
// that is never released.
func TestTortureMessagesLeaveTheServerAnswering(t *testing.T) {
	t.Parallel()
	s, _, port := startServer(t, Config{})
	// The messages of RFC 4475 (as sipgo ships them), valid and invalid.
	files, err := filepath.Glob(filepath.Join("testdata", "torture", "*", "*.dat"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no torture messages found: %v", err)
	}
	udp := dialUDP(t, port)
	for _, f := range files {
		msg, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		udp.send(string(msg))
		tcp, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = tcp.Write(msg)
		tcp.Close()
		if code := udp.options(port); code != 200 {
			t.Fatalf("after %s: OPTIONS answered %d", filepath.Base(f), code)
		}
	}
	waitUntil(t, "torture calls released", func() bool { return s.Calls() == 0 })
}

// A TCP peer announcing a huge body is cut off without the server reserving it.
func TestHugeContentLengthOverTCP(t *testing.T) {
	t.Parallel()
	_, _, port := startServer(t, Config{})
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	msg := strings.Replace(request("OPTIONS", conn.LocalAddr().String(), port, "huge@test", ""),
		"Content-Length: 0", "Content-Length: 4000000000", 1)
	_, _ = conn.Write([]byte(msg))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("the server answered a message announcing a 4 GB body; want the connection closed")
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 64<<20 {
		t.Errorf("heap grew by %d MiB after a 4 GB Content-Length", grew>>20)
	}
	if code := dialUDP(t, port).options(port); code != 200 {
		t.Errorf("OPTIONS after the huge message: %d", code)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
