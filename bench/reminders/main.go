// Command reminders is the escalation benchmark: it fills a private PostgreSQL with a million open tickets
// whose deadlines are spread over the year around a Tuesday 10:00 (so that a few thousand are past their
// deadline or within a working day of it), then times one reminder tick (which queues every due
// reminder and breach notice once) and a second tick at the same time (which must queue nothing), and
// checks that each due ticket got exactly one notice. The target: a tick with 1,000,000 open tickets
// finishes in under 2 seconds.
//
//	go run ./bench/reminders [-tickets 1000000] [-days 400] [-workers N] [-db URL] [-cpuprofile FILE]
//
// Without -db it starts its own cluster under a temporary folder (the machine's PostgreSQL binaries) and
// removes it after. With -db it fills that database's tickets (when it has fewer) and clears its
// ticket_notices and notifications before timing.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/bench/internal/benchdb"
	"hotline/ticketing"
	"hotline/ticketing/escalation"
)

func main() {
	n := flag.Int("tickets", 1_000_000, "open tickets in the table")
	days := flag.Int("days", 400, "calendar days the deadlines are spread over, starting a day before the tick")
	url := flag.String("db", "", "PostgreSQL URL; empty: a private cluster in a temporary folder")
	flag.IntVar(&workers, "workers", 0, "transactions a tick runs at once (0: the default of escalation.Config)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the first tick to this file")
	flag.Parse()
	profile = *cpuprofile
	if err := run(*n, *days, *url); err != nil {
		fmt.Fprintln(os.Stderr, "reminders:", err)
		os.Exit(1)
	}
}

// workers is escalation.Config.Workers.
var workers int

// profile is where the first tick's CPU profile goes ("": none).
var profile string

// now is the benchmark's clock: a Tuesday 10:00 in Vietnam, in office hours.
var now = time.Date(2026, 3, 3, 10, 0, 0, 0, ticketing.Zone())

var fields = []string{"antt", "atgt", "ttdt", "xd", "vsmt", "dd", "htdt", "attp", "yt", "gd", "ldxh", "vhtt", "nn", "tthc", "khac"}

func run(n, days int, url string) error {
	ctx := context.Background()
	db, err := benchdb.Open(ctx, "reminders", url, 0)
	if err != nil {
		return err
	}
	defer db.Close()
	pool := db.Pool
	if err := fill(ctx, pool, n, days); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `TRUNCATE ticket_notices, notifications`); err != nil {
		return err
	}

	e, err := escalation.New(pool, escalation.Config{
		PublicURL:         "https://hotline.example.vn",
		SupervisorEmails:  []string{"giamsat@so.gov.vn", "pho.giamdoc@so.gov.vn"},
		SupervisorWebhook: "https://giamsat.example.vn/hook", SupervisorWebhookSecret: "s", Workers: workers,
	})
	if err != nil {
		return err
	}
	// What is due, counted apart: past the deadline, or (with a department: new tickets have none) within
	// one office day of working time.
	var open, breached, soon int
	d := ticketing.Deadlines{}
	horizon := d.Add(now, ticketing.DefaultOfficeHours().Day()+time.Microsecond)
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE true), count(*) FILTER (WHERE due_at < $1),
			count(*) FILTER (WHERE due_at >= $1 AND due_at < $2 AND department IS NOT NULL) FROM tickets WHERE is_open`, now, horizon).
		Scan(&open, &breached, &soon); err != nil {
		return err
	}
	fmt.Printf("reminders: %d open tickets, %d past their deadline, %d within a working day of it\n", open, breached, soon)

	var first escalation.TickResult
	for i := range 2 {
		if i == 0 && profile != "" {
			f, err := os.Create(profile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
		}
		start := time.Now()
		r, err := e.Tick(ctx, now)
		if i == 0 && profile != "" {
			pprof.StopCPUProfile()
		}
		el := time.Since(start)
		if err != nil {
			return err
		}
		verdict := "meets"
		if el >= 2*time.Second {
			verdict = "MISSES"
		}
		fmt.Printf("tick: %d notices queued in %d ms (target < 2 s: %s) — %s\n", r.Total(), el.Milliseconds(), verdict, r)
		if i == 0 {
			first = r
		} else if r.Total() != 0 {
			return fmt.Errorf("tick %d queued %d notices again", i+1, r.Total())
		}
	}

	// Each due ticket once, each notification once.
	var notices, tickets, rows, keys int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM ticket_notices), (SELECT count(DISTINCT ticket_id) FROM ticket_notices),
			(SELECT count(*) FROM notifications), (SELECT count(DISTINCT idempotency_key) FROM notifications)`).
		Scan(&notices, &tickets, &rows, &keys); err != nil {
		return err
	}
	fmt.Printf("check: %d notices for %d tickets (%d due), %d notifications with %d keys\n", notices, tickets, breached+soon, rows, keys)
	if notices != first.Total() || tickets != notices || notices != breached+soon || rows != keys || rows != first.Notifications {
		return fmt.Errorf("each due ticket should have one notice and each notification its own key")
	}
	return nil
}

