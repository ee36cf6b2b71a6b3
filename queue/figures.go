package queue

import (
	"time"

	"github.com/google/uuid"
)

// EventKind is the kind of a queue event.
type EventKind string

// The queue events, one row each in the queue log.
const (
	EventEnter        EventKind = "enter"          // the caller joined the line (Position)
	EventOffer        EventKind = "offer"          // an operator's phone rings for the caller (Ext)
	EventRingNoAnswer EventKind = "ring_no_answer" // it rang out (Ext)
	EventDecline      EventKind = "decline"        // the operator declined or was busy (Ext)
	EventConnect      EventKind = "connect"        // an operator answered (Ext, Wait)
	EventAbandon      EventKind = "abandon"        // the caller hung up while waiting (Wait, Position)
	EventVoicemail    EventKind = "voicemail"      // the caller left (or was offered) a message (Wait)
	EventComplete     EventKind = "complete"       // the conversation ended (Ext, Talk)
	EventExit         EventKind = "exit"           // the caller left the line otherwise (shutdown, error)
)

// Event is one row of the queue log.
type Event struct {
	At       time.Time
	CallID   uuid.UUID
	Kind     EventKind
	Ext      string
	Position int
	Wait     time.Duration
	Talk     time.Duration
	Detail   string
}

// Figures are a window's service figures. Rates are nil when nothing in the window defines them.
type Figures struct {
	Offered, Answered, Abandoned int
	ServiceLevel                 *float64 // share of finished waits answered by an operator within the target
	AbandonRate                  *float64 // share of finished waits that ended with the caller hanging up
	ASA                          *time.Duration
	AHT                          *time.Duration
	LongestWait                  time.Duration
}

// ServiceTarget is the answer time a call must meet to count for the service level.
const ServiceTarget = 20 * time.Second

// Compute derives the figures of a window from its events; waiting holds how long each caller still in
// the line has waited so far (they count for the longest wait).
func Compute(events []Event, waiting []time.Duration) Figures {
	var f Figures
	var withinTarget, finished int
	var waitSum, talkSum time.Duration
	var talks int
	for _, e := range events {
		switch e.Kind {
		case EventEnter:
			f.Offered++
		case EventConnect:
			f.Answered++
			finished++
			waitSum += e.Wait
			if e.Wait <= ServiceTarget {
				withinTarget++
			}
			f.LongestWait = max(f.LongestWait, e.Wait)
		case EventAbandon:
			f.Abandoned++
			finished++
			f.LongestWait = max(f.LongestWait, e.Wait)
		case EventVoicemail:
			finished++
			f.LongestWait = max(f.LongestWait, e.Wait)
		case EventComplete:
			talks++
			talkSum += e.Talk
		}
	}
	for _, w := range waiting {
		f.LongestWait = max(f.LongestWait, w)
	}
	if finished > 0 {
		sl := float64(withinTarget) / float64(finished)
		ar := float64(f.Abandoned) / float64(finished)
		f.ServiceLevel, f.AbandonRate = &sl, &ar
	}
	if f.Answered > 0 {
		asa := waitSum / time.Duration(f.Answered)
		f.ASA = &asa
	}
	if talks > 0 {
		aht := talkSum / time.Duration(talks)
		f.AHT = &aht
	}
	return f
}
