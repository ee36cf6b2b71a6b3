// Package telephony is the hotline's SIP front end on sipgo: it listens on UDP and TCP, answers the
// carrier trunk's INVITEs as a UAS (100 Trying, SDP offer/answer, 200 OK, ACK, BYE, CANCEL, re-INVITE),
// answers OPTIONS keepalives, refuses other methods with 405 and an Allow header, enforces the limits of
// an internet-facing port, and hands every call that passes them to a Handler as a *Call.
//
// A Call is the handler's view of one inbound call: who calls, the negotiated codec, Ring, Answer
// (which starts the call's media session and clock), Play, Hangup and a Context that ends with the call,
// its cause telling why (ErrCallerHangup, ErrCancelled, media.ErrRTPTimeout, ErrShutdown, ErrNoACK).
// Telephony knows nothing of tickets, queues or the database.
//
// # Lifecycle
//
// cmd builds a Server with NewServer, calls Start (binds every listener or fails), Drain on the first
// shutdown signal (new INVITEs get 503), and Stop, which hangs up the calls still up and waits for their
// handlers. A Server is safe for concurrent use.
package telephony