// fill loads n open tickets with one INSERT … SELECT per 100,000: deadlines spread evenly from a day before
// the tick over the given days, received three days before them, fifteen departments with e-mail, webhook
// and head. Ids are UUIDv7 of the time of receipt, as the store makes them.
func fill(ctx context.Context, pool *pgxpool.Pool, n, days int) error {
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE is_open`).Scan(&have); err != nil {
		return err
	}
	if have >= n {
		fmt.Printf("reminders: %d open tickets in the table already\n", have)
		return nil
	}
	if _, err := pool.Exec(ctx, `INSERT INTO departments (code, name, email, webhook, secret, head, head_email, created_at, updated_at)
		SELECT 'd-' || f, 'Phòng ' || f, f || '@so.gov.vn', 'https://' || f || '.example.vn/hook', 'secret-' || f,
			'Trưởng phòng ' || f, 'truong.' || f || '@so.gov.vn', now(), now()
		FROM unnest($1::text[]) f ON CONFLICT DO NOTHING`, fields); err != nil {
		return err
	}
	start := time.Now()
	const batch = 100_000
	first := now.Add(-24 * time.Hour)
	step := time.Duration(days) * 24 * time.Hour / time.Duration(n)
	for from := have; from < n; from += batch {
		to := min(from+batch, n)
		_, err := pool.Exec(ctx, `
INSERT INTO tickets (id, code, channel, field, department, status, received_at, term_days, deadline_at,
	description, created_by, created_at, updated_at, search)
SELECT (lpad(to_hex((extract(epoch FROM $3::timestamptz + g * $5::interval - interval '3 days') * 1000)::bigint), 12, '0')
		|| '7' || substr(md5(g::text), 1, 3) || '8' || substr(md5(g::text), 4, 15))::uuid,
	'PA-2025-' || lpad(g::text, 7, '0'), 'hotline', ($4::text[])[g % 15 + 1],
	CASE WHEN g % 3 = 2 THEN NULL ELSE 'd-' || ($4::text[])[g % 15 + 1] END,
	(ARRAY['assigned', 'in_progress', 'new'])[g % 3 + 1],
	$3::timestamptz + g * $5::interval - interval '3 days', 3, $3::timestamptz + g * $5::interval,
	'Phản ánh số ' || g || ': đèn đường hỏng, rác thải ùn ứ', 'bench', now(), now(), ''
FROM generate_series($1::int, $2::int - 1) g`, from, to, first, fields, step)
		if err != nil {
			return fmt.Errorf("fill tickets %d–%d: %w", from, to, err)
		}
		fmt.Printf("reminders: %d of %d loaded (%s)\n", to, n, time.Since(start).Round(time.Second))
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE tickets`); err != nil {
		return err
	}
	fmt.Printf("reminders: %d tickets loaded and analysed in %s\n", n, time.Since(start).Round(time.Second))
	return nil
}
