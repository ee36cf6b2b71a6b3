package ticketpg

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/ticketing"
)

// CalendarTTL is how long a node uses the calendar it built from the holidays table before reading the
// table again (another node may have changed it).
const CalendarTTL = 10 * time.Second

// Store keeps tickets and their reference data.
type Store struct {
	db *pgxpool.Pool
	d  ticketing.Deadlines
	// fixed is set when the caller gave a calendar: the holidays table is then not read.
	fixed bool

	mu       sync.Mutex
	cal      *ticketing.Calendar
	calAt    time.Time // when cal was built (wall clock)
	calDirty bool      // this node changed the holidays table
	wall     func() time.Time

	// afterNumber runs in the creating transaction after the ticket took its number (tests inject failures).
	afterNumber func(ctx context.Context, tx pgx.Tx) error
}

// New returns a store on pool that computes deadlines with d. When d.Calendar is nil the calendar is built
// from the holidays table (and rebuilt after CalendarTTL); otherwise d.Calendar is used as it is.
func New(pool *pgxpool.Pool, d ticketing.Deadlines) *Store {
	return &Store{db: pool, d: d, fixed: d.Calendar != nil, wall: time.Now}
}

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = pgx.Tx(nil)
)

// deadlines returns the deadline computer with the current calendar.
func (s *Store) deadlines(ctx context.Context) (ticketing.Deadlines, error) {
	if s.fixed {
		return s.d, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal == nil || s.calDirty || s.wall().Sub(s.calAt) >= CalendarTTL {
		// Loading under the lock: one query per node every CalendarTTL, and nobody computes with a stale
		// calendar meanwhile.
		overrides, err := s.Holidays(ctx, 0)
		if err != nil {
			return ticketing.Deadlines{}, fmt.Errorf("load calendar: %w", err)
		}
		s.cal, s.calAt, s.calDirty = ticketing.NewCalendar(overrides), s.wall(), false
	}
	d := s.d
	d.Calendar = s.cal
	return d, nil
}

// invalidateCalendar makes the next deadline read the holidays table again.
func (s *Store) invalidateCalendar() {
	s.mu.Lock()
	s.calDirty = true
	s.mu.Unlock()
}

// Deadline returns the deadline a ticket received at received by channel, classified in field (optional),
// would get now: any date, past or future.
func (s *Store) Deadline(ctx context.Context, received time.Time, channel ticketing.Channel, field string) (time.Time, error) {
	if !channel.Valid() {
		return time.Time{}, ticketing.Invalid("channel", "must be hotline, zalo, field or web")
	}
	term := channel.TermDays()
	if field != "" {
		f, err := s.field(ctx, s.db, field)
		if errors.Is(err, ticketing.ErrNotFound) {
			return time.Time{}, ticketing.Invalid("field", "no field has this code (see GET /api/v1/fields)")
		}
		if err != nil {
			return time.Time{}, err
		}
		if f.DeadlineDays != nil {
			term = *f.DeadlineDays
		}
	}
	d, err := s.deadlines(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return d.Deadline(received, term), nil
}

// PurgeIdempotencyKeys deletes the idempotency keys made before before (24 hours ago, say): a request
// repeated after that makes a new ticket. It returns how many it deleted.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isViolationOf reports whether err is the violation of the named constraint.
func isViolationOf(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.ConstraintName == constraint
}

func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
