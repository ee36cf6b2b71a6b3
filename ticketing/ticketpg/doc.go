// Package ticketpg is the tickets' store on PostgreSQL (pgx): tickets with their gap-free codes, calls,
// attachments and audit trail; the fields, departments and calendar days they are routed and timed by;
// idempotency keys of the API. Every method that acts on a ticket takes the actor (who is written to the
// audit trail, and who decides whether the reporter is shown whole or masked) and the time it acts at, so
// tests control the clock.
//
// # Codes
//
// A ticket's code is PA-YYYY-NNNNNN: YYYY the year of receipt in Asia/Ho_Chi_Minh, N counted per year in
// ticket_counters, incremented in the creating transaction. Creates of one year queue on that row, so
// numbers are gap-free: a create that fails after taking its number rolls it back.
//
// # Reporters
//
// The reporter is whole to supervisors, admins and the ticket's handlers (the operator who created it, and
// the operators of its linked calls); everyone else gets it masked. Every whole read is written to the
// ticket's audit trail (reporter_read) in the same statement batch as the read; when that write fails, the
// read fails.
//
// # Calendar
//
// Deadlines count working days on the calendar built from the holidays table, cached for at most
// CalendarTTL, since several nodes share the table; the node that changes it rebuilds at once.
//
// A Store is safe for concurrent use; it holds its pool and the calendar cache.
package ticketpg
