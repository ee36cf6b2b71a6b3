package notify

import (
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
)

func TestSMTPURLForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url  string
		want smtpServer
	}{
		{"smtp://relay.so.gov.vn", smtpServer{host: "relay.so.gov.vn", port: 25, policy: gomail.TLSOpportunistic}},
		{"smtp://relay.so.gov.vn:2525", smtpServer{host: "relay.so.gov.vn", port: 2525, policy: gomail.TLSOpportunistic}},
		{"smtp://user:p%40ss@mail.example.vn", smtpServer{host: "mail.example.vn", port: 587, user: "user", pass: "p@ss", policy: gomail.TLSOpportunistic}},
		{"smtp://user:pass@mail.example.vn:587?starttls=required", smtpServer{host: "mail.example.vn", port: 587, user: "user", pass: "pass", policy: gomail.TLSMandatory}},
		{"smtps://user:pass@mail.example.vn", smtpServer{host: "mail.example.vn", port: 465, user: "user", pass: "pass", implicitTLS: true, policy: gomail.TLSOpportunistic}},
		{"smtp://user:pass@mail.example.vn?auth=login", smtpServer{host: "mail.example.vn", port: 587, user: "user", pass: "pass", policy: gomail.TLSOpportunistic, auth: gomail.SMTPAuthLogin}},
		{"smtp://[::1]:25", smtpServer{host: "::1", port: 25, policy: gomail.TLSOpportunistic}},
	}
	for _, c := range cases {
		got, err := parseSMTPURL(c.url)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"mail.example.vn:25", "http://mail.example.vn", "smtp://", "smtp://h:0", "smtp://h:99999", "smtp://h/path",
		"smtp://h?starttls=maybe", "smtp://h?tls=1", "smtp://u:p@h?auth=ntlm", "smtp://h?auth=plain",
	} {
		_, err := parseSMTPURL(bad)
		if err == nil || !strings.Contains(err.Error(), "HOTLINE_SMTP_URL") {
			t.Errorf("%s: %v, want an error naming HOTLINE_SMTP_URL", bad, err)
		}
	}
	_, err := parseSMTPURL("smtp://user:topsecret@h?starttls=maybe")
	if err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("the password shows in %v", err)
	}
}

func TestConfigNamesTheBadSetting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{MaxAttempts: -1}, "HOTLINE_NOTIFY_MAX_ATTEMPTS"},
		{Config{SMTPURL: "smtp://h"}, "HOTLINE_MAIL_FROM"},
		{Config{SMTPURL: "smtp://h", MailFrom: "not an address"}, "HOTLINE_MAIL_FROM"},
		{Config{SMTPURL: "ftp://h", MailFrom: "a@b.vn"}, "HOTLINE_SMTP_URL"},
		{Config{Timeout: time.Minute, Lease: time.Minute}, "Lease"},
		{Config{BaseDelay: time.Hour, MaxDelay: time.Minute}, "MaxDelay"},
	}
	for _, c := range cases {
		err := c.cfg.withDefaults().validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.cfg, err, c.want)
		}
	}
	if err := (Config{SMTPURL: "smtps://u:p@h", MailFrom: "Đường dây nóng <hotline@so.gov.vn>"}).withDefaults().validate(); err != nil {
		t.Errorf("a good config: %v", err)
	}
	if got := (Config{}).withDefaults(); got.MaxAttempts != 12 || got.Timeout != 10*time.Second ||
		got.BaseDelay != 30*time.Second || got.MaxDelay != time.Hour {
		t.Errorf("defaults %+v", got)
	}
}

func TestBackoffDoublesToTheCapWithEqualJitter(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 20; attempt++ {
		full := min(30*time.Second<<(attempt-1), time.Hour)
		if attempt > 12 {
			full = time.Hour
		}
		for range 200 {
			d := Backoff(attempt, 30*time.Second, time.Hour)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: %s, want within [%s, %s]", attempt, d, full/2, full)
			}
		}
	}
}
