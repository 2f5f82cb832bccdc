package models

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/policy"
)

// CookieLedger appends banner choices to cookie_consents with a durable group
// commit (see groupCommit): concurrent choices are written together in one
// multi-row INSERT, and each caller is answered only after that commit, so a
// visitor's cookie is never set for a choice the ledger could still lose.
type CookieLedger struct {
	pool   *pgxpool.Pool
	writer *groupCommit[*CookieConsent]
}

// NewCookieLedger writes through db's pool.
func NewCookieLedger(db *DB) *CookieLedger {
	l := &CookieLedger{pool: db.Pool}
	// One writer at a time measured best (make bench, 16 connections: 1
	// writer 15.5k choices/s, 2: 12.4k, 4: 10.3k): while a commit is in
	// flight the next batch fills, so fewer, larger transactions win.
	l.writer = &groupCommit[*CookieConsent]{write: l.insert, maxFlushers: 1, maxBatch: 512}
	return l
}

// Append writes row and returns the stored proof once it is committed: row
// itself with its ProofID, or, when row.IdemKey names a choice already
// stored (a retried post), that earlier proof, and nothing is written. If
// ctx ends first the row may still be written (the choice was made); the
// caller is told ctx's error.
func (l *CookieLedger) Append(ctx context.Context, row CookieConsent) (CookieConsent, error) {
	if err := l.writer.do(ctx, &row); err != nil {
		return CookieConsent{}, fmt.Errorf("models: cookie consent: %w", err)
	}
	return row, nil
}

// insertConsents writes many rows in one statement: one array per column,
// unnested back into rows. Categories travel comma-joined (registry keys are
// [a-z_]+), because unnest would flatten an array of arrays. The address
// and the key travel as text, an empty one for none: pgx encodes a []string much
// faster than a []*string (a quarter of the batch's encoding). A row whose
// key is stored already is skipped; RETURNING names the keyed rows written.
const insertConsents = `INSERT INTO cookie_consents
  (consent_id, categories, action, policy_version, ip_prefix, ua_hash, created_at, idem_key)
SELECT id, string_to_array(cats, ','), act, ver, NULLIF(ip, '')::cidr, ua, at, NULLIF(idem, '')::uuid
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::timestamptz[], $8::text[])
  AS t(id, cats, act, ver, ip, ua, at, idem)
ON CONFLICT (idem_key) DO NOTHING
RETURNING id, idem_key`

// storedConsents reads the proofs a retried batch found stored.
const storedConsents = `SELECT id, idem_key, consent_id, categories, action, policy_version, created_at
FROM cookie_consents WHERE idem_key = ANY($1::uuid[])`

func (l *CookieLedger) insert(ctx context.Context, batch []*CookieConsent) error {
	written, err := l.insertRows(ctx, batch)
	if err != nil {
		return fmt.Errorf("models: cookie consents: %w", err)
	}
	n := len(batch)
	// Each keyed row is now the proof written for its key: by this batch
	// (the row itself, or the first of an identical click queued twice)
	// or before it (a retry: read back).
	var (
		first   map[uuid.UUID]*CookieConsent
		retried []uuid.UUID
		twice   bool
	)
	for _, r := range batch {
		if r.IdemKey == uuid.Nil {
			continue
		}
		if first == nil {
			first = make(map[uuid.UUID]*CookieConsent, n)
		}
		if _, ok := first[r.IdemKey]; ok {
			twice = true
			continue
		}
		first[r.IdemKey] = r
		if id, ok := written[r.IdemKey]; ok {
			r.ProofID = id
		} else {
			retried = append(retried, r.IdemKey)
		}
	}
	if len(retried) > 0 {
		if err := l.stored(ctx, retried, first); err != nil {
			return err
		}
	}
	if twice {
		for _, r := range batch {
			if p := first[r.IdemKey]; r.IdemKey != uuid.Nil && p != r {
				*r = *p
			}
		}
	}
	return nil
}

