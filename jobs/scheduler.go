package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/robfig/cron/v3"
)

// Func is a job's work for the tick at now. Its summary (what it did, e.g. "3 reminders queued") and
// its error are kept in the run's row. It should return when ctx ends: at a shutdown that outlasts
// the grace period.
type Func func(ctx context.Context, now time.Time) (summary string, err error)

// lockClass is the first key of the jobs' session advisory locks (the bytes of "jobs"); the second is
// a hash of the job's name.
const lockClass int32 = 0x6a6f6273

// bookkeeping bounds the statements of a run's row after its Func returned, which run even when the
// run's context has ended.
const bookkeeping = 10 * time.Second

type job struct {
	name    string
	sched   schedule
	fn      Func
	lockKey int32
	quiet   bool        // ok runs log at Debug
	running atomic.Bool // a run of it is under way on this node
}

type lifecycle int

const (
	created lifecycle = iota
	started
	stopped
)

// Scheduler runs jobs on their schedules, one run per tick across all nodes.
type Scheduler struct {
	conn *pgx.ConnConfig // for each run's own connection, which holds the job's lock
	cfg  Config
	log  *slog.Logger

	// stopping ends the contexts of running jobs when Stop's context ends first.
	stopping   context.Context
	cancelRuns context.CancelFunc

	mu    sync.Mutex
	jobs  map[string]*job
	order []string
	state lifecycle
	cron  *cron.Cron
	runs  sync.WaitGroup // Add only under mu while not stopped
}

// New returns a Scheduler on pool's database, with no jobs yet.
func New(pool *pgxpool.Pool, cfg Config) (*Scheduler, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	stopping, cancel := context.WithCancel(context.Background())
	return &Scheduler{
		conn: pool.Config().ConnConfig, cfg: cfg, log: cfg.Log,
		stopping: stopping, cancelRuns: cancel,
		jobs: map[string]*job{},
	}, nil
}

// Add registers fn as the job name on the schedule spec (see the package doc). A spec that cannot be
// read is an error wrapping ErrBadSchedule that names the job. Jobs are added before Start.
func (s *Scheduler) Add(name, spec string, fn Func) error {
	if name == "" || len(name) > 100 {
		return fmt.Errorf("jobs: job name %q: want 1 to 100 characters", name)
	}
	if fn == nil {
		return fmt.Errorf("jobs: job %s has no function", name)
	}
	sched, err := parseSchedule(name, spec)
	if err != nil {
		return err
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	j := &job{name: name, sched: sched, fn: fn, lockKey: int32(h.Sum32()), quiet: sched.frequent()}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != created {
		return fmt.Errorf("add job %s: %w", name, ErrStarted)
	}
	if _, dup := s.jobs[name]; dup {
		return fmt.Errorf("add job %s: %w", name, ErrDuplicateJob)
	}
	s.jobs[name] = j
	s.order = append(s.order, name)
	return nil
}

// Specs returns the jobs added, in order, with their schedules.
func (s *Scheduler) Specs() []Spec {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Spec, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, Spec{Name: n, Schedule: s.jobs[n].sched.spec})
	}
	return out
}

// Status is the package's Status for the jobs added to s.
func (s *Scheduler) Status(ctx context.Context, db Querier, now time.Time) ([]JobStatus, error) {
	return Status(ctx, db, s.Specs(), now)
}

// Start runs the cron loop: each job runs at its schedule's activations, with the clock of the
// machine. Jobs' contexts carry ctx's values, not its cancellation: Stop ends them.
func (s *Scheduler) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case started:
		return ErrStarted
	case stopped:
		return ErrStopped
	}
	runCtx := context.WithoutCancel(ctx)
	c := cron.New(cron.WithLocation(Zone()), cron.WithLogger(cron.DiscardLogger))
	for _, name := range s.order {
		j := s.jobs[name]
		c.Schedule(j.sched.sched, cron.FuncJob(func() {
			if _, err := s.run(runCtx, j, time.Now()); err != nil && !errors.Is(err, ErrStopped) {
				s.log.Error("job run not recorded", "job", j.name, "node", s.cfg.Node, "error", err)
			}
		}))
	}
	c.Start()
	s.cron, s.state = c, started
	s.log.Info("scheduler started", "node", s.cfg.Node, "jobs", len(s.order))
	return nil
}

// Stop ends the cron loop and waits for the runs under way to finish. If ctx ends first, their
// contexts are cancelled and Stop returns ctx's error without waiting further. Safe twice; RunNow and
// Start fail with ErrStopped afterwards.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.state = stopped
	c := s.cron
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if c != nil {
			<-c.Stop().Done()
		}
		s.runs.Wait()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.cancelRuns()
		return fmt.Errorf("stop jobs: still running %s: %w", strings.Join(s.busy(), ", "), ctx.Err())
	}
}

