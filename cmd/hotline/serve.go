package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/calls"
	"hotline/cmd/hotline/internal/callflow"
	"hotline/httpapi"
	"hotline/internal/tokens"
	"hotline/notify"
	"hotline/queue"
	"hotline/queue/queuepg"
	"hotline/recordings"
	"hotline/telephony"
	"hotline/telephony/media"
	"hotline/telephony/prompts"
	"hotline/ticketing/escalation"
	"hotline/ticketing/ticketpg"
)

func runServe(ctx context.Context, s *settings, stdout, stderr io.Writer) error {
	cfg, err := readServeConfig(s)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, cfg.LogFormat)

	// Signals: the first drains and stops cleanly, a second one exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		sig := <-sigs
		log.Info("stopping: new calls get 503, calls in progress are hung up; a second signal exits at once",
			"signal", sig.String())
		stop()
		<-sigs
		fmt.Fprintln(stderr, "hotline serve: second signal, exiting now; unfinished recordings are repaired at the next start")
		os.Exit(1)
	}()

	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data folder %s: %w (set HOTLINE_DATA_DIR to a folder this user can write)", cfg.DataDir, err)
	}
	recDir := filepath.Join(cfg.DataDir, "recordings")

	sounds, err := prompts.Load(cfg.PromptsDir)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.DataDir, 16, log)
	if err != nil {
		return err
	}
	defer db.close(context.Background())

	store := calls.NewStore(db.pool)
	if _, err := callflow.Recover(ctx, cfg.NodeID, recDir, store, log); err != nil {
		return err
	}
	desk := queuepg.New(db.pool)
	if err := desk.ClearNode(ctx, cfg.NodeID, time.Now()); err != nil {
		return fmt.Errorf("clear this node's queue after a restart: %w", err)
	}
	nonceKey, err := desk.Secret(ctx, "sip_nonce")
	if err != nil {
		return err
	}
	dispatcher := queue.NewDispatcher(desk, cfg.NodeID, log)
	dispatcher.Start(ctx)
	writer, err := recordings.NewWriter(recordings.Config{Dir: recDir, SyncEvery: cfg.RecordingSync, Log: log})
	if err != nil {
		return err
	}
	if err := writer.Start(ctx); err != nil {
		return err
	}
	journal := calls.NewJournal(store, log)
	journal.Start(ctx)

	engine, err := media.NewEngine(cfg.RTPLow, cfg.RTPHigh, log)
	if err != nil {
		return err
	}
	engine.Start()
	tickets := ticketpg.New(db.pool, cfg.Deadlines)
	for key, item := range cfg.Menu {
		if _, err := tickets.Field(ctx, item.Field); err != nil {
			log.Warn("HOTLINE_MENU names a field that is not listed (see hotline field list)", "key", string(key), "field", item.Field)
		}
	}
	registry := prometheus.NewRegistry()
	flow := callflow.New(callflow.Config{
		NodeID: cfg.NodeID, AnswerDelay: cfg.AnswerDelay, RingTimeout: cfg.RingTimeout, WrapUp: cfg.WrapUp,
		AnnounceEvery: cfg.AnnounceEvery, MaxWait: cfg.MaxWait, CallbackWait: cfg.CallbackWait, VoicemailMax: cfg.VoicemailMax, Menu: cfg.Menu,
		Prompts: sounds, Log: log, Metrics: callflow.NewMetrics(registry),
	}, callflow.Parts{Journal: journal, Recordings: writer, Queue: desk, Dispatcher: dispatcher,
		Fields: tickets})
	sip, err := telephony.NewServer(telephony.Config{
		Listen: cfg.SIP, PublicIP: cfg.PublicIP, MaxMessage: cfg.SIPMaxMessage, TCPIdle: cfg.SIPTCPIdle,
		MaxTCPPerSource: cfg.SIPMaxTCPPerSrc, MaxCalls: cfg.MaxCalls, MaxCallsPerSource: cfg.MaxCallsPerSource,
		RTPTimeout: cfg.RTPTimeout, Log: log,
		Registry: callflow.Registry{Store: desk, Node: cfg.NodeID, Changed: dispatcher.Kick},
		Realm:    cfg.Realm, NonceKey: nonceKey, DigestAlgorithms: cfg.DigestAlgorithms,
	}, engine, flow)
	if err != nil {
		return err
	}
	flow.SetSIP(sip)

	ln, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return fmt.Errorf("listen http %s: %w (set HOTLINE_HTTP_LISTEN to a free address)", cfg.HTTP, err)
	}
	cfg.Escalation.Log = log
	esc, err := escalation.New(db.pool, cfg.Escalation)
	if err != nil {
		ln.Close()
		return err
	}
	api := httpapi.New(httpapi.Config{
		Tokens:     tokens.New(db.pool),
		Tickets:    tickets,
		Outbox:     notify.NewOutbox(db.pool),
		Escalation: esc,
		Calls:      store,
		Audio:      writer,
		Desk:       deskAPI{Store: desk, flow: flow, dispatcher: dispatcher},
		Metrics:    metrics(registry, sip, engine, dispatcher, desk, journal),
		Parts: []httpapi.Part{
			{Name: "sip", Check: func(context.Context) error {
				if !sip.Up() {
					return errors.New("the SIP listeners are closed")
				}
				return nil
			}},
			{Name: "database", Check: func(ctx context.Context) error { return db.pool.Ping(ctx) }},
		},
		Log: log,
	})
	if cfg.DebugListen != "" {
		go servePprof(cfg.DebugListen, log)
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- api.Serve(ln) }()

	cfg.Notify.Log = log
	deliverer, err := notify.NewDeliverer(db.pool, cfg.Notify)
	if err != nil {
		_ = api.Shutdown(context.Background())
		return err
	}
	sched, err := newScheduler(db.pool, cfg.NodeID, cfg.Jobs, jobParts{escalator: esc, tickets: tickets, calls: store, audio: writer, retention: cfg.Retention, log: log}, log)
	if err == nil {
		err = sched.Start(ctx)
	}
	if err != nil {
		_ = api.Shutdown(context.Background())
		return fmt.Errorf("scheduled jobs: %w", err)
	}
	if err := sip.Start(ctx); err != nil {
		_ = api.Shutdown(context.Background())
		_ = sched.Stop(context.Background())
		return fmt.Errorf("%w (set HOTLINE_SIP_LISTEN to free addresses)", err)
	}
	keepCtx, stopKeepalive := context.WithCancel(context.Background())
	keepDone := make(chan struct{})
	go func() {
		defer close(keepDone)
		callflow.Keepalive(keepCtx, sip, desk, cfg.NodeID, cfg.Keepalive, dispatcher.Kick, log)
	}()
	notifyDone := make(chan struct{})
	go func() {
		defer close(notifyDone)
		if err := deliverer.Run(keepCtx); err != nil && keepCtx.Err() == nil {
			log.Error("notifications stopped", "error", err)
		}
	}()
	listenDone := make(chan struct{})
	go func() {
		defer close(listenDone)
		desk.Listen(keepCtx, dispatcher.Kick, log)
	}()
	cbDone := make(chan struct{})
	go func() {
		defer close(cbDone)
		(&callbacks{pool: db.pool, calls: store, tickets: tickets, log: log}).run(keepCtx, 5*time.Second)
	}()
	log.Info("hotline is answering", "node", cfg.NodeID, "sip", sip.Addrs(), "http", "http://"+ln.Addr().String(),
		"recordings", recDir, "rtp_ports", fmt.Sprintf("%d-%d", cfg.RTPLow, cfg.RTPHigh))

	var httpErr error
	select {
	case <-ctx.Done():
	case httpErr = <-httpDone:
		log.Error("http server stopped", "error", httpErr)
	}

	// Shutdown: refuse new calls, hang up the others and let their recordings finish, then stop the rest.
	// Scheduled jobs get a short time of their own (their runs are cancelled then): calls come first.
	grace, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace+5*time.Second)
	defer cancel()
	n := sip.Calls()
	stopKeepalive()
	jobsGrace, cancelJobs := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelJobs()
	jobsDone := make(chan error, 1)
	go func() { jobsDone <- sched.Stop(jobsGrace) }()
	if err := sip.Stop(grace); err != nil {
		log.Error("not every call finished before the grace period ended", "error", err)
	}
	<-keepDone
	<-cbDone
	<-listenDone
	<-notifyDone
	deliverer.Close()
	if err := <-jobsDone; err != nil {
		log.Error("scheduled jobs still running at stop: their runs were cancelled", "error", err)
	}
	_ = api.Shutdown(grace)
	dispatcher.Stop()
	engine.Stop()
	if err := journal.Stop(grace); err != nil {
		log.Error("call records still unwritten at stop", "error", err)
	}
	if err := writer.Stop(grace); err != nil {
		log.Error("recordings still being written at stop", "error", err)
	}
	log.Info("hotline stopped", "calls_in_progress_at_stop", n)
	if httpErr != nil {
		return fmt.Errorf("the HTTP API stopped: %w", httpErr)
	}
	return nil
}
