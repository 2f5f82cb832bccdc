package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// env is what every command works with: the configuration read once, and the
// registry, the database pool and the keys, each opened on first use and
// kept for the rest of the command; run closes what was opened.
type env struct {
	ctx            context.Context
	cfg            config
	stdout, stderr io.Writer
	log            *slog.Logger

	reg     *policy.Registry
	db      *models.DB
	vault   *vault.Vault
	secrets *vault.Secrets
}

func newEnv(ctx context.Context, cfg config, stdout, stderr io.Writer) *env {
	return &env{ctx: ctx, cfg: cfg, stdout: stdout, stderr: stderr, log: slog.New(slog.NewJSONHandler(stderr, nil))}
}

// close releases the pool, if a command opened it.
func (e *env) close() {
	if e.db != nil {
		e.db.Close()
	}
}

// registry is the policy registry (PORTAL_POLICY, or the embedded one).
func (e *env) registry() (*policy.Registry, error) {
	if e.reg == nil {
		reg, err := policy.Load(e.cfg.PolicyPath)
		if err != nil {
			return nil, fmt.Errorf("invalid policy registry:\n%w", err)
		}
		i18n.SetCompanyZone(reg.Zone()) // every time shown, in the company's zone
		e.reg = reg
	}
	return e.reg, nil
}

// database is the application role's pool (DATABASE_URL).
func (e *env) database() (*models.DB, error) {
	if e.db == nil {
		if e.cfg.DatabaseURL == "" {
			return nil, errors.New("DATABASE_URL is not set (make run sets it up for you)")
		}
		db, err := models.Open(e.ctx, e.cfg.DatabaseURL, e.cfg.MaxConns)
		if err != nil {
			return nil, err
		}
		e.db = db
	}
	return e.db, nil
}

// keys are the vault and the derived secrets (PORTAL_KEYS_DIR).
func (e *env) keys() (*vault.Vault, *vault.Secrets, error) {
	if e.vault == nil {
		v, s, err := openVault(e.cfg)
		if err != nil {
			return nil, nil, err
		}
		e.vault, e.secrets = v, s
	}
	return e.vault, e.secrets, nil
}

// all opens the registry, the database and the keys.
func (e *env) all() (*policy.Registry, *models.DB, *vault.Vault, *vault.Secrets, error) {
	reg, err := e.registry()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	db, err := e.database()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	v, s, err := e.keys()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return reg, db, v, s, nil
}

// openVault loads the keysets and the server secret. Only with
// PORTAL_CREATE_KEYS=1 (development: make run, make bench) are missing ones
// generated: in production an empty or mis-mounted PORTAL_KEYS_DIR must stop
// the process, not start it with new keys that cannot read the stored data
// and give everyone new blind indexes. In production the keysets are
// encrypted at rest under PORTAL_MASTER_KEY_FILE (art. 32: a copy of the keys
// directory alone reveals no key); only development keeps them in clear.
func openVault(cfg config) (*vault.Vault, *vault.Secrets, error) {
	opts := vault.Options{MasterKeyPath: cfg.MasterKeyFile}
	if cfg.CreateKeys {
		v, err := vault.OpenOrCreateWithOptions(cfg.KeysDir, opts)
		if err != nil {
			return nil, nil, err
		}
		s, err := vault.LoadOrCreateSecrets(cfg.KeysDir)
		return v, s, err
	}
	if cfg.MasterKeyFile == "" {
		return nil, nil, errors.New("PORTAL_MASTER_KEY_FILE is not set: outside development (PORTAL_CREATE_KEYS=1) the keysets " +
			"must be encrypted at rest under a master key (`portal keys encrypt` encrypts clear ones)")
	}
	v, err := vault.OpenWithOptions(cfg.KeysDir, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (set PORTAL_KEYS_DIR, or PORTAL_CREATE_KEYS=1 to generate development keys)", err)
	}
	s, err := vault.LoadSecrets(cfg.KeysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (set PORTAL_KEYS_DIR, or PORTAL_CREATE_KEYS=1 to generate development keys)", err)
	}
	return v, s, nil
}
