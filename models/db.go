// Package models owns every query. Handlers call its stores; they never
// touch *gorm.DB themselves.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is the application's connection to PostgreSQL: one pgx pool serves gorm
// (and River, which wants the pool itself).
type DB struct {
	Pool  *pgxpool.Pool
	Gorm  *gorm.DB
	sqlDB *sql.DB
}

// Open connects with a pool of maxConns connections (pgxpool's default, 4 on
// two cores, starves a busy server).
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("models: parse database url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("models: connect: %w", err)
	}
	// OpenDBFromPool leaves database/sql no idle connections on purpose: an
	// idle database/sql connection holds a pool connection, so gorm could
	// keep the whole pool idle while River and the group commits, which use
	// the pool directly, wait forever. Connections stay warm in the pool.
	sqlDB := stdlib.OpenDBFromPool(pool)
	sqlDB.SetMaxOpenConns(int(cfg.MaxConns))
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		SkipDefaultTransaction: true,                                  // our stores open the transactions they need
		Logger:                 logger.Default.LogMode(logger.Silent), // queries carry personal data: never log them
		TranslateError:         true,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("models: gorm: %w", err)
	}
	return &DB{Pool: pool, Gorm: g, sqlDB: sqlDB}, nil
}

// Close closes the pool after in-flight queries finish. database/sql holds
// idle pool connections, and the pool waits for every one to come back, so
// the wrapper closes first.
func (db *DB) Close() {
	_ = db.sqlDB.Close()
	db.Pool.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// Scope is what one request may see of the records table: the purposes of the
// staff member's role (from the registry) and whether restricted records are
// visible. Row-level security enforces it in PostgreSQL, so a handler bug
// cannot leak another purpose's rows.
type Scope struct {
	Purposes       []string
	SeesRestricted bool
}

// ErrNoScope is returned when a transaction is asked for with no purpose.
var ErrNoScope = errors.New("models: empty purpose scope")

// InScope runs fn in a transaction whose row-level security scope is s. The
// settings are local to the transaction (set_config's third argument), so a
// pooled connection never carries one request's scope into the next.
func (db *DB) InScope(ctx context.Context, s Scope, fn func(tx *gorm.DB) error) error {
	if len(s.Purposes) == 0 {
		return ErrNoScope
	}
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		restricted := "off"
		if s.SeesRestricted {
			restricted = "on"
		}
		err := tx.Exec("SELECT set_config('portal.purposes', ?, true), set_config('portal.restricted', ?, true)",
			strings.Join(s.Purposes, ","), restricted).Error
		if err != nil {
			return fmt.Errorf("models: set scope: %w", err)
		}
		return fn(tx)
	})
}

// SchemaVersion is the newest migration applied to the database.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.Pool.QueryRow(ctx,
		"SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("models: schema version: %w", err)
	}
	return v, nil
}
