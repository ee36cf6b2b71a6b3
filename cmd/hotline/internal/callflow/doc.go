// Package callflow tells one call's story, from the INVITE to the last row: it writes the call record,
// refuses what cannot be answered, rings, answers, records both directions into one WAV, plays the greeting
// and then hold audio, and on hang-up finishes the recording and the record. It is the only place that
// joins telephony, recordings and the call records.
//
// Recover runs once at start, before the SIP port opens: it repairs the recordings a crash cut and ends
// the calls the dead process left open with reason "crash".
//
// A Flow is safe for concurrent use: telephony calls HandleCall on one goroutine per call.
package callflow
