package pgtest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"embedded cluster URL", "postgres://hotline@/postgres?host=/tmp/hotline-pg-1/run&sslmode=disable",
			"postgres://hotline@/t_1?host=/tmp/hotline-pg-1/run&sslmode=disable"},
		{"server URL with password and port", "postgresql://u:p%40ss@db.example:6543/ci?sslmode=require",
			"postgresql://u:p%40ss@db.example:6543/t_1?sslmode=require"},
		{"URL without a database", "postgres://u@localhost", "postgres://u@localhost/t_1"},
		{"URL naming dbname in the query", "postgres://u@localhost/x?dbname=x", "postgres://u@localhost/t_1?dbname=t_1"},
		{"keyword/value", "host=/run/postgresql user=ci dbname=ci", "host=/run/postgresql user=ci dbname=ci dbname=t_1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := withDatabase(tc.in, "t_1")
			if err != nil || got != tc.want {
				t.Fatalf("withDatabase(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			cfg, err := pgx.ParseConfig(got)
			if err != nil || cfg.Database != "t_1" {
				t.Errorf("pgx reads %q as database %v (%v), want t_1", got, cfg, err)
			}
		})
	}
}

// TestServerNamedByURL is the HOTLINE_TEST_DATABASE_URL path: databases are
// made on a server given by a connection string, here in both of the forms
// a user may write, pointing at this binary's server.
func TestServerNamedByURL(t *testing.T) {
	t.Parallel()
	srv, err := sharedServer()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(srv.admin)
	if err != nil {
		t.Fatal(err)
	}
	keywords := strings.Join([]string{
		"host=" + cfg.Host,
		"port=" + strconv.Itoa(int(cfg.Port)),
		"user=" + cfg.User,
		"dbname=" + cfg.Database,
		"sslmode=disable",
	}, " ")
	for _, tc := range []struct{ name, admin string }{
		{"URL", srv.admin},
		{"keyword/value", keywords},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := newDatabaseOn(t, server{admin: tc.admin})
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var db string
			if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || !strings.HasPrefix(db, "t_") {
				t.Errorf("current_database() = %q, %v; want a fresh t_… database", db, err)
			}
		})
	}
}
