package escalation

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
)

// Escalator queues reminders and breach notices, takes acknowledgements and computes the breach report,
// all on one database. It holds no state besides its configuration and the ack link key it read; any
// number of Escalators (on any nodes) may work on one database at once.
type Escalator struct {
	db  *pgxpool.Pool
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	ackKey []byte // read from node_secrets on first use
}

// New returns an Escalator on pool. A bad Config is an error naming the field (and its setting).
func New(pool *pgxpool.Pool, cfg Config) (*Escalator, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Escalator{db: pool, cfg: cfg, log: cfg.Log}, nil
}

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = pgx.Tx(nil)
)

// deadlines returns the working-time counter with the current calendar: the configured one, or one built
// from the holidays table now.
func (e *Escalator) deadlines(ctx context.Context, q querier) (ticketing.Deadlines, error) {
	d := e.cfg.Deadlines
	if d.Calendar != nil {
		return d, nil
	}
	rows, err := q.Query(ctx, `SELECT date, name, kind FROM holidays ORDER BY date`)
	if err != nil {
		return d, fmt.Errorf("load calendar: %w", err)
	}
	overrides, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticketing.Override, error) {
		var o ticketing.Override
		var day time.Time
		var kind string
		err := r.Scan(&day, &o.Name, &kind)
		o.Date = ticketing.CivilDate{Year: day.Year(), Month: day.Month(), Day: day.Day()}
		o.Workday = kind == "workday"
		return o, err
	})
	if err != nil {
		return d, fmt.Errorf("load calendar: %w", err)
	}
	d.Calendar = ticketing.NewCalendar(overrides)
	return d, nil
}

// InOfficeHours reports whether now is within office hours of a working day on d's calendar, in d's zone:
// when reminders to departments may go out.
func InOfficeHours(d ticketing.Deadlines, now time.Time) bool {
	zone := d.Zone
	if zone == nil {
		zone = ticketing.Zone()
	}
	hours := d.Hours
	if hours.IsZero() {
		hours = ticketing.DefaultOfficeHours()
	}
	t := now.In(zone)
	if !d.Calendar.IsWorkday(t.Year(), t.Month(), t.Day()) {
		return false
	}
	h, m, s := t.Clock()
	off := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second +
		time.Duration(t.Nanosecond())
	for _, r := range hours.Ranges() {
		if off >= r.Start && off < r.End {
			return true
		}
	}
	return false
}
