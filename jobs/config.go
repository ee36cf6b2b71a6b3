package jobs

import (
	"fmt"
	"log/slog"
	"time"
)

// Config is what a Scheduler needs besides its database.
type Config struct {
	// Node is this node's name (HOTLINE_NODE_ID), written on every run it makes. Required, at most 64
	// characters.
	Node string
	// Log receives one line per run. Default: discard.
	Log *slog.Logger
	// History is how long runs are kept: each run deletes its job's runs whose tick is older. Default 30
	// days; negative keeps every run.
	History time.Duration
}

const defaultHistory = 30 * 24 * time.Hour

func (c Config) withDefaults() Config {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.History == 0 {
		c.History = defaultHistory
	}
	return c
}

func (c Config) validate() error {
	if c.Node == "" || len(c.Node) > 64 {
		return fmt.Errorf("jobs: Node %q: want a name of 1 to 64 characters", c.Node)
	}
	return nil
}
