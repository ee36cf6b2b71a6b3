// Package ticketing owns the citizens' reports (tickets) and the rules they live by: fields, departments,
// the Vietnamese working-day calendar (weekends, public holidays from the solar and the Vietnamese lunar
// calendar, days added by admins) and the lawful deadlines counted on it.
//
// The calendar, office hours and deadline computations are pure functions of their inputs, safe for
// concurrent use; nothing here starts goroutines.
package ticketing
