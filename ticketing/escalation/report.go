package escalation

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hotline/ticketing"
)

// Report is the breach report of a period [From, To) as it stood At. Merged tickets (duplicates) are
// left out everywhere.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	At   time.Time `json:"generated_at"`
	// OfficeDayHours is the office time of a working day, in hours: what a day of lateness is.
	OfficeDayHours float64          `json:"office_day_hours"`
	Departments    []Row            `json:"departments"` // every department, by code; tickets without one last
	Fields         []Row            `json:"fields"`      // the fields with any figure, by code; unclassified last
	Total          Row              `json:"total"`
	Breached       []BreachedTicket `json:"breached"` // the most late first
}

// Row is one department's, one field's, or all tickets' figures for the period. A ticket counts under its
// department and field as they are when the report is made.
type Row struct {
	Code string `json:"code"` // "" for tickets without a department (field)
	Name string `json:"name"`
	// Received: tickets received in the period.
	Received int `json:"received"`
	// ResolvedOnTime and ResolvedLate: tickets resolved in the period (their last resolution, unless
	// reopened since), at or before the effective deadline, or after it.
	ResolvedOnTime int `json:"resolved_on_time"`
	ResolvedLate   int `json:"resolved_late"`
	// OpenOverdue: tickets open now whose effective deadline passed before the end of the period (or now,
	// if earlier), wherever they were received.
	OpenOverdue int `json:"open_overdue"`
	// OnTimeRate is ResolvedOnTime / (ResolvedOnTime + ResolvedLate + OpenOverdue): the share of the
	// deadlines settled in the period that were met; null when there are none.
	OnTimeRate *float64 `json:"on_time_rate"`
	// MedianResolutionHours: the median working time (office hours on working days) from receipt to
	// resolution of the tickets resolved in the period; null when none was.
	MedianResolutionHours *float64 `json:"median_resolution_hours"`
	// Extensions: deadline extensions granted in the period.
	Extensions int `json:"extensions"`
	// Notices: reminders and breach notices queued in the period; Acknowledged: how many of them have
	// been acknowledged (by now).
	Notices      int `json:"notices"`
	Acknowledged int `json:"acknowledged"`
}

// BreachedTicket is a ticket resolved late in the period, or open past its deadline.
type BreachedTicket struct {
	ID             uuid.UUID        `json:"id"`
	Code           string           `json:"code"`
	Field          string           `json:"field"`
	FieldName      string           `json:"field_name"`
	Department     string           `json:"department"`
	DepartmentName string           `json:"department_name"`
	Status         ticketing.Status `json:"status"`
	ReceivedAt     time.Time        `json:"received_at"`
	DeadlineAt     time.Time        `json:"deadline_at"` // the effective deadline
	ResolvedAt     *time.Time       `json:"resolved_at"` // null while open
	// LateHours is the working time from the deadline to the resolution (or to now while open), in hours;
	// LateDays the same in office days. A ticket resolved late the evening of its deadline is 0 working
	// hours late.
	LateHours float64 `json:"late_hours"`
	LateDays  float64 `json:"late_days"`
	// AcknowledgedAt and AcknowledgedBy: the last acknowledgement of a notice about its deadline, if any.
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy string     `json:"acknowledged_by"`
}

// reportTicket is a ticket the report reads.
type reportTicket struct {
	id          uuid.UUID
	code        string
	field, dept string
	status      ticketing.Status
	received    time.Time
	due         time.Time
	resolved    *time.Time
	open        bool
}

// acc accumulates a Row.
type acc struct {
	row   Row
	hours []float64
}

func (a *acc) finish() Row {
	r := a.row
	if n := r.ResolvedOnTime + r.ResolvedLate + r.OpenOverdue; n > 0 {
		r.OnTimeRate = ptrTo(round(float64(r.ResolvedOnTime)/float64(n), 4))
	}
	if len(a.hours) > 0 {
		slices.Sort(a.hours)
		m := len(a.hours) / 2
		v := a.hours[m]
		if len(a.hours)%2 == 0 {
			v = (a.hours[m-1] + a.hours[m]) / 2
		}
		r.MedianResolutionHours = ptrTo(round(v, 2))
	}
	return r
}

