// Command portal runs the Privacy Portal: the public site, the staff
// back-office and the DPO's tools, plus their maintenance commands.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/labstack/echo/v4"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for migrations

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

const usage = `usage: portal <command>

commands:
  serve                 serve the site (PORTAL_ADDR, default :8080)
  migrate               apply database migrations (MIGRATE_DATABASE_URL)
  seed --demo           create demo staff and records (first start of make run)
  staff add --email E --role R --name N
                        create a staff account; prints a one-time password and a TOTP otpauth:// URI
  auditlog verify       walk the access log's hash chains and name the first broken link
  auditlog prune        delete access events older than a year, leaving signed checkpoints (owner role)
  policy check [FILE]   validate a policy registry and exit
  keys rotate           add a new primary encryption key and re-encrypt stored data with it
  keys reencrypt        re-encrypt what is still under an older key
  outbox list           show the queued emails (development: without SMTP_URL they stay there)
  consents stats [--days N]
                        cookie-banner answers per day: accept / reject / custom rates
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg)
	case "seed":
		return seed(ctx, cfg, args[1:], stdout)
	case "policy":
		return checkPolicy(cfg, args[1:], stdout)
	case "keys":
		return keysCommand(ctx, cfg, args[1:], stdout)
	case "outbox":
		return outboxCommand(ctx, cfg, args[1:], stdout)
	case "consents":
		return consents(ctx, cfg, args[1:], stdout)
	case "staff": // back-office (issue 5)
		return staffCommand(ctx, cfg, args[1:], stdout)
	case "auditlog": // back-office (issue 5)
		return auditlogCommand(ctx, cfg, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func loadRegistry(cfg config) (*policy.Registry, error) {
	reg, err := policy.Load(cfg.PolicyPath)
	if err != nil {
		return nil, fmt.Errorf("invalid policy registry:\n%w", err)
	}
	return reg, nil
}

func checkPolicy(cfg config, args []string, stdout io.Writer) error {
	if len(args) > 1 && args[0] == "check" {
		cfg.PolicyPath = args[1]
	}
	reg, err := loadRegistry(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "policy %s (%s): %d purposes, valid\n", reg.Version, reg.Date, len(reg.Purposes))
	return nil
}

func openDB(ctx context.Context, cfg config) (*models.DB, error) {
	if cfg.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (make run sets it up for you)")
	}
	return models.Open(ctx, cfg.DatabaseURL, cfg.MaxConns)
}

// openVault loads the keysets and the server secret. Only with
// PORTAL_CREATE_KEYS=1 (development: make run, make bench) are missing ones
// generated: in production an empty or mis-mounted PORTAL_KEYS_DIR must stop
// the process, not start it with new keys that cannot read the stored data
// and give everyone new blind indexes.
func openVault(cfg config) (*vault.Vault, *vault.Secrets, error) {
	if cfg.CreateKeys {
		v, err := vault.OpenOrCreate(cfg.KeysDir)
		if err != nil {
			return nil, nil, err
		}
		s, err := vault.LoadOrCreateSecrets(cfg.KeysDir)
		return v, s, err
	}
	v, err := vault.Open(cfg.KeysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (set PORTAL_KEYS_DIR, or PORTAL_CREATE_KEYS=1 to generate development keys)", err)
	}
	s, err := vault.LoadSecrets(cfg.KeysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (set PORTAL_KEYS_DIR, or PORTAL_CREATE_KEYS=1 to generate development keys)", err)
	}
	return v, s, nil
}

func migrate(ctx context.Context, cfg config) error {
	if cfg.MigrateDatabaseURL == "" {
		return errors.New("MIGRATE_DATABASE_URL is not set: migrations run as the schema owner")
	}
	db, err := sql.Open("pgx", cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Up(ctx, db)
}

func seed(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "--demo" {
		return errors.New("usage: portal seed --demo")
	}
	reg, err := loadRegistry(cfg)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, _, err := openVault(cfg)
	if err != nil {
		return err
	}
	return seedBackoffice(ctx, db, v, reg, stdout) // issue 5: demo staff and records
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	reg, err := loadRegistry(cfg)
	if err != nil {
		return err
	}
	target, err := migrations.Latest()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v < target {
		log.Warn("database schema is older than this release: answering 503 until `portal migrate` runs", "want", target)
	}

	v, secrets, err := openVault(cfg)
	if err != nil {
		return err
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
	jobs, err := newJobs(db, reg, models.NewOutbox(db, v), secrets.Key(models.CheckpointKeyName), cfg.SMTPURL, log)
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
	// the deferred db.Close releases the pool.
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
