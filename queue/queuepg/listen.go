package queuepg

import (
	"context"
	"log/slog"
	"time"
)

// availableChannel is the PostgreSQL notification channel on which an operator becoming available is
// announced to every node.
const availableChannel = "hotline_operator_available"

// Listen calls kick whenever an operator becomes available on any node (LISTEN/NOTIFY), so that this
// node's waiting callers are offered at once rather than at the dispatcher's next poll. It holds one
// connection of the pool, reconnects after a failure, and returns when ctx ends.
func (s *Store) Listen(ctx context.Context, kick func(), log *slog.Logger) {
	for ctx.Err() == nil {
		err := s.listen(ctx, kick)
		if ctx.Err() != nil {
			return
		}
		log.Warn("listening for operators on other nodes failed; polling meanwhile", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listen(ctx context.Context, kick func()) error {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection carries a LISTEN: it leaves the pool and is closed at the end.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	if _, err := pc.Exec(ctx, "LISTEN "+availableChannel); err != nil {
		return err
	}
	kick() // anything missed while not listening
	for {
		if _, err := pc.WaitForNotification(ctx); err != nil {
			return err
		}
		kick()
	}
}
