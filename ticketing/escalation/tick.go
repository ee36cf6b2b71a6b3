package escalation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hotline/notify"
	"hotline/ticketing"
)

// tickLock is the first of the advisory locks (transaction-scoped, one per worker's share of the tickets)
// that serialise the claims of ticks across nodes, so that two nodes ticking at once do not both work out
// the same candidates. Exactly once does not rest on them: the primary key of ticket_notices does that.
const tickLock = 0x686f746c_65736331 // "hotlesc1"

// TickResult says what one tick queued.
type TickResult struct {
	// Notices counts the (ticket, stage) pairs claimed, by stage.
	Notices map[Stage]int
	// Notifications is how many rows went into the outbox for them.
	Notifications int
	// Skipped counts recipients left out for an address the outbox refuses (see the Warn log lines).
	Skipped int
	// OfficeHours tells whether department reminders could go out (else they wait for office hours).
	OfficeHours bool
}

// Total returns the number of notices claimed.
func (r TickResult) Total() int {
	n := 0
	for _, v := range r.Notices {
		n += v
	}
	return n
}

// String summarises the tick for the job's run row, e.g. "queued 3 notices (2 due_soon, 1 breached) as
// 7 notifications".
func (r TickResult) String() string {
	if r.Total() == 0 {
		if !r.OfficeHours {
			return "nothing due (outside office hours: department reminders wait)"
		}
		return "nothing due"
	}
	var parts []string
	for _, s := range stages {
		if n := r.Notices[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	s := fmt.Sprintf("queued %d notices (%s) as %d notifications", r.Total(), strings.Join(parts, ", "), r.Notifications)
	if r.Skipped > 0 {
		s += fmt.Sprintf("; %d recipients skipped for a bad address", r.Skipped)
	}
	if !r.OfficeHours {
		s += "; outside office hours: department reminders wait"
	}
	return s
}

// Reminders is the reminders' job (a jobs.Func, HOTLINE_REMINDER_SCHEDULE): Tick, summarised.
func (e *Escalator) Reminders(ctx context.Context, now time.Time) (string, error) {
	r, err := e.Tick(ctx, now)
	return r.String(), err
}

// Tick queues, at now, the notice each open ticket is due and has not had: the latest stage whose time has
// come for its effective deadline (a ticket that skipped a stage, made late or found at night, gets only
// the latest; none after a later one). Department reminders (due_soon, due_hours) are queued only while
// now is within office hours of a working day, and need the ticket to have a department; breach notices
// at once.
//
// Each (ticket, effective deadline, stage) is claimed with a row of ticket_notices (INSERT … ON CONFLICT
// DO NOTHING) in the same transaction as its notifications, Config.Batch pairs per transaction: a crash
// leaves both or neither, and however many Escalators tick at once, on however many nodes, each pair is
// queued once. Candidates are read through the partial index on open tickets' due_at: only those past
// their deadline or within the longest window.
func (e *Escalator) Tick(ctx context.Context, now time.Time) (TickResult, error) {
	now = now.Truncate(time.Microsecond)
	res := TickResult{Notices: map[Stage]int{}}
	if e.cfg.PublicURL == "" {
		return res, errors.New("escalation: PublicURL (HOTLINE_PUBLIC_URL) is needed for the ack links of notices")
	}
	d, err := e.deadlines(ctx, e.db)
	if err != nil {
		return res, err
	}
	res.OfficeHours = InOfficeHours(d, now)
	key, err := e.linkKey(ctx)
	if err != nil {
		return res, err
	}
	// Each worker takes the tickets of its share (by the last byte of their ids) in batches of its own.
	parts := make([]TickResult, e.cfg.Workers)
	errs := make([]error, e.cfg.Workers)
	var wg sync.WaitGroup
	for w := range e.cfg.Workers {
		parts[w] = TickResult{Notices: map[Stage]int{}}
		sel := e.candidates(d, now, res.OfficeHours, w)
		wg.Go(func() {
			for {
				n, err := e.tickBatch(ctx, d, sel, key, now, &parts[w])
				if err != nil {
					errs[w] = err
					return
				}
				if n < e.cfg.Batch {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range parts {
		for s, n := range p.Notices {
			res.Notices[s] += n
		}
		res.Notifications += p.Notifications
		res.Skipped += p.Skipped
	}
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	if res.Total() > 0 {
		e.log.InfoContext(ctx, "escalation tick", "queued", res.Total(), "notifications", res.Notifications,
			"skipped", res.Skipped, "office_hours", res.OfficeHours)
	}
	return res, nil
}

// candidateQuery is the SELECT of the pairs due at one tick, with its arguments.
type candidateQuery struct {
	sql  string
	args []any
	lock int64 // the advisory lock of the worker's share
}

// candidates builds the query of the due (ticket, due_at, stage) not yet claimed. A ticket's stage is the
// latest whose bound its due_at is below: breached below now; a window's stage below the instant by which
// its time of office work has elapsed from now (so due_at < bound exactly when the working time left,
// Deadlines.WorkingHoursBetween(now, due_at), is at most the window's).
func (e *Escalator) candidates(d ticketing.Deadlines, now time.Time, office bool, worker int) candidateQuery {
	args := []any{now, stageNames(), office, e.cfg.Workers, worker}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	stageCase := "CASE WHEN t.due_at < $1 THEN 'breached'"
	upper := "$1"
	for i := len(e.cfg.Windows) - 1; i >= 0; i-- {
		w := e.cfg.Windows[i]
		p := arg(d.Add(now, w.Left+time.Microsecond))
		stageCase += " WHEN t.due_at < " + p + " THEN '" + string(w.Stage) + "'"
		upper = p
	}
	stageCase += " END"
	limit := arg(e.cfg.Batch)
	sql := `SELECT c.id, c.due_at, c.stage FROM (
		SELECT t.id, t.due_at, ` + stageCase + ` AS stage
		FROM tickets t
		WHERE t.is_open AND t.due_at < ` + upper + `
			AND (t.due_at < $1 OR ($3 AND t.department IS NOT NULL))
			AND get_byte(uuid_send(t.id), 15) % $4 = $5
	) c
	WHERE NOT EXISTS (SELECT 1 FROM ticket_notices n
		WHERE n.ticket_id = c.id AND n.due_at = c.due_at
			AND array_position($2::text[], n.stage) >= array_position($2::text[], c.stage))
	ORDER BY c.due_at, c.id
	LIMIT ` + limit
	return candidateQuery{sql: sql, args: args, lock: tickLock + int64(worker)}
}

func stageNames() []string {
	out := make([]string, len(stages))
	for i, s := range stages {
		out[i] = string(s)
	}
	return out
}

// claimSQL claims the candidates that are still open with the same deadline, and returns what their
// notices need.
const claimSQL = `WITH ins AS (
	INSERT INTO ticket_notices (ticket_id, due_at, stage, queued_at, department)
	SELECT x.id, x.due_at, x.stage, $4, coalesce(t.department, '')
	FROM unnest($1::uuid[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS x(id, due_at, stage, i)
	JOIN tickets t ON t.id = x.id AND t.due_at = x.due_at AND t.is_open
	ORDER BY x.i
	ON CONFLICT DO NOTHING
	RETURNING ticket_id, due_at, stage
)
SELECT ins.ticket_id, ins.due_at, ins.stage, t.code, coalesce(t.field, ''), coalesce(f.name, ''),
	coalesce(t.department, ''), coalesce(d.name, ''), t.status, t.received_at, t.description,
	coalesce(d.email, ''), coalesce(d.webhook, ''), coalesce(d.secret, ''), coalesce(d.head, ''),
	coalesce(d.head_email, '')
FROM ins
JOIN tickets t ON t.id = ins.ticket_id
LEFT JOIN departments d ON d.code = t.department
LEFT JOIN fields f ON f.code = t.field`

// tickBatch claims and queues one batch in one transaction, and returns how many candidates it found.
func (e *Escalator) tickBatch(ctx context.Context, d ticketing.Deadlines, sel candidateQuery, key []byte, now time.Time, res *TickResult) (int, error) {
	found := 0
	batchRes := TickResult{Notices: map[Stage]int{}}
	err := pgx.BeginFunc(ctx, e.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, sel.lock); err != nil {
			return fmt.Errorf("tick lock: %w", err)
		}
		rows, err := tx.Query(ctx, sel.sql, sel.args...)
		if err != nil {
			return fmt.Errorf("select due tickets: %w", err)
		}
		var ids []uuid.UUID
		var dues []time.Time
		var sts []string
		for rows.Next() {
			var id uuid.UUID
			var due time.Time
			var st string
			if err := rows.Scan(&id, &due, &st); err != nil {
				rows.Close()
				return fmt.Errorf("select due tickets: %w", err)
			}
			ids, dues, sts = append(ids, id), append(dues, due), append(sts, st)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select due tickets: %w", err)
		}
		found = len(ids)
		if found == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, claimSQL, ids, dues, sts, now)
		if err != nil {
			return fmt.Errorf("claim notices: %w", err)
		}
		claimed, err := pgx.CollectRows(rows, scanDue)
		if err != nil {
			return fmt.Errorf("claim notices: %w", err)
		}
		if len(claimed) == 0 {
			return nil
		}
		// The batch's notifications, less those the outbox would refuse (a department's malformed
		// address): EnqueueMany takes all or none.
		var ns []notify.Notification
		counts := make([]int32, len(claimed))
		for i, c := range claimed {
			cns, err := e.notices(d, c, key, now)
			if err != nil {
				return err
			}
			for _, n := range cns {
				if err := n.Validate(); err != nil {
					batchRes.Skipped++
					e.log.WarnContext(ctx, "escalation: recipient skipped", "ticket", c.ID.String(),
						"dept", c.Department, "stage", string(c.Stage), "channel", string(n.Channel), "err", err)
					continue
				}
				ns = append(ns, n)
				counts[i]++
			}
			batchRes.Notices[c.Stage]++
			batchRes.Notifications += int(counts[i])
		}
		b := &pgx.Batch{}
		if _, err := notify.EnqueueMany(ctx, batchQuerier{b}, ns, now); err != nil {
			return err
		}
		cids, cdues, csts := make([]uuid.UUID, len(claimed)), make([]time.Time, len(claimed)), make([]string, len(claimed))
		for i, c := range claimed {
			cids[i], cdues[i], csts[i] = c.ID, c.DueAt, string(c.Stage)
		}
		b.Queue(`UPDATE ticket_notices n SET notifications = x.n
			FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::int[]) AS x(id, due_at, stage, n)
			WHERE n.ticket_id = x.id AND n.due_at = x.due_at AND n.stage = x.stage AND x.n > 0`,
			cids, cdues, csts, counts)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("queue notices: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for s, n := range batchRes.Notices {
		res.Notices[s] += n
	}
	res.Notifications += batchRes.Notifications
	res.Skipped += batchRes.Skipped
	return found, nil
}

// due is a claimed (ticket, deadline, stage) with what its notices say.
type due struct {
	ID             uuid.UUID
	DueAt          time.Time
	Stage          Stage
	Code           string
	Field          string
	FieldName      string
	Department     string
	DepartmentName string
	Status         ticketing.Status
	ReceivedAt     time.Time
	Description    string
	DeptEmail      string
	DeptWebhook    string
	DeptSecret     string
	Head           string
	HeadEmail      string
}

func scanDue(r pgx.CollectableRow) (due, error) {
	var c due
	err := r.Scan(&c.ID, &c.DueAt, &c.Stage, &c.Code, &c.Field, &c.FieldName, &c.Department, &c.DepartmentName,
		&c.Status, &c.ReceivedAt, &c.Description, &c.DeptEmail, &c.DeptWebhook, &c.DeptSecret, &c.Head,
		&c.HeadEmail)
	return c, err
}

// batchQuerier queues notify.EnqueueMany's statement in a pgx.Batch sent within the tick's transaction
// with the notices' counts, so that queueing a batch costs one round trip. Its command tag is empty (so
// EnqueueMany says 0 queued): the claim already says the notice is new, and the outbox's unique key drops
// a repeat.
type batchQuerier struct{ b *pgx.Batch }

func (q batchQuerier) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q.b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

var _ notify.Querier = batchQuerier{}
