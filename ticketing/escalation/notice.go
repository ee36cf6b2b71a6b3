package escalation

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hotline/notify"
	"hotline/ticketing"
)

// Events of the webhooks.
const (
	EventReminder = "ticket.reminder" // due_soon and due_hours
	EventBreached = "ticket.breached" // breached
	EventReport   = "report.breaches" // the daily breach report
)

func (s Stage) event() string {
	if s == Breached {
		return EventBreached
	}
	return EventReminder
}

// recipient is one address a notice goes to.
type recipient struct {
	channel  notify.Channel
	target   string
	secret   string // webhook's HMAC key
	greeting string // e-mail: whom "Kính gửi" addresses
}

// recipients returns who gets stage's notice of c: due_soon the department (e-mail, webhook); due_hours
// the department and its head's e-mail; breached the head's e-mail and the supervisors (e-mails, webhook).
// An address given twice (the head being a supervisor too) gets it once.
func (e *Escalator) recipients(c due) []recipient {
	var out []recipient
	add := func(r recipient) {
		if r.target == "" {
			return
		}
		for _, o := range out {
			if o.channel == r.channel && strings.EqualFold(o.target, r.target) {
				return
			}
		}
		out = append(out, r)
	}
	dept := c.DepartmentName
	if dept == "" {
		dept = c.Department
	}
	head := "Lãnh đạo " + dept
	if c.Head != "" {
		head = c.Head + " — " + head
	}
	if c.Stage.toDepartment() {
		add(recipient{channel: notify.Email, target: c.DeptEmail, greeting: dept})
		add(recipient{channel: notify.Webhook, target: c.DeptWebhook, secret: c.DeptSecret})
	}
	if c.Stage == DueHours || c.Stage == Breached {
		add(recipient{channel: notify.Email, target: c.HeadEmail, greeting: head})
	}
	if c.Stage == Breached {
		for _, s := range e.cfg.SupervisorEmails {
			add(recipient{channel: notify.Email, target: s, greeting: "Bộ phận giám sát Đường dây nóng"})
		}
		add(recipient{channel: notify.Webhook, target: e.cfg.SupervisorWebhook, secret: e.cfg.SupervisorWebhookSecret})
	}
	return out
}

// noticeKey is the idempotency key of c's notice to one address: the event, ticket, stage, deadline,
// channel and a hash of the address, e.g.
// "ticket.reminder:0195…:due_soon:1772704800000000:email:3f2a…".
func noticeKey(c due, channel notify.Channel, target string) string {
	return fmt.Sprintf("%s:%s:%s:%d:%s:%s", c.Stage.event(), c.ID, c.Stage, c.DueAt.UnixMicro(), channel,
		targetHash(target))
}

func targetHash(target string) string {
	h := sha256.Sum256([]byte(strings.ToLower(target)))
	return hex.EncodeToString(h[:8])
}

// WebhookTicket is the ticket as a notice's webhook shows it. It never carries the reporter, not even
// masked.
type WebhookTicket struct {
	ID          string  `json:"id"`
	Code        string  `json:"code"`
	Field       *string `json:"field"`      // the field's code; null while unclassified
	Department  *string `json:"department"` // the department's code; null while unassigned
	Status      string  `json:"status"`
	ReceivedAt  string  `json:"received_at"`
	DeadlineAt  string  `json:"deadline_at"` // the effective deadline (the extension when there is one)
	Description string  `json:"description"`
}

// WebhookNotice is the JSON body of a ticket notice's webhook (events ticket.reminder, ticket.breached).
type WebhookNotice struct {
	Event          string        `json:"event"`
	Stage          Stage         `json:"stage"`
	IdempotencyKey string        `json:"idempotency_key"`
	SentAt         string        `json:"sent_at"`
	Ticket         WebhookTicket `json:"ticket"`
	AckURL         string        `json:"ack_url"`
}

// marshal writes v as JSON without escaping <, > and & (descriptions stay readable).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// The e-mails' texts.
var (
	reminderSubject = notify.MustTemplate("reminder subject",
		`[Đường dây nóng] Phản ánh {{.Code}} sắp đến hạn xử lý (còn {{.Left}} làm việc)`)
	breachedSubject = notify.MustTemplate("breached subject",
		`[Đường dây nóng] Phản ánh {{.Code}} đã quá hạn xử lý (hạn {{gio .Deadline}})`)
	noticeBody = notify.MustTemplate("notice body", `Kính gửi {{.Greeting}},

{{if .Breached -}}
Phản ánh {{.Code}}{{if .FieldName}} (lĩnh vực: {{.FieldName}}){{end}}{{if .DepartmentName}}, giao {{.DepartmentName}} xử lý,{{end}} đã quá hạn xử lý: hạn là {{gio .Deadline}} ({{thu .Deadline}}) và phản ánh vẫn chưa được giải quyết.
{{- else -}}
Phản ánh {{.Code}}{{if .FieldName}} (lĩnh vực: {{.FieldName}}){{end}}, giao {{.DepartmentName}} xử lý, đến hạn xử lý lúc {{gio .Deadline}} ({{thu .Deadline}}): còn {{.Left}} làm việc.
{{- end}}

Mã phản ánh: {{.Code}}
Ngày tiếp nhận: {{gio .ReceivedAt}}
Hạn xử lý: {{gio .Deadline}}
Trạng thái: {{.Status}}

Nội dung phản ánh:
{{.Description}}

Xác nhận đã nhận thông báo này: {{.AckURL}}
(Mở liên kết và bấm "Xác nhận". Liên kết dùng được một lần, đến {{gio .AckExpires}}.)

Trân trọng,
Đường dây nóng
`)
)

