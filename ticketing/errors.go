package ticketing

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Errors to branch on. The store wraps them with what was not found, not allowed or in conflict, so that
// err.Error() can be shown to the client as it is.
var (
	// ErrNotFound: no ticket, field, department or holiday has that id, code or date (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor's role may not do this (HTTP 403), e.g. an operator giving received_at.
	ErrForbidden = errors.New("not allowed for this role")
	// ErrConflict: the ticket's state forbids the change (HTTP 409), e.g. extending a closed ticket.
	ErrConflict = errors.New("conflict")
	// ErrExists: a department or holiday with that code or date is listed already (HTTP 409).
	ErrExists = errors.New("already exists")
	// ErrBadCursor: a list cursor that List did not make (HTTP 400).
	ErrBadCursor = errors.New("bad cursor: pass next_cursor from the previous page as it is")
)

// ValidationError names the members of a well-formed request that are missing or invalid (HTTP 422).
// Keys are the API's snake_case names (e.g. "description", "reporter.phone", "attachments[2].url").
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid ")
	for i, k := range slices.Sorted(maps.Keys(e.Fields)) {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
	}
	return b.String()
}

// invalid collects a ValidationError.
type invalid map[string]string

func (v invalid) add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// err returns the ValidationError, or nil when nothing was added.
func (v invalid) err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Fields: v}
}

// Invalid returns a ValidationError naming one field.
func Invalid(field, msg string) error { return &ValidationError{Fields: map[string]string{field: msg}} }

// TransitionError refuses a status change that the workflow does not allow from the ticket's status
// (HTTP 409 with from, to and allowed).
type TransitionError struct {
	From, To Status
	Allowed  []Status
}

func (e *TransitionError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("a ticket cannot go from %s to %s: %s is final", e.From, e.To, e.From)
	}
	allowed := make([]string, len(e.Allowed))
	for i, s := range e.Allowed {
		allowed[i] = string(s)
	}
	return fmt.Sprintf("a ticket cannot go from %s to %s (from %s it may go to %s)", e.From, e.To, e.From,
		strings.Join(allowed, ", "))
}

// QueryError is a list query parameter with a bad value (HTTP 400); its message says what it takes.
type QueryError struct {
	Param string
	Msg   string
}

func (e *QueryError) Error() string { return e.Param + " " + e.Msg }
