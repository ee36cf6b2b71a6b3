package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hotline/internal/pgcluster"
	"hotline/migrations"
)

// database is the store the hotline runs on: a pool, and the embedded cluster when there is one.
type database struct {
	pool    *pgxpool.Pool
	cluster *pgcluster.Cluster
}

// openDatabase connects to url, or with no url to the private cluster under dataDir (starting it when it
// is not running), and applies the migrations.
func openDatabase(ctx context.Context, url, dataDir string, maxConns int, log *slog.Logger) (*database, error) {
	db := &database{}
	if url == "" {
		c, err := pgcluster.Open(ctx, dataDir, log)
		if err != nil {
			return nil, err
		}
		db.cluster, url = c, c.URL()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		db.close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("database URL: %w (want postgres://user:password@host:5432/dbname)", err)
	}
	cfg.MaxConns = int32(maxConns)
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		db.close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := db.migrate(ctx, log); err != nil {
		db.close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

func (db *database) migrate(ctx context.Context, log *slog.Logger) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database: %w (is PostgreSQL running and the URL right?)", err)
	}
	defer conn.Release()
	applied, err := migrations.Up(ctx, conn.Conn())
	if err != nil {
		return err
	}
	for _, name := range applied {
		log.Info("migration applied", "name", name)
	}
	return nil
}

// close closes the pool and stops the embedded cluster if nobody else uses it.
func (db *database) close(ctx context.Context) {
	if db.pool != nil {
		db.pool.Close()
	}
	if db.cluster != nil {
		_ = db.cluster.Close(ctx)
	}
}

func migrateSettings() *settings {
	s := newSettings("migrate")
	dbSettings(s)
	return s
}

func runMigrate(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	level, format, err := readLog(s)
	if err != nil {
		return err
	}
	log := newLogger(level, format)
	db, err := openDatabase(ctx, s.str("HOTLINE_DATABASE_URL"), s.str("HOTLINE_DATA_DIR"), 2, log)
	if err != nil {
		return err
	}
	defer db.close(context.WithoutCancel(ctx))
	fmt.Fprintln(stderr, "hotline migrate: the database is up to date")
	return nil
}
