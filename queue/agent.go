package queue

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// State is an operator's state on the desk.
type State string

// The states of an operator.
const (
	Offline   State = "offline"   // not registered, or signed out
	Available State = "available" // may be offered a call
	Ringing   State = "ringing"   // a call is being offered to the operator's phone
	OnCall    State = "on_call"   // talking with a caller
	WrapUp    State = "wrap_up"   // after a call, finishing the ticket; available again after the wrap-up time
	Paused    State = "paused"    // away, with a reason (e.g. no_answer after a missed offer)
)

// ParseState reads a state's name.
func ParseState(s string) (State, bool) {
	st := State(s)
	return st, slices.Contains([]State{Offline, Available, Ringing, OnCall, WrapUp, Paused}, st)
}

// Errors the queue's operations report.
var (
	ErrUnknownOperator = errors.New("no operator has this extension")
	ErrOperatorExists  = errors.New("an operator with this extension exists already")
	ErrNotWaiting      = errors.New("the call is not waiting in the queue")
	ErrNoOperator      = errors.New("no operator is available")
)

// TransitionError refuses a state change that is not allowed from the operator's current state.
type TransitionError struct {
	From, To State
	Allowed  []State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("an operator cannot go from %s to %s (allowed: %v)", e.From, e.To, e.Allowed)
}

// manual lists the states a person (the operator, a supervisor) may set from each state; the call flow
// moves operators through ringing, on_call and wrap_up itself.
var manual = map[State][]State{
	Offline:   {Available, Paused, Offline},
	Available: {Paused, Offline, Available},
	Paused:    {Available, Offline, Paused},
	WrapUp:    {Available, Paused, Offline},
	Ringing:   {},
	OnCall:    {},
}

// CheckManual tells whether a person may change an operator from `from` to `to`.
func CheckManual(from, to State) error {
	if slices.Contains(manual[from], to) {
		return nil
	}
	return &TransitionError{From: from, To: to, Allowed: manual[from]}
}

// Agent is an operator as the desk sees it.
type Agent struct {
	Ext        string
	Name       string
	State      State
	Reason     string
	Since      time.Time
	CallsToday int
	Registered bool // has a live, reachable binding
}

// Operator is an operator's account.
type Operator struct {
	Ext       string
	Name      string
	CreatedAt time.Time
}
