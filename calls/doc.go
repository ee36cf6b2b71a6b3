// Package calls owns the call records in PostgreSQL: one row per INVITE that reached the call flow (who
// called, when it was answered and ended, why it ended) and one per finished recording.
//
// # Writing
//
// The call flow never waits for the database: it hands each new state of a call to a Journal, which writes
// it in the background in batches and keeps it until PostgreSQL has taken it, retrying while the database is
// down. Every write carries the call's version, and a row is never replaced by an older version, so retries
// and reordering cannot undo a later state.
//
// # Reading
//
// Store answers the HTTP API: one call by id, and pages of calls filtered by time, operator and number,
// newest first, with opaque cursors.
//
// Store and Journal are safe for concurrent use. The Journal is started and stopped by its owner (cmd);
// Stop writes what is still pending, within the context's deadline.
package calls
