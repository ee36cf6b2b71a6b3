package ticketpg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hotline/ticketing"
)

// Fields returns the fields of state management in their listing order.
func (s *Store) Fields(ctx context.Context) ([]ticketing.Field, error) {
	rows, err := s.db.Query(ctx, `SELECT code, name, coalesce(department, ''), deadline_days, priority
		FROM fields ORDER BY seq, code`)
	if err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanField)
	if err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	return out, nil
}

func scanField(r pgx.CollectableRow) (ticketing.Field, error) {
	var f ticketing.Field
	err := r.Scan(&f.Code, &f.Name, &f.Department, &f.DeadlineDays, &f.Priority)
	return f, err
}

// Field returns one field; ErrNotFound (wrapped) for an unknown code.
func (s *Store) Field(ctx context.Context, code string) (ticketing.Field, error) {
	return s.field(ctx, s.db, code)
}

func (s *Store) field(ctx context.Context, q querier, code string) (ticketing.Field, error) {
	rows, err := q.Query(ctx, `SELECT code, name, coalesce(department, ''), deadline_days, priority
		FROM fields WHERE code = $1`, code)
	if err != nil {
		return ticketing.Field{}, fmt.Errorf("field %s: %w", code, err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, scanField)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("field %s: %w", code, ticketing.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("field %s: %w", code, err)
	}
	return f, nil
}

// SetField changes a field (`hotline field set`), or makes a new one when the code is new and c names it.
// A change of its deadline_days counts for tickets received after it only: tickets keep the term they were
// given. An unknown department is a *ValidationError; an unknown code without a name is ErrNotFound.
func (s *Store) SetField(ctx context.Context, a ticketing.Actor, c ticketing.FieldChange, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	var dept *string
	if c.Department != nil {
		dept = nullIfEmpty(*c.Department)
	}
	var days *int
	if c.DeadlineDays != nil && *c.DeadlineDays > 0 {
		days = c.DeadlineDays
	}
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE fields SET
				name = coalesce($2, name),
				department = CASE WHEN $3 THEN $4 ELSE department END,
				deadline_days = CASE WHEN $5 THEN $6 ELSE deadline_days END,
				priority = coalesce($7, priority),
				updated_at = $8, updated_by = $9
			WHERE code = $1`,
			c.Code, c.Name, c.Department != nil, dept, c.DeadlineDays != nil, days, c.Priority, now, a.Who())
		if err == nil && tag.RowsAffected() == 0 {
			if c.Name == nil {
				return fmt.Errorf("field %s: %w (give a name to add it)", c.Code, ticketing.ErrNotFound)
			}
			_, err = tx.Exec(ctx, `INSERT INTO fields (code, name, department, deadline_days, priority, seq,
					updated_at, updated_by)
				VALUES ($1, $2, $3, $4, coalesce($5, 0), (SELECT coalesce(max(seq), 0) + 1 FROM fields), $6, $7)`,
				c.Code, *c.Name, dept, days, c.Priority, now, a.Who())
		}
		if isForeignKeyViolation(err) {
			return ticketing.Invalid("department", "no department has this code (see hotline department list)")
		}
		if err != nil {
			return fmt.Errorf("set field %s: %w", c.Code, err)
		}
		return nil
	})
}

const selectDepartment = `SELECT code, name, head, head_email, email, webhook, secret FROM departments`

func scanDepartment(r pgx.CollectableRow) (ticketing.Department, error) {
	var d ticketing.Department
	err := r.Scan(&d.Code, &d.Name, &d.Head, &d.HeadEmail, &d.Email, &d.Webhook, &d.Secret)
	return d, err
}

// Departments returns every department by code.
func (s *Store) Departments(ctx context.Context) ([]ticketing.Department, error) {
	rows, err := s.db.Query(ctx, selectDepartment+` ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanDepartment)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return out, nil
}