func ptrTo[T any](v T) *T { return &v }

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// Report computes the breach report of the period [from, to) at now (see Report and Row for what each
// figure counts). Working time is counted on the calendar of the holidays table (or Config.Deadlines').
// A period that does not end after it begins is a *ticketing.QueryError (HTTP 400); see ParsePeriod.
func (e *Escalator) Report(ctx context.Context, from, to, now time.Time) (Report, error) {
	if !to.After(from) {
		return Report{}, &ticketing.QueryError{Param: "to", Msg: "must be after from"}
	}
	zone := e.cfg.Deadlines.Zone
	rep := Report{From: from.In(zone), To: to.In(zone), At: now.In(zone),
		OfficeDayHours: e.cfg.Deadlines.Hours.Day().Hours()}
	d, err := e.deadlines(ctx, e.db)
	if err != nil {
		return rep, err
	}
	end := to
	if now.Before(end) {
		end = now
	}
	var (
		tickets    []reportTicket
		deptNames  = map[string]string{}
		deptOrder  []string
		fieldNames = map[string]string{}
		extensions []struct{ field, dept string }
		noticeRows []struct {
			field, dept string
			acked       bool
		}
		acks = map[uuid.UUID]struct {
			at time.Time
			by string
		}{}
	)
	err = pgx.BeginTxFunc(ctx, e.db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT t.id, t.code, coalesce(t.field, ''), coalesce(t.department, ''), t.status,
				t.received_at, t.due_at, t.resolved_at, t.is_open
			FROM tickets t
			WHERE t.status <> 'merged' AND (
				(t.received_at >= $1 AND t.received_at < $2)
				OR (t.resolved_at >= $1 AND t.resolved_at < $2)
				OR (t.is_open AND t.due_at < $3))`, from, to, end)
		if err != nil {
			return err
		}
		tickets, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (reportTicket, error) {
			var t reportTicket
			err := r.Scan(&t.id, &t.code, &t.field, &t.dept, &t.status, &t.received, &t.due, &t.resolved, &t.open)
			return t, err
		})
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT code, name FROM departments ORDER BY code`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return err
			}
			deptNames[code] = name
			deptOrder = append(deptOrder, code)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT code, name FROM fields`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return err
			}
			fieldNames[code] = name
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT coalesce(t.field, ''), coalesce(t.department, '')
			FROM ticket_audit a JOIN tickets t ON t.id = a.ticket_id
			WHERE a.action = 'extend' AND a.at >= $1 AND a.at < $2 AND t.status <> 'merged'`, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var x struct{ field, dept string }
			if err := rows.Scan(&x.field, &x.dept); err != nil {
				rows.Close()
				return err
			}
			extensions = append(extensions, x)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT coalesce(t.field, ''), coalesce(t.department, ''), n.acknowledged_at IS NOT NULL
			FROM ticket_notices n JOIN tickets t ON t.id = n.ticket_id
			WHERE n.queued_at >= $1 AND n.queued_at < $2 AND t.status <> 'merged'`, from, to)
		if err != nil {
			return err
		}
		for rows.Next() {
			var x struct {
				field, dept string
				acked       bool
			}
			if err := rows.Scan(&x.field, &x.dept, &x.acked); err != nil {
				rows.Close()
				return err
			}
			noticeRows = append(noticeRows, x)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var ids []uuid.UUID
		var dues []time.Time
		for _, t := range tickets {
			if t.late(end) {
				ids, dues = append(ids, t.id), append(dues, t.due)
			}
		}
		rows, err = tx.Query(ctx, `SELECT DISTINCT ON (n.ticket_id) n.ticket_id, n.acknowledged_at, n.acknowledged_by
			FROM ticket_notices n JOIN unnest($1::uuid[], $2::timestamptz[]) AS x(id, due_at)
				ON n.ticket_id = x.id AND n.due_at = x.due_at
			WHERE n.acknowledged_at IS NOT NULL
			ORDER BY n.ticket_id, n.acknowledged_at DESC`, ids, dues)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id uuid.UUID
			var a struct {
				at time.Time
				by string
			}
			if err := rows.Scan(&id, &a.at, &a.by); err != nil {
				rows.Close()
				return err
			}
			acks[id] = a
		}
		return rows.Err()
	})
	if err != nil {
		return rep, fmt.Errorf("breach report: %w", err)
	}

	byDept, byField := map[string]*acc{}, map[string]*acc{}
	var total acc
	group := func(field, dept string) []*acc {
		for _, m := range []struct {
			m    map[string]*acc
			code string
		}{{byDept, dept}, {byField, field}} {
			if m.m[m.code] == nil {
				m.m[m.code] = &acc{row: Row{Code: m.code}}
			}
		}
		return []*acc{byDept[dept], byField[field], &total}
	}
	hour := float64(time.Hour)
	for _, t := range tickets {
		for _, a := range group(t.field, t.dept) {
			if !t.received.Before(from) && t.received.Before(to) {
				a.row.Received++
			}
			if t.resolved != nil && !t.resolved.Before(from) && t.resolved.Before(to) {
				if t.resolved.After(t.due) {
					a.row.ResolvedLate++
				} else {
					a.row.ResolvedOnTime++
				}
				a.hours = append(a.hours, float64(d.WorkingHoursBetween(t.received, *t.resolved))/hour)
			}
			if t.open && t.due.Before(end) {
				a.row.OpenOverdue++
			}
		}
		lateResolved := t.resolved != nil && t.resolved.After(t.due) && !t.resolved.Before(from) && t.resolved.Before(to)
		if lateResolved || (t.open && t.due.Before(end)) {
			stop := now
			if t.resolved != nil {
				stop = *t.resolved
			}
			late := float64(d.WorkingHoursBetween(t.due, stop)) / hour
			b := BreachedTicket{ID: t.id, Code: t.code, Field: t.field, FieldName: fieldNames[t.field],
				Department: t.dept, DepartmentName: deptNames[t.dept], Status: t.status,
				ReceivedAt: t.received.In(zone), DeadlineAt: t.due.In(zone),
				LateHours: round(late, 2), LateDays: round(late/rep.OfficeDayHours, 2)}
			if t.resolved != nil {
				b.ResolvedAt = ptrTo(t.resolved.In(zone))
			}
			if a, ok := acks[t.id]; ok {
				b.AcknowledgedAt, b.AcknowledgedBy = ptrTo(a.at.In(zone)), a.by
			}
			rep.Breached = append(rep.Breached, b)
		}
	}
	for _, x := range extensions {
		for _, a := range group(x.field, x.dept) {
			a.row.Extensions++
		}
	}
	for _, x := range noticeRows {
		for _, a := range group(x.field, x.dept) {
			a.row.Notices++
			if x.acked {
				a.row.Acknowledged++
			}
		}
	}

	for _, code := range deptOrder {
		a := byDept[code]
		if a == nil {
			a = &acc{row: Row{Code: code}}
		}
		a.row.Name = deptNames[code]
		rep.Departments = append(rep.Departments, a.finish())
	}
	if a := byDept[""]; a != nil {
		a.row.Name = "Chưa giao đơn vị"
		rep.Departments = append(rep.Departments, a.finish())
	}
	for code, a := range byField {
		a.row.Name = fieldNames[code]
		if code == "" {
			a.row.Name = "Chưa phân loại"
		}
		rep.Fields = append(rep.Fields, a.finish())
	}
	slices.SortFunc(rep.Fields, func(a, b Row) int {
		if (a.Code == "") != (b.Code == "") {
			if a.Code == "" {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Code, b.Code)
	})
	total.row.Name = "Tổng cộng"
	rep.Total = total.finish()
	slices.SortFunc(rep.Breached, func(a, b BreachedTicket) int {
		if c := cmp.Compare(b.LateHours, a.LateHours); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return rep, nil
}

// late reports whether t missed its deadline by end: resolved after it, or open past it.
func (t reportTicket) late(end time.Time) bool {
	if t.open {
		return t.due.Before(end)
	}
	return t.resolved != nil && t.resolved.After(t.due)
}
