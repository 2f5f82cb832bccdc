package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
)

// serveCommand: portal serve.
func serveCommand(env *env, _ []string) error {
	ctx, cfg, log := env.ctx, env.cfg, env.log
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
	e := handlers.New(handlers.Deps{
		Registry: reg, DB: db, Vault: v, Secrets: secrets, Log: log,
		BaseURL: cfg.BaseURL, IP: cfg.ipExtractor(), SchemaTarget: target,
		FormRate: cfg.FormRate, ConsentRate: cfg.ConsentRate, Extend: extend,
	})

	// Background jobs (email outbox, deletion of unconfirmed requests).
	retention, closeRetention, err := newRetentionWorker(env)
	if err != nil {
		return err
	}
	defer closeRetention()
	var reminders *rightsRemindersWorker
	if pu, ok := reg.RightsPurpose(); ok {
		reminders = &rightsRemindersWorker{desk: models.NewRightsDesk(db, v, pu), reg: reg,
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
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", cfg.Addr, "url", cfg.BaseURL.String(), "policy", reg.Version)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let in-flight requests finish, then
	// run closes the pool.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
