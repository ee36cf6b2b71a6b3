package ticketing

import (
	"time"

	"github.com/google/uuid"
)

// Channel is how a report reached the hotline.
type Channel string

// The channels.
const (
	Hotline     Channel = "hotline" // a call to the 1900 number
	Zalo        Channel = "zalo"    // the Zalo official account
	FieldReport Channel = "field"   // a field report (the province IOC's app)
	Web         Channel = "web"     // the web portal
)

// Channels lists the channels in the API's order.
var Channels = []Channel{Hotline, Zalo, FieldReport, Web}

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool {
	switch c {
	case Hotline, Zalo, FieldReport, Web:
		return true
	}
	return false
}

// TermDays returns the channel's term in working days, used when the ticket's field sets none: 3 for the
// hotline, Zalo and the web, 7 for field reports; 0 for an unknown channel.
func (c Channel) TermDays() int {
	switch c {
	case Hotline, Zalo, Web:
		return 3
	case FieldReport:
		return 7
	}
	return 0
}

// Status is where a ticket is in its workflow (see Transitions).
type Status string

// The statuses.
const (
	New        Status = "new"
	Assigned   Status = "assigned"    // sent to a department
	InProgress Status = "in_progress" // the department works on it
	Resolved   Status = "resolved"    // the department reported its result
	Closed     Status = "closed"      // the result was reported back to the citizen
	Rejected   Status = "rejected"    // out of competence, with the reason
	Merged     Status = "merged"      // a duplicate of another ticket, which took its calls
)

// Statuses lists the statuses in workflow order.
var Statuses = []Status{New, Assigned, InProgress, Resolved, Closed, Rejected, Merged}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Open reports whether a ticket in status s is still being handled, so its deadline runs and it can be
// overdue: new, assigned and in_progress.
func (s Status) Open() bool { return s == New || s == Assigned || s == InProgress }

// Role is what an actor may do; roles are ordered operator < supervisor < admin.
type Role string

