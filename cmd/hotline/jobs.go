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

	"hotline/jobs"
	"hotline/ticketing/ticketpg"
)

// The scheduled jobs of `hotline serve` (robfig/cron in Asia/Ho_Chi_Minh, each run a row of job_runs) and
// the `hotline jobs` verb that lists them.

// jobSettings declares the schedules, shared by serve and `hotline jobs`.
func jobSettings(s *settings) {
	s.add("", "HOTLINE_PURGE_SCHEDULE", "0 3 * * *", "when Idempotency-Keys older than a day are deleted (cron, Asia/Ho_Chi_Minh)")
}

// jobSpecs are the jobs with the schedules the settings give.
func jobSpecs(s *settings) []jobs.Spec {
	return []jobs.Spec{{Name: "purge_idempotency_keys", Schedule: s.str("HOTLINE_PURGE_SCHEDULE")}}
}

// checkSchedules reads every schedule as the scheduler will; a bad one is a bad setting.
func checkSchedules(s *settings) error {
	for _, env := range []string{"HOTLINE_PURGE_SCHEDULE"} {
		if _, err := cron.ParseStandard(s.str(env)); err != nil {
			return badValue{s.get(env), `a cron schedule in Asia/Ho_Chi_Minh such as "0 3 * * *", "@daily" or "@every 1h"`}
		}
	}
	return nil
}

// jobParts is what the jobs work on.
type jobParts struct {
	tickets *ticketpg.Store
}

// newScheduler makes the scheduler of serve with every job on its schedule.
func newScheduler(pool *pgxpool.Pool, node string, specs []jobs.Spec, p jobParts, log *slog.Logger) (*jobs.Scheduler, error) {
	sched, err := jobs.New(pool, jobs.Config{Node: node, Log: log})
	if err != nil {
		return nil, err
	}
	funcs := map[string]jobs.Func{
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
	specs := jobSpecs(s)
	return withPool(ctx, s, func(pool *pgxpool.Pool) error {
		list, err := jobs.Status(ctx, pool, specs, time.Now())
		if err != nil {
			return badValue{s.get("HOTLINE_PURGE_SCHEDULE"), "a cron schedule such as \"0 3 * * *\" or \"@every 1h\" (" + err.Error() + ")"}
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
