package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgtest"
	"hotline/jobs"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// setup returns a migrated database's pool.
func setup(t *testing.T) *pgxpool.Pool {
	t.Helper()
	return pgtest.NewMigratedPool(t)
}

// newScheduler returns a scheduler for node on pool, stopped at the end of the test.
func newScheduler(t *testing.T, pool *pgxpool.Pool, node string) *jobs.Scheduler {
	t.Helper()
	s, err := jobs.New(pool, jobs.Config{
		Node: node,
		Log:  slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func add(t *testing.T, s *jobs.Scheduler, name, spec string, fn jobs.Func) {
	t.Helper()
	if err := s.Add(name, spec, fn); err != nil {
		t.Fatal(err)
	}
}

// at is a time on 2 March 2026 in Vietnam.
func at(hhmmss string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", "2026-03-02 "+hhmmss, jobs.Zone())
	if err != nil {
		panic(err)
	}
	return t
}

func runNow(t *testing.T, s *jobs.Scheduler, name string, now time.Time) jobs.Run {
	t.Helper()
	r, err := s.RunNow(context.Background(), name, now)
	if err != nil {
		t.Fatalf("run %s at %s: %v", name, now.Format(time.TimeOnly), err)
	}
	return r
}

// mustRun is runNow for a run that must not be skipped.
func mustRun(t *testing.T, s *jobs.Scheduler, name string, now time.Time) jobs.Run {
	t.Helper()
	r := runNow(t, s, name, now)
	if r.Outcome == jobs.Skipped {
		t.Fatalf("run %s at %s skipped: %s", name, now.Format(time.TimeOnly), r.Summary)
	}
	return r
}

func outcomes(t *testing.T, pool *pgxpool.Pool, job string) []string {
	t.Helper()
	runs, err := jobs.Runs(context.Background(), pool, job, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(runs) - 1; i >= 0; i-- { // oldest first
		out = append(out, string(runs[i].Outcome))
	}
	return out
}

func TestFailingAndPanickingJobsAreRecordedAndRunAgain(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s := newScheduler(t, pool, "n1")
	var flaky, steady atomic.Int32
	add(t, s, "flaky", "@every 1m", func(ctx context.Context, now time.Time) (string, error) {
		if flaky.Add(1) <= 2 {
			return "", errors.New("the mail relay refused the connection")
		}
		return "sent 3 reminders", nil
	})
	add(t, s, "boom", "@every 1m", func(ctx context.Context, now time.Time) (string, error) {
		var m map[string]int
		m["x"]++ // a nil map: panics
		return "", nil
	})
	add(t, s, "steady", "@every 1m", func(ctx context.Context, now time.Time) (string, error) {
		return fmt.Sprintf("run %d", steady.Add(1)), nil
	})

	for _, now := range []time.Time{at("10:00:05"), at("10:01:05"), at("10:02:05")} {
		for _, name := range []string{"flaky", "boom", "steady"} {
			mustRun(t, s, name, now)
		}
	}
	if got, want := strings.Join(outcomes(t, pool, "flaky"), ","), "failed,failed,ok"; got != want {
		t.Errorf("flaky: %s, want %s", got, want)
	}
	if got, want := strings.Join(outcomes(t, pool, "boom"), ","), "panicked,panicked,panicked"; got != want {
		t.Errorf("boom: %s, want %s", got, want)
	}
	if got, want := strings.Join(outcomes(t, pool, "steady"), ","), "ok,ok,ok"; got != want {
		t.Errorf("steady: %s, want %s", got, want)
	}

	runs, err := jobs.Runs(context.Background(), pool, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 9 {
		t.Fatalf("%d runs, want 9", len(runs))
	}
	for _, r := range runs {
		if r.Node != "n1" || r.FinishedAt.Before(r.StartedAt) || r.Tick.Second() != 0 || r.StartedAt.Sub(r.Tick) != 5*time.Second {
			t.Errorf("run %+v: want node n1, tick on the minute, started 5 s after it, finished after start", r)
		}
		switch r.Job {
		case "boom":
			if !strings.HasPrefix(r.Error, "panic: assignment to entry in nil map") || !strings.Contains(r.Error, "goroutine") ||
				!strings.Contains(r.Error, "jobs_test.TestFailingAndPanicking") {
				t.Errorf("a panic's row holds %q, want the panic and its stack", r.Error)
			}
		case "flaky":
			if r.Outcome == jobs.Failed && r.Error != "the mail relay refused the connection" {
				t.Errorf("a failure's row holds %q", r.Error)
			}
			if r.Outcome == jobs.OK && r.Summary != "sent 3 reminders" {
				t.Errorf("summary %q", r.Summary)
			}
		}
	}
}

func TestOverlappingRunsAreSkipped(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	a := newScheduler(t, pool, "a")
	b := newScheduler(t, pool, "b")
	started := make(chan struct{})
	release := make(chan struct{})
	var calls atomic.Int32
	slow := func(ctx context.Context, now time.Time) (string, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-release
		}
		return "done", nil
	}
	add(t, a, "slow", "@every 1m", slow)
	add(t, b, "slow", "@every 1m", slow)

	first := make(chan jobs.Run, 1)
	go func() {
		r, err := a.RunNow(context.Background(), "slow", at("10:00:01"))
		if err != nil {
			t.Errorf("first run: %v", err)
		}
		first <- r
	}()
	<-started

	if r := runNow(t, a, "slow", at("10:01:01")); r.Outcome != jobs.Skipped || !strings.Contains(r.Summary, "on this node") {
		t.Errorf("while it runs, this node's next tick: %s %q, want skipped as still running here", r.Outcome, r.Summary)
	}
	if r := runNow(t, b, "slow", at("10:01:02")); r.Outcome != jobs.Skipped || !strings.Contains(r.Summary, "another node") {
		t.Errorf("while it runs, another node's tick: %s %q, want skipped as running elsewhere", r.Outcome, r.Summary)
	}
	close(release)
	if r := <-first; r.Outcome != jobs.OK || r.Summary != "done" {
		t.Errorf("the slow run: %s %q", r.Outcome, r.Summary)
	}
	if r := runNow(t, b, "slow", at("10:00:30")); r.Outcome != jobs.Skipped || r.Summary != "this tick already ran on node a" {
		t.Errorf("the same tick on another node: %s %q", r.Outcome, r.Summary)
	}
	if r := runNow(t, b, "slow", at("10:01:30")); r.Outcome != jobs.OK || r.Node != "b" {
		t.Errorf("the next tick on the other node: %s on %s, want ok on b", r.Outcome, r.Node)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the job ran %d times, want 2", n)
	}
}

func TestTwoNodesFiringOneTickRunItOnce(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	var mu sync.Mutex
	ran := map[string]int{} // tick → runs
	report := func(ctx context.Context, now time.Time) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		ran[now.Format(time.DateOnly)]++
		return "report sent", nil
	}
	nodes := []*jobs.Scheduler{newScheduler(t, pool, "a"), newScheduler(t, pool, "b")}
	for _, s := range nodes {
		add(t, s, "breach_report", "30 7 * * *", report)
	}
	day := at("07:30:00")
	for d := range 5 {
		var wg sync.WaitGroup
		for i, s := range nodes {
			// The nodes' clocks are a little apart; both are past 07:30.
			now := day.AddDate(0, 0, d).Add(time.Duration(i*300) * time.Millisecond)
			wg.Go(func() { runNow(t, s, "breach_report", now) })
		}
		wg.Wait()
	}
	if len(ran) != 5 {
		t.Errorf("ran on %d days, want 5: %v", len(ran), ran)
	}
	for d, n := range ran {
		if n != 1 {
			t.Errorf("%s: ran %d times, want once", d, n)
		}
	}
	runs, err := jobs.Runs(context.Background(), pool, "breach_report", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 5 {
		t.Errorf("%d rows, want 5", len(runs))
	}
	for _, r := range runs {
		if got := r.Tick.In(jobs.Zone()).Format("15:04:05"); got != "07:30:00" {
			t.Errorf("tick at %s, want 07:30:00", got)
		}
	}
}

func TestARunLeftByADeadNodeIsMarkedInterrupted(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO job_runs (job, node, tick, started_at, outcome)
		VALUES ('retention', 'gone', $1, $1, 'running')`, at("02:00:00").AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	s := newScheduler(t, pool, "n1")
	add(t, s, "retention", "0 2 * * *", func(ctx context.Context, now time.Time) (string, error) { return "", nil })
	mustRun(t, s, "retention", at("02:00:00"))
	if got, want := strings.Join(outcomes(t, pool, "retention"), ","), "interrupted,ok"; got != want {
		t.Errorf("runs: %s, want %s", got, want)
	}
}

func TestStatusShowsLastAndNextRuns(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s := newScheduler(t, pool, "n1")
	add(t, s, "reminders", "@every 1m", func(ctx context.Context, now time.Time) (string, error) {
		return "", errors.New("no database")
	})
	add(t, s, "breach_report", "30 7 * * *", func(ctx context.Context, now time.Time) (string, error) {
		return "2 breaches", nil
	})
	add(t, s, "retention", "0 2 * * *", func(ctx context.Context, now time.Time) (string, error) { return "", nil })
	mustRun(t, s, "reminders", at("07:00:10"))
	mustRun(t, s, "breach_report", at("07:30:00"))

	// The CLI has no scheduler: it passes the schedules from the settings.
	now := time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC) // 06:00 on 3 March in Vietnam
	st, err := jobs.Status(context.Background(), pool, s.Specs(), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 3 || st[0].Job != "reminders" || st[1].Job != "breach_report" || st[2].Job != "retention" {
		t.Fatalf("status %+v", st)
	}
	if l := st[0].Last; l == nil || l.Outcome != jobs.Failed || l.Error != "no database" || l.Node != "n1" {
		t.Errorf("reminders' last run %+v", l)
	}
	if got := st[0].Next.Format(time.RFC3339); got != "2026-03-03T06:01:00+07:00" {
		t.Errorf("reminders' next run %s", got)
	}
	if l := st[1].Last; l == nil || l.Outcome != jobs.OK || l.Summary != "2 breaches" {
		t.Errorf("report's last run %+v", l)
	}
	if got := st[1].Next.Format(time.RFC3339); got != "2026-03-03T07:30:00+07:00" {
		t.Errorf("report's next run %s, want 07:30 +07:00 the next day", got)
	}
	if st[2].Last != nil {
		t.Errorf("retention never ran, last %+v", st[2].Last)
	}
	if got := st[2].Next.Format(time.RFC3339); got != "2026-03-04T02:00:00+07:00" {
		t.Errorf("retention's next run %s", got)
	}
	if _, err := jobs.Status(context.Background(), pool, []jobs.Spec{{Name: "x", Schedule: "every day"}}, now); !errors.Is(err, jobs.ErrBadSchedule) {
		t.Errorf("a bad schedule in the settings: %v", err)
	}
}

func TestOldRunsAreDeleted(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s, err := jobs.New(pool, jobs.Config{Node: "n1", History: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	add(t, s, "j", "@every 1m", func(ctx context.Context, now time.Time) (string, error) { return "", nil })
	for _, hm := range []string{"10:00:00", "10:30:00", "11:10:00"} {
		mustRun(t, s, "j", at(hm))
	}
	runs, err := jobs.Runs(context.Background(), pool, "j", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || !runs[1].Tick.Equal(at("10:30:00")) {
		t.Errorf("runs kept: %+v, want those of 10:30 and 11:10", runs)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestAddAndRunNowRefuseMistakes(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s := newScheduler(t, pool, "n1")
	nop := func(ctx context.Context, now time.Time) (string, error) { return "", nil }
	err := s.Add("breach_report", "30 25 * * *", nop)
	if !errors.Is(err, jobs.ErrBadSchedule) || !strings.Contains(err.Error(), "breach_report") ||
		!strings.Contains(err.Error(), "@every 1m") {
		t.Errorf("bad spec: %v", err)
	}
	add(t, s, "j", "@hourly", nop)
	if err := s.Add("j", "@daily", nop); !errors.Is(err, jobs.ErrDuplicateJob) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := s.RunNow(context.Background(), "nope", at("10:00:00")); !errors.Is(err, jobs.ErrUnknownJob) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := jobs.New(pool, jobs.Config{}); err == nil || !strings.Contains(err.Error(), "Node") {
		t.Errorf("no node: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("k", "@daily", nop); !errors.Is(err, jobs.ErrStarted) {
		t.Errorf("add after start: %v", err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunNow(context.Background(), "j", at("10:00:00")); !errors.Is(err, jobs.ErrStopped) {
		t.Errorf("run after stop: %v", err)
	}
	if err := s.Start(context.Background()); !errors.Is(err, jobs.ErrStopped) {
		t.Errorf("start after stop: %v", err)
	}
}

func TestStopCancelsRunsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s := newScheduler(t, pool, "n1")
	started := make(chan struct{})
	add(t, s, "stubborn", "@every 1m", func(ctx context.Context, now time.Time) (string, error) {
		close(started)
		<-ctx.Done()
		return "", ctx.Err()
	})
	done := make(chan jobs.Run)
	go func() {
		r, err := s.RunNow(context.Background(), "stubborn", at("10:00:00"))
		if err != nil {
			t.Errorf("run: %v", err)
		}
		done <- r
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the grace period is over
	if err := s.Stop(ctx); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stubborn") {
		t.Errorf("stop: %v, want the cancellation naming the job", err)
	}
	if r := <-done; r.Outcome != jobs.Failed || r.Error != context.Canceled.Error() {
		t.Errorf("run %s %q, want failed with the cancellation", r.Outcome, r.Error)
	}
	if got := strings.Join(outcomes(t, pool, "stubborn"), ","); got != "failed" {
		t.Errorf("rows %s, want the run recorded as failed", got)
	}
}

func TestCronRunsJobsOnTheirSchedule(t *testing.T) {
	t.Parallel()
	pool := setup(t)
	s := newScheduler(t, pool, "n1")
	ticks := make(chan time.Time, 100)
	add(t, s, "every_second", "@every 1s", func(ctx context.Context, now time.Time) (string, error) {
		ticks <- now
		return "ok", nil
	})
	add(t, s, "broken", "@every 1s", func(ctx context.Context, now time.Time) (string, error) {
		panic("broken on purpose")
	})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for range 3 {
		select {
		case <-ticks:
		case <-deadline:
			t.Fatal("the job did not run 3 times within 30 s")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	ok := outcomes(t, pool, "every_second")
	if len(ok) < 3 {
		t.Errorf("every_second: %v, want at least 3 runs", ok)
	}
	for _, o := range ok {
		if o != "ok" {
			t.Errorf("every_second: %v", ok)
		}
	}
	for _, o := range outcomes(t, pool, "broken") {
		if o != "panicked" {
			t.Errorf("broken: %s", o)
		}
	}
}
