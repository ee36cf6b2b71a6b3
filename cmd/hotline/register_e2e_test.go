package main

import (
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"hotline/internal/pgtest"
)

// registerClient sends REGISTERs over UDP as a phone would, computing digest answers itself (SIPp knows
// only MD5; this one speaks SHA-256 too).
type registerClient struct {
	t    *testing.T
	conn *net.UDPConn
	port int
	seq  int
}

func newRegisterClient(t *testing.T, port int) *registerClient {
	conn, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &registerClient{t: t, conn: conn, port: port}
}

// register sends one REGISTER for ext (with an Authorization value when auth is not "") and returns the
// final response.
func (c *registerClient) register(ext, auth string) string { return c.registerFor(ext, auth, 600) }

func (c *registerClient) registerFor(ext, auth string, expires int) string {
	c.t.Helper()
	c.seq++
	local := c.conn.LocalAddr().String()
	var b strings.Builder
	b.WriteString("REGISTER sip:127.0.0.1:" + strconv.Itoa(c.port) + " SIP/2.0\r\n")
	b.WriteString("Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-reg-" + strconv.Itoa(c.seq) + strconv.FormatInt(time.Now().UnixNano(), 36) + "\r\n")
	b.WriteString("From: <sip:" + ext + "@127.0.0.1>;tag=r" + strconv.Itoa(c.seq) + "\r\n")
	b.WriteString("To: <sip:" + ext + "@127.0.0.1>\r\n")
	b.WriteString("Call-ID: reg-" + ext + "@test\r\nCSeq: " + strconv.Itoa(c.seq) + " REGISTER\r\n")
	b.WriteString("Contact: <sip:" + ext + "@" + local + ">\r\nExpires: " + strconv.Itoa(expires) + "\r\nMax-Forwards: 70\r\n")
	if auth != "" {
		b.WriteString("Authorization: " + auth + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := c.conn.Write([]byte(b.String())); err != nil {
		c.t.Fatal(err)
	}
	buf := make([]byte, 65535)
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.conn.Read(buf)
		if err != nil {
			c.t.Fatalf("REGISTER %s: no answer: %v", ext, err)
		}
		if res := string(buf[:n]); !strings.HasPrefix(res, "SIP/2.0 1") {
			return res
		}
	}
}

// answer computes an Authorization for a 401's challenge of the given algorithm.
func (c *registerClient) answer(res, algorithm, ext, password string) string {
	c.t.Helper()
	for _, line := range strings.Split(res, "\r\n") {
		v, ok := strings.CutPrefix(line, "WWW-Authenticate: ")
		if !ok || !strings.Contains(v, "algorithm="+algorithm) {
			continue
		}
		chal, err := digest.ParseChallenge(v)
		if err != nil {
			c.t.Fatal(err)
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1:" + strconv.Itoa(c.port),
			Username: ext, Password: password, Count: 1})
		if err != nil {
			c.t.Fatal(err)
		}
		return cred.String()
	}
	c.t.Fatalf("no %s challenge in:\n%s", algorithm, res)
	return ""
}

// shape is a response's status line and its header names and the values that do not name the request.
func shape(res string) string {
	lines := strings.Split(strings.TrimSpace(res), "\r\n")
	var out []string
	nonce := regexp.MustCompile(`nonce="[^"]*"`)
	for _, l := range lines[1:] {
		name, value, _ := strings.Cut(l, ":")
		switch name {
		case "Via", "From", "To", "Call-ID", "CSeq", "Content-Length":
			out = append(out, name)
		default:
			out = append(out, name+":"+nonce.ReplaceAllString(value, "nonce=…"))
		}
	}
	sort.Strings(out)
	return lines[0] + "\n" + strings.Join(out, "\n")
}

// A wrong password is answered exactly alike whether or not the extension exists; SHA-256 digest signs a
// phone in.
func TestRegisterAuthentication(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t))
	h.start()
	h.addOperator("1001", "Nguyễn Thị Lan", "mat-khau-dung")
	c := newRegisterClient(t, h.sipPort)

	known, missing := c.register("1001", ""), c.register("9999", "")
	if !strings.HasPrefix(known, "SIP/2.0 401") || shape(known) != shape(missing) {
		t.Fatalf("challenges differ between an operator and an unknown extension:\n%s\n---\n%s", known, missing)
	}
	for _, alg := range []string{"MD5", "SHA-256"} {
		k := c.register("1001", c.answer(known, alg, "1001", "mat-khau-sai"))
		m := c.register("9999", c.answer(missing, alg, "9999", "mat-khau-sai"))
		if !strings.HasPrefix(k, "SIP/2.0 403") || shape(k) != shape(m) {
			t.Errorf("%s, wrong password: the answers differ or are not 403:\n%s\n---\n%s", alg, k, m)
		}
	}
	ok := c.register("1001", c.answer(known, "SHA-256", "1001", "mat-khau-dung"))
	if !strings.HasPrefix(ok, "SIP/2.0 200") {
		t.Fatalf("SHA-256 with the right password: %s", ok)
	}
	if a, _ := h.agent("1001"); !a.Registered || a.State != "available" {
		t.Errorf("after registering, operator 1001 is %+v; want registered and available", a)
	}
	// Unregistering (Expires: 0), here with MD5, takes the operator offline.
	again := c.registerFor("1001", "", 0)
	if res := c.registerFor("1001", c.answer(again, "MD5", "1001", "mat-khau-dung"), 0); !strings.HasPrefix(res, "SIP/2.0 200") {
		t.Fatalf("unregistering with MD5: %s", res)
	}
	if a, _ := h.agent("1001"); a.Registered || a.State != "offline" {
		t.Errorf("after unregistering, operator 1001 is %+v; want offline", a)
	}
}

// A phone that stops answering the OPTIONS keepalive is no longer counted as registered (and so is not
// offered calls).
func TestUnreachablePhoneIsNotOffered(t *testing.T) {
	t.Parallel()
	h := newInstance(t, pgtest.NewDatabase(t), "HOTLINE_KEEPALIVE_EVERY=1s")
	h.start()
	h.addOperator("1001", "Nguyễn Thị Lan", "mat-khau-dung")
	c := newRegisterClient(t, h.sipPort)
	chal := c.register("1001", "")
	if res := c.register("1001", c.answer(chal, "MD5", "1001", "mat-khau-dung")); !strings.HasPrefix(res, "SIP/2.0 200") {
		t.Fatalf("register: %s", res)
	}
	if a, _ := h.agent("1001"); !a.Registered {
		t.Fatal("not registered after 200 OK")
	}
	// This phone never answers the hotline's OPTIONS.
	h.waitFor("the silent phone to count as unreachable", 20*time.Second, func() bool {
		a, _ := h.agent("1001")
		return !a.Registered
	})
}
