// Package escalation decides which tickets are due a reminder or a breach notice, queues each once through
// the notify outbox, takes departments' acknowledgements, and computes the breach report.
//
// # Stages
//
// An open ticket (new, assigned, in_progress) gets, for its effective deadline (the extension when there is
// one: the column due_at), up to three notices:
//
//	due_soon   ≤ 1 office day of working time left   department: e-mail + webhook      in office hours
//	due_hours  ≤ 2 working hours left                department + head's e-mail        in office hours
//	breached   past the deadline                     head's e-mail + supervisors       at once
//
// Working time is office hours on working days (ticketing.Deadlines.WorkingHoursBetween). The two windows
// are set with ParseStages (HOTLINE_REMINDER_STAGES, default "due_soon=1d,due_hours=2h"). A ticket gets
// only the latest stage due when it is looked at (one made 1 hour before its deadline gets due_hours
// alone; one found past its deadline gets breached alone), never an earlier stage after a later one.
// Department reminders are queued only while now is within office hours of a working day, and only for a
// ticket that has a department: one due at night waits for the tick at 07:30. Breach notices go at once,
// day or night. Resolved, closed, rejected and merged tickets get nothing. An address the outbox refuses
// (a department's malformed e-mail or webhook) is skipped with a Warn line; a department with no address
// at all gets nothing, and its notice is still recorded (with 0 notifications), so it is not tried again.
//
// Stages are per effective deadline: a supervisor's extension, or a new field that counts the deadline
// again, re-arms them for the new deadline (the old notices stay, with their acknowledgements). A ticket
// reopened with the same deadline does not get again the stages it had.
//
// # Exactly once
//
// [Escalator.Tick] claims each due (ticket, due_at, stage) with a row of ticket_notices (primary key
// (ticket_id, due_at, stage), INSERT … ON CONFLICT DO NOTHING RETURNING) in the same transaction as the
// notify.EnqueueMany of its batch's notifications (one statement per batch), so a crash leaves both or
// neither; any number of Escalators on any nodes may tick at once, and restarts change nothing. Ticks also
// serialise on transaction-scoped advisory locks, so that two nodes do not work out the same batch; exactly
// once rests on the key alone. Every notification has its own idempotency key: event, ticket, stage,
// deadline, channel and a hash of the address. Candidates are read through the partial index
// tickets_open_due_idx: open tickets past their deadline or within the longest window, less those that have
// their notice; never all tickets. A tick runs Config.Workers transactions at once, each on its share of
// the tickets (by the last byte of the id) under its own advisory lock.
//
// # Notices
//
// A webhook is a [WebhookNotice]: {"event": "ticket.reminder"|"ticket.breached", "stage",
// "idempotency_key", "sent_at", "ticket": {"id", "code", "field", "department", "status", "received_at",
// "deadline_at", "description"}, "ack_url"}, signed by the outbox with the department's secret (the
// supervisors' webhook with HOTLINE_SUPERVISOR_WEBHOOK_SECRET). The reporter never leaves, not even
// masked. E-mails are Vietnamese text with the ack link.
//
// # Acknowledgements
//
// A notice is acknowledged once, through the API ([Escalator.Acknowledge]) or the link every notice
// carries: PublicURL + "/ack/" + a token holding the ticket, stage, deadline and expiry with an
// HMAC-SHA256 keyed by a secret kept in PostgreSQL (node_secrets "escalation.ack_link"), so links work on
// every node and after restarts. A link is valid until 7 days after the later of the deadline and the
// notice. [Escalator.VerifyAck] reads a link (for the confirm page a GET shows: [WriteAckPage]);
// [Escalator.AcknowledgeLink] acknowledges it (POST only, so mail scanners that open links acknowledge
// nothing). Each acknowledgement writes an "acknowledge" row to the ticket's audit trail and shows in the
// breach report. Errors map to HTTP statuses:
//
//	*ticketing.ValidationError         422   bad stage, note too long
//	ticketing.ErrNotFound, ErrNoNotice 404   no such ticket, or it had no such notice
//	ErrBadLink                         404   a token not made here, or altered
//	ErrLinkExpired                     410
//	*AcknowledgedError (ErrAcknowledged) 409 says when, by whom and how
//	*ticketing.QueryError              400   the report's from, to or format
//
// # The breach report
//
// [Escalator.Report] computes, for a period and at a time, per department and per field: tickets received,
// resolved on time and late, open and overdue, the on-time rate, the median resolution time in working
// hours, extensions granted, notices queued and acknowledged; then the breached tickets with how late they
// are (see [Row] for each figure's definition). [WriteJSON], [WriteCSV], [WriteHTML] (one printable page
// with an inline SVG chart) and [WriteText] render it; [ParsePeriod] and [ParseFormat] read --from, --to
// and --format (?from=, ?to=, ?format=) alike for the CLI and the API, and [Write] renders the chosen
// format. [Escalator.DailyReport] is the job that queues the previous day's report to the supervisors once
// per day: an e-mail with the HTML page and the text as its plain alternative, and the JSON to their
// webhook.
//
// # Concurrency and lifecycle
//
// An Escalator is safe for concurrent use and starts nothing: cmd puts [Escalator.Reminders] and
// [Escalator.DailyReport] on the jobs scheduler, and the HTTP API and the CLI call Report, Acknowledge,
// VerifyAck and AcknowledgeLink. Every call takes now, so tests control the clock.
package escalation
