// Package notify delivers notifications through an outbox in PostgreSQL: webhooks (signed JSON) and
// e-mail (SMTP), at least once, from any node, with retries.
//
// # The outbox
//
// A notification is a row of the table notifications, written with [Enqueue] in the caller's own
// transaction (so a reminder is queued exactly when the ticket change that causes it commits). Each has
// an idempotency key, unique in the table: enqueueing a key twice is a no-op that returns false, so
// every node of the hotline may try to queue the same reminder and only one is kept. The key travels
// with every delivery (the webhook's Idempotency-Key header, the mail's Message-ID and
// X-Hotline-Idempotency-Key), so that a receiver can drop the duplicates at-least-once delivery may
// bring. The body is stored as the exact bytes sent. [EnqueueMany] writes a batch (a tick's reminders)
// with one statement, all or none, for much less per row than an Enqueue each.
//
//	ok, err := notify.Enqueue(ctx, tx, notify.Notification{
//		Key: "ticket.reminder:" + t.ID.String() + ":due_soon:webhook:xd", Channel: notify.Webhook,
//		Target: dept.Webhook, Secret: dept.Secret, Body: payload, Event: "ticket.reminder",
//		TicketID: t.ID, Stage: "due_soon", Department: "xd",
//	}, now)
//
// # Delivery
//
// A [Deliverer] claims due rows with FOR UPDATE SKIP LOCKED and a lease (Config.Lease), sends them and
// records the outcome. Several nodes may run one at once: each row goes to one of them, and a row whose
// node died mid-send is tried again once its lease has passed. A failed attempt is retried after an
// exponential backoff with equal jitter (Config.BaseDelay doubling up to Config.MaxDelay); after
// Config.MaxAttempts attempts the row is dead, listed by [Outbox.List] for admins, who may send it again
// with [Outbox.Retry]. An attempt cut short by an expired lease counts as an attempt.
//
// Webhooks are POSTed with Content-Type application/json, X-Hotline-Signature (see [Sign]),
// Idempotency-Key and User-Agent hotline; any 2xx is delivered; redirects are not followed. E-mails go
// through the SMTP server of Config.SMTPURL with github.com/wneessen/go-mail, as UTF-8 text, or, for a
// notification with HTML (stored in the column html), as multipart/alternative: the text, then the HTML.
//
// # Templates
//
// The texts (Vietnamese) are composed by the callers; [Template] and [Render] are a small help for
// text/template with dates written the Vietnamese way.
//
// # Concurrency and lifecycle
//
// Enqueue, Outbox and Deliverer are safe for concurrent use. The owner (cmd) runs [Deliverer.Run] in a
// goroutine of its own until shutdown (it holds one database connection of its own, for LISTEN); tests
// call [Deliverer.DeliverDue] with the time they choose.
package notify
