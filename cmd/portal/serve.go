package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/scan"
)

// logFlushInterval bounds how late a log line of the server is written.
const logFlushInterval = 100 * time.Millisecond

// tuneGC applies the memory budget of the configuration (config.MemoryLimit).
// Only serve does: the other commands are short, and tests never run it.
func tuneGC(cfg config) {
	if cfg.MemoryLimit == 0 {
		return // off, or GOGC/GOMEMLIMIT: the runtime's own settings
	}
	debug.SetMemoryLimit(cfg.MemoryLimit)
	debug.SetGCPercent(defaultGCPercent)
}

// serveCommand: portal serve.
func serveCommand(env *env, _ []string) error {
	// The server's lines are written in batches (logLines), the last ones
	// when serve returns.
	lines := newLogLines(env.stderr, logFlushInterval)
	defer lines.Close()
	env.log = slog.New(newJSONLines(lines))
	ctx, cfg, log := env.ctx, env.cfg, env.log
	tuneGC(cfg)
	reg, db, v, secrets, err := env.all()
	if err != nil {
		return err
	}
	target, err := migrations.Latest()
	if err != nil {
		return err
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v < target {
		log.Warn("database schema is older than this release: answering 503 until `portal migrate` runs", "want", target)
	}

	var extend func(*echo.Echo)
	if cfg.Bench {
		extend = benchkit.Routes
	}
	// Uploads (CVs, identity documents) are scanned before they are stored;
	// a server without a scanner would store them unchecked, so it does not
	// start unless development says so explicitly.
	var scanner scan.Scanner
	switch {
	case cfg.ClamdAddr != "":
		scanner = scan.NewClamd(cfg.ClamdAddr)
	case cfg.ScanOff:
		log.Warn("PORTAL_SCAN=off: uploads are NOT scanned for malware (development only)")
	default:
		return errors.New("CLAMD_ADDR is not set: uploads cannot be scanned (PORTAL_SCAN=off serves without scanning, development only)")
	}
	var draining atomic.Bool
	metrics := prometheus.NewRegistry()
	e := handlers.New(handlers.Deps{
		Registry: reg, DB: db, Vault: v, Secrets: secrets, Log: log,
		BaseURL: cfg.BaseURL, IP: cfg.ipExtractor(), SchemaTarget: target,
		FormRate: cfg.FormRate, ConsentRate: cfg.ConsentRate, Extend: extend,
		Metrics: metrics, Draining: &draining, Scanner: scanner,
	})

	// Background jobs (email outbox, deletion of unconfirmed requests).
	retention, closeRetention, err := newRetentionWorker(env)
	if err != nil {
		return err
	}
	defer closeRetention()
	var reminders *rightsRemindersWorker
	if pu, ok := reg.RightsPurpose(); ok {
		reminders = &rightsRemindersWorker{desk: models.NewRightsDesk(db, v, pu, nil), reg: reg,
			baseURL: strings.TrimSuffix(cfg.BaseURL.String(), "/"), log: log}
	}
	jobs, err := newJobs(db, reg, models.NewOutbox(db, v), secrets.Key(models.CheckpointKeyName), cfg.SMTPURL, log, reminders, retention)
	if err != nil {
		return err
	}
	if err := jobs.Start(ctx); err != nil {
		return fmt.Errorf("background jobs: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := jobs.Stop(sctx); err != nil {
			log.Warn("background jobs did not stop cleanly", "error", err.Error())
		}
	}()
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second, // uploads of a few MB on slow links
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "url", cfg.BaseURL.String(), "policy", reg.Version)

	// Metrics on an internal listener only: request counts by route are
	// nobody's business on the public site.
	var msrv *http.Server
	if cfg.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("metrics listener (PORTAL_METRICS_ADDR): %w", err)
		}
		msrv = &http.Server{Handler: handlers.MetricsHandler(metrics), ReadHeaderTimeout: 5 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		log.Info("metrics", "addr", mln.Addr().String())
	}

	if cfg.PprofAddr != "" {
		psrv, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			_ = srv.Close()
			return err
		}
		defer func() { _ = psrv.Close() }()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: readiness turns 503 first and the server keeps
	// answering for the drain delay, so the load balancer takes this
	// instance out before its listener closes; then stop accepting, let
	// in-flight requests finish, and run closes the pool.
	draining.Store(true)
	log.Info("draining: /readyz answers 503", "delay", cfg.DrainDelay.String())
	select {
	case err := <-errc:
		return err
	case <-time.After(cfg.DrainDelay):
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if msrv != nil {
		defer func() { _ = msrv.Shutdown(sctx) }()
	}
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
