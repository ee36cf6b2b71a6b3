// Package queue owns the call desk's decisions: the operators and their states (offline, available,
// ringing, on_call, wrap_up, paused) and which changes are allowed, the waiting line (priority, then
// arrival), which operator is offered which caller (the longest-idle available operator gets the head of
// the line), and the figures a supervisor watches (service level, abandonment, speed of answer, handle
// time), computed from the queue's event log.
//
// The facts live in PostgreSQL (package queuepg), so every node sees the same line and the same
// operators; a Dispatcher per node claims (caller, operator) pairs with row locks and hands each offer to
// the waiting call's flow. The package uses only the standard library and the interfaces it declares.
//
// A Dispatcher is started and stopped by cmd; its methods are safe for concurrent use.
package queue
