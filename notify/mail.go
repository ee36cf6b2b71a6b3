package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// IdempotencyHeader is the e-mail header that carries the notification's idempotency key.
const IdempotencyHeader = "X-Hotline-Idempotency-Key"

// mailer sends e-mails through one SMTP server.
type mailer struct {
	srv     smtpServer
	from    string
	domain  string // of the sender: the right side of Message-IDs
	tls     *tls.Config
	timeout time.Duration
}

// errNoSMTP is the error of e-mails when no SMTP server is configured.
var errNoSMTP = errors.New("no SMTP server is configured: set HOTLINE_SMTP_URL and HOTLINE_MAIL_FROM, then retry the notification")

func newMailer(cfg Config) (*mailer, error) {
	if cfg.SMTPURL == "" {
		return nil, nil
	}
	srv, err := parseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	from, err := mail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("notify: MailFrom (HOTLINE_MAIL_FROM) %q: %w", cfg.MailFrom, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	var tc *tls.Config
	if cfg.SMTPTLS != nil {
		tc = cfg.SMTPTLS.Clone()
	} else {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tc.ServerName == "" {
		tc.ServerName = srv.host
	}
	return &mailer{srv: srv, from: cfg.MailFrom, domain: domain, tls: tc, timeout: cfg.Timeout}, nil
}

// MessageID returns the Message-ID (without angle brackets) of the e-mail of the notification with key
// at the sender's domain: the same on every retry, so that a receiver may drop duplicates.
func MessageID(key, domain string) string {
	h := sha256.Sum256([]byte(key))
	return "hotline." + hex.EncodeToString(h[:16]) + "@" + domain
}

// send makes one attempt: the server took the message, or an error. The mail is UTF-8 text, or
// multipart/alternative with the text and then the HTML when c has HTML; both quoted-printable.
func (m *mailer) send(ctx context.Context, c claimed, now time.Time) error {
	if m == nil {
		return errNoSMTP
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("sender %q: %w", m.from, err)
	}
	if err := msg.To(c.Target); err != nil {
		return fmt.Errorf("recipient %q: %w", c.Target, err)
	}
	msg.Subject(c.Subject)
	msg.SetMessageIDWithValue(MessageID(c.Key, m.domain))
	msg.SetGenHeader(gomail.Header(IdempotencyHeader), c.Key)
	msg.SetGenHeader(gomail.HeaderUserAgent, "hotline")
	msg.SetDateWithValue(now)
	msg.SetBodyString(gomail.TypeTextPlain, string(c.Body))
	if len(c.HTML) > 0 {
		// multipart/alternative: the text first, the HTML (which readers prefer) last.
		msg.AddAlternativeString(gomail.TypeTextHTML, string(c.HTML))
	}

	opts := []gomail.Option{
		gomail.WithPort(m.srv.port), gomail.WithTimeout(m.timeout), gomail.WithTLSConfig(m.tls),
		gomail.WithTLSPolicy(m.srv.policy),
	}
	if m.srv.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if m.srv.user != "" {
		opts = append(opts, gomail.WithUsername(m.srv.user), gomail.WithPassword(m.srv.pass))
		if m.srv.auth != "" {
			opts = append(opts, gomail.WithSMTPAuth(m.srv.auth))
		} else {
			// The first of these the server offers. PLAIN and LOGIN refuse to send the password over a
			// connection without TLS, except to localhost.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256,
				gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5))
		}
	}
	client, err := gomail.NewClient(m.srv.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", m.srv.host, m.srv.port, err)
	}
	return nil
}
