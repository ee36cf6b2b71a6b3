package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"hotline/cmd/hotline/internal/callflow"
	"hotline/jobs"
	"hotline/notify"
	"hotline/telephony"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// serveConfig is everything `hotline serve` reads from flags and the environment.
type serveConfig struct {
	DatabaseURL       string
	DataDir           string
	SIP               []telephony.Listen
	HTTP              string
	RTPLow, RTPHigh   int
	PublicIP          netip.Addr
	NodeID            string
	RTPTimeout        time.Duration
	AnswerDelay       time.Duration
	MaxCalls          int
	MaxCallsPerSource int
	SIPMaxMessage     int
	SIPTCPIdle        time.Duration
	SIPMaxTCPPerSrc   int
	RecordingSync     time.Duration
	PromptsDir        string
	ShutdownGrace     time.Duration
	DebugListen       string
	Realm             string
	DigestAlgorithms  []string
	RingTimeout       time.Duration
	WrapUp            time.Duration
	AnnounceEvery     time.Duration
	MaxWait           time.Duration
	CallbackWait      time.Duration
	VoicemailMax      time.Duration
	Keepalive         time.Duration
	Menu              map[byte]callflow.MenuItem
	Deadlines         ticketing.Deadlines // Rule and Hours; the calendar comes from the database
	Jobs              []jobs.Spec
	Retention         int // days
	Notify            notify.Config
	Escalation        escalation.Config
	LogLevel          slog.Level
	LogFormat         string
}

// dbSettings declares the settings every verb that touches the database shares.
func dbSettings(s *settings) {
	s.add("db", "HOTLINE_DATABASE_URL", "",
		"PostgreSQL URL (postgres://user:pass@host/db); empty: a private cluster under the data folder")
	s.add("data", "HOTLINE_DATA_DIR", "./var", "data folder: recordings, the embedded database")
	logSettings(s)
}

func logSettings(s *settings) {
	s.add("", "HOTLINE_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	s.add("", "HOTLINE_LOG_FORMAT", "text", "log format: text or json")
}

func serveSettings() *settings {
	s := newSettings("serve")
	dbSettings(s)
	s.add("sip", "HOTLINE_SIP_LISTEN", "udp:0.0.0.0:5060,tcp:0.0.0.0:5060", "SIP listeners, comma-separated")
	s.add("http", "HOTLINE_HTTP_LISTEN", "127.0.0.1:8080", "HTTP API address (every /api/ route needs a token)")
	s.add("rtp-ports", "HOTLINE_RTP_PORTS", "20000-29999", "UDP ports for RTP, LOW-HIGH (two per call)")
	s.add("public-ip", "HOTLINE_PUBLIC_IP", "", "address put in SDP; empty: the address each request arrived on")
	s.add("", "HOTLINE_NODE_ID", hostname(), "this node's name, stamped on the calls whose media it anchors")
	s.add("", "HOTLINE_RTP_TIMEOUT", "60s", "hang up a call whose caller sends no RTP for this long")
	s.add("", "HOTLINE_ANSWER_DELAY", "1s", "ring (180 Ringing) this long before answering; 0s answers at once")
	s.add("", "HOTLINE_MAX_CALLS", "1000", "calls in progress at most; more get 503")
	s.add("", "HOTLINE_MAX_CALLS_PER_SOURCE", "300", "calls in progress from one address at most; more get 503")
	s.add("", "HOTLINE_SIP_MAX_MESSAGE", "65536", "largest SIP message accepted over UDP and TCP, in bytes")
	s.add("", "HOTLINE_SIP_TCP_IDLE", "30s", "close a SIP TCP connection idle this long")
	s.add("", "HOTLINE_SIP_MAX_TCP_PER_SOURCE", "32", "SIP TCP connections one address may hold")
	s.add("", "HOTLINE_RECORDING_SYNC", "5s", "make each recording's file valid on disk this often")
	s.add("", "HOTLINE_PROMPTS_DIR", "", "folder of WAV files (greeting.wav, hold.wav) replacing the built-in ones")
	s.add("", "HOTLINE_SIP_REALM", "hotline", "SIP digest realm operators' phones sign in to")
	s.add("", "HOTLINE_SIP_DIGEST", "MD5,SHA-256", "digest algorithms offered to phones, in order (phones take the first they know)")
	s.add("", "HOTLINE_RING_TIMEOUT", "15s", "how long an operator's phone rings before the next operator is tried")
	s.add("", "HOTLINE_WRAP_UP", "15s", "after a call, how long an operator has before being offered the next")
	s.add("", "HOTLINE_ANNOUNCE_EVERY", "30s", "how often a waiting caller hears its position")
	s.add("", "HOTLINE_MAX_WAIT", "5m", "after this wait the caller is offered to leave a message")
	s.add("", "HOTLINE_CALLBACK_WAIT", "60s", "a caller who hangs up after waiting this long gets a callback ticket; 0s: never")
	s.add("", "HOTLINE_VOICEMAIL_MAX", "2m", "the longest message a caller may leave")
	s.add("", "HOTLINE_KEEPALIVE_EVERY", "30s", "how often registered phones get an OPTIONS keepalive")
	s.add("", "HOTLINE_MENU", "", "keys of the greeting's menu: KEY=FIELD[:PRIORITY],… e.g. 1=antt:9,2=atgt (no PRIORITY: the field's, see hotline field set)")
	s.add("", "HOTLINE_DEADLINE_RULE", "next_day", "how a ticket's term of N working days is counted: next_day (from the next working day, ends at closing time) or office_hours")
	s.add("", "HOTLINE_OFFICE_HOURS", "07:30-11:30,13:30-17:00", "office hours of the working days, in Asia/Ho_Chi_Minh")
	jobSettings(s)
	escalationSettings(s)
	s.add("", "HOTLINE_NOTIFY_MAX_ATTEMPTS", "12", "delivery attempts of a notification before it is dead (listed for admins)")
	s.add("", "HOTLINE_SMTP_URL", "", "mail server for e-mail notifications: smtp://user:pass@host:587 (STARTTLS) or smtps://…; empty: no e-mail")
	s.add("", "HOTLINE_MAIL_FROM", "", "sender of e-mail notifications, e.g. \"Đường dây nóng <hotline@so.gov.vn>\"")
	s.add("", "HOTLINE_DEBUG_LISTEN", "", "loopback address for Go's profiler (/debug/pprof/); empty: off")
	s.add("", "HOTLINE_SHUTDOWN_GRACE", "15s", "on SIGTERM, how long hung-up calls get to finish their recordings")
	return s
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "hotline"
	}
	return h
}

