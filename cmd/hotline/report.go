package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

// The report verb: the breach report for a period, to stdout, as the API and the daily mail give it.

func reportSettings() *settings {
	s := newSettings("report breaches")
	dbSettings(s)
	s.add("from", "HOTLINE_REPORT_FROM", "", "first day of the period, YYYY-MM-DD (default: the first of this month)")
	s.add("to", "HOTLINE_REPORT_TO", "", "last day of the period, YYYY-MM-DD (default: today)")
	s.add("format", "HOTLINE_REPORT_FORMAT", "text", "text, json, csv or html")
	s.add("", "HOTLINE_OFFICE_HOURS", ticketing.DefaultOfficeHoursSpec, "office hours of the working days (as in hotline serve)")
	return s
}

func runReportBreaches(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	now := time.Now()
	day := func(env string) (time.Time, error) {
		v := s.str(env)
		if v == "" {
			return time.Time{}, nil
		}
		d, err := ticketing.ParseCivilDate(v)
		if err != nil {
			return time.Time{}, badValue{s.get(env), "a date YYYY-MM-DD"}
		}
		return d.In(vietnam), nil
	}
	from, err := day("HOTLINE_REPORT_FROM")
	if err != nil {
		return err
	}
	to, err := day("HOTLINE_REPORT_TO")
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = startOfDay(now)
	}
	to = to.AddDate(0, 0, 1) // the end of the last day
	if from.IsZero() {
		y, m, _ := now.In(vietnam).Date()
		from = time.Date(y, m, 1, 0, 0, 0, 0, vietnam)
	}
	if !from.Before(to) {
		return usageError{errors.New("--from must not be after --to")}
	}
	write := map[string]func(io.Writer, escalation.Report) error{"text": escalation.WriteText,
		"json": escalation.WriteJSON, "csv": escalation.WriteCSV, "html": escalation.WriteHTML}[s.str("HOTLINE_REPORT_FORMAT")]
	if write == nil {
		return badValue{s.get("HOTLINE_REPORT_FORMAT"), "text, json, csv or html"}
	}
	hours, err := ticketing.ParseOfficeHours(s.str("HOTLINE_OFFICE_HOURS"))
	if err != nil {
		return badValue{s.get("HOTLINE_OFFICE_HOURS"), "ranges HH:MM-HH:MM, e.g. 07:30-11:30,13:30-17:00"}
	}
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		esc, err := escalation.New(pool, escalation.Config{Deadlines: ticketing.Deadlines{Hours: hours, Zone: ticketing.Zone()},
			PublicURL: "http://localhost"})
		if err != nil {
			return err
		}
		rep, err := esc.Report(ctx, from, to, now)
		if err != nil {
			return err
		}
		if err := write(stdout, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline report breaches: %s to %s, %d ticket(s) received, %d breached\n",
			from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), rep.Total.Received, len(rep.Breached))
		return nil
	})
}
