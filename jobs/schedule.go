package jobs

import (
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Zone returns Asia/Ho_Chi_Minh, in which schedules are read; where the system has no time zone
// database it is a fixed UTC+7 (Vietnam has kept UTC+7 without daylight saving since 1975).
func Zone() *time.Location { return zone() }

var zone = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Ho_Chi_Minh", 7*60*60)
})

// parser reads five-field specs, descriptors (@daily, @every 1m) and an optional CRON_TZ= prefix.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// scheduleHelp says what a schedule looks like, for errors.
const scheduleHelp = `a schedule is a cron spec of five fields read in Asia/Ho_Chi_Minh ("30 7 * * *"), ` +
	`a descriptor ("@daily") or "@every <duration>" ("@every 1m")`

// schedule is a parsed schedule string.
type schedule struct {
	spec  string
	sched cron.Schedule
	every time.Duration // > 0 for "@every d"
}

// parseSchedule parses spec for the job named name.
func parseSchedule(name, spec string) (schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return schedule{}, fmt.Errorf("%w: job %s: schedule %q: %v; %s", ErrBadSchedule, name, spec, err, scheduleHelp)
	}
	out := schedule{spec: spec, sched: s}
	if d, ok := s.(cron.ConstantDelaySchedule); ok {
		out.every = d.Delay
	}
	// A spec that never fires (e.g. "0 0 30 2 *") is a mistake, not a schedule.
	if out.next(time.Now()).IsZero() {
		return schedule{}, fmt.Errorf("%w: job %s: schedule %q never fires; %s", ErrBadSchedule, name, spec, scheduleHelp)
	}
	return out, nil
}

// next returns the first activation after t, in Asia/Ho_Chi_Minh (unless the spec names its zone); zero
// if there is none within five years.
func (s schedule) next(t time.Time) time.Time {
	if s.every > 0 {
		// Activations of "@every d" on a node depend on when it started; the next tick is the next
		// multiple of d, which is when a run belonging to a new tick can start at the latest.
		return t.Truncate(s.every).Add(s.every).In(Zone())
	}
	return s.sched.Next(t.In(Zone()))
}

// tick returns the activation time a run at now belongs to: the latest activation at or before now
// (for "@every d", now truncated to d). Zero if the schedule has no activation before now within
// about five years.
func (s schedule) tick(now time.Time) time.Time {
	now = now.In(Zone())
	if s.every > 0 {
		return now.Truncate(s.every)
	}
	const horizon = 5 * 366 * 24 * time.Hour
	// Widen a window behind now until it holds an activation, then walk to the last one in it.
	for w := time.Minute; w <= 2*horizon; w *= 2 {
		t := s.sched.Next(now.Add(-w))
		if t.IsZero() {
			return time.Time{}
		}
		if t.After(now) {
			continue
		}
		for {
			n := s.sched.Next(t)
			if n.IsZero() || n.After(now) {
				return t
			}
			t = n
		}
	}
	return time.Time{}
}

// frequent reports whether the schedule fires every minute or more often (its ok runs log at Debug).
func (s schedule) frequent() bool {
	if s.every > 0 {
		return s.every <= time.Minute
	}
	t := s.next(time.Now())
	for range 3 {
		n := s.next(t)
		if n.IsZero() {
			return false
		}
		if n.Sub(t) <= time.Minute {
			return true
		}
		t = n
	}
	return false
}
