package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Deliverer sends the outbox's due notifications. Any number of them may run, on any nodes.
type Deliverer struct {
	db   *pgxpool.Pool
	cfg  Config
	log  *slog.Logger
	http *http.Client
	mail *mailer // nil: no SMTP server configured
}

// NewDeliverer returns a Deliverer for pool's outbox. A bad Config is an error naming the field.
func NewDeliverer(pool *pgxpool.Pool, cfg Config) (*Deliverer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m, err := newMailer(cfg)
	if err != nil {
		return nil, err
	}
	return &Deliverer{db: pool, cfg: cfg, log: cfg.Log, http: newHTTPClient(cfg.Timeout), mail: m}, nil
}

// claimed is a notification this node holds for one attempt.
type claimed struct {
	ID uuid.UUID
	Notification
	Attempts int   // counting this one
	Was      State // pending, or sending when an earlier lease ran out
}

// bookkeeping bounds writing an attempt's outcome, which is done even when the caller's context ended.
const bookkeeping = 10 * time.Second

// DeliverDue makes one attempt at each notification due at now (up to Config.Batch of them, claimed at
// once, sent by Config.Workers at a time) and records the outcomes. It returns how many it attempted.
// Sends already under way finish (each within Config.Timeout) even if ctx ends.
func (d *Deliverer) DeliverDue(ctx context.Context, now time.Time) (int, error) {
	batch, err := d.claim(ctx, now)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	errs := make([]error, len(batch))
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	for i, c := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = d.attempt(ctx, c, now)
		})
	}
	wg.Wait()
	return len(batch), errors.Join(errs...)
}

