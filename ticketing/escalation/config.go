package escalation

import (
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hotline/ticketing"
)

// Stage is a notice a ticket gets as its deadline nears and passes, each at most once per effective
// deadline.
type Stage string

// The stages, from the earliest to the latest.
const (
	// DueSoon: at most a working day of office time left (by default). To the department's e-mail and
	// webhook, in office hours.
	DueSoon Stage = "due_soon"
	// DueHours: at most 2 working hours left (by default). To the department's e-mail and webhook and its
	// head's e-mail, in office hours.
	DueHours Stage = "due_hours"
	// Breached: past the effective deadline. To the head's e-mail and the supervisors (e-mails and
	// webhook), at once, day or night.
	Breached Stage = "breached"
)

// stages lists the stages in order; a later stage supersedes the earlier ones.
var stages = []Stage{DueSoon, DueHours, Breached}

// Valid reports whether s is one of the stages.
func (s Stage) Valid() bool { return s.rank() > 0 }

// rank is 1, 2, 3 for due_soon, due_hours, breached; 0 for anything else.
func (s Stage) rank() int {
	for i, x := range stages {
		if x == s {
			return i + 1
		}
	}
	return 0
}

// toDepartment reports whether the stage goes to the department, and so waits for office hours.
func (s Stage) toDepartment() bool { return s == DueSoon || s == DueHours }

// Window says when a reminder stage is due: when at most Left of working time (office hours on working
// days) is left before the effective deadline.
type Window struct {
	Stage Stage // DueSoon or DueHours
	Left  time.Duration
}

// DefaultStagesSpec is the default of the stages setting (HOTLINE_REMINDER_STAGES).
const DefaultStagesSpec = "due_soon=1d,due_hours=2h"

// DefaultWindows returns the windows of DefaultStagesSpec with the given office hours: due_soon with one
// office day left (7.5 hours with the default hours), due_hours with 2 working hours left.
func DefaultWindows(hours ticketing.OfficeHours) []Window {
	w, err := ParseStages(DefaultStagesSpec, hours)
	if err != nil {
		panic(err)
	}
	return w
}

// ParseStages reads the reminder stages setting: comma-separated stage=time entries, such as
// "due_soon=1d,due_hours=2h", where the stage is due_soon or due_hours and the time is the working time
// left when the stage is due, as Nd (N office days of the given hours; fractions such as 1.5d allowed),
// Nh or Nm, or a Go duration ("1h30m"). A stage left out is not sent; the breached notice always is. The
// later stage needs the shorter time. The empty string is DefaultStagesSpec. The error names the entry at
// fault and what the setting takes.
func ParseStages(s string, hours ticketing.OfficeHours) ([]Window, error) {
	if hours.IsZero() {
		hours = ticketing.DefaultOfficeHours()
	}
	if strings.TrimSpace(s) == "" {
		s = DefaultStagesSpec
	}
	bad := func(format string, args ...any) ([]Window, error) {
		return nil, fmt.Errorf("%w %q: %s; want stage=time entries such as %s (stages due_soon and due_hours, times in d (office days), h or m of working time left)",
			ErrInvalidStages, s, fmt.Sprintf(format, args...), DefaultStagesSpec)
	}
	var out []Window
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		name, val, ok := strings.Cut(item, "=")
		if !ok {
			return bad("%q has no =", item)
		}
		st := Stage(strings.TrimSpace(name))
		if !st.toDepartment() {
			return bad("%q is not a reminder stage (due_soon or due_hours; breached is always sent)", st)
		}
		for _, w := range out {
			if w.Stage == st {
				return bad("%s is given twice", st)
			}
		}
		left, err := parseLeft(strings.TrimSpace(val), hours)
		if err != nil {
			return bad("%s: %v", st, err)
		}
		out = append(out, Window{Stage: st, Left: left})
	}
	return orderWindows(out, bad)
}

// orderWindows sorts windows by stage and checks that a later stage has a shorter time.
func orderWindows(ws []Window, bad func(string, ...any) ([]Window, error)) ([]Window, error) {
	var out []Window
	for _, st := range stages {
		for _, w := range ws {
			if w.Stage == st {
				out = append(out, w)
			}
		}
	}
	if len(out) != len(ws) {
		return bad("unknown stage")
	}
	for i := 1; i < len(out); i++ {
		if out[i].Left >= out[i-1].Left {
			return bad("%s (%s) must come with less time left than %s (%s)", out[i].Stage, out[i].Left,
				out[i-1].Stage, out[i-1].Left)
		}
	}
	return out, nil
}

// maxLeft bounds a stage's time: a reminder more than 30 office days ahead is a mistake.
const maxLeftDays = 30

func parseLeft(v string, hours ticketing.OfficeHours) (time.Duration, error) {
	var d time.Duration
	switch {
	case strings.HasSuffix(v, "d"):
		n, err := strconv.ParseFloat(strings.TrimSuffix(v, "d"), 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number of days", v)
		}
		d = time.Duration(n * float64(hours.Day()))
	default:
		var err error
		d, err = time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%q is not a time such as 1d, 2h or 90m", v)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q: want more than zero", v)
	}
	if d > maxLeftDays*hours.Day() {
		return 0, fmt.Errorf("%q: at most %d office days", v, maxLeftDays)
	}
	return d.Truncate(time.Second), nil
}

