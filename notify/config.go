package notify

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Config is what a Deliverer needs besides its database. The zero value of a field stands for its
// default.
type Config struct {
	// MaxAttempts is how many delivery attempts a notification gets before it is dead
	// (HOTLINE_NOTIFY_MAX_ATTEMPTS). Default 12; 1: dead after the first failure.
	MaxAttempts int
	// Timeout bounds one attempt: the webhook's request and answer, or the SMTP conversation.
	// Default 10s.
	Timeout time.Duration
	// Lease is how long a claimed notification belongs to the node that claimed it; after that another
	// node may try it again (its node died mid-send). Default 2m; must exceed Timeout.
	Lease time.Duration
	// BaseDelay is the backoff after the first failed attempt; it doubles with each further failure up
	// to MaxDelay, and each delay is drawn between its half and its whole (equal jitter). Defaults 30s
	// and 1h.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Batch is how many due notifications one claim takes. Default 20.
	Batch int
	// Workers is how many of them are sent at once. Default 4.
	Workers int
	// PollInterval is how often Run looks for due notifications besides the wake-ups Enqueue sends.
	// Default 5s.
	PollInterval time.Duration

	// SMTPURL is the mail server (HOTLINE_SMTP_URL): smtp://[user:password@]host[:port] sends with
	// STARTTLS when the server offers it (add ?starttls=required to refuse a server that does not) and
	// defaults to port 587 with a user, 25 without; smtps://[user:password@]host[:port] speaks TLS from
	// the start (default port 465). ?auth=plain|login|cram-md5|scram-sha-1|scram-sha-256 picks the
	// mechanism; by default the first the server offers of SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN and
	// CRAM-MD5. PLAIN and LOGIN send the password only over TLS or to localhost. A user and password
	// with reserved characters are percent-encoded. Empty: e-mails fail (and are retried, then dead) with
	// an error saying so.
	SMTPURL string
	// MailFrom is the sender of e-mails (HOTLINE_MAIL_FROM), e.g. "Đường dây nóng <hotline@so.gov.vn>".
	// Required with SMTPURL.
	MailFrom string
	// SMTPTLS is the TLS configuration for SMTP (e.g. a private CA); nil: the system's roots. The server
	// name is the URL's host unless set.
	SMTPTLS *tls.Config

	// Log receives a line per failed attempt (Warn), dead notification (Error) and delivery (Debug).
	// Default: discard.
	Log *slog.Logger
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 12
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.Lease, 2*time.Minute)
	def(&c.BaseDelay, 30*time.Second)
	def(&c.MaxDelay, time.Hour)
	def(&c.PollInterval, 5*time.Second)
	if c.Batch == 0 {
		c.Batch = 20
	}
	if c.Workers == 0 {
		c.Workers = 4
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.MaxAttempts < 1:
		return fmt.Errorf("notify: MaxAttempts (HOTLINE_NOTIFY_MAX_ATTEMPTS) is %d: want 1 or more", c.MaxAttempts)
	case c.Timeout < 0:
		return fmt.Errorf("notify: Timeout is %s: want a positive duration", c.Timeout)
	case c.Lease <= c.Timeout:
		return fmt.Errorf("notify: Lease %s must exceed Timeout %s, or a slow send would be taken over", c.Lease, c.Timeout)
	case c.BaseDelay < 0 || c.MaxDelay < c.BaseDelay:
		return fmt.Errorf("notify: BaseDelay %s and MaxDelay %s: want 0 < BaseDelay ≤ MaxDelay", c.BaseDelay, c.MaxDelay)
	case c.Batch < 0 || c.Workers < 0 || c.PollInterval < 0:
		return errors.New("notify: Batch, Workers and PollInterval must be positive")
	}
	if c.SMTPURL != "" {
		if _, err := parseSMTPURL(c.SMTPURL); err != nil {
			return err
		}
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("notify: MailFrom (HOTLINE_MAIL_FROM) %q: want an address such as hotline@example.vn, needed with HOTLINE_SMTP_URL", c.MailFrom)
		}
	}
	return nil
}

// smtpServer is a parsed SMTPURL.
type smtpServer struct {
	host        string
	port        int
	user, pass  string
	implicitTLS bool
	policy      gomail.TLSPolicy
	auth        gomail.SMTPAuthType // empty: the strongest offered
}

const smtpURLHelp = "want smtp://[user:password@]host[:port][?starttls=required] or smtps://[user:password@]host[:port]"

func parseSMTPURL(s string) (smtpServer, error) {
	bad := func(why string) (smtpServer, error) {
		return smtpServer{}, fmt.Errorf("notify: SMTPURL (HOTLINE_SMTP_URL) %s: %s; %s", redactURL(s), why, smtpURLHelp)
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("not a URL")
	}
	srv := smtpServer{host: u.Hostname(), policy: gomail.TLSOpportunistic}
	if srv.host == "" {
		return bad("no host")
	}
	if u.User != nil {
		srv.user = u.User.Username()
		srv.pass, _ = u.User.Password()
	}
	switch u.Scheme {
	case "smtp":
		srv.port = 25
		if srv.user != "" {
			srv.port = 587
		}
	case "smtps":
		srv.port, srv.implicitTLS = 465, true
	default:
		return bad("unknown scheme " + strconv.Quote(u.Scheme))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("bad port")
		}
		srv.port = n
	}
	if u.Path != "" && u.Path != "/" {
		return bad("a path is not expected")
	}
	q := u.Query()
	for k := range q {
		if k != "starttls" && k != "auth" {
			return bad("unknown parameter " + strconv.Quote(k))
		}
	}
	switch v := q.Get("starttls"); v {
	case "", "opportunistic":
	case "required":
		srv.policy = gomail.TLSMandatory
	default:
		return bad("starttls=" + v + ": want required or opportunistic")
	}
	if v := q.Get("auth"); v != "" {
		mech := gomail.SMTPAuthType(strings.ToUpper(v))
		switch mech {
		case gomail.SMTPAuthPlain, gomail.SMTPAuthLogin, gomail.SMTPAuthCramMD5, gomail.SMTPAuthSCRAMSHA1,
			gomail.SMTPAuthSCRAMSHA256:
			srv.auth = mech
		default:
			return bad("auth=" + v + ": want plain, login, cram-md5, scram-sha-1 or scram-sha-256")
		}
		if srv.user == "" {
			return bad("auth= needs a user and password in the URL")
		}
	}
	return srv, nil
}

// redactURL hides the password of an SMTP URL in messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}
