package notify_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"hotline/notify"
)

// received is one message an SMTP server in a test took.
type received struct {
	user string // who authenticated, if anyone
	tls  bool   // whether the connection was encrypted
	from string
	to   []string
	data []byte
}

// mailServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that keeps what it receives.
type mailServer struct {
	addr  string
	users map[string]string // user → password; nil: no AUTH offered
	mu    sync.Mutex
	got   []received
}

// newMailServer starts an SMTP server, stopped at the end of the test. With tlsConfig it offers STARTTLS;
// AUTH PLAIN over plain text is allowed (tests only).
func newMailServer(t *testing.T, users map[string]string, tlsConfig *tls.Config) *mailServer {
	t.Helper()
	ms := &mailServer{users: users}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &mailSession{server: ms, conn: c}, nil
	}))
	s.Domain = "mail.test"
	s.AllowInsecureAuth = true
	s.TLSConfig = tlsConfig
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return ms
}

func (ms *mailServer) port() string {
	_, p, _ := net.SplitHostPort(ms.addr)
	return p
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.got...)
}

type mailSession struct {
	server *mailServer
	conn   *smtp.Conn
	msg    received
}

func (s *mailSession) AuthMechanisms() []string {
	if s.server.users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if want, ok := s.server.users[user]; !ok || want != password {
			return errors.New("wrong user or password")
		}
		s.msg.user = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.users != nil && s.msg.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.msg
	m.data = b
	_, m.tls = s.conn.TLSConnectionState()
	s.server.mu.Lock()
	s.server.got = append(s.server.got, m)
	s.server.mu.Unlock()
	s.msg.from, s.msg.to = "", nil
	return nil
}

func (s *mailSession) Reset()        { s.msg.from, s.msg.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// The reminder as the escalation code will write it.
var (
	reminderSubject = notify.MustTemplate("subject", `[Đường dây nóng] Phản ánh {{.Code}} sắp đến hạn xử lý`)
	reminderBody    = notify.MustTemplate("body", `Kính gửi {{.Department}},

Phản ánh {{.Code}} (lĩnh vực {{.Field}}) đến hạn xử lý lúc {{gio .Deadline}}, {{thu .Deadline}}.
Nội dung: {{.Description}}

Xác nhận đã nhận thông báo: {{.AckURL}}

Trân trọng,
Tổng đài 1022 — Thành phố Hồ Chí Minh
`)
)

func vietnameseMail(t *testing.T, key, to string) notify.Notification {
	t.Helper()
	data := map[string]any{
		"Department": "Sở Xây dựng", "Code": "PA-2026-000123", "Field": "Hạ tầng đô thị",
		"Deadline":    time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), // 17:00 in Vietnam, a Thursday
		"Description": "Đèn đường hỏng trên đường Nguyễn Huệ, phường Bến Nghé; người dân phản ánh nhiều lần.",
		"AckURL":      "https://hotline.example.vn/ack/abc",
	}
	subject, err := notify.Render(reminderSubject, data)
	if err != nil {
		t.Fatal(err)
	}
	body, err := notify.Render(reminderBody, data)
	if err != nil {
		t.Fatal(err)
	}
	return notify.Notification{Key: key, Channel: notify.Email, Target: to, Subject: subject, Body: []byte(body),
		Event: "ticket.reminder", Stage: "due_soon", Department: "xd"}
}

// readMail parses a received message and decodes its subject and text.
func readMail(t *testing.T, data []byte) (*mail.Message, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mediaType != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type %q", m.Header.Get("Content-Type"))
	}
	var r io.Reader = m.Body
	switch cte := strings.ToLower(m.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	default:
		t.Errorf("Content-Transfer-Encoding %q: want quoted-printable or base64 for Vietnamese text", cte)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return m, subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}

func TestVietnameseMailArrivesIntact(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	password := "mật khẩu:1@2/3" // reserved characters, percent-encoded in the URL
	ms := newMailServer(t, map[string]string{"hotline": password}, nil)
	d := newDeliverer(t, pool, notify.Config{
		SMTPURL:  (&url.URL{Scheme: "smtp", User: url.UserPassword("hotline", password), Host: ms.addr}).String(),
		MailFrom: "Đường dây nóng <hotline@so.gov.vn>",
	})
	n := vietnameseMail(t, "ticket.reminder:123:due_soon:email:xd", "xd@so.gov.vn")
	enqueue(t, pool, n, t0)
	if got := deliver(t, d, t0); got != 1 {
		t.Fatalf("attempted %d", got)
	}
	if e := entry(t, pool, n.Key); e.State != notify.Delivered {
		t.Fatalf("state %s, last error %q", e.State, e.LastError)
	}
	msgs := ms.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := msgs[0]
	if got.user != "hotline" || got.from != "hotline@so.gov.vn" || len(got.to) != 1 || got.to[0] != "xd@so.gov.vn" {
		t.Errorf("envelope: user %q, from %q, to %v", got.user, got.from, got.to)
	}
	m, subject, body := readMail(t, got.data)
	if subject != n.Subject {
		t.Errorf("subject %q, want %q", subject, n.Subject)
	}
	if body != string(n.Body) {
		t.Errorf("body\n%s\nwant\n%s", body, n.Body)
	}
	if !strings.Contains(body, "17:00 05/03/2026, Thứ Năm") {
		t.Errorf("the deadline is not written in Vietnam's time: %s", body)
	}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Đường dây nóng" || from[0].Address != "hotline@so.gov.vn" {
		t.Errorf("From %q: %v %v", m.Header.Get("From"), from, err)
	}
	if id, want := m.Header.Get("Message-Id"), "<"+notify.MessageID(n.Key, "so.gov.vn")+">"; id != want {
		t.Errorf("Message-ID %q, want %q", id, want)
	}
	if k := m.Header.Get("X-Hotline-Idempotency-Key"); k != n.Key {
		t.Errorf("X-Hotline-Idempotency-Key %q", k)
	}
	if date, err := m.Header.Date(); err != nil || !date.Equal(t0) {
		t.Errorf("Date %q: %v", m.Header.Get("Date"), err)
	}
}

