// Package queuepg is the queue's store on PostgreSQL (pgx): operators and their digest credentials,
// phone registrations, agent states with their history, the waiting line, claims of (caller, operator)
// pairs with row locks (FOR UPDATE SKIP LOCKED, so several nodes never offer one operator twice), and the
// queue log. Every method takes the time it acts at, so tests control the clock.
//
// A Store is safe for concurrent use; it holds no state besides its database handle.
package queuepg