func readServeConfig(s *settings) (serveConfig, error) {
	var c serveConfig
	var err error
	c.DatabaseURL = s.str("HOTLINE_DATABASE_URL")
	c.DataDir = s.str("HOTLINE_DATA_DIR")
	if c.DataDir == "" {
		return c, badValue{s.get("HOTLINE_DATA_DIR"), "a folder path"}
	}
	if c.SIP, err = telephony.ParseListen(s.str("HOTLINE_SIP_LISTEN")); err != nil {
		return c, badValue{s.get("HOTLINE_SIP_LISTEN"), "udp:IP:PORT and/or tcp:IP:PORT, comma-separated (" + err.Error() + ")"}
	}
	c.HTTP = s.str("HOTLINE_HTTP_LISTEN")
	if host, port, perr := net.SplitHostPort(c.HTTP); perr != nil || !validPort(port) ||
		(host != "" && net.ParseIP(host) == nil) {
		return c, badValue{s.get("HOTLINE_HTTP_LISTEN"), "an address and port like 127.0.0.1:8080 or 0.0.0.0:8080"}
	}
	if c.RTPLow, c.RTPHigh, err = s.portRange("HOTLINE_RTP_PORTS"); err != nil {
		return c, err
	}
	if c.PublicIP, err = s.ip("HOTLINE_PUBLIC_IP"); err != nil {
		return c, err
	}
	if c.NodeID = strings.TrimSpace(s.str("HOTLINE_NODE_ID")); c.NodeID == "" || len(c.NodeID) > 64 {
		return c, badValue{s.get("HOTLINE_NODE_ID"), "a name of 1 to 64 characters"}
	}
	if c.RTPTimeout, err = s.duration("HOTLINE_RTP_TIMEOUT", time.Second); err != nil {
		return c, err
	}
	if c.AnswerDelay, err = s.duration("HOTLINE_ANSWER_DELAY", 0); err != nil {
		return c, err
	}
	if c.MaxCalls, err = s.integer("HOTLINE_MAX_CALLS", 1, 100000); err != nil {
		return c, err
	}
	if c.MaxCallsPerSource, err = s.integer("HOTLINE_MAX_CALLS_PER_SOURCE", 1, 100000); err != nil {
		return c, err
	}
	if c.SIPMaxMessage, err = s.integer("HOTLINE_SIP_MAX_MESSAGE", 1024, 65536); err != nil {
		return c, err
	}
	if c.SIPTCPIdle, err = s.duration("HOTLINE_SIP_TCP_IDLE", time.Second); err != nil {
		return c, err
	}
	if c.SIPMaxTCPPerSrc, err = s.integer("HOTLINE_SIP_MAX_TCP_PER_SOURCE", 1, 10000); err != nil {
		return c, err
	}
	if c.RecordingSync, err = s.duration("HOTLINE_RECORDING_SYNC", 100*time.Millisecond); err != nil {
		return c, err
	}
	c.PromptsDir = s.str("HOTLINE_PROMPTS_DIR")
	if c.ShutdownGrace, err = s.duration("HOTLINE_SHUTDOWN_GRACE", 0); err != nil {
		return c, err
	}
	c.Realm = s.str("HOTLINE_SIP_REALM")
	if c.DigestAlgorithms, err = telephony.ParseDigestAlgorithms(s.str("HOTLINE_SIP_DIGEST")); err != nil {
		return c, badValue{s.get("HOTLINE_SIP_DIGEST"), "MD5 and/or SHA-256, comma-separated, in the order to offer"}
	}
	for _, d := range []struct {
		env string
		dst *time.Duration
		min time.Duration
	}{
		{"HOTLINE_RING_TIMEOUT", &c.RingTimeout, time.Second}, {"HOTLINE_WRAP_UP", &c.WrapUp, 0},
		{"HOTLINE_ANNOUNCE_EVERY", &c.AnnounceEvery, time.Second}, {"HOTLINE_MAX_WAIT", &c.MaxWait, time.Second},
		{"HOTLINE_CALLBACK_WAIT", &c.CallbackWait, 0},
		{"HOTLINE_VOICEMAIL_MAX", &c.VoicemailMax, time.Second}, {"HOTLINE_KEEPALIVE_EVERY", &c.Keepalive, time.Second},
	} {
		if *d.dst, err = s.duration(d.env, d.min); err != nil {
			return c, err
		}
	}
	if c.Menu, err = parseMenu(s.str("HOTLINE_MENU")); err != nil {
		return c, badValue{s.get("HOTLINE_MENU"), "KEY=FIELD[:PRIORITY] pairs, keys 1-9, e.g. 1=antt:9,2=atgt"}
	}
	if c.Deadlines.Rule, err = ticketing.ParseRule(s.str("HOTLINE_DEADLINE_RULE")); err != nil {
		return c, badValue{s.get("HOTLINE_DEADLINE_RULE"), "next_day or office_hours"}
	}
	if c.Deadlines.Hours, err = ticketing.ParseOfficeHours(s.str("HOTLINE_OFFICE_HOURS")); err != nil {
		return c, badValue{s.get("HOTLINE_OFFICE_HOURS"), "ranges HH:MM-HH:MM in order, comma-separated, e.g. 07:30-11:30,13:30-17:00"}
	}
	c.Deadlines.Zone = ticketing.Zone()
	if err := checkSchedules(s); err != nil {
		return c, err
	}
	c.Jobs = jobSpecs(s)
	if c.Retention, err = s.integer("HOTLINE_RECORDING_RETENTION", 1, 36500); err != nil {
		return c, err
	}
	if c.Escalation, err = readEscalation(s, c.Deadlines, c.HTTP); err != nil {
		return c, err
	}
	if c.Notify.MaxAttempts, err = s.integer("HOTLINE_NOTIFY_MAX_ATTEMPTS", 1, 100); err != nil {
		return c, err
	}
	c.Notify.SMTPURL, c.Notify.MailFrom = s.str("HOTLINE_SMTP_URL"), s.str("HOTLINE_MAIL_FROM")
	if c.Notify.SMTPURL != "" && c.Notify.MailFrom == "" {
		return c, badValue{s.get("HOTLINE_MAIL_FROM"), "the sender's address when HOTLINE_SMTP_URL is set, e.g. hotline@so.gov.vn"}
	}
	if c.DebugListen = s.str("HOTLINE_DEBUG_LISTEN"); c.DebugListen != "" {
		ap, err := netip.ParseAddrPort(c.DebugListen)
		if err != nil || !ap.Addr().IsLoopback() {
			return c, badValue{s.get("HOTLINE_DEBUG_LISTEN"), "a loopback address and port like 127.0.0.1:6060"}
		}
	}
	if c.LogLevel, c.LogFormat, err = readLog(s); err != nil {
		return c, err
	}
	return c, nil
}

