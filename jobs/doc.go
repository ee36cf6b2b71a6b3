// Package jobs runs the hotline's scheduled jobs (escalation reminders, the daily breach report, recording
// retention, …) on robfig/cron schedules in Asia/Ho_Chi_Minh, and records every run in PostgreSQL.
//
// # Jobs and schedules
//
// A job is a name, a schedule and a [Func]. A schedule is a five-field cron spec read in
// Asia/Ho_Chi_Minh ("30 7 * * *" is 07:30 in Vietnam; a "CRON_TZ=Zone " prefix reads it in another zone),
// a descriptor (@hourly, @daily, …) or "@every <duration>" ("@every 1m"):
//
//	s, err := jobs.New(pool, jobs.Config{Node: "node-1", Log: log})
//	err = s.Add("reminders", "@every 1m", reminders.Run)
//	err = s.Add("breach_report", "30 7 * * *", report.Send)
//	err = s.Start(ctx)
//	…
//	err = s.Stop(grace) // no new runs; waits for the running ones while grace lasts
//
// # Runs
//
// Every run is a row of job_runs (job, node, tick, started_at, finished_at, outcome, summary, error).
// The outcome is ok, failed (the Func returned an error) or panicked (the panic is recovered and its
// stack kept in error, trimmed); a failed or panicked job simply runs again at its next tick, and other
// jobs never notice. Each run is logged: ok at Info (at Debug for jobs that run every minute or more
// often), failed and panicked at Error.
//
// A run is skipped, with a Debug line and no row, when the same job still runs on this node, when
// another node runs it right now (a session advisory lock held on a connection of its own for the
// length of the run), or when its tick already ran (the unique (job, tick) of job_runs). The tick is
// the schedule's activation time the run belongs to, so that two nodes firing the daily 07:30 report
// run it once; for "@every d" schedules, whose phase differs between nodes, it is the time truncated to
// d. A row left 'running' by a node that died is marked 'interrupted' by the job's next run.
//
// [Scheduler.RunNow] runs one job for a given time through the same path as the cron loop (claims,
// row, recovery), so tests control the clock.
//
// # Listing
//
// [Status] gives each job's last run and next run from the database and the schedules, without a
// running Scheduler (the `hotline jobs` verb); [Runs] lists recent runs.
//
// # Concurrency and lifecycle
//
// A Scheduler is safe for concurrent use. Its owner (cmd) adds the jobs, calls Start, and Stop at
// shutdown. Each run holds one database connection of its own (for the lock) besides what its Func
// uses from the pool.
package jobs
