package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler on a loopback address (HOTLINE_DEBUG_LISTEN), for measuring the
// hotline under load: `go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=20`.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("profiler listening", "addr", "http://"+addr+"/debug/pprof/")
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiler stopped", "error", err)
	}
}
