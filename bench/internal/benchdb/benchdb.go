// Package benchdb gives the benchmarks their database: the server at a URL, or a private PostgreSQL
// cluster in a temporary folder (the machine's binaries) that Close stops and removes; migrated either way.
package benchdb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgcluster"
	"hotline/migrations"
)

// DB is a benchmark's migrated database.
type DB struct {
	Pool    *pgxpool.Pool
	cluster *pgcluster.Cluster
	dir     string
}

// Open connects to url, or with url "" starts a private cluster (saying so, as name); the pool holds up to
// maxConns connections (0: pgxpool's default).
func Open(ctx context.Context, name, url string, maxConns int) (*DB, error) {
	db := &DB{}
	if url == "" {
		dir, err := os.MkdirTemp("", "hotline-bench-"+name+"-")
		if err != nil {
			return nil, err
		}
		db.dir = dir
		fmt.Printf("%s: starting a private PostgreSQL cluster...\n", name)
		if db.cluster, err = pgcluster.Open(ctx, dir, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
			db.Close()
			return nil, err
		}
		url = db.cluster.URL()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		db.Close()
		return nil, err
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	}
	if db.Pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		db.Close()
		return nil, err
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	_, err = migrations.Up(ctx, conn.Conn())
	conn.Release()
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool, and stops and removes the private cluster if there is one.
func (db *DB) Close() {
	if db.Pool != nil {
		db.Pool.Close()
	}
	if db.cluster != nil {
		_ = db.cluster.Close(context.Background())
	}
	if db.dir != "" {
		_ = os.RemoveAll(db.dir)
	}
}