// Config is what an Escalator needs besides its database. Only cmd reads settings; the zero value of a
// field stands for its default.
type Config struct {
	// Windows are the reminder stages and when they are due (HOTLINE_REMINDER_STAGES, read with
	// ParseStages). Default: DefaultWindows(Deadlines.Hours). The breached notice is always sent.
	Windows []Window
	// Deadlines counts working time: its Hours (HOTLINE_OFFICE_HOURS) and Zone. When its Calendar is nil
	// (the default) the calendar is built from the holidays table at each tick and report, so days that
	// admins add count at once on every node.
	Deadlines ticketing.Deadlines
	// SupervisorEmails get breach notices and the daily report (HOTLINE_SUPERVISOR_EMAIL, comma-separated;
	// see ParseEmails). Optional.
	SupervisorEmails []string
	// SupervisorWebhook gets breach notices and the daily report (HOTLINE_SUPERVISOR_WEBHOOK), signed with
	// SupervisorWebhookSecret (HOTLINE_SUPERVISOR_WEBHOOK_SECRET). Optional; an http or https URL.
	SupervisorWebhook       string
	SupervisorWebhookSecret string
	// PublicURL is where the hotline's links point (HOTLINE_PUBLIC_URL): ack links are
	// PublicURL + "/ack/<token>". An http or https URL (cmd defaults it to http:// + the HTTP address);
	// needed by Tick, which refuses to queue notices without it, not by the report.
	PublicURL string
	// Batch is how many (ticket, stage) pairs one transaction of a tick claims and queues; a tick takes as
	// many batches as there are due pairs. Default 500.
	Batch int
	// Workers is how many transactions a tick runs at once, each on its share of the tickets (by id), on
	// a connection of its own. Default 4.
	Workers int
	// AckValidity is how long an ack link stays valid after the later of the deadline and the notice.
	// Default 7 days.
	AckValidity time.Duration
	// Log receives a line per tick that queued something (Info) and per recipient skipped for a bad
	// address (Warn). Default: discard.
	Log *slog.Logger
}

const (
	defaultBatch       = 500
	defaultWorkers     = 4
	defaultAckValidity = 7 * 24 * time.Hour
)

func (c Config) withDefaults() Config {
	if c.Deadlines.Hours.IsZero() {
		c.Deadlines.Hours = ticketing.DefaultOfficeHours()
	}
	if c.Deadlines.Zone == nil {
		c.Deadlines.Zone = ticketing.Zone()
	}
	if c.Windows == nil {
		c.Windows = DefaultWindows(c.Deadlines.Hours)
	}
	if c.Batch == 0 {
		c.Batch = defaultBatch
	}
	if c.Workers == 0 {
		c.Workers = defaultWorkers
	}
	if c.AckValidity == 0 {
		c.AckValidity = defaultAckValidity
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}

func (c Config) validate() error {
	if _, err := orderWindows(c.Windows, func(f string, a ...any) ([]Window, error) {
		return nil, fmt.Errorf("escalation: Windows (HOTLINE_REMINDER_STAGES): %s", fmt.Sprintf(f, a...))
	}); err != nil {
		return err
	}
	for _, w := range c.Windows {
		if !w.Stage.toDepartment() || w.Left <= 0 {
			return fmt.Errorf("escalation: Windows (HOTLINE_REMINDER_STAGES): %s %s: want due_soon or due_hours with a time above zero", w.Stage, w.Left)
		}
	}
	if c.PublicURL != "" && !isHTTPURL(c.PublicURL) {
		return fmt.Errorf("escalation: PublicURL (HOTLINE_PUBLIC_URL) %q: want an http or https URL such as https://hotline.example.vn", c.PublicURL)
	}
	for _, e := range c.SupervisorEmails {
		if err := checkEmail(e); err != nil {
			return fmt.Errorf("escalation: SupervisorEmails (HOTLINE_SUPERVISOR_EMAIL): %w", err)
		}
	}
	if c.SupervisorWebhook != "" && !isHTTPURL(c.SupervisorWebhook) {
		return fmt.Errorf("escalation: SupervisorWebhook (HOTLINE_SUPERVISOR_WEBHOOK) %q: want an http or https URL", c.SupervisorWebhook)
	}
	if c.SupervisorWebhookSecret != "" && c.SupervisorWebhook == "" {
		return fmt.Errorf("escalation: SupervisorWebhookSecret (HOTLINE_SUPERVISOR_WEBHOOK_SECRET) is set without HOTLINE_SUPERVISOR_WEBHOOK")
	}
	if c.Batch < 1 || c.Workers < 1 || c.Workers > 64 || c.AckValidity < 0 {
		return fmt.Errorf("escalation: Batch %d, Workers %d and AckValidity %s: want Batch ≥ 1, 1 ≤ Workers ≤ 64 and AckValidity ≥ 0",
			c.Batch, c.Workers, c.AckValidity)
	}
	return nil
}

// ParseEmails reads a comma-separated list of e-mail addresses (HOTLINE_SUPERVISOR_EMAIL), such as
// "giamsat@so.gov.vn, truongphong@so.gov.vn"; the empty string is no address. Duplicates are dropped.
func ParseEmails(s string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if err := checkEmail(item); err != nil {
			return nil, err
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, item)
		}
		if !dup {
			out = append(out, item)
		}
	}
	return out, nil
}

func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Errorf("%q is not an e-mail address such as giamsat@so.gov.vn", s)
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