// parseMenu reads HOTLINE_MENU: "1=antt:9,2=atgt".
func parseMenu(v string) (map[byte]callflow.MenuItem, error) {
	menu := map[byte]callflow.MenuItem{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, rest, ok := strings.Cut(part, "=")
		if !ok || len(key) != 1 || key[0] < '1' || key[0] > '9' {
			return nil, fmt.Errorf("%q", part)
		}
		field, prio, hasPrio := strings.Cut(rest, ":")
		item := callflow.MenuItem{Field: strings.TrimSpace(field), Priority: callflow.FieldPriority}
		if item.Field == "" || len(item.Field) > 64 {
			return nil, fmt.Errorf("%q", part)
		}
		if hasPrio {
			n, err := strconv.Atoi(prio)
			if err != nil || n < 0 || n > 1000 {
				return nil, fmt.Errorf("%q", part)
			}
			item.Priority = n
		}
		if _, dup := menu[key[0]]; dup {
			return nil, fmt.Errorf("key %s twice", key)
		}
		menu[key[0]] = item
	}
	return menu, nil
}

func readLog(s *settings) (slog.Level, string, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.str("HOTLINE_LOG_LEVEL"))); err != nil {
		return 0, "", badValue{s.get("HOTLINE_LOG_LEVEL"), "debug, info, warn or error"}
	}
	format := s.str("HOTLINE_LOG_FORMAT")
	if format != "text" && format != "json" {
		return 0, "", badValue{s.get("HOTLINE_LOG_FORMAT"), "text or json"}
	}
	return level, format, nil
}

