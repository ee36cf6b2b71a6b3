// Command tickets is the ticket store's benchmark: it fills a private PostgreSQL with a million tickets
// spread over two years (every channel, field, status and department, Vietnamese descriptions, reporters'
// numbers), then measures what ARCHITECTURE.md and the issue set targets for: ticket creation throughput
// (through the store, with validation, numbering, deadline and audit) and the p99 of a filtered page of the
// list (target < 50 ms), for filters a desk uses.
//
//	go run ./bench/tickets [-tickets 1000000] [-creates 5000] [-workers 8] [-pages 200] [-db URL]
//
// Without -db it starts its own cluster under a temporary folder (the machine's PostgreSQL binaries) and
// removes it after.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/bench/internal/benchdb"
	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

func main() {
	n := flag.Int("tickets", 1_000_000, "tickets in the table before measuring")
	creates := flag.Int("creates", 5000, "tickets created while measuring throughput")
	workers := flag.Int("workers", 8, "concurrent creators")
	pages := flag.Int("pages", 200, "pages read per filter")
	url := flag.String("db", "", "PostgreSQL URL; empty: a private cluster in a temporary folder")
	flag.Parse()
	if err := run(*n, *creates, *workers, *pages, *url); err != nil {
		fmt.Fprintln(os.Stderr, "tickets:", err)
		os.Exit(1)
	}
}

var phrases = []string{
	"Quán karaoke hát to sau 23 giờ, ô nhiễm tiếng ồn",
	"Ổ gà lớn giữa đường gây nguy hiểm cho xe máy",
	"Rác thải ùn ứ nhiều ngày ở đầu hẻm",
	"Công trình xây dựng không phép lấn chiếm vỉa hè",
	"Đèn đường hỏng, khu dân cư tối om",
	"Nước ngập sâu sau mưa, cống thoát nước bị nghẹt",
	"Cây xanh có nguy cơ ngã đổ",
	"Lấn chiếm lòng đường để buôn bán",
	"Khói bụi từ xưởng sản xuất gây ô nhiễm không khí",
	"Tụ tập đua xe trái phép vào ban đêm",
	"Thực phẩm bẩn bán trước cổng trường học",
	"Chậm trả kết quả thủ tục hành chính",
	"Nước sinh hoạt có mùi lạ, đục",
	"Chó thả rông không rọ mõm",
	"Đổ trộm xà bần ra bãi đất trống",
}

var fields = []string{"antt", "atgt", "ttdt", "xd", "vsmt", "dd", "htdt", "attp", "yt", "gd", "ldxh", "vhtt", "nn", "tthc", "khac"}

func run(n, creates, workers, pages int, url string) error {
	ctx := context.Background()
	db, err := benchdb.Open(ctx, "tickets", url, workers+2)
	if err != nil {
		return err
	}
	defer db.Close()
	pool := db.Pool
	if err := fill(ctx, pool, n); err != nil {
		return err
	}
	store := ticketpg.New(pool, ticketing.Deadlines{})
	if err := createRate(ctx, store, creates, workers); err != nil {
		return err
	}
	return listP99(ctx, store, pages)
}

