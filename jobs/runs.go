package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Outcome is how a run ended.
type Outcome string

// Outcomes. Running, OK, Failed, Panicked and Interrupted are stored; Skipped is only returned by
// RunNow, for a run that did not happen.
const (
	Running     Outcome = "running"     // still running (or its node died: see Interrupted)
	OK          Outcome = "ok"          // the Func returned no error
	Failed      Outcome = "failed"      // the Func returned an error
	Panicked    Outcome = "panicked"    // the Func panicked; Error holds the panic and its stack
	Interrupted Outcome = "interrupted" // the node stopped before the run ended (found by the next run)
	Skipped     Outcome = "skipped"     // not run: see Run.Summary for why
)

// Run is one run of a job.
type Run struct {
	ID         int64 // 0 for a skipped run
	Job        string
	Node       string
	Tick       time.Time // the schedule's activation time the run belongs to
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Outcome    Outcome
	Summary    string // what the Func said it did; for a skipped run, why it was skipped
	Error      string // the error or the panic and its stack, trimmed
}

// Querier is what Status and Runs read through: a pool, a connection or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// execer runs statements: the dedicated connection of a run.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const runColumns = `id, job, node, tick, started_at, finished_at, outcome, summary, error`

func scanRun(row pgx.CollectableRow) (Run, error) {
	var r Run
	var finished *time.Time
	err := row.Scan(&r.ID, &r.Job, &r.Node, &r.Tick, &r.StartedAt, &finished, &r.Outcome, &r.Summary, &r.Error)
	if finished != nil {
		r.FinishedAt = *finished
	}
	return r, err
}

// Runs lists the latest runs, newest tick first: of the job named job, or of every job when job is
// empty; at most limit (default 50).
func Runs(ctx context.Context, db Querier, job string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.Query(ctx, `SELECT `+runColumns+` FROM job_runs WHERE $1 = '' OR job = $1
		ORDER BY tick DESC, id DESC LIMIT $2`, job, limit)
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	runs, err := pgx.CollectRows(rows, scanRun)
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	return runs, nil
}

// Spec names a job and its schedule, as the settings give them.
type Spec struct {
	Name     string
	Schedule string
}

// JobStatus is what `hotline jobs` shows of one job.
type JobStatus struct {
	Job      string
	Schedule string
	Last     *Run      // the run of the latest tick; nil if the job never ran
	Next     time.Time // the next activation after now, in Asia/Ho_Chi_Minh (for "@every d": the next tick)
}

// Status returns, for each spec in order, the job's last run and its next activation after now. It needs
// no running Scheduler: the CLI passes the schedules read from the same settings as `hotline serve`.
func Status(ctx context.Context, db Querier, specs []Spec, now time.Time) ([]JobStatus, error) {
	out := make([]JobStatus, 0, len(specs))
	for _, sp := range specs {
		sch, err := parseSchedule(sp.Name, sp.Schedule)
		if err != nil {
			return nil, err
		}
		st := JobStatus{Job: sp.Name, Schedule: sp.Schedule, Next: sch.next(now)}
		last, err := Runs(ctx, db, sp.Name, 1)
		if err != nil {
			return nil, err
		}
		if len(last) == 1 {
			st.Last = &last[0]
		}
		out = append(out, st)
	}
	return out, nil
}

// interruptLeftovers marks the job's runs still 'running' as interrupted; called under the job's lock,
// when no node can be running it.
func interruptLeftovers(ctx context.Context, db execer, job string, now time.Time) error {
	_, err := db.Exec(ctx, `UPDATE job_runs SET outcome = 'interrupted', finished_at = $2,
			error = 'the node stopped before the run ended'
		WHERE job = $1 AND outcome = 'running'`, job, now)
	if err != nil {
		return fmt.Errorf("mark interrupted runs of %s: %w", job, err)
	}
	return nil
}

// claimTick writes the run's row; ok is false if the tick already has one, whose node it returns.
func claimTick(ctx context.Context, db execer, r *Run) (ok bool, other string, err error) {
	err = db.QueryRow(ctx, `INSERT INTO job_runs (job, node, tick, started_at, outcome)
		VALUES ($1, $2, $3, $4, 'running') ON CONFLICT (job, tick) DO NOTHING RETURNING id`,
		r.Job, r.Node, r.Tick, r.StartedAt).Scan(&r.ID)
	if err == nil {
		return true, "", nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, "", fmt.Errorf("claim tick %s of %s: %w", r.Tick.Format(time.RFC3339), r.Job, err)
	}
	err = db.QueryRow(ctx, `SELECT node FROM job_runs WHERE job = $1 AND tick = $2`, r.Job, r.Tick).Scan(&other)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, "", fmt.Errorf("claim tick %s of %s: %w", r.Tick.Format(time.RFC3339), r.Job, err)
	}
	return false, other, nil
}

// finish writes the run's outcome, and deletes the job's runs older than keep (if keep > 0).
func finish(ctx context.Context, db execer, r Run, keep time.Duration) error {
	_, err := db.Exec(ctx, `UPDATE job_runs SET finished_at = $2, outcome = $3, summary = $4, error = $5
		WHERE id = $1`, r.ID, r.FinishedAt, r.Outcome, r.Summary, r.Error)
	if err != nil {
		return fmt.Errorf("record run of %s: %w", r.Job, err)
	}
	if keep > 0 {
		if _, err := db.Exec(ctx, `DELETE FROM job_runs WHERE job = $1 AND tick < $2`,
			r.Job, r.Tick.Add(-keep)); err != nil {
			return fmt.Errorf("delete old runs of %s: %w", r.Job, err)
		}
	}
	return nil
}

// Limits of the text kept in a run's row.
const (
	maxSummary = 2 << 10
	maxError   = 8 << 10
)

// trimText makes s fit a text column: valid UTF-8, no NUL, at most n bytes (cut on a rune boundary,
// marked with an ellipsis).
func trimText(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	const mark = " …"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
