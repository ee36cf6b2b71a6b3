// Package sipptest runs SIPp (Debian package sip-tester) as a real SIP peer for the end-to-end tests and
// the load benchmarks: it writes SIPp scenarios (a caller streaming G.711 RTP from a file, a caller that
// cancels, a caller offering only codecs the hotline refuses), makes tone files with sox, runs sipp with
// bounded calls and time against loopback, and reads its results.
//
// It is used by tests and by bench/ only. Every function is safe for concurrent use.
package sipptest
