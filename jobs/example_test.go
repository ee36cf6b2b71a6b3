package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/jobs"
)

// The owner of the jobs (cmd) adds them with the schedules from its settings, starts the scheduler and
// stops it at shutdown; `hotline jobs` prints jobs.Status for the same schedules.
func ExampleScheduler() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres:///hotline")
	if err != nil {
		panic(err)
	}
	s, err := jobs.New(pool, jobs.Config{Node: "node-1", Log: slog.Default()})
	if err != nil {
		panic(err)
	}
	err = s.Add("breach_report", "30 7 * * *", func(ctx context.Context, now time.Time) (string, error) {
		return "report of 4 breaches queued", nil
	})
	if err != nil {
		panic(err) // e.g. "bad schedule: job breach_report: schedule …; a schedule is …"
	}
	if err := s.Start(ctx); err != nil {
		panic(err)
	}
	defer s.Stop(ctx)

	st, err := jobs.Status(ctx, pool, s.Specs(), time.Now())
	if err != nil {
		panic(err)
	}
	for _, j := range st {
		fmt.Println(j.Job, j.Schedule, "next:", j.Next.Format(time.RFC3339))
	}
}
