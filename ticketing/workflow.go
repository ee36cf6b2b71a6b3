package ticketing

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// transitions is the workflow: the statuses each status may go to. The one place it is written.
var transitions = map[Status][]Status{
	New:        {Assigned, Rejected, Merged},
	Assigned:   {InProgress, Rejected, Merged, Assigned}, // assigned → assigned: sent to another department
	InProgress: {Resolved, Rejected, Merged},
	Resolved:   {Closed, InProgress}, // in_progress again: reopened
	Closed:     {InProgress},         // reopened on the citizen's complaint
	Rejected:   {},
	Merged:     {},
}

// Next returns the statuses a ticket in status s may go to (nil for an unknown status).
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CheckTransition returns nil when a ticket may go from from to to, else a *TransitionError.
func CheckTransition(from, to Status) error {
	if slices.Contains(transitions[from], to) {
		return nil
	}
	return &TransitionError{From: from, To: to, Allowed: from.Next()}
}

// Limits on what a patch or a new ticket may carry.
const (
	MaxDescription = 10000 // characters
	MaxText        = 10000 // result, reason, note, legal basis
)

// Check works out what p does to t for actor a: the status t goes to (t.Status when p changes no status).
// It checks what can be checked without the database:
//
//   - a department (re)assigns: it goes with status assigned or alone, and makes the ticket assigned;
//   - the status change is in the workflow (else a *TransitionError);
//   - resolved needs result, rejected needs reason, merged needs merged_into, closed needs note, assigned
//     needs a department (in p or on t); result, reason and merged_into are refused elsewhere (reason also
//     goes with a reopening and with extend_to; note goes with any change);
//   - extend_to is for supervisors and admins (ErrForbidden), needs reason and legal_basis, must be later
//     than the deadline, and only an open ticket may be extended (ErrConflict);
//   - the field of a merged ticket does not change (ErrConflict).
//
// The store checks the rest: that the department, field and merge target exist.
func (p Patch) Check(t *Ticket, a Actor) (Status, error) {
	v := invalid{}
	if p.Status != nil && !p.Status.Valid() {
		v.add("status", "must be one of new, assigned, in_progress, resolved, closed, rejected, merged")
	}
	if p.Department != nil && !ValidCode(*p.Department) {
		v.add("department", "must be a department's code (see GET /api/v1/departments)")
	}
	if p.Field != nil && !ValidCode(*p.Field) {
		v.add("field", "must be a field's code (see GET /api/v1/fields)")
	}
	checkText(v, "result", p.Result)
	checkText(v, "reason", p.Reason)
	checkText(v, "note", p.Note)
	checkText(v, "legal_basis", p.LegalBasis)
	if p.MergedInto != nil && *p.MergedInto == "" {
		v.add("merged_into", "must be the id or code of another ticket")
	}
	if err := v.err(); err != nil {
		return "", err
	}

	to := t.Status
	transition := false
	switch {
	case p.Status != nil:
		to, transition = *p.Status, true
		if p.Department != nil && to != Assigned {
			v.add("department", "goes alone or with status assigned: a department (re)assigns the ticket")
		}
	case p.Department != nil && *p.Department != t.Department:
		to, transition = Assigned, true
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if transition {
		if err := CheckTransition(t.Status, to); err != nil {
			return "", err
		}
	}
	reopen := transition && to == InProgress && (t.Status == Resolved || t.Status == Closed)
	need := func(field string, p *string, msg string) {
		if p == nil || *p == "" {
			v.add(field, msg)
		}
	}
	if transition {
		switch to {
		case Resolved:
			need("result", p.Result, "is required to resolve a ticket: what the department did")
		case Rejected:
			need("reason", p.Reason, "is required to reject a ticket: why it is out of competence")
		case Merged:
			need("merged_into", p.MergedInto, "is required to merge a ticket: the ticket it duplicates")
		case Closed:
			need("note", p.Note, "is required to close a ticket: how and when the citizen was told the result")
		case Assigned:
			if p.Department == nil && t.Department == "" {
				v.add("department", "is required to assign a ticket")
			}
			if p.Department != nil && *p.Department == t.Department && t.Status == Assigned {
				v.add("department", "is the ticket's department already: name another to reassign it")
			}
		}
	}
	if p.Result != nil && !(transition && to == Resolved) {
		v.add("result", "goes with status resolved")
	}
	if p.MergedInto != nil && !(transition && to == Merged) {
		v.add("merged_into", "goes with status merged")
	}
	if p.Reason != nil && !(transition && to == Rejected) && !reopen && p.ExtendTo == nil {
		v.add("reason", "goes with status rejected, with a reopening, or with extend_to")
	}
	if p.LegalBasis != nil && p.ExtendTo == nil {
		v.add("legal_basis", "goes with extend_to")
	}
	if p.ExtendTo != nil {
		if !a.Role.AtLeast(RoleSupervisor) {
			return "", fmt.Errorf("%w: only supervisors and admins extend deadlines", ErrForbidden)
		}
		if transition && to == Rejected {
			v.add("extend_to", "cannot go with status rejected")
		}
		need("reason", p.Reason, "is required to extend a deadline")
		need("legal_basis", p.LegalBasis, "is required to extend a deadline: the provision that allows it")
		if !p.ExtendTo.After(t.DeadlineAt) {
			v.add("extend_to", "must be later than the deadline "+t.DeadlineAt.In(Zone()).Format(time.RFC3339))
		}
	}
	if err := v.err(); err != nil {
		return "", err
	}
	if p.ExtendTo != nil && !to.Open() {
		return "", fmt.Errorf("%w: a %s ticket's deadline cannot be extended", ErrConflict, to)
	}
	if p.Field != nil && t.Status == Merged {
		return "", fmt.Errorf("%w: a merged ticket is not classified again: change the ticket it was merged into", ErrConflict)
	}
	return to, nil
}

func checkText(v invalid, field string, p *string) {
	if p != nil && utf8.RuneCountInString(*p) > MaxText {
		v.add(field, fmt.Sprintf("must be at most %d characters", MaxText))
	}
}
