package escalation

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"hotline/notify"
)

// ReportWebhook is the JSON body of the daily report's webhook (event report.breaches).
type ReportWebhook struct {
	Event          string `json:"event"`
	IdempotencyKey string `json:"idempotency_key"`
	SentAt         string `json:"sent_at"`
	Report         Report `json:"report"`
	// BreachedTotal is how many tickets are breached; Report.Breached lists the most late ones only when
	// the whole list would not fit in a webhook (1 MiB).
	BreachedTotal int `json:"breached_total"`
}

// maxReportBody keeps the report's webhook under the outbox's 1 MiB.
const maxReportBody = 1<<20 - 4096

// DailyReport is the daily breach report's job (a jobs.Func, HOTLINE_REPORT_SCHEDULE, default 07:30): the
// report of the previous day (00:00–24:00 in Asia/Ho_Chi_Minh) at now, queued to the supervisors' e-mails
// (the printable page of WriteHTML, with the text of WriteText as the plain alternative) and webhook
// (ReportWebhook), once per day: the idempotency keys carry the date, so a second run the same day, on
// any node, queues nothing.
func (e *Escalator) DailyReport(ctx context.Context, now time.Time) (string, error) {
	zone := e.cfg.Deadlines.Zone
	local := now.In(zone)
	to := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
	from := to.AddDate(0, 0, -1)
	if len(e.cfg.SupervisorEmails) == 0 && e.cfg.SupervisorWebhook == "" {
		return "no supervisors configured (HOTLINE_SUPERVISOR_EMAIL, HOTLINE_SUPERVISOR_WEBHOOK): nothing queued", nil
	}
	r, err := e.Report(ctx, from, to, now)
	if err != nil {
		return "", err
	}
	date := from.Format(time.DateOnly)
	var ns []notify.Notification
	if len(e.cfg.SupervisorEmails) > 0 {
		text, err := reportText(r)
		if err != nil {
			return "", err
		}
		html, err := reportHTML(r)
		if err != nil {
			return "", err
		}
		subject := fmt.Sprintf("[Đường dây nóng] Báo cáo trễ hạn xử lý ngày %s: %d phản ánh quá hạn", viDate(from), len(r.Breached))
		for _, to := range e.cfg.SupervisorEmails {
			ns = append(ns, notify.Notification{
				Key:     fmt.Sprintf("%s:%s:email:%s", EventReport, date, targetHash(to)),
				Channel: notify.Email, Target: to, Subject: subject, Body: text, HTML: html, Event: EventReport,
			})
		}
	}
	if e.cfg.SupervisorWebhook != "" {
		key := fmt.Sprintf("%s:%s:webhook:%s", EventReport, date, targetHash(e.cfg.SupervisorWebhook))
		body, err := reportBody(key, r, now.In(zone))
		if err != nil {
			return "", err
		}
		ns = append(ns, notify.Notification{Key: key, Channel: notify.Webhook, Target: e.cfg.SupervisorWebhook,
			Secret: e.cfg.SupervisorWebhookSecret, Body: body, Event: EventReport})
	}
	queued, err := notify.EnqueueMany(ctx, e.db, ns, now)
	if err != nil {
		return "", fmt.Errorf("queue the breach report of %s: %w", date, err)
	}
	if queued == 0 {
		return fmt.Sprintf("breach report of %s queued already", date), nil
	}
	return fmt.Sprintf("breach report of %s queued to %d recipients (%d breached tickets)", date, queued, len(r.Breached)), nil
}

// reportBody is the webhook's JSON, with the breached list cut (most late kept) until it fits.
func reportBody(key string, r Report, sentAt time.Time) ([]byte, error) {
	w := ReportWebhook{Event: EventReport, IdempotencyKey: key, SentAt: sentAt.Format(time.RFC3339), Report: r,
		BreachedTotal: len(r.Breached)}
	for {
		body, err := marshal(w)
		if err != nil {
			return nil, err
		}
		if len(body) <= maxReportBody || len(w.Report.Breached) == 0 {
			return body, nil
		}
		w.Report.Breached = w.Report.Breached[:len(w.Report.Breached)/2]
	}
}

// reportText is the e-mail's text, with the breached list cut (most late kept, and a line saying how many
// more there are) until it fits in the outbox's 1 MiB.
func reportText(r Report) ([]byte, error) {
	all := len(r.Breached)
	for {
		var b strings.Builder
		if err := WriteText(&b, r); err != nil {
			return nil, err
		}
		if n := all - len(r.Breached); n > 0 {
			fmt.Fprintf(&b, "… và %d phản ánh quá hạn khác (xem báo cáo đầy đủ: hotline report breaches).\n", n)
		}
		if b.Len() <= maxReportBody || len(r.Breached) == 0 {
			return []byte(b.String()), nil
		}
		r.Breached = r.Breached[:len(r.Breached)/2]
	}
}

// reportHTML is the e-mail's HTML part, with the breached list cut (most late kept, and a line saying how
// many more there are) until it fits in the outbox's 1 MiB.
func reportHTML(r Report) ([]byte, error) {
	all := len(r.Breached)
	for {
		var b bytes.Buffer
		if err := writeHTML(&b, r, all-len(r.Breached)); err != nil {
			return nil, err
		}
		if b.Len() <= maxReportBody || len(r.Breached) == 0 {
			return b.Bytes(), nil
		}
		r.Breached = r.Breached[:len(r.Breached)/2]
	}
}