// The roles, from least to most.
const (
	RoleOperator   Role = "operator"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

var rank = map[Role]int{RoleOperator: 1, RoleSupervisor: 2, RoleAdmin: 3}

// AtLeast reports whether r may do what o may. An unknown role is below every role.
func (r Role) AtLeast(o Role) bool { return rank[r] > 0 && rank[r] >= rank[o] }

// Actor is who acts on tickets: a token's holder, a console user, or the hotline itself (the call flow).
type Actor struct {
	Name     string // the token's or user's name
	Role     Role
	Operator string // the extension an operator acts as (operator tokens)
	TokenID  int64  // the API token, scoping idempotency keys; 0 when not acting through a token
}

// Who returns how the actor is written in created_by and the audit trail: the operator's extension when
// there is one, else the name.
func (a Actor) Who() string {
	if a.Operator != "" {
		return a.Operator
	}
	return a.Name
}

// Reporter is the citizen who made a report. Confidential: see Masked.
type Reporter struct {
	Name, Phone, Email string
}

// IsZero reports whether nothing is known of the reporter (an anonymous report).
func (r Reporter) IsZero() bool { return r.Name == "" && r.Phone == "" && r.Email == "" }

// Masked returns the reporter as shown to those who may not see it: see MaskName, MaskPhone, MaskEmail.
func (r Reporter) Masked() Reporter {
	return Reporter{Name: MaskName(r.Name), Phone: MaskPhone(r.Phone), Email: MaskEmail(r.Email)}
}

// Location is where the reported problem is.
type Location struct {
	Address  string
	Lat, Lon *float64
}

// IsZero reports whether the location says nothing.
func (l Location) IsZero() bool { return l.Address == "" && l.Lat == nil && l.Lon == nil }

// AttachmentKind is what an attachment holds.
type AttachmentKind string

// The kinds of attachment.
const (
	KindImage    AttachmentKind = "image"
	KindVideo    AttachmentKind = "video"
	KindAudio    AttachmentKind = "audio"
	KindDocument AttachmentKind = "document"
	KindOther    AttachmentKind = "other"
)

// Valid reports whether k is one of the kinds.
func (k AttachmentKind) Valid() bool {
	switch k {
	case KindImage, KindVideo, KindAudio, KindDocument, KindOther:
		return true
	}
	return false
}

// Attachment is a reference to a file kept elsewhere (a photo on Zalo, a field app's video): the hotline
// stores its address, not the file.
type Attachment struct {
	URL  string
	Kind AttachmentKind
	Name string // optional
}

// Ticket is one citizen's report as an actor sees it. Times are in Asia/Ho_Chi_Minh (Zone).
type Ticket struct {
	ID         uuid.UUID
	Code       string // PA-YYYY-NNNNNN
	Channel    Channel
	Field      string // field code; "" until the desk classifies the report
	Department string // department code; "" while new
	Status     Status

	ReceivedAt         time.Time
	TermDays           int       // N working days the deadline was counted with
	DeadlineAt         time.Time // ReceivedAt + TermDays working days
	ExtendedDeadlineAt *time.Time
	ExtensionReason    string
	LegalBasis         string // of the extension
	Overdue            bool   // open and past its deadline (the extension when there is one)
	ResolvedAt         *time.Time
	ClosedAt           *time.Time

	Reporter       *Reporter // nil for an anonymous report
	ReporterMasked bool      // Reporter is masked for this actor
	Location       *Location // nil when none was given

	Description string
	Result      string // the department's result (resolved, closed)
	Reason      string // why it was rejected
	Note        string // how and when the citizen was told the result (closed)
	MergedInto  *uuid.UUID

	CallIDs     []uuid.UUID // linked calls, oldest link first
	Attachments []Attachment
	Callback    bool   // from a voicemail or an abandoned call: call the citizen back
	CreatedBy   string // the operator's extension, or the token's name
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EffectiveDeadline returns the deadline that counts: the extension when there is one.
func (t *Ticket) EffectiveDeadline() time.Time {
	if t.ExtendedDeadlineAt != nil {
		return *t.ExtendedDeadlineAt
	}
	return t.DeadlineAt
}

// IsOverdue reports whether the ticket is open and past its effective deadline at now.
func (t *Ticket) IsOverdue(now time.Time) bool {
	return t.Status.Open() && now.After(t.EffectiveDeadline())
}

// NewTicket is a report to be made into a ticket (POST /api/v1/tickets, the call flow).
type NewTicket struct {
	Channel     Channel
	Description string
	Field       string    // optional field code
	Department  string    // optional department code; default the field's; makes the ticket assigned
	Reporter    *Reporter // optional: anonymous reports are allowed
	Location    *Location
	CallID      *uuid.UUID // a call to link: the call the ticket is made in
	ReceivedAt  *time.Time // supervisors and admins only: when another system received the report
	Callback    bool       // a voicemail or a caller who gave up: call back
	Attachments []Attachment
}

// Patch is a change to a ticket (PATCH /api/v1/tickets/{id}); nil members are left as they are. See
// Patch.Check for what goes with what.
type Patch struct {
	Status     *Status
	Department *string // a department (re)assigns the ticket
	Field      *string // (re)classifies it; the deadline is counted again from receipt
	Result     *string // with status resolved
	Reason     *string // with status rejected, with a reopening, or with ExtendTo
	Note       *string // with status closed (how and when the citizen was told), or any change
	MergedInto *string // with status merged: the id or code of the ticket that takes this one's calls
	ExtendTo   *time.Time
	LegalBasis *string // with ExtendTo
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool { return p == Patch{} }

// AuditEntry is one row of a ticket's audit trail: a change (old → new) or a read of its reporter.
type AuditEntry struct {
	ID       int64
	TicketID uuid.UUID
	At       time.Time
	Actor    string
	Role     Role
	Action   string // one of the Audit* constants
	Field    string // the ticket's member that changed, e.g. "status", "deadline_at"
	Old, New string
	Detail   string
}

// Actions in the audit trail.
const (
	AuditCreate       = "create"        // the ticket was made (New: its status; Detail: its channel)
	AuditTransition   = "transition"    // Field "status", Old → New; Detail: the result, reason or note
	AuditChange       = "change"        // a member other than the status changed, Old → New
	AuditExtend       = "extend"        // a supervisor extended the deadline; Detail: reason and legal basis
	AuditLinkCall     = "link_call"     // New: the call's id
	AuditMergeIn      = "merge_in"      // another ticket was merged into this one; New: its code
	AuditNote         = "note"          // a note without a status change; Detail: the note
	AuditReporterRead = "reporter_read" // the reporter's identity was shown whole to Actor
)

// Field is a field of state management (lĩnh vực) that reports are classified by.
type Field struct {
	Code         string
	Name         string
	Department   string // default department of its tickets; "" for none
	DeadlineDays *int   // term in working days; nil: the channel's
	Priority     int    // 0–9, higher first in the queue
}

// FieldChange changes a field (`hotline field set`); nil members are left as they are. A new code makes a
// new field, which needs a Name.
type FieldChange struct {
	Code         string
	Name         *string
	Department   *string // "" removes the default department
	DeadlineDays *int    // 0 removes the field's own term (the channel's counts)
	Priority     *int
}

// Department is a competent department (cơ quan chuyên môn) that resolves tickets.
type Department struct {
	Code      string
	Name      string
	Head      string
	HeadEmail string
	Email     string // reminders go here
	Webhook   string // an http(s) URL for reminders, or ""
	Secret    string // the webhook's HMAC key
}

// DepartmentChange changes a department (`hotline department update`); nil members are left as they are.
type DepartmentChange struct {
	Code                                          string
	Name, Head, HeadEmail, Email, Webhook, Secret *string
}