// part is one decoded part of a multipart message.
type part struct {
	mediaType, charset, encoding string
	body                         string
}

// readParts parses a received multipart message and decodes its subject and parts.
func readParts(t *testing.T, data []byte) (mediaType, subject string, parts []part) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message: %v\n%s", err, data)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("Content-Type %q: want multipart", m.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart() // undecoded: the test decodes, and sees the encoding
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts)+1, err)
		}
		var pt part
		var pparams map[string]string
		if pt.mediaType, pparams, err = mime.ParseMediaType(p.Header.Get("Content-Type")); err != nil {
			t.Fatalf("part %d: Content-Type %q: %v", len(parts)+1, p.Header.Get("Content-Type"), err)
		}
		pt.charset = pparams["charset"]
		pt.encoding = strings.ToLower(p.Header.Get("Content-Transfer-Encoding"))
		var r io.Reader = p
		switch pt.encoding {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("part %d: %v", len(parts)+1, err)
		}
		pt.body = strings.ReplaceAll(string(b), "\r\n", "\n")
		parts = append(parts, pt)
	}
	return mediaType, subject, parts
}

// An e-mail with HTML (the daily report's page) arrives as multipart/alternative: the Vietnamese text
// first, for readers without HTML, then the HTML, both intact.
func TestHTMLMailIsMultipartAlternative(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ms := newMailServer(t, nil, nil)
	d := newDeliverer(t, pool, notify.Config{SMTPURL: "smtp://127.0.0.1:" + ms.port(), MailFrom: "Đường dây nóng <hotline@so.gov.vn>"})
	n := vietnameseMail(t, "report.breaches:2026-03-05:email:3f2a", "giamsat@so.gov.vn")
	n.Subject = "[Đường dây nóng] Báo cáo trễ hạn xử lý ngày 05/03/2026: 3 phản ánh quá hạn"
	n.Body = []byte("BÁO CÁO TRỄ HẠN XỬ LÝ PHẢN ÁNH\nKỳ báo cáo: 05/03/2026\n\nSở Xây dựng: tiếp nhận 12, đúng hạn 9, trễ hạn 1, đang quá hạn 2\n")
	n.HTML = []byte(`<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>Báo cáo trễ hạn xử lý phản ánh — 05/03/2026</title>
<style>td.n { text-align: right; }</style></head>
<body>
<h1>Báo cáo trễ hạn xử lý phản ánh</h1>
<table><tr><td>Sở Xây dựng</td><td class="n">12</td><td class="n">66,7%</td></tr></table>
<p class="note">Tỷ lệ đúng hạn = số giải quyết đúng hạn / (đúng hạn + trễ hạn + đang quá hạn). Thời gian tính theo giờ làm việc (8 giờ một ngày làm việc), không kể ngày nghỉ, ngày lễ; một dòng dài hơn 76 ký tự để mã hoá quoted-printable phải ngắt dòng.</p>
</body>
</html>
`)
	enqueue(t, pool, n, t0)
	if got := deliver(t, d, t0); got != 1 {
		t.Fatalf("attempted %d", got)
	}
	if e := entry(t, pool, n.Key); e.State != notify.Delivered {
		t.Fatalf("state %s, last error %q", e.State, e.LastError)
	}
	msgs := ms.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	mediaType, subject, parts := readParts(t, msgs[0].data)
	if mediaType != "multipart/alternative" {
		t.Errorf("Content-Type %s, want multipart/alternative", mediaType)
	}
	if subject != n.Subject {
		t.Errorf("subject %q, want %q", subject, n.Subject)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2 (text, then HTML): %+v", len(parts), parts)
	}
	for i, want := range []struct{ mediaType, body string }{{"text/plain", string(n.Body)}, {"text/html", string(n.HTML)}} {
		p := parts[i]
		if p.mediaType != want.mediaType || !strings.EqualFold(p.charset, "utf-8") {
			t.Errorf("part %d: %s; charset=%s, want %s; charset=UTF-8", i+1, p.mediaType, p.charset, want.mediaType)
		}
		if p.encoding != "quoted-printable" && p.encoding != "base64" {
			t.Errorf("part %d: Content-Transfer-Encoding %q: want quoted-printable or base64 for Vietnamese text", i+1, p.encoding)
		}
		if p.body != want.body {
			t.Errorf("part %d:\n%s\nwant\n%s", i+1, p.body, want.body)
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if id, want := m.Header.Get("Message-Id"), "<"+notify.MessageID(n.Key, "so.gov.vn")+">"; id != want {
		t.Errorf("Message-ID %q, want %q", id, want)
	}
	if k := m.Header.Get("X-Hotline-Idempotency-Key"); k != n.Key {
		t.Errorf("X-Hotline-Idempotency-Key %q", k)
	}
}

func TestMessageIDIsTheSameForTheSameKey(t *testing.T) {
	t.Parallel()
	a, b := notify.MessageID("k1", "so.gov.vn"), notify.MessageID("k1", "so.gov.vn")
	if a != b || a == notify.MessageID("k2", "so.gov.vn") || !strings.HasSuffix(a, "@so.gov.vn") {
		t.Errorf("MessageID: %s %s", a, b)
	}
	if _, err := mail.ParseAddress("x <" + a + ">"); err != nil {
		t.Errorf("%s is not an addr-spec: %v", a, err)
	}
}

func TestADeadMailServerMeansRetry(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close()
	down := newDeliverer(t, pool, notify.Config{SMTPURL: "smtp://" + deadAddr, MailFrom: "hotline@so.gov.vn"})
	n := vietnameseMail(t, "k", "xd@so.gov.vn")
	enqueue(t, pool, n, t0)
	deliver(t, down, t0)
	e := entry(t, pool, "k")
	if e.State != notify.Pending || e.Attempts != 1 || !e.NextAttemptAt.After(t0) || !strings.Contains(e.LastError, deadAddr) {
		t.Fatalf("after a failed connection: %+v", e)
	}

	// The server is back (here: another one, without AUTH, as smtp://host:25 would be).
	ms := newMailServer(t, nil, nil)
	up := newDeliverer(t, pool, notify.Config{SMTPURL: "smtp://127.0.0.1:" + ms.port(), MailFrom: "hotline@so.gov.vn"})
	if got := deliver(t, up, e.NextAttemptAt); got != 1 {
		t.Fatalf("retry attempted %d", got)
	}
	if e := entry(t, pool, "k"); e.State != notify.Delivered || e.Attempts != 2 {
		t.Errorf("after the retry: %+v", e)
	}
	if got := ms.messages(); len(got) != 1 || got[0].user != "" {
		t.Errorf("messages %+v", got)
	}
}

func TestNoSMTPServerConfiguredSaysSo(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	d := newDeliverer(t, pool, notify.Config{})
	enqueue(t, pool, vietnameseMail(t, "k", "xd@so.gov.vn"), t0)
	deliver(t, d, t0)
	if e := entry(t, pool, "k"); e.State != notify.Pending || !strings.Contains(e.LastError, "HOTLINE_SMTP_URL") {
		t.Errorf("%+v", e)
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a client configuration trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: roots}
}

func TestSTARTTLSIsUsedWhenOfferedAndMayBeRequired(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	serverTLS, clientTLS := selfSigned(t)
	withTLS := newMailServer(t, map[string]string{"u": "p"}, serverTLS)
	plain := newMailServer(t, nil, nil)

	cases := []struct {
		name, url string
		server    *mailServer
		delivered bool
	}{
		{"offered: used", "smtp://u:p@127.0.0.1:" + withTLS.port(), withTLS, true},
		{"required and offered", "smtp://u:p@127.0.0.1:" + withTLS.port() + "?starttls=required&auth=plain", withTLS, true},
		{"required, not offered: refused", "smtp://127.0.0.1:" + plain.port() + "?starttls=required", plain, false},
	}
	for i, c := range cases {
		key := fmt.Sprintf("k%d", i)
		d := newDeliverer(t, pool, notify.Config{SMTPURL: c.url, MailFrom: "hotline@so.gov.vn", SMTPTLS: clientTLS})
		enqueue(t, pool, vietnameseMail(t, key, "xd@so.gov.vn"), t0)
		deliver(t, d, t0)
		e := entry(t, pool, key)
		if got := e.State == notify.Delivered; got != c.delivered {
			t.Errorf("%s: state %s, last error %q", c.name, e.State, e.LastError)
		}
		if !c.delivered && !strings.Contains(e.LastError, "STARTTLS") {
			t.Errorf("%s: the error %q does not name STARTTLS", c.name, e.LastError)
		}
	}
	for _, m := range withTLS.messages() {
		if !m.tls || m.user != "u" {
			t.Errorf("a message over STARTTLS: tls %v, user %q", m.tls, m.user)
		}
	}
	if n := len(withTLS.messages()); n != 2 {
		t.Errorf("%d messages over STARTTLS, want 2", n)
	}
	if n := len(plain.messages()); n != 0 {
		t.Errorf("%d messages sent without the required STARTTLS", n)
	}
}
