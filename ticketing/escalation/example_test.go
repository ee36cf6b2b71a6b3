package escalation_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/jobs"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// How cmd wires the escalation: settings read into a Config, the two jobs on the scheduler, the report for
// `hotline report breaches` and GET /api/v1/reports/breaches, the acknowledgements for the API and the ack
// links.
func ExampleEscalator() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("HOTLINE_DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	hours, err := ticketing.ParseOfficeHours(ticketing.DefaultOfficeHoursSpec) // HOTLINE_OFFICE_HOURS
	if err != nil {
		panic(err)
	}
	windows, err := escalation.ParseStages("due_soon=1d,due_hours=2h", hours) // HOTLINE_REMINDER_STAGES
	if err != nil {
		panic(err) // "invalid reminder stages …": one line naming the setting
	}
	supervisors, err := escalation.ParseEmails("giamsat@so.gov.vn, pho.giamdoc@so.gov.vn") // HOTLINE_SUPERVISOR_EMAIL
	if err != nil {
		panic(err)
	}
	e, err := escalation.New(pool, escalation.Config{
		Windows:                 windows,
		Deadlines:               ticketing.Deadlines{Hours: hours}, // the holidays table gives the calendar
		SupervisorEmails:        supervisors,
		SupervisorWebhook:       "https://giamsat.example.vn/hook", // HOTLINE_SUPERVISOR_WEBHOOK
		SupervisorWebhookSecret: "…",                               // HOTLINE_SUPERVISOR_WEBHOOK_SECRET
		PublicURL:               "https://hotline.example.vn",      // HOTLINE_PUBLIC_URL
		Log:                     slog.Default(),
	})
	if err != nil {
		panic(err)
	}

	s, err := jobs.New(pool, jobs.Config{Node: "node-1"})
	if err != nil {
		panic(err)
	}
	_ = s.Add("reminders", "@every 1m", e.Reminders)        // HOTLINE_REMINDER_SCHEDULE
	_ = s.Add("breach_report", "30 7 * * *", e.DailyReport) // HOTLINE_REPORT_SCHEDULE

	// hotline report breaches --from 2026-03-01 --to 2026-03-08 --format html (dates in Vietnam; --to is
	// the first day not counted).
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, ticketing.Zone())
	r, err := e.Report(ctx, from, from.AddDate(0, 0, 7), time.Now())
	if err != nil {
		panic(err)
	}
	_ = escalation.WriteHTML(os.Stdout, r)

	// GET /ack/{token} shows the confirm page; POST /ack/{token} acknowledges.
	http.HandleFunc("GET /ack/{token}", func(w http.ResponseWriter, req *http.Request) {
		l, err := e.VerifyAck(req.Context(), req.PathValue("token"), time.Now())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err != nil {
			w.WriteHeader(http.StatusNotFound) // 410 for ErrLinkExpired
			_ = escalation.WriteAckPage(w, escalation.AckPage{Err: err})
			return
		}
		_ = escalation.WriteAckPage(w, escalation.AckPage{Link: &l})
	})
}
