package ticketpg

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// SetAfterNumber makes every create run f after its ticket took its number, in its transaction.
func SetAfterNumber(s *Store, f func(context.Context, pgx.Tx) error) { s.afterNumber = f }

// SetWallClock replaces the clock the calendar cache is timed by.
func SetWallClock(s *Store, f func() time.Time) { s.wall = f }
