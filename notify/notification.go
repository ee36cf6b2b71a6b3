package notify

import (
	"fmt"
	"net/mail"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Channel is how a notification travels.
type Channel string

// Channels.
const (
	Webhook Channel = "webhook" // POST of the body (JSON) to Target, an http(s) URL
	Email   Channel = "email"   // a mail to Target, an e-mail address: text, or text and HTML
)

// State is where a notification is in its delivery.
type State string

// States.
const (
	Pending   State = "pending"   // waiting for its next attempt
	Sending   State = "sending"   // claimed by a node until its lease ends
	Delivered State = "delivered" // a 2xx answer, or the SMTP server took it
	Dead      State = "dead"      // MaxAttempts attempts failed; an admin may Retry it
)

// Notification is what to send, to whom, and what it is about.
type Notification struct {
	// Key is the idempotency key: 1 to 200 visible ASCII characters, unique in the outbox, e.g.
	// "ticket.reminder:<ticket id>:due_soon:webhook:xd". The same on every retry.
	Key     string
	Channel Channel
	// Target is the webhook's URL (http or https) or the e-mail address.
	Target string
	// Secret is the webhook's HMAC-SHA256 key (the department's secret); empty: no signature header.
	Secret string
	// Subject is the e-mail's subject (UTF-8); unused by webhooks.
	Subject string
	// Body is sent as it is: the webhook's JSON, the mail's UTF-8 text.
	Body []byte
	// HTML is an e-mail's HTML part (UTF-8), optional: with it the mail is multipart/alternative, Body
	// first (for readers without HTML), HTML second. Webhooks have none.
	HTML []byte
	// Event, TicketID, Stage and Department say what it is about (for lists and audits).
	Event      string
	TicketID   uuid.UUID // uuid.Nil: none
	Stage      string
	Department string
}

// Entry is a notification in the outbox, as listed. Its Secret and HTML are never filled.
type Entry struct {
	ID uuid.UUID
	Notification
	State         State
	Attempts      int
	NextAttemptAt time.Time
	LeaseUntil    time.Time // zero unless Sending
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time // zero unless Delivered
}

// Limits of a notification's fields.
const (
	maxKey    = 200
	maxTarget = 2000
	maxBody   = 1 << 20
)

// Validate says which field makes n unsendable: nil, or an error wrapping ErrInvalid that names the
// field. Enqueue and EnqueueMany check it; a caller that would rather leave a bad notification out than
// fail the whole batch checks it first.
func (n Notification) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if n.Key == "" || len(n.Key) > maxKey {
		return bad("Key", "want 1 to %d characters, got %d", maxKey, len(n.Key))
	}
	for _, c := range []byte(n.Key) {
		if c < '!' || c > '~' {
			return bad("Key", "%q: only visible ASCII characters (no spaces) may be used", n.Key)
		}
	}
	if n.Target == "" || len(n.Target) > maxTarget {
		return bad("Target", "want 1 to %d characters", maxTarget)
	}
	switch n.Channel {
	case Webhook:
		u, err := url.Parse(n.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("Target", "%q is not an http or https URL", n.Target)
		}
	case Email:
		a, err := mail.ParseAddress(n.Target)
		if err != nil || a.Name != "" {
			return bad("Target", "%q is not an e-mail address", n.Target)
		}
	default:
		return bad("Channel", "%q: want %q or %q", n.Channel, Webhook, Email)
	}
	if len(n.Body) == 0 || len(n.Body) > maxBody {
		return bad("Body", "want 1 byte to 1 MiB, got %d bytes", len(n.Body))
	}
	if n.Channel == Email && (!utf8.Valid(n.Body) || !utf8.ValidString(n.Subject)) {
		return bad("Body", "an e-mail's subject and body must be UTF-8 text")
	}
	if len(n.HTML) > 0 {
		switch {
		case n.Channel != Email:
			return bad("HTML", "only e-mails have an HTML part")
		case len(n.HTML) > maxBody:
			return bad("HTML", "want at most 1 MiB, got %d bytes", len(n.HTML))
		case !utf8.Valid(n.HTML):
			return bad("HTML", "must be UTF-8")
		}
	}
	if n.Event == "" {
		return bad("Event", "empty")
	}
	return nil
}