// claim takes the due notifications for one attempt each: they become sending until now+Lease, and
// other deliverers skip them.
func (d *Deliverer) claim(ctx context.Context, now time.Time) ([]claimed, error) {
	lease := now.Add(d.cfg.Lease)
	rows, err := d.db.Query(ctx, `UPDATE notifications n
		SET state = 'sending', attempts = n.attempts + 1, lease_until = $2, next_attempt_at = $2
		FROM (SELECT id, state FROM notifications
			WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1
			ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
		WHERE n.id = due.id
		RETURNING n.id, n.idempotency_key, n.channel, n.target, n.secret, n.subject, n.body, n.html, n.event,
			n.ticket_id, n.stage, n.department, n.attempts, due.state`, now, lease, d.cfg.Batch)
	if err != nil {
		return nil, fmt.Errorf("claim due notifications: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
		var c claimed
		var ticket *uuid.UUID
		err := r.Scan(&c.ID, &c.Key, &c.Channel, &c.Target, &c.Secret, &c.Subject, &c.Body, &c.HTML, &c.Event,
			&ticket, &c.Stage, &c.Department, &c.Attempts, &c.Was)
		if ticket != nil {
			c.TicketID = *ticket
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim due notifications: %w", err)
	}
	return batch, nil
}

// attempt sends c once and records the outcome.
func (d *Deliverer) attempt(ctx context.Context, c claimed, now time.Time) error {
	log := d.log.With("notification", c.ID.String(), "key", c.Key, "channel", string(c.Channel),
		"event", c.Event, "attempt", c.Attempts)
	if c.TicketID != uuid.Nil {
		log = log.With("ticket", c.TicketID.String())
	}
	if c.Department != "" {
		log = log.With("dept", c.Department)
	}
	if c.Was == Sending {
		log.Warn("notification's lease ran out before its outcome was written (a node stopped mid-send?); trying again")
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
	var sendErr error
	switch c.Channel {
	case Webhook:
		sendErr = postWebhook(sctx, d.http, c)
	case Email:
		sendErr = d.mail.send(sctx, c, now)
	default:
		sendErr = fmt.Errorf("unknown channel %q", c.Channel)
	}
	cancel()
	return d.record(ctx, log, c, now, sendErr)
}

// record writes the outcome of c's attempt at now: delivered, pending again after a backoff, or dead.
// The update holds only while the row is still this attempt's (same attempts count, still sending).
func (d *Deliverer) record(ctx context.Context, log *slog.Logger, c claimed, now time.Time, sendErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
	defer cancel()
	const mine = ` WHERE id = $1 AND attempts = $2 AND state = 'sending'`
	var (
		sql  string
		args = []any{c.ID, c.Attempts}
		next time.Time
	)
	msg := ""
	if sendErr != nil {
		msg = trimText(sendErr.Error(), maxErrorBody+200)
	}
	switch {
	case sendErr == nil:
		sql = `UPDATE notifications SET state = 'delivered', delivered_at = $3, lease_until = NULL, last_error = ''` + mine
		args = append(args, now)
	case c.Attempts >= d.cfg.MaxAttempts:
		sql = `UPDATE notifications SET state = 'dead', lease_until = NULL, last_error = $3` + mine
		args = append(args, msg)
	default:
		next = now.Add(Backoff(c.Attempts, d.cfg.BaseDelay, d.cfg.MaxDelay))
		sql = `UPDATE notifications SET state = 'pending', next_attempt_at = $3, lease_until = NULL, last_error = $4` + mine
		args = append(args, next, msg)
	}
	tag, err := d.db.Exec(ctx, sql, args...)
	if err != nil {
		log.Error("notification's outcome not written; it is tried again after its lease", "error", err)
		return fmt.Errorf("record notification %s: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		log.Warn("notification's lease ran out during the attempt and another node took it over; outcome dropped",
			"sent", sendErr == nil)
		return nil
	}
	switch {
	case sendErr == nil:
		log.Info("notification delivered")
	case next.IsZero():
		log.Error("notification dead after its last attempt; an admin may retry it", "error", msg)
	default:
		log.Warn("notification not delivered; trying again later", "error", msg, "next_attempt_at", next)
	}
	return nil
}

// Backoff is the delay after the failed attempt number attempt (1 for the first): base doubled for each
// attempt after the first, at most maxDelay, then drawn uniformly between its half and its whole.
func Backoff(attempt int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(d-half+1)
}

// Run delivers notifications until ctx ends: at once when Enqueue on any node wakes it (LISTEN/NOTIFY
// on a connection of its own), at least every Config.PollInterval, and again at once while claims come
// back full. When ctx ends it lets the attempts under way finish, then returns nil.
func (d *Deliverer) Run(ctx context.Context) error {
	defer d.http.CloseIdleConnections()
	var l *pgx.Conn
	defer func() {
		if l != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
			defer cancel()
			_ = l.Close(cctx)
		}
	}()
	listening := true
	for {
		// Listen before looking, so that nothing enqueued in between waits for the poll interval.
		if l == nil {
			var err error
			if l, err = d.listen(ctx); err != nil && ctx.Err() == nil && listening {
				d.log.Warn("no wake-ups from other nodes; looking for notifications every poll interval",
					"error", err, "poll_interval", d.cfg.PollInterval)
			}
			listening = l != nil
		}
		n, err := d.DeliverDue(ctx, time.Now())
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.log.Warn("delivering notifications", "error", err)
		}
		if err == nil && n == d.cfg.Batch {
			continue
		}
		if l == nil {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(d.cfg.PollInterval):
			}
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, d.cfg.PollInterval)
		_, err = l.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && wctx.Err() == nil {
			// Not the poll interval: the connection broke. Listen again on the next round.
			d.log.Warn("wake-up connection lost", "error", err)
			cctx, cancel := context.WithTimeout(ctx, bookkeeping)
			_ = l.Close(cctx)
			cancel()
			l = nil
		}
	}
}

// listen opens the connection on which Enqueue's wake-ups arrive.
func (d *Deliverer) listen(ctx context.Context) (*pgx.Conn, error) {
	c, err := pgx.ConnectConfig(ctx, d.db.Config().ConnConfig)
	if err != nil {
		return nil, err
	}
	if _, err := c.Exec(ctx, "LISTEN "+wakeChannel); err != nil {
		_ = c.Close(ctx)
		return nil, err
	}
	return c, nil
}

// Close releases the idle connections of the webhooks' client (Run does it when it returns).
func (d *Deliverer) Close() { d.http.CloseIdleConnections() }

// trimText makes s fit a text column: valid UTF-8, no NUL, at most n bytes (cut on a rune boundary).
func trimText(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	const mark = " …"
	cut := n - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