// busy names the jobs running on this node.
func (s *Scheduler) busy() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.order {
		if s.jobs[n].running.Load() {
			out = append(out, n)
		}
	}
	return out
}

// RunNow runs the job name for the time now through the same path as the cron loop: the tick is the
// schedule's activation at or before now, the run is skipped (Outcome Skipped, the reason in Summary)
// if the job runs already or its tick ran, and otherwise recorded with its outcome. The error is about
// the run's bookkeeping (unknown job, database); the job's own failure is in the Run.
func (s *Scheduler) RunNow(ctx context.Context, name string, now time.Time) (Run, error) {
	s.mu.Lock()
	j, ok := s.jobs[name]
	s.mu.Unlock()
	if !ok {
		return Run{}, fmt.Errorf("run %s: %w", name, ErrUnknownJob)
	}
	return s.run(ctx, j, now)
}

// run is the one path of every run: local guard, lock, tick claim, the Func with recovery, the row.
func (s *Scheduler) run(ctx context.Context, j *job, now time.Time) (Run, error) {
	s.mu.Lock()
	if s.state == stopped {
		s.mu.Unlock()
		return Run{}, fmt.Errorf("run %s: %w", j.name, ErrStopped)
	}
	s.runs.Add(1)
	s.mu.Unlock()
	defer s.runs.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()

	r := Run{Job: j.name, Node: s.cfg.Node, Tick: j.sched.tick(now), StartedAt: now}
	log := s.log.With("job", j.name, "tick", r.Tick.Format(time.RFC3339))
	if r.Tick.IsZero() {
		return s.skip(log, r, "the schedule has no activation before this time"), nil
	}
	if !j.running.CompareAndSwap(false, true) {
		return s.skip(log, r, "its previous run on this node is still going"), nil
	}
	defer j.running.Store(false)

	conn, err := pgx.ConnectConfig(ctx, s.conn)
	if err != nil {
		return r, fmt.Errorf("run %s: connect: %w", j.name, err)
	}
	defer func() {
		// Closing the session releases its advisory lock.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
		defer ccancel()
		_ = conn.Close(cctx)
	}()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, lockClass, j.lockKey).Scan(&locked); err != nil {
		return r, fmt.Errorf("run %s: lock: %w", j.name, err)
	}
	if !locked {
		return s.skip(log, r, "another node is running it"), nil
	}
	defer func() {
		// Released before the connection closes: a closed session's locks go only once its server
		// process has ended, which the next run could beat.
		uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
		defer ucancel()
		_, _ = conn.Exec(uctx, `SELECT pg_advisory_unlock($1, $2)`, lockClass, j.lockKey)
	}()
	if err := interruptLeftovers(ctx, conn, j.name, now); err != nil {
		return r, err
	}
	claimed, other, err := claimTick(ctx, conn, &r)
	if err != nil {
		return r, err
	}
	if !claimed {
		return s.skip(log, r, "this tick already ran on node "+other), nil
	}

	start := time.Now()
	summary, panicked, runErr := call(ctx, j.fn, now)
	elapsed := time.Since(start)
	r.FinishedAt = now.Add(elapsed)
	r.Summary = trimText(summary, maxSummary)
	switch {
	case panicked:
		r.Outcome = Panicked
	case runErr != nil:
		r.Outcome = Failed
	default:
		r.Outcome = OK
	}
	if runErr != nil {
		r.Error = trimText(runErr.Error(), maxError)
	}

	bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
	defer bcancel()
	err = finish(bctx, conn, r, s.cfg.History)

	attrs := []any{"node", r.Node, "outcome", string(r.Outcome), "duration", elapsed.Round(time.Millisecond)}
	switch r.Outcome {
	case OK:
		level := slog.LevelInfo
		if j.quiet {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "job ran", append(attrs, "summary", r.Summary)...)
	case Failed:
		log.Error("job failed; it runs again at its next tick", append(attrs, "error", r.Error)...)
	case Panicked:
		first, _, _ := strings.Cut(r.Error, "\n")
		log.Error("job panicked; it runs again at its next tick (stack in job_runs)", append(attrs, "error", first)...)
	}
	return r, err
}

func (s *Scheduler) skip(log *slog.Logger, r Run, why string) Run {
	r.Outcome, r.Summary = Skipped, why
	log.Debug("job run skipped", "node", r.Node, "reason", why)
	return r
}

// call runs fn, turning a panic into an error that carries the panic's value and stack.
func call(ctx context.Context, fn Func, now time.Time) (summary string, panicked bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			err = fmt.Errorf("panic: %v\n\n%s", v, debug.Stack())
		}
	}()
	summary, err = fn(ctx, now)
	return summary, false, err
}
