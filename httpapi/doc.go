// Package httpapi is the hotline's HTTP API on net/http: JSON in and out, the routes of ARCHITECTURE.md,
// one table from errors to HTTP statuses, cursor paging, and the unauthenticated /healthz.
//
// It reads through small interfaces declared here (the call records, the recording files, the health of
// the parts), which cmd fills with the real stores. A Server is safe for concurrent use; cmd starts it with
// Serve and stops it with Shutdown.
package httpapi