// Department returns one department; ErrNotFound (wrapped) for an unknown code.
func (s *Store) Department(ctx context.Context, code string) (ticketing.Department, error) {
	rows, err := s.db.Query(ctx, selectDepartment+` WHERE code = $1`, code)
	if err != nil {
		return ticketing.Department{}, fmt.Errorf("department %s: %w", code, err)
	}
	d, err := pgx.CollectExactlyOneRow(rows, scanDepartment)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("department %s: %w", code, ticketing.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("department %s: %w", code, err)
	}
	return d, nil
}

// AddDepartment adds a department; ErrExists (wrapped) when its code is taken.
func (s *Store) AddDepartment(ctx context.Context, d ticketing.Department, now time.Time) error {
	if err := d.Validate(); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO departments (code, name, head, head_email, email, webhook, secret,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		d.Code, d.Name, d.Head, d.HeadEmail, d.Email, d.Webhook, d.Secret, now)
	if isUniqueViolation(err) {
		return fmt.Errorf("department %s: %w", d.Code, ticketing.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add department %s: %w", d.Code, err)
	}
	return nil
}

// UpdateDepartment changes what c gives of a department; ErrNotFound (wrapped) for an unknown code.
func (s *Store) UpdateDepartment(ctx context.Context, c ticketing.DepartmentChange, now time.Time) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE departments SET name = coalesce($2, name), head = coalesce($3, head),
			head_email = coalesce($4, head_email), email = coalesce($5, email), webhook = coalesce($6, webhook),
			secret = coalesce($7, secret), updated_at = $8
		WHERE code = $1`, c.Code, c.Name, c.Head, c.HeadEmail, c.Email, c.Webhook, c.Secret, now)
	if err != nil {
		return fmt.Errorf("update department %s: %w", c.Code, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("department %s: %w", c.Code, ticketing.ErrNotFound)
	}
	return nil
}

// Holidays returns the days admins added to the calendar (days off, make-up working days) by date: those
// of year, or all when year is 0.
func (s *Store) Holidays(ctx context.Context, year int) ([]ticketing.Override, error) {
	rows, err := s.db.Query(ctx, `SELECT date, name, kind FROM holidays
		WHERE $1 = 0 OR date >= make_date($1, 1, 1) AND date < make_date($1 + 1, 1, 1)
		ORDER BY date`, year)
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticketing.Override, error) {
		var o ticketing.Override
		var d time.Time
		var kind string
		err := r.Scan(&d, &o.Name, &kind)
		o.Date = ticketing.CivilDate{Year: d.Year(), Month: d.Month(), Day: d.Day()}
		o.Workday = kind == "workday"
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("holidays: %w", err)
	}
	return out, nil
}

// AddHoliday adds a day to the calendar: a day off, or with o.Workday a make-up working day. ErrExists
// (wrapped) when that date is listed already. Deadlines computed on this node count it at once, on other
// nodes within CalendarTTL.
func (s *Store) AddHoliday(ctx context.Context, o ticketing.Override) error {
	if err := ticketing.ValidHoliday(o); err != nil {
		return err
	}
	kind := "holiday"
	if o.Workday {
		kind = "workday"
	}
	_, err := s.db.Exec(ctx, `INSERT INTO holidays (date, name, kind) VALUES ($1, $2, $3)`,
		o.Date.String(), o.Name, kind)
	if isUniqueViolation(err) {
		return fmt.Errorf("%s is listed already: %w (remove it first to change it)", o.Date, ticketing.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("add holiday %s: %w", o.Date, err)
	}
	s.invalidateCalendar()
	return nil
}

// RemoveHoliday removes a day from the calendar; ErrNotFound (wrapped) when it is not listed.
func (s *Store) RemoveHoliday(ctx context.Context, date ticketing.CivilDate) error {
	if !date.IsValid() {
		return ticketing.Invalid("date", "must be a date YYYY-MM-DD")
	}
	tag, err := s.db.Exec(ctx, `DELETE FROM holidays WHERE date = $1`, date.String())
	if err != nil {
		return fmt.Errorf("remove holiday %s: %w", date, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s is not listed: %w", date, ticketing.ErrNotFound)
	}
	s.invalidateCalendar()
	return nil
}
