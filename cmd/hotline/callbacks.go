package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/calls"
	"hotline/ticketing"
	"hotline/ticketing/ticketpg"
)

// Callbacks turns the calls flagged for a callback (a voicemail, a caller who gave up after a long wait)
// into `new` tickets flagged callback, linked to their call, so that nobody is dropped silently. It works
// from the call rows, so a call ended while the database was down, or on a node that died, is ticketed
// once the rows are there; one node at a time sweeps (an advisory lock), and a call with a linked ticket is
// never ticketed again.
type callbacks struct {
	pool    *pgxpool.Pool
	calls   *calls.Store
	tickets *ticketpg.Store
	log     *slog.Logger
	// failed holds the calls whose ticket could not be made (not for the database's sake), and when: they
	// are tried again an hour later, so that they do not hold up the others meanwhile.
	failed map[uuid.UUID]time.Time
}

// retryFailedAfter is how long a call whose callback ticket failed waits before it is tried again.
const retryFailedAfter = time.Hour

// callbacksLock is the advisory lock key of the sweep ("callback" in ASCII).
const callbacksLock = 0x63616c6c6261636b

// hotlineActor is the hotline itself, as it appears in created_by and the audit trail. Supervisor rights:
// the ticket is received when the call arrived.
var hotlineActor = ticketing.Actor{Name: "hotline", Role: ticketing.RoleSupervisor}

func (cb *callbacks) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := cb.sweep(ctx, time.Now()); err != nil && ctx.Err() == nil {
			cb.log.Warn("callback tickets not made; retrying", "error", err)
		} else if n > 0 {
			cb.log.Info("callback tickets made", "tickets", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep makes the tickets of the calls ended in the last 7 days that want one; it returns how many.
func (cb *callbacks) sweep(ctx context.Context, now time.Time) (int, error) {
	made := 0
	if cb.failed == nil {
		cb.failed = map[uuid.UUID]time.Time{}
	}
	skip := make([]uuid.UUID, 0, len(cb.failed))
	for id, at := range cb.failed {
		if now.Sub(at) >= retryFailedAfter {
			delete(cb.failed, id)
			continue
		}
		skip = append(skip, id)
	}
	err := pgx.BeginFunc(ctx, cb.pool, func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(callbacksLock)).Scan(&mine); err != nil || !mine {
			return err // another node sweeps now
		}
		list, err := cb.calls.Unticketed(ctx, now.Add(-7*24*time.Hour), 100, skip)
		if err != nil {
			return err
		}
		for _, c := range list {
			err := cb.ticket(ctx, c, now)
			switch {
			case errors.Is(err, ticketing.ErrConflict):
				// A ticket took the call meanwhile (an operator linked it): nothing to make.
			case err != nil && ctx.Err() == nil && !databaseGone(err):
				// This call alone: the others are not held up by it; it is tried again in an hour.
				cb.log.Error("callback ticket not made for a call; trying again in an hour", "call_id", c.ID, "error", err)
				cb.failed[c.ID] = now
			case err != nil:
				return fmt.Errorf("call %s: %w", c.ID, err)
			default:
				made++
			}
		}
		return nil
	})
	return made, err
}

func (cb *callbacks) ticket(ctx context.Context, c calls.Call, now time.Time) error {
	n := ticketing.NewTicket{Channel: ticketing.Hotline, Description: callbackText(c), CallID: &c.ID,
		ReceivedAt: &c.ArrivedAt, Callback: true,
		Reporter: &ticketing.Reporter{Name: c.CallerName, Phone: c.Caller}}
	_, _, err := cb.tickets.Create(ctx, hotlineActor, n, "", now)
	var ve *ticketing.ValidationError
	if errors.As(err, &ve) {
		// A caller whose number or name is not one a ticket takes (an anonymous trunk user, say): the
		// ticket is made without them; the call and its recording keep what arrived.
		n.Reporter = nil
		_, _, err = cb.tickets.Create(ctx, hotlineActor, n, "", now)
	}
	return err
}

// callbackText describes the call in Vietnamese for the desk: what happened, when, how long the caller
// waited. The number is not in it (the reporter holds it, masked to whoever may not see it).
func callbackText(c calls.Call) string {
	at := c.ArrivedAt.In(vietnam).Format("15:04 02/01/2006")
	wait := ""
	if c.QueuedAt != nil && c.EndedAt != nil {
		end := *c.EndedAt
		for _, s := range c.Segments {
			if s.Kind == "voicemail" {
				end = s.StartedAt
			}
		}
		wait = " sau " + vnDuration(end.Sub(*c.QueuedAt)) + " chờ"
	}
	for _, s := range c.Segments {
		if s.Kind == "voicemail" {
			return fmt.Sprintf("Tin nhắn thoại lúc %s: công dân để lại lời nhắn%s. Nghe ghi âm của cuộc gọi (đoạn \"voicemail\") và gọi lại cho công dân.", at, wait)
		}
	}
	return fmt.Sprintf("Cuộc gọi nhỡ lúc %s: công dân gác máy%s. Gọi lại cho công dân.", at, wait)
}

// vnDuration writes d as "2 phút 5 giây".
func vnDuration(d time.Duration) string {
	d = d.Round(time.Second)
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case m == 0:
		return fmt.Sprintf("%d giây", s)
	case s == 0:
		return fmt.Sprintf("%d phút", m)
	}
	return fmt.Sprintf("%d phút %d giây", m, s)
}

// databaseGone tells whether err is the database failing (retry the sweep) rather than this call.
func databaseGone(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.SafeToRetry(err) || errors.Is(err, context.DeadlineExceeded)
}
