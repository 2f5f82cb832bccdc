// Package models owns every query. Handlers call its stores (RecordStore,
// StaffStore, SessionStore, AccessLog, FormStore, RightsStore, Outbox,
// CookieLedger), one per aggregate, each holding what it needs. The
// back-office stores run SQL one way: pgx, through a Querier inside the
// transaction that sets the row-level-security scope (DB.Scoped) or none
// (DB.Tx). The public forms' stores still use gorm through DB.InScope.
package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

	// accessWriter appends the access events of every store on this
	// database in shared transactions (see DB.appendAccess).
	accessOnce   sync.Once
	accessWriter *groupCommit[*AccessEvent]
	accessHeads  chainHeads // each chain's newest link, as the writer last left it
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

// Querier runs SQL inside one transaction: the only way the back-office
// stores run SQL (pgx.Tx satisfies it).
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// scopeSQL sets a transaction's row-level security scope. The settings are
// local to the transaction (set_config's third argument), so a pooled
// connection never carries one request's scope into the next.
const scopeSQL = `SELECT set_config('portal.purposes', $1, true), set_config('portal.restricted', $2, true)`

func (s Scope) args() []any {
	restricted := "off"
	if s.SeesRestricted {
		restricted = "on"
	}
	return []any{strings.Join(s.Purposes, ","), restricted}
}

// Tx runs fn in a transaction with no record scope (the log, staff, sessions).
func (db *DB) Tx(ctx context.Context, fn func(q Querier) error) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error { return fn(tx) })
}

// Scoped runs fn in a transaction whose row-level security scope is s.
func (db *DB) Scoped(ctx context.Context, s Scope, fn func(q Querier) error) error {
	if len(s.Purposes) == 0 {
		return ErrNoScope
	}
	if begin, ok := s.beginSQL(); ok {
		return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{BeginQuery: begin}, func(tx pgx.Tx) error { return fn(tx) })
	}
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, scopeSQL, s.args()...); err != nil {
			return fmt.Errorf("models: set scope: %w", err)
		}
		return fn(tx)
	})
}

// beginSQL opens a transaction and sets its scope (scopeSQL) in one round
// trip: the statements go as one simple query, so the scope's values are
// quoted literals. A scoped read then costs three round trips, not four,
// and on a busy machine each round trip waits for a core: the DPO's lookup
// of one person among 1,000,000 records executes in 0.05 ms, the rest of its
// time is round trips.
//
// Only a scope made of plain keys (the registry's purpose keys are lower
// case letters, digits and underscores) is written into SQL text; anything
// else takes the parameterised path, so no value can ever become SQL,
// whatever the quoting.
func (s Scope) beginSQL() (string, bool) {
	a := s.args()
	purposes := a[0].(string)
	if strings.TrimLeft(purposes, "abcdefghijklmnopqrstuvwxyz0123456789_,") != "" {
		return "", false
	}
	return "BEGIN; SELECT set_config('portal.purposes', " + quoteLiteral(purposes) +
		", true), set_config('portal.restricted', " + quoteLiteral(a[1].(string)) + ", true)", true
}

// quoteLiteral is s as an SQL string literal (standard_conforming_strings,
// which pgx requires, leaves backslashes as they are).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Batch runs b in one round trip as one implicit transaction (pgx sends it
// with a single Sync): every statement commits together or none does, and
// a transaction-scoped lock taken by one of them is released at that
// commit. For work whose statements do not depend on one another's
// answers, it replaces Tx's BEGIN, statements and COMMIT, one round trip
// each.
func (db *DB) Batch(ctx context.Context, b *pgx.Batch) error {
	return db.Pool.SendBatch(ctx, b).Close()
}

// InScope is Scoped for the public forms' stores, which run through gorm.
func (db *DB) InScope(ctx context.Context, s Scope, fn func(tx *gorm.DB) error) error {
	if len(s.Purposes) == 0 {
		return ErrNoScope
	}
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a := s.args()
		if err := tx.Exec("SELECT set_config('portal.purposes', ?, true), set_config('portal.restricted', ?, true)", a...).Error; err != nil {
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

// where builds a WHERE clause from conditions written with ?, numbered $1,
// $2… in the order they are added.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// isUniqueViolation reports a unique constraint refusing a row.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// IsUnavailable reports an error that says the database could not be
// reached or dropped the connection (an outage, a restart, a failover), as
// opposed to a query it refused. Callers answer 503 with Retry-After: the
// request may succeed in a moment, and nothing half-done was acknowledged.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		pgconn.Timeout(err):
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01-03: the server shutting
		// down or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300"
	}
	// Some layers (database/sql, gorm, River) flatten the error to text.
	msg := err.Error()
	for _, s := range unavailableText {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

var unavailableText = []string{"failed to connect", "connection refused", "unexpected EOF",
	"connection reset by peer", "broken pipe", "conn closed", "closed pool", "the database system is"}