func newLogger(level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

// escalationSettings declares who gets reminders and breach notices, and when.
func escalationSettings(s *settings) {
	s.add("", "HOTLINE_REMINDER_STAGES", escalation.DefaultStagesSpec, "working time left when a department is reminded: due_soon=…,due_hours=… (d: office days, h: hours)")
	s.add("", "HOTLINE_SUPERVISOR_EMAIL", "", "supervisors' e-mails (comma-separated): breach notices and the daily report")
	s.add("", "HOTLINE_SUPERVISOR_WEBHOOK", "", "supervisors' webhook URL: breach notices and the daily report")
	s.add("", "HOTLINE_SUPERVISOR_WEBHOOK_SECRET", "", "HMAC key of the supervisors' webhook signature")
	s.add("", "HOTLINE_PUBLIC_URL", "", "where links in notices point (ack links); empty: http:// + the HTTP address")
}

// readEscalation reads the escalation settings; httpAddr makes the default public URL.
func readEscalation(s *settings, d ticketing.Deadlines, httpAddr string) (escalation.Config, error) {
	c := escalation.Config{Deadlines: d, SupervisorWebhook: s.str("HOTLINE_SUPERVISOR_WEBHOOK"),
		SupervisorWebhookSecret: s.str("HOTLINE_SUPERVISOR_WEBHOOK_SECRET"), PublicURL: s.str("HOTLINE_PUBLIC_URL")}
	c.Deadlines.Calendar = nil // from the holidays table, at each tick
	var err error
	if c.Windows, err = escalation.ParseStages(s.str("HOTLINE_REMINDER_STAGES"), d.Hours); err != nil {
		return c, badValue{s.get("HOTLINE_REMINDER_STAGES"), "due_soon=TIME,due_hours=TIME with TIME like 1d, 2h or 30m, the later stage shorter"}
	}
	if c.SupervisorEmails, err = escalation.ParseEmails(s.str("HOTLINE_SUPERVISOR_EMAIL")); err != nil {
		return c, badValue{s.get("HOTLINE_SUPERVISOR_EMAIL"), "e-mail addresses separated by commas"}
	}
	if c.SupervisorWebhook != "" && !strings.HasPrefix(c.SupervisorWebhook, "http://") && !strings.HasPrefix(c.SupervisorWebhook, "https://") {
		return c, badValue{s.get("HOTLINE_SUPERVISOR_WEBHOOK"), "an http or https URL"}
	}
	if c.PublicURL == "" {
		host, port, _ := net.SplitHostPort(httpAddr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = hostname()
		}
		c.PublicURL = "http://" + net.JoinHostPort(host, port)
	} else if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return c, badValue{s.get("HOTLINE_PUBLIC_URL"), "an http or https URL such as https://hotline.so.gov.vn"}
	}
	return c, nil
}