// stored replaces each row named by keys with the proof stored under its key.
func (l *CookieLedger) stored(ctx context.Context, keys []uuid.UUID, rows map[uuid.UUID]*CookieConsent) error {
	res, err := l.pool.Query(ctx, storedConsents, keys)
	if err != nil {
		return fmt.Errorf("models: stored cookie consents: %w", err)
	}
	found := 0
	var (
		c      CookieConsent
		action string
	)
	_, err = pgx.ForEachRow(res, []any{&c.ProofID, &c.IdemKey, &c.ID, &c.Categories, &action, &c.PolicyVersion, &c.At}, func() error {
		r := rows[c.IdemKey]
		if r == nil {
			return nil
		}
		c.Action = CookieAction(action)
		*r = c
		c.Categories = nil
		found++
		return nil
	})
	if err != nil {
		return fmt.Errorf("models: stored cookie consents: %w", err)
	}
	if found != len(keys) {
		return fmt.Errorf("models: stored cookie consents: %d of %d keys found", found, len(keys))
	}
	return nil
}

// CookieConsentsOf lists the ledger rows of one consent id, oldest first: the
// proof of one visitor's choices.
func (db *DB) CookieConsentsOf(ctx context.Context, id string) ([]CookieConsent, error) {
	rows, err := db.Pool.Query(ctx, `SELECT consent_id, categories, action, policy_version,
		coalesce(ip_prefix::text, ''), ua_hash, created_at
		FROM cookie_consents WHERE consent_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("models: cookie consents of: %w", err)
	}
	defer rows.Close()
	var out []CookieConsent
	for rows.Next() {
		var (
			c      CookieConsent
			action string
			prefix string
		)
		if err := rows.Scan(&c.ID, &c.Categories, &action, &c.PolicyVersion, &prefix, &c.UAHash, &c.At); err != nil {
			return nil, fmt.Errorf("models: cookie consents of: %w", err)
		}
		c.Action = CookieAction(action)
		if prefix != "" {
			if c.IPPrefix, err = netip.ParsePrefix(prefix); err != nil {
				return nil, fmt.Errorf("models: cookie consents of: %w", err)
			}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: cookie consents of: %w", err)
	}
	return out, nil
}

// CookieConsentDay is one day of banner statistics.
type CookieConsentDay struct {
	Day                                     time.Time
	Total, Accept, Reject, Custom, Withdraw int
	GPC                                     int
}

// Rate is n as a share of the day's banner answers (accept, reject, custom,
// GPC): withdrawals are a later change of mind, not an answer to the banner.
func (d CookieConsentDay) Rate(n int) float64 {
	answers := d.Accept + d.Reject + d.Custom + d.GPC
	if answers == 0 {
		return 0
	}
	return float64(n) / float64(answers)
}

// CookieConsentStats counts the ledger's actions per UTC day since since.
func (db *DB) CookieConsentStats(ctx context.Context, since time.Time) ([]CookieConsentDay, error) {
	var out []CookieConsentDay
	err := db.Tx(ctx, func(q Querier) error {
		var err error
		out, err = cookieConsentDays(ctx, q, since)
		return err
	})
	return out, err
}

func cookieConsentDays(ctx context.Context, q Querier, since time.Time) ([]CookieConsentDay, error) {
	rows, err := q.Query(ctx, `SELECT date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*),
		count(*) FILTER (WHERE action = 'accept_all'), count(*) FILTER (WHERE action = 'reject_all'),
		count(*) FILTER (WHERE action = 'custom'), count(*) FILTER (WHERE action = 'withdraw'),
		count(*) FILTER (WHERE action = 'gpc')
		FROM cookie_consents WHERE created_at >= $1 GROUP BY day ORDER BY day`, since)
	if err != nil {
		return nil, fmt.Errorf("models: cookie consent stats: %w", err)
	}
	defer rows.Close()
	var out []CookieConsentDay
	for rows.Next() {
		var d CookieConsentDay
		if err := rows.Scan(&d.Day, &d.Total, &d.Accept, &d.Reject, &d.Custom, &d.Withdraw, &d.GPC); err != nil {
			return nil, fmt.Errorf("models: cookie consent stats: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: cookie consent stats: %w", err)
	}
	return out, nil
}

// PruneCookieProofs deletes the proofs of cookie choices older than rt (the
// registry's connection_data retention) and says how many it deleted.
// PostgreSQL does the calendar arithmetic, so a month ends where
// policy.Retention.ExpiresAt says it does.
func (l *CookieLedger) PruneCookieProofs(ctx context.Context, rt policy.Retention) (int64, error) {
	var n int64
	err := l.pool.QueryRow(ctx, `SELECT portal_prune_cookie_proofs(make_interval(years => $1, months => $2, days => $3))`,
		rt.Years, rt.Months, rt.Days).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("models: prune cookie proofs: %w", err)
	}
	return n, nil
}