// statusText is a status in Vietnamese, for e-mails and the report.
func statusText(s ticketing.Status) string {
	switch s {
	case ticketing.New:
		return "Mới tiếp nhận"
	case ticketing.Assigned:
		return "Đã giao xử lý"
	case ticketing.InProgress:
		return "Đang xử lý"
	case ticketing.Resolved:
		return "Đã xử lý"
	case ticketing.Closed:
		return "Đã đóng"
	case ticketing.Rejected:
		return "Từ chối"
	case ticketing.Merged:
		return "Đã gộp"
	}
	return string(s)
}

// stageText is a stage in Vietnamese.
func stageText(s Stage) string {
	switch s {
	case DueSoon:
		return "nhắc sắp đến hạn"
	case DueHours:
		return "nhắc sắp hết hạn (còn vài giờ)"
	case Breached:
		return "thông báo quá hạn"
	}
	return string(s)
}

// workingText writes office time the Vietnamese way: "1 ngày" (of office days of day), "1,5 ngày",
// "2 giờ", "1 giờ 30 phút", "45 phút".
func workingText(d, day time.Duration) string {
	if d < 0 {
		d = 0
	}
	if day > 0 && d >= day {
		days := float64(d) / float64(day)
		s := strconv.FormatFloat(days, 'f', 1, 64)
		s = strings.TrimSuffix(s, ".0")
		return strings.Replace(s, ".", ",", 1) + " ngày"
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d giờ %d phút", h, m)
	case h > 0:
		return fmt.Sprintf("%d giờ", h)
	case m > 0:
		return fmt.Sprintf("%d phút", m)
	}
	return "dưới 1 phút"
}

// notices returns the notifications of c's notice at now, one per recipient.
func (e *Escalator) notices(d ticketing.Deadlines, c due, key []byte, now time.Time) ([]notify.Notification, error) {
	zone := d.Zone
	expires := latest(c.DueAt, now).Add(e.cfg.AckValidity)
	ackURL := e.cfg.PublicURL + "/ack/" + signLink(key, link{Ticket: c.ID, Stage: c.Stage, DueAt: c.DueAt, Expires: expires})
	left := d.WorkingHoursBetween(now, c.DueAt)
	data := map[string]any{
		"Code": c.Code, "FieldName": c.FieldName, "DepartmentName": c.DepartmentName, "Deadline": c.DueAt,
		"ReceivedAt": c.ReceivedAt, "Status": statusText(c.Status), "Description": c.Description,
		"AckURL": ackURL, "AckExpires": expires, "Left": workingText(left, d.Hours.Day()),
		"Breached": c.Stage == Breached,
	}
	subjectTpl := reminderSubject
	if c.Stage == Breached {
		subjectTpl = breachedSubject
	}
	subject, err := notify.Render(subjectTpl, data)
	if err != nil {
		return nil, err
	}
	var out []notify.Notification
	bodies := map[string][]byte{}
	for _, r := range e.recipients(c) {
		n := notify.Notification{
			Key: noticeKey(c, r.channel, r.target), Channel: r.channel, Target: r.target, Secret: r.secret,
			Event: c.Stage.event(), TicketID: c.ID, Stage: string(c.Stage), Department: c.Department,
		}
		switch r.channel {
		case notify.Webhook:
			body, err := marshal(WebhookNotice{
				Event: n.Event, Stage: c.Stage, IdempotencyKey: n.Key, SentAt: now.In(zone).Format(time.RFC3339),
				Ticket: WebhookTicket{
					ID: c.ID.String(), Code: c.Code, Field: optional(c.Field), Department: optional(c.Department),
					Status: string(c.Status), ReceivedAt: c.ReceivedAt.In(zone).Format(time.RFC3339),
					DeadlineAt: c.DueAt.In(zone).Format(time.RFC3339), Description: c.Description,
				},
				AckURL: ackURL,
			})
			if err != nil {
				return nil, err
			}
			n.Body = body
		case notify.Email:
			body, ok := bodies[r.greeting] // the supervisors share one text
			if !ok {
				data["Greeting"] = r.greeting
				text, err := notify.Render(noticeBody, data)
				if err != nil {
					return nil, err
				}
				body = []byte(text)
				bodies[r.greeting] = body
			}
			n.Subject, n.Body = subject, body
		}
		out = append(out, n)
	}
	return out, nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