// fill loads n tickets with one INSERT … SELECT per 100,000 (received_at spread over the last two years,
// numbered per year as the store numbers them), then the counters and the planner's statistics.
func fill(ctx context.Context, pool *pgxpool.Pool, n int) error {
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tickets`).Scan(&have); err != nil {
		return err
	}
	if have >= n {
		fmt.Printf("tickets: %d tickets in the table already\n", have)
		return nil
	}
	if _, err := pool.Exec(ctx, `INSERT INTO departments (code, name, created_at, updated_at)
		SELECT 'd-' || f, 'Phòng ' || f, now(), now() FROM unnest($1::text[]) f ON CONFLICT DO NOTHING`, fields); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `UPDATE fields SET department = 'd-' || code`); err != nil {
		return err
	}
	keys := make([]string, len(phrases))
	for i, p := range phrases {
		keys[i] = ticketing.SearchKey(p)
	}
	start := time.Now()
	const batch = 100_000
	span := 730 * 24 * time.Hour
	t0 := time.Now().Add(-span)
	step := span / time.Duration(n)
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		_, err := pool.Exec(ctx, `
WITH s AS (
	SELECT g, $3::timestamptz + g * $4::interval AS at, (g * 2654435761) % 1000 AS r FROM generate_series($1::int, $2::int - 1) g
), t AS (
	SELECT g, at, r, extract(year FROM at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int AS y,
		CASE WHEN r < 600 THEN 'closed' WHEN r < 700 THEN 'resolved' WHEN r < 800 THEN 'in_progress'
			WHEN r < 900 THEN 'assigned' WHEN r < 980 THEN 'new' ELSE 'rejected' END AS status,
		(g % 15) + 1 AS f, (g * 7) % 15 + 1 AS p,
		row_number() OVER (PARTITION BY extract(year FROM at AT TIME ZONE 'Asia/Ho_Chi_Minh') ORDER BY g) AS num
	FROM s
)
INSERT INTO tickets (id, code, channel, field, department, status, received_at, term_days, deadline_at,
	resolved_at, closed_at, reporter_name, reporter_phone, reporter_phone_national, address, description, result,
	reason, note, callback, created_by, created_at, updated_at, search)
SELECT gen_random_uuid(), 'PA-' || y || '-' || lpad((num + coalesce((SELECT last FROM ticket_counters c WHERE c.year = y), 0))::text, 6, '0'),
	(ARRAY['hotline','hotline','hotline','zalo','field','web'])[r % 6 + 1], ($5::text[])[f],
	CASE WHEN status IN ('new', 'rejected') THEN NULL ELSE 'd-' || ($5::text[])[f] END,
	status, at, 3, at + interval '3 days',
	CASE WHEN status IN ('resolved', 'closed') THEN at + interval '2 days' END,
	CASE WHEN status = 'closed' THEN at + interval '3 days' END,
	'Nguyễn Văn ' || g, '09' || lpad((g % 100000000)::text, 8, '0'), '09' || lpad((g % 100000000)::text, 8, '0'),
	g || ' Lê Lợi, Quận 1', ($6::text[])[p] || ' số ' || g,
	CASE WHEN status IN ('resolved', 'closed') THEN 'Đã xử lý' ELSE '' END,
	CASE WHEN status = 'rejected' THEN 'Không thuộc thẩm quyền' ELSE '' END,
	CASE WHEN status = 'closed' THEN 'Đã báo công dân' ELSE '' END,
	false, 'bench', at, at, ($7::text[])[p] || ' so ' || g || ' ' || g || ' le loi quan 1 nguyen van ' || g
FROM t`, from, to, t0, step, fields, phrases, keys)
		if err == nil {
			_, err = pool.Exec(ctx, `INSERT INTO ticket_counters (year, last)
				SELECT split_part(code, '-', 2)::int, max(split_part(code, '-', 3)::int) FROM tickets GROUP BY 1
				ON CONFLICT (year) DO UPDATE SET last = excluded.last`)
		}
		if err != nil {
			return fmt.Errorf("fill tickets %d–%d: %w", from, to, err)
		}
		fmt.Printf("tickets: %d of %d loaded (%s)\n", to, n, time.Since(start).Round(time.Second))
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE tickets`); err != nil {
		return err
	}
	fmt.Printf("tickets: %d tickets loaded and analysed in %s\n", n, time.Since(start).Round(time.Second))
	return nil
}

