package ticketing

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on reports.
const (
	MaxAttachments = 20
	// MaxAhead is how far ahead of now a received_at may be (clocks of other systems drift).
	MaxAhead = 5 * time.Minute
)

// minReceived is the earliest receipt accepted: codes have four-digit years, and nothing older is a report
// still to handle.
var minReceived = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ValidCode reports whether s is written as field and department codes are: 1–32 lower-case ASCII
// letters, digits, '-' and '_'.
func ValidCode(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Validate checks a report before it becomes a ticket, at now: everything but the existence of its field,
// department and call, which the store checks. It returns a *ValidationError naming every bad member, or
// ErrForbidden (wrapped) when a received_at comes from below a supervisor.
func (n *NewTicket) Validate(a Actor, now time.Time) error {
	v := invalid{}
	switch {
	case n.Channel == "":
		v.add("channel", "is required: hotline, zalo, field or web")
	case !n.Channel.Valid():
		v.add("channel", "must be hotline, zalo, field or web")
	}
	switch d := strings.TrimSpace(n.Description); {
	case d == "":
		v.add("description", "is required: what the citizen reports")
	case !utf8.ValidString(n.Description):
		v.add("description", "must be UTF-8 text")
	case utf8.RuneCountInString(n.Description) > MaxDescription:
		v.add("description", fmt.Sprintf("must be at most %d characters", MaxDescription))
	}
	if n.Field != "" && !ValidCode(n.Field) {
		v.add("field", "must be a field's code (see GET /api/v1/fields)")
	}
	if n.Department != "" && !ValidCode(n.Department) {
		v.add("department", "must be a department's code (see GET /api/v1/departments)")
	}
	if r := n.Reporter; r != nil {
		validReporter(v, r)
	}
	if l := n.Location; l != nil {
		validLocation(v, l)
	}
	if len(n.Attachments) > MaxAttachments {
		v.add("attachments", fmt.Sprintf("at most %d", MaxAttachments))
	}
	for i, at := range n.Attachments {
		name := fmt.Sprintf("attachments[%d]", i)
		if !validURL(at.URL) {
			v.add(name+".url", "must be an http or https URL of at most 2048 characters")
		}
		if !at.Kind.Valid() {
			v.add(name+".kind", "must be image, video, audio, document or other")
		}
		if utf8.RuneCountInString(at.Name) > 200 || !utf8.ValidString(at.Name) {
			v.add(name+".name", "must be text of at most 200 characters")
		}
	}
	if n.ReceivedAt != nil {
		if !a.Role.AtLeast(RoleSupervisor) {
			return fmt.Errorf("%w: only supervisors and admins give received_at", ErrForbidden)
		}
		switch r := *n.ReceivedAt; {
		case r.After(now.Add(MaxAhead)):
			v.add("received_at", "is in the future: it may be at most 5 minutes ahead of the hotline's clock")
		case r.Before(minReceived):
			v.add("received_at", "must be in the year 2000 or later")
		}
	}
	return v.err()
}

func validReporter(v invalid, r *Reporter) {
	if utf8.RuneCountInString(r.Name) > 200 || !utf8.ValidString(r.Name) {
		v.add("reporter.name", "must be text of at most 200 characters")
	}
	if r.Phone != "" {
		digits := 0
		ok := len(r.Phone) <= 32
		for i, c := range r.Phone {
			switch {
			case c >= '0' && c <= '9':
				digits++
			case c == '+' && i == 0, c == ' ', c == '.', c == '-', c == '(', c == ')':
			default:
				ok = false
			}
		}
		if !ok || digits < 3 || digits > 15 {
			v.add("reporter.phone", "must be a phone number: digits, with an optional leading + and separators")
		}
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email || len(r.Email) > 254 {
			v.add("reporter.email", "must be an e-mail address such as an@mail.vn")
		}
	}
}

func validLocation(v invalid, l *Location) {
	if utf8.RuneCountInString(l.Address) > 500 || !utf8.ValidString(l.Address) {
		v.add("location.address", "must be text of at most 500 characters")
	}
	if (l.Lat == nil) != (l.Lon == nil) {
		v.add("location", "lat and lon go together")
	}
	if l.Lat != nil && (math.IsNaN(*l.Lat) || *l.Lat < -90 || *l.Lat > 90) {
		v.add("location.lat", "must be a latitude from -90 to 90")
	}
	if l.Lon != nil && (math.IsNaN(*l.Lon) || *l.Lon < -180 || *l.Lon > 180) {
		v.add("location.lon", "must be a longitude from -180 to 180")
	}
}

func validURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Validate checks a department before it is added.
func (d *Department) Validate() error {
	v := invalid{}
	if !ValidCode(d.Code) {
		v.add("code", "must be 1–32 lower-case letters, digits, - or _")
	}
	validDepartment(v, &d.Name, &d.Head, &d.HeadEmail, &d.Email, &d.Webhook, &d.Secret)
	if d.Name == "" {
		v.add("name", "is required")
	}
	return v.err()
}

// Validate checks a change of a department.
func (c *DepartmentChange) Validate() error {
	v := invalid{}
	if !ValidCode(c.Code) {
		v.add("code", "must be 1–32 lower-case letters, digits, - or _")
	}
	validDepartment(v, c.Name, c.Head, c.HeadEmail, c.Email, c.Webhook, c.Secret)
	if c.Name != nil && *c.Name == "" {
		v.add("name", "cannot be empty")
	}
	return v.err()
}

func validDepartment(v invalid, name, head, headEmail, email, webhook, secret *string) {
	text := func(field string, p *string, max int) {
		if p != nil && (utf8.RuneCountInString(*p) > max || !utf8.ValidString(*p)) {
			v.add(field, fmt.Sprintf("must be text of at most %d characters", max))
		}
	}
	text("name", name, 200)
	text("head", head, 200)
	text("secret", secret, 500)
	for field, p := range map[string]*string{"head_email": headEmail, "email": email} {
		if p != nil && *p != "" {
			if a, err := mail.ParseAddress(*p); err != nil || a.Address != *p {
				v.add(field, "must be an e-mail address such as ubnd@mail.vn")
			}
		}
	}
	if webhook != nil && *webhook != "" && !validURL(*webhook) {
		v.add("webhook", "must be an http or https URL")
	}
}

// Validate checks a change of a field.
func (c *FieldChange) Validate() error {
	v := invalid{}
	if !ValidCode(c.Code) {
		v.add("code", "must be 1–32 lower-case letters, digits, - or _")
	}
	if c.Name != nil && (*c.Name == "" || utf8.RuneCountInString(*c.Name) > 200 || !utf8.ValidString(*c.Name)) {
		v.add("name", "must be text of 1 to 200 characters")
	}
	if c.Department != nil && *c.Department != "" && !ValidCode(*c.Department) {
		v.add("department", "must be a department's code")
	}
	if c.DeadlineDays != nil && (*c.DeadlineDays < 0 || *c.DeadlineDays > 365) {
		v.add("deadline_days", "must be from 1 to 365 working days (0 to count the channel's term)")
	}
	if c.Priority != nil && (*c.Priority < 0 || *c.Priority > 9) {
		v.add("priority", "must be from 0 to 9")
	}
	return v.err()
}

// ValidHoliday checks a day an admin adds to the calendar.
func ValidHoliday(o Override) error {
	v := invalid{}
	if !o.Date.IsValid() || o.Date.Year < 1000 || o.Date.Year > 9999 {
		v.add("date", "must be a date YYYY-MM-DD")
	}
	if strings.TrimSpace(o.Name) == "" || utf8.RuneCountInString(o.Name) > 200 || !utf8.ValidString(o.Name) {
		v.add("name", "must be text of 1 to 200 characters")
	}
	return v.err()
}
