package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"

	"hotline/calls"
	"hotline/jobs"
	"hotline/recordings"
	"hotline/ticketing/escalation"
	"hotline/ticketing/ticketpg"
)

// The scheduled jobs of `hotline serve` (robfig/cron in Asia/Ho_Chi_Minh, each run a row of job_runs) and
// the `hotline jobs` verb that lists them.

// jobSettings declares the schedules, shared by serve and `hotline jobs`.
func jobSettings(s *settings) {
	s.add("", "HOTLINE_REMINDER_SCHEDULE", "@every 1m", "how often tickets near or past their deadline are looked at for reminders (cron, Asia/Ho_Chi_Minh)")
	s.add("", "HOTLINE_REPORT_SCHEDULE", "30 7 * * *", "when the daily breach report is sent to supervisors (cron, Asia/Ho_Chi_Minh)")
	s.add("", "HOTLINE_RETENTION_SCHEDULE", "0 2 * * *", "when recordings past HOTLINE_RECORDING_RETENTION are deleted (cron, Asia/Ho_Chi_Minh)")
	s.add("", "HOTLINE_RECORDING_RETENTION", "365", "days a recording's audio is kept, unless on legal hold or linked to an open ticket")
	s.add("", "HOTLINE_PURGE_SCHEDULE", "0 3 * * *", "when Idempotency-Keys older than a day are deleted (cron, Asia/Ho_Chi_Minh)")
}

var scheduleSettings = []string{"HOTLINE_REMINDER_SCHEDULE", "HOTLINE_REPORT_SCHEDULE", "HOTLINE_RETENTION_SCHEDULE",
	"HOTLINE_PURGE_SCHEDULE"}

// jobSpecs are the jobs with the schedules the settings give.
func jobSpecs(s *settings) []jobs.Spec {
	return []jobs.Spec{
		{Name: "reminders", Schedule: s.str("HOTLINE_REMINDER_SCHEDULE")},
		{Name: "breach_report", Schedule: s.str("HOTLINE_REPORT_SCHEDULE")},
		{Name: "recording_retention", Schedule: s.str("HOTLINE_RETENTION_SCHEDULE")},
		{Name: "purge_idempotency_keys", Schedule: s.str("HOTLINE_PURGE_SCHEDULE")},
	}
}

// checkSchedules reads every schedule as the scheduler will; a bad one is a bad setting.
func checkSchedules(s *settings) error {
	for _, env := range scheduleSettings {
		if _, err := cron.ParseStandard(s.str(env)); err != nil {
			return badValue{s.get(env), `a cron schedule in Asia/Ho_Chi_Minh such as "0 3 * * *", "@daily" or "@every 1h"`}
		}
	}
	return nil
}

// jobParts is what the jobs work on.
type jobParts struct {
	escalator *escalation.Escalator
	tickets   *ticketpg.Store
	calls     *calls.Store
	audio     *recordings.Writer
	retention int // days
	log       *slog.Logger
}

// newScheduler makes the scheduler of serve with every job on its schedule.
func newScheduler(pool *pgxpool.Pool, node string, specs []jobs.Spec, p jobParts, log *slog.Logger) (*jobs.Scheduler, error) {
	sched, err := jobs.New(pool, jobs.Config{Node: node, Log: log})
	if err != nil {
		return nil, err
	}
	funcs := map[string]jobs.Func{
		"reminders":           p.escalator.Reminders,
		"breach_report":       p.escalator.DailyReport,
		"recording_retention": p.retain,
		"purge_idempotency_keys": func(ctx context.Context, now time.Time) (string, error) {
			n, err := p.tickets.PurgeIdempotencyKeys(ctx, now.Add(-24*time.Hour))
			return fmt.Sprintf("%d key(s) older than a day deleted", n), err
		},
	}
	for _, sp := range specs {
		if err := sched.Add(sp.Name, sp.Schedule, funcs[sp.Name]); err != nil {
			return nil, err
		}
	}
	return sched, nil
}

func jobsVerbSettings() *settings {
	s := newSettings("jobs")
	dbSettings(s)
	jobSettings(s)
	return s
}

// runJobs lists each scheduled job's last and next runs.
func runJobs(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	if err := checkSchedules(s); err != nil {
		return err
	}
	specs := jobSpecs(s)
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		list, err := jobs.Status(ctx, pool, specs, time.Now())
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "JOB\tSCHEDULE\tLAST RUN\tOUTCOME\tNODE\tSUMMARY\tNEXT RUN")
		for _, j := range list {
			last, outcome, node, summary := "never", "", "", ""
			if r := j.Last; r != nil {
				last = r.StartedAt.In(vietnam).Format(time.DateTime)
				outcome, node, summary = string(r.Outcome), r.Node, r.Summary
				if r.Error != "" {
					summary = oneLine(fmt.Errorf("%s", r.Error))
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.Job, j.Schedule, last, outcome, node, summary,
				j.Next.In(vietnam).Format(time.DateTime))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "hotline jobs: %d job(s); times in Asia/Ho_Chi_Minh\n", len(list))
		return nil
	})
}

// retain deletes the audio of recordings older than the retention, unless on legal hold or linked to an
// open ticket; each row stays, with a tombstone saying who, when and why. Rows are tombstoned first (a
// hold made meanwhile wins), then their files deleted; files left by a run cut in between, or that could
// not be deleted, are deleted by the next runs.
func (p jobParts) retain(ctx context.Context, now time.Time) (string, error) {
	const by = "retention"
	reason := fmt.Sprintf("older than %d days (HOTLINE_RECORDING_RETENTION)", p.retention)
	failed := 0
	remove := func(path string) {
		if err := p.audio.Remove(path); err != nil {
			failed++
			p.log.Error("retention could not delete a recording's file; the next run tries again", "path", path, "error", err)
		}
	}
	left, err := p.calls.Retired(ctx, by, now.AddDate(0, 0, -2))
	if err != nil {
		return "", err
	}
	for _, path := range left {
		remove(path)
	}
	deleted := 0
	var freed int64
	for ctx.Err() == nil {
		list, err := p.calls.Retire(ctx, now.AddDate(0, 0, -p.retention), by, reason, now, 500)
		if err != nil || len(list) == 0 {
			summary := fmt.Sprintf("%d recording(s) deleted, %d MiB freed", deleted, freed>>20)
			if failed > 0 {
				summary += fmt.Sprintf("; %d file(s) could not be deleted (see the log)", failed)
			}
			return summary, err
		}
		for _, rec := range list {
			remove(rec.Path)
			deleted++
			freed += rec.Bytes
		}
	}
	return fmt.Sprintf("%d recording(s) deleted, stopped early", deleted), ctx.Err()
}