// createRate creates tickets from several workers as operators and the hotline would, and prints the rate.
func createRate(ctx context.Context, store *ticketpg.Store, creates, workers int) error {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := ticketing.Actor{Name: fmt.Sprintf("bench %d", w), Role: ticketing.RoleOperator, Operator: ""}
			for {
				i := next.Add(1)
				if i > int64(creates) {
					return
				}
				t0 := time.Now()
				_, _, err := store.Create(ctx, a, ticketing.NewTicket{
					Channel: ticketing.Hotline, Description: phrases[i%int64(len(phrases))], Field: fields[i%int64(len(fields))],
					Reporter: &ticketing.Reporter{Name: "Trần Thị Bích", Phone: fmt.Sprintf("09%08d", i)},
					Location: &ticketing.Location{Address: "12 Lê Lợi, Quận 1"},
				}, "", time.Now())
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("create: %w", firstErr)
	}
	el := time.Since(start)
	slices.Sort(lat)
	fmt.Printf("create: %d tickets by %d workers in %s = %.0f tickets/s (p50 %s, p99 %s)\n", creates, workers,
		el.Round(time.Millisecond), float64(creates)/el.Seconds(), pct(lat, 50), pct(lat, 99))
	return nil
}

// listP99 reads pages of each filter, as a supervisor (reporters whole: each read is audited) and as an
// operator (masked), the first page and the page after it, and prints the p50 and p99 per filter.
func listP99(ctx context.Context, store *ticketpg.Store, pages int) error {
	month := time.Now().AddDate(0, -3, 0)
	filters := []struct {
		name string
		f    ticketing.Filter
	}{
		{"newest", ticketing.Filter{}},
		{"status=in_progress", ticketing.Filter{Status: "in_progress"}},
		{"field=xd", ticketing.Filter{Field: "xd"}},
		{"department=d-vsmt&status=assigned", ticketing.Filter{Department: "d-vsmt", Status: "assigned"}},
		{"channel=zalo", ticketing.Filter{Channel: "zalo"}},
		{"overdue=true", ticketing.Filter{Overdue: ptr(true)}},
		{"field=atgt&overdue=true", ticketing.Filter{Field: "atgt", Overdue: ptr(true)}},
		{"from..to (a month)", ticketing.Filter{From: month, To: month.AddDate(0, 1, 0)}},
		{"q=ô nhiễm", ticketing.Filter{Q: "ô nhiễm"}},
		{"q=ngap nuoc", ticketing.Filter{Q: "ngap nuoc"}},
		{"q=karaoke&status=closed", ticketing.Filter{Q: "karaoke", Status: "closed"}},
		{"number=0900123456", ticketing.Filter{Number: "0900123456"}},
	}
	sup := ticketing.Actor{Name: "bench supervisor", Role: ticketing.RoleSupervisor}
	op := ticketing.Actor{Name: "bench operator", Role: ticketing.RoleOperator, Operator: "1001"}
	var all []time.Duration
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range filters {
		var lat []time.Duration
		for i := range pages {
			a := op
			if i%2 == 0 {
				a = sup
			}
			f := tc.f
			f.Limit = 50
			t0 := time.Now()
			list, next, err := store.List(ctx, a, f, time.Now())
			if err != nil {
				return fmt.Errorf("list %s: %w", tc.name, err)
			}
			lat = append(lat, time.Since(t0))
			if next != "" && rng.IntN(2) == 0 {
				f.Cursor = next
				t0 = time.Now()
				if _, _, err := store.List(ctx, a, f, time.Now()); err != nil {
					return fmt.Errorf("list %s, page 2: %w", tc.name, err)
				}
				lat = append(lat, time.Since(t0))
			}
			_ = list
		}
		all = append(all, lat...)
		slices.Sort(lat)
		fmt.Printf("list %-36s p50 %8s  p99 %8s\n", tc.name, pct(lat, 50), pct(lat, 99))
	}
	slices.Sort(all)
	verdict := "meets"
	if pct(all, 99) >= 50*time.Millisecond {
		verdict = "MISSES"
	}
	fmt.Printf("list: %d pages of 50, p99 %s over all filters (%s the < 50 ms target)\n", len(all), pct(all, 99), verdict)
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)].Round(10 * time.Microsecond)
}

func ptr[T any](v T) *T { return &v }
