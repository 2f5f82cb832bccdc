package models

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DigestOf exposes the event digest to the external tests that play a
// superuser recomputing a rewritten chain.
func DigestOf(e AccessEvent) []byte { return e.digest() }

// AudienceSQL and AudienceCountSQL let the audience benchmark explain the
// queries it times.
const AudienceSQL, AudienceCountSQL = audienceSQL, audienceCountSQL

// ReviewSQL is the statement of f's page of the review (f without an email).
func (f AccessFilter) ReviewSQL(limit int) (string, []any) { return f.reviewSQL(nil, limit) }

// ExportRows reads rows of the log as Export does (without logging).
func (l *AccessLog) ExportRows(ctx context.Context, f AccessFilter, limit int) ([]AccessRow, error) {
	return l.rows(ctx, l.db.Pool, f, limit)
}

// ExportRowsAsText reads rows as ExportRows does, but with every value in
// text form (the simple protocol), so that the rows go through pgx's Scan
// rather than the binary decoder.
func (l *AccessLog) ExportRowsAsText(ctx context.Context, f AccessFilter, limit int) ([]AccessRow, error) {
	return l.rows(ctx, textQuerier{l.db.Pool}, f, limit)
}

// ReviewRows is one page of rows read as the review reads them.
func (l *AccessLog) ReviewRows(ctx context.Context, f AccessFilter, limit int) ([]AccessRow, error) {
	return l.reviewRows(ctx, Actor{}, f, limit, func() {})
}

type textQuerier struct{ *pgxpool.Pool }

func (q textQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return q.Pool.Query(ctx, sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
}

// CachedHead is the newest link of chain c as db's log writer last left it
// (nil when it has none): what its next batch on c is linked from.
func (db *DB) CachedHead(c int16) []byte { return db.accessHeads.get(c) }

// LinkChain links digests from head as the log writer does.
func LinkChain(head []byte, digests [][]byte) (prevs, links [][]byte) { return link(head, digests) }
