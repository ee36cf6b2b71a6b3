// Package migrations owns the database schema: numbered SQL files embedded in the binary and Up, which
// applies the ones a database has not seen yet.
//
// Files are named NNNN_name.up.sql and never edited once they have landed; a change is a new file. Up
// records each applied file in the table schema_migrations and holds a PostgreSQL advisory lock while it
// works, so several hotline processes starting at once on one database apply each file exactly once.
//
// Up is safe for concurrent use by several processes; it starts nothing and holds no state.
package migrations
