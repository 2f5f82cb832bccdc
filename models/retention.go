package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// RetentionStore enforces storage limitation (art. 5(1)(e)): it deletes or
// anonymises every piece of personal data on the day the registry's rule
// says, skipping what a legal hold keeps, and leaves counts-only evidence of
// each run. The rule is read from the registry at each run, from the
// record's anchors (created, last contact, end of the event): editing a
// period in the registry applies to the data already stored.
type RetentionStore struct {
	db    *DB
	vault *vault.Vault
	key   []byte // HMAC key of the erasure log (Secrets.Key(ErasureLogKeyName))
	// The key's inner and outer HMAC pads, so that PostgreSQL computes the
	// erasure log's HMAC-SHA256 with its built-in sha256() in the statement
	// that deletes (no extension, no ids back to Go).
	ipad, opad []byte
	batch      int
}

// ErasureLogKeyName names the derived key (vault.Secrets) that hashes the ids
// the erasure log keeps.
const ErasureLogKeyName = "erasure-log"

// NewRetentionStore sweeps db; key hashes deleted ids for the erasure log.
func NewRetentionStore(db *DB, v *vault.Vault, key []byte) *RetentionStore {
	ipad, opad := hmacPads(key)
	return &RetentionStore{db: db, vault: v, key: key, ipad: ipad, opad: opad, batch: DefaultRetentionBatch}
}

// DefaultRetentionBatch is how many records one sweep transaction deletes:
// large enough that the commit is a small part of a batch, small enough
// that its locks are held for a few tens of milliseconds (the bench
// measures the longest).
const DefaultRetentionBatch = 500

// hmacPads are HMAC-SHA256's (RFC 2104) key XOR ipad and key XOR opad:
// HMAC(k, m) = sha256(opad || sha256(ipad || m)).
func hmacPads(key []byte) (ipad, opad []byte) {
	k := key
	if len(k) > sha256.BlockSize {
		sum := sha256.Sum256(k)
		k = sum[:]
	}
	ipad, opad = make([]byte, sha256.BlockSize), make([]byte, sha256.BlockSize)
	copy(ipad, k)
	copy(opad, k)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return ipad, opad
}

// batchTime is how long one sweep transaction may hold its locks on records
// before the next batch is made smaller: on a machine short of CPU, or while
// a checkpoint slows every write, a batch of the usual size can take ten
// times as long, and a visitor's form waits behind the rows it locks.
const batchTime = 250 * time.Millisecond

// nextBatch is the size of the batch after one of size that took took: half
// when it held its locks longer than batchTime, back up to most (doubling)
// once batches are quick again.
func nextBatch(size, most int, took time.Duration) int {
	switch {
	case took > batchTime:
		return max(size/2, 1)
	case took < batchTime/4:
		return min(size*2, most)
	}
	return size
}

// SetBatch changes how many rows one transaction deletes (tests, bench).
func (s *RetentionStore) SetBatch(n int) {
	if n > 0 {
		s.batch = n
	}
}

// Kinds of data the sweep handles besides the records of each purpose.
const (
	DataRecords        = "records"
	DataRightsRequests = "rights_requests"
	DataSuppressions   = "suppressions"
	DataUnconfirmed    = "unconfirmed"
	DataCookieProofs   = "cookie_proofs"
	DataSentEmails     = "sent_emails"
	DataAccessLog      = "access_log"
	// Logged by an erasure on request only: the people (subjects) erased and
	// the requests whose details were reduced to their right.
	DataSubjects       = "subjects"
	DataRequestDetails = "request_details"
)

// RetentionCount is what one run did (or would do) to one purpose or kind
// of data: numbers only, no personal data.
type RetentionCount struct {
	Key        string `json:"key"`  // purpose key, or a kind of data (rights_requests, cookie_proofs…)
	Data       string `json:"data"` // records, rights_requests, suppressions, …
	Due        int64  `json:"due"`
	Deleted    int64  `json:"deleted"`
	Anonymised int64  `json:"anonymised"`
	Held       int64  `json:"held"`
}

// RetentionReport is one run.
type RetentionReport struct {
	ID        int64
	StartedAt time.Time
	EndedAt   time.Time
	AsOf      time.Time
	DryRun    bool
	Trigger   string
	Counts    []RetentionCount
	Errors    []string
}

// Totals sums the counts.
func (r RetentionReport) Totals() RetentionCount {
	var t RetentionCount
	for _, c := range r.Counts {
		t.Due += c.Due
		t.Deleted += c.Deleted
		t.Anonymised += c.Anonymised
		t.Held += c.Held
	}
	return t
}

// SweepOptions says how to run.
type SweepOptions struct {
	AsOf    time.Time // the day the rules are applied for (now, or a future date for a preview)
	DryRun  bool      // count only
	Trigger string    // job, cli
	// Owner is the schema owner's pool: only it may prune the access log
	// (append-only for the application). Nil leaves the log to `portal
	// auditlog prune` and says so in the run's errors.
	Owner      *pgxpool.Pool
	AccessLog  *AccessLog
	Outbox     *Outbox
	CookieData *CookieLedger
	// Progress, when set, is told how many rows are done out of how many.
	Progress func(done, total int64)
}

// ErrSweepRunning is returned when another server is sweeping: one run at a
// time across servers, so no record is counted twice.
var ErrSweepRunning = errors.New("models: a retention run is already in progress")

// sweepLockKey is the advisory lock held for a whole run.
const sweepLockKey = 7271010

// allScope sees every purpose, restricted records included: retention
// applies to all data, whoever may read it.
func allScope(reg *policy.Registry) Scope {
	return Scope{Purposes: reg.PurposeKeys(), SeesRestricted: true}
}

// sweepTx runs fn in one transaction that sees every purpose (allScope),
//   - with JIT compilation off: the planner cannot tell how many rows the
//     calendar arithmetic keeps, its estimate of a batch crosses
//     jit_above_cost, and compiling a statement of a few hundred rows costs
//     more than running it (measured: ~150 ms on each of the first batches);
//   - committed without waiting for the WAL flush: a batch's row locks on
//     records are released at once, even while a checkpoint makes fsync
//     stall for seconds. Nothing is lost that matters: a batch is atomic
//     (its deletions and its erasure-log row commit or vanish together), a
//     batch lost in a crash is still due and goes at the next run, and the
//     run's evidence row commits synchronously after the last batch, which
//     flushes every batch before it: the evidence never counts a deletion
//     that a crash undid.
func (s *RetentionStore) sweepTx(ctx context.Context, reg *policy.Registry, fn func(q Querier) error) error {
	return s.db.Scoped(ctx, allScope(reg), func(q Querier) error {
		if _, err := q.Exec(ctx, "SELECT set_config('jit', 'off', true), set_config('synchronous_commit', 'off', true)"); err != nil {
			return err
		}
		return fn(q)
	})
}

// interval is rt's period as PostgreSQL interval arguments. PostgreSQL adds
// months as policy.Retention.ExpiresAt does: a day the target month lacks
// becomes its last day (31 January + 1 month = 28 or 29 February).
func interval(rt policy.Retention) string {
	return fmt.Sprintf("make_interval(years => %d, months => %d) + make_interval(days => %d)", rt.Years, rt.Months, rt.Days)
}

// coarse is a bound no due anchor exceeds, for the index: the exact test is
// done in SQL with calendar arithmetic (month ends move an end by up to 3 days).
func coarse(rt policy.Retention, asOf time.Time) time.Time {
	return asOf.AddDate(-rt.Years, -rt.Months, -rt.Days).AddDate(0, 0, 4)
}

// recordPass is one way a record of a purpose becomes due.
type recordPass struct {
	cond string // SQL over records, with $1 = purpose, $2 = as-of, $3.. extra
	args []any
	// key is the indexed column the pass walks in order (empty: none): each
	// batch resumes where the last one ended, so no batch reads again the
	// index entries of the rows already deleted.
	key string
}

// eventEnd is the end of the event a purpose counts from: the date staff set,
// else the registry's, else none (the last contact alone counts).
func (s *RetentionStore) eventEnd(ctx context.Context, q Querier, p *policy.Purpose) (*time.Time, error) {
	var t time.Time
	err := q.QueryRow(ctx, "SELECT ends_at FROM purpose_event_ends WHERE purpose = $1", p.Key).Scan(&t)
	if err == nil {
		return &t, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("models: event end: %w", err)
	}
	if p.Retention.EventEnd != "" {
		d, err := time.Parse(time.DateOnly, p.Retention.EventEnd)
		if err != nil {
			return nil, fmt.Errorf("models: event end: %w", err)
		}
		// the whole last day counts
		d = d.AddDate(0, 0, 1)
		return &d, nil
	}
	return nil, nil
}

// passes are the conditions under which a record of p is due on asOf.
func (s *RetentionStore) passes(ctx context.Context, q Querier, p *policy.Purpose, asOf time.Time) ([]recordPass, error) {
	rt := p.Retention
	var anchor string
	var extra []any
	switch rt.From {
	case policy.FromCreated:
		anchor = "created_at"
	case policy.FromEventEnd:
		// the later of the last interaction and the end of the event
		end, err := s.eventEnd(ctx, q, p)
		if err != nil {
			return nil, err
		}
		anchor = "last_contact_at"
		if end != nil {
			anchor = "greatest(last_contact_at, $4::timestamptz)"
			extra = []any{*end}
		}
	default:
		anchor = "last_contact_at"
	}
	key := "last_contact_at"
	if rt.From == policy.FromCreated {
		key = "created_at"
	}
	// The bound is on the indexed column alone (greatest(a, b) <= c is
	// a <= c AND b <= c), so that the index finds the due rows.
	bound := key + " <= $3"
	if rt.From == policy.FromEventEnd && len(extra) > 0 {
		bound += " AND $4::timestamptz <= $3"
	}
	out := []recordPass{{
		// UTC calendar arithmetic whatever the session's time zone
		cond: bound + " AND ((" + anchor + ") AT TIME ZONE 'UTC' + " + interval(rt) + ") AT TIME ZONE 'UTC' <= $2",
		args: append([]any{coarse(rt, asOf)}, extra...),
		key:  key,
	}}
	if len(rt.DestroyOn) > 0 {
		// at once: an unsuccessful application is not kept (policy)
		out = append(out, recordPass{cond: "status = ANY ($3)", args: []any{rt.DestroyOn}})
	}
	if rt.UntilWithdrawn && p.Form != nil {
		// consent withdrawn (art. 7(3)): the person's latest answer to a
		// consent the purpose rests on (a required box) is a withdrawal
		var kinds []string
		for _, c := range p.Form.Consents {
			if c.Required {
				kinds = append(kinds, c.Kind)
			}
		}
		if len(kinds) > 0 {
			out = append(out, recordPass{cond: `subject_id IS NOT NULL AND (SELECT NOT k.granted FROM consents k
				WHERE k.subject_id = records.subject_id AND k.purpose = records.purpose AND k.kind = ANY ($3)
				AND k.created_at <= $2 ORDER BY k.created_at DESC, k.id DESC LIMIT 1)`, args: []any{kinds}})
		}
	}
	return out, nil
}

const heldSQL = `(EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.ends_at > $2 AND h.record_id = records.id)
	OR EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.ends_at > $2 AND h.subject_id = records.subject_id))`

// Sweep applies every retention rule of reg as of opts.AsOf: with DryRun it
// only counts. A real run holds an advisory lock (one run at a time across
// servers), deletes in small transactions (no lock on records lasts long),
// and writes its evidence row.
func (s *RetentionStore) Sweep(ctx context.Context, reg *policy.Registry, opts SweepOptions) (RetentionReport, error) {
	if opts.AsOf.IsZero() {
		opts.AsOf = time.Now()
	}
	opts.AsOf = opts.AsOf.UTC()
	rep := RetentionReport{StartedAt: time.Now().UTC(), AsOf: opts.AsOf, DryRun: opts.DryRun, Trigger: opts.Trigger}
	if !opts.DryRun {
		conn, err := s.db.Pool.Acquire(ctx)
		if err != nil {
			return rep, fmt.Errorf("models: retention lock: %w", err)
		}
		defer conn.Release()
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", sweepLockKey).Scan(&got); err != nil {
			return rep, fmt.Errorf("models: retention lock: %w", err)
		}
		if !got {
			return rep, ErrSweepRunning
		}
		defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", sweepLockKey) }()
	}

	// First count what is due, for the progress bar and the dry run.
	counts, err := s.count(ctx, reg, opts)
	if err != nil {
		return rep, err
	}
	rep.Counts = counts
	if opts.DryRun {
		rep.EndedAt = time.Now().UTC()
		return rep, nil
	}
	var total, done int64
	for _, c := range counts {
		total += c.Due
	}
	progress := func(n int64) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	progress(0)
	fail := func(key string, err error) {
		rep.Errors = append(rep.Errors, key+": "+err.Error())
	}
	for i := range rep.Counts {
		c := &rep.Counts[i]
		var err error
		switch c.Data {
		case DataRecords:
			p, _ := reg.Purpose(c.Key)
			err = s.sweepPurpose(ctx, reg, p, opts.AsOf, c, progress)
		case DataRightsRequests:
			err = s.sweepRightsRequests(ctx, reg, opts.AsOf, c, progress)
		case DataSuppressions:
			err = s.sweepSuppressions(ctx, reg, opts.AsOf, c, progress)
		case DataUnconfirmed:
			c.Deleted, err = DeleteUnconfirmed(ctx, s.db, reg, opts.AsOf)
			progress(c.Deleted)
		case DataCookieProofs:
			if opts.CookieData != nil {
				c.Deleted, err = opts.CookieData.PruneCookieProofs(ctx, reg.ConnectionData.Retention)
				progress(c.Deleted)
			}
		case DataSentEmails:
			if opts.Outbox != nil {
				c.Deleted, err = opts.Outbox.PurgeDelivered(ctx, opts.AsOf)
				progress(c.Deleted)
			}
		case DataAccessLog:
			if c.Due == 0 {
				break
			}
			if opts.Owner == nil || opts.AccessLog == nil {
				err = errors.New("pruning needs the owner's connection (MIGRATE_DATABASE_URL); left to `portal auditlog prune`")
				break
			}
			c.Deleted, err = opts.AccessLog.Prune(ctx, opts.Owner, policy.Durations.AccessLogRetention.Before(opts.AsOf))
			progress(c.Deleted)
		}
		if err != nil {
			fail(c.Key, err)
		}
	}
	rep.EndedAt = time.Now().UTC()
	id, err := s.recordRun(ctx, &rep)
	if err != nil {
		return rep, err
	}
	rep.ID = id
	return rep, nil
}

// count is the dry run: what each rule would delete, and what holds keep.
func (s *RetentionStore) count(ctx context.Context, reg *policy.Registry, opts SweepOptions) ([]RetentionCount, error) {
	asOf := opts.AsOf
	var out []RetentionCount
	for i := range reg.Purposes {
		p := &reg.Purposes[i]
		if p.Kind != policy.KindRecord {
			continue
		}
		c, err := s.countRecords(ctx, reg, p, asOf)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	err := s.sweepTx(ctx, reg, func(q Querier) error {
		if _, err := q.Exec(ctx, "SET LOCAL TimeZone = 'UTC'"); err != nil {
			return err
		}
		if rp, ok := reg.RightsPurpose(); ok {
			c := RetentionCount{Key: rp.Key, Data: DataRightsRequests}
			err := q.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM legal_holds h
				WHERE h.lifted_at IS NULL AND h.ends_at > $1 AND h.subject_id = r.subject_id))
				FROM rights_requests r WHERE created_at + `+interval(rp.Retention)+` <= $1`, asOf).Scan(&c.Due, &c.Held)
			if err != nil {
				return fmt.Errorf("models: retention count rights requests: %w", err)
			}
			out = append(out, c)
		}
		if op, ok := reg.PurposeOfKind(policy.KindObjection); ok {
			c := RetentionCount{Key: op.Key, Data: DataSuppressions}
			if err := q.QueryRow(ctx, `SELECT count(*) FROM suppressions WHERE created_at + `+interval(op.Retention)+` <= $1`,
				asOf).Scan(&c.Due); err != nil {
				return fmt.Errorf("models: retention count suppressions: %w", err)
			}
			out = append(out, c)
		}
		cutoff := asOf.Add(-LinkValidity)
		c := RetentionCount{Key: DataUnconfirmed, Data: DataUnconfirmed}
		for _, p := range reg.FormPurposes() {
			if !p.Form.DoubleOptIn || p.Kind == policy.KindRightsRequest {
				continue
			}
			var n int64
			if err := q.QueryRow(ctx, `SELECT count(*) FROM records WHERE purpose = $1 AND status = $2 AND created_at < $3`,
				p.Key, p.InitialStatus(), cutoff).Scan(&n); err != nil {
				return fmt.Errorf("models: retention count unconfirmed: %w", err)
			}
			c.Due += n
		}
		var n int64
		if err := q.QueryRow(ctx, `SELECT count(*) FROM rights_requests WHERE email_confirmed_at IS NULL AND created_at < $1`,
			cutoff).Scan(&n); err != nil {
			return fmt.Errorf("models: retention count unconfirmed: %w", err)
		}
		c.Due += n
		out = append(out, c)

		c = RetentionCount{Key: DataCookieProofs, Data: DataCookieProofs}
		if err := q.QueryRow(ctx, `SELECT count(*) FROM cookie_consents WHERE created_at + `+interval(reg.ConnectionData.Retention)+` <= $1`,
			asOf).Scan(&c.Due); err != nil {
			return fmt.Errorf("models: retention count cookie proofs: %w", err)
		}
		out = append(out, c)

		c = RetentionCount{Key: DataSentEmails, Data: DataSentEmails}
		if err := q.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE (status = 'sent' AND sent_at < $1) OR (status = 'failed' AND created_at < $2)`,
			asOf.Add(-keepSent), asOf.Add(-keepFailed)).Scan(&c.Due); err != nil {
			return fmt.Errorf("models: retention count sent emails: %w", err)
		}
		out = append(out, c)

		c = RetentionCount{Key: DataAccessLog, Data: DataAccessLog}
		if err := q.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE at < $1`,
			policy.Durations.AccessLogRetention.Before(asOf)).Scan(&c.Due); err != nil {
			return fmt.Errorf("models: retention count access log: %w", err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// countRecords counts p's due and held records, pass by pass, each count in
// its own short transaction (no long lock on records while a run starts):
// the period pass is an index-only count, and the held ones are found from
// the holds, which are few.
func (s *RetentionStore) countRecords(ctx context.Context, reg *policy.Registry, p *policy.Purpose, asOf time.Time) (RetentionCount, error) {
	c := RetentionCount{Key: p.Key, Data: DataRecords}
	var passes []recordPass
	err := s.sweepTx(ctx, reg, func(q Querier) error {
		var err error
		passes, err = s.passes(ctx, q, p, asOf)
		return err
	})
	if err != nil {
		return c, err
	}
	var prev []string
	args := []any{p.Key, asOf}
	for _, ps := range passes {
		cond := "(" + renumber(ps.cond, len(args)-2) + ")"
		args = append(args, ps.args...)
		due := "purpose = $1 AND " + cond
		if len(prev) > 0 { // a record due on two counts is counted once
			due += " AND NOT coalesce(" + strings.Join(prev, " OR ") + ", false)"
		}
		prev = append(prev, cond)
		n, err := s.countDue(ctx, reg, ps, due, args)
		if err != nil {
			return c, fmt.Errorf("models: retention count %s: %w", p.Key, err)
		}
		var held int64
		err = s.sweepTx(ctx, reg, func(q Querier) error {
			return q.QueryRow(ctx, `SELECT count(*) FROM (
				SELECT d.id FROM legal_holds h JOIN (SELECT id, subject_id FROM records WHERE `+due+`) d ON d.id = h.record_id
					WHERE h.lifted_at IS NULL AND h.ends_at > $2
				UNION SELECT d.id FROM legal_holds h JOIN (SELECT id, subject_id FROM records WHERE `+due+`) d ON d.subject_id = h.subject_id
					WHERE h.lifted_at IS NULL AND h.ends_at > $2) held`, args...).Scan(&held)
		})
		if err != nil {
			return c, fmt.Errorf("models: retention count %s: %w", p.Key, err)
		}
		c.Due += n
		c.Held += held
	}
	return c, nil
}

// countDue counts the records matching due. A pass walked by an indexed key
// is counted window by window of that key, each in its own short
// transaction, so that counting a million due rows holds no lock on
// records for long: the window halves when it held many rows and doubles
// when it held few.
func (s *RetentionStore) countDue(ctx context.Context, reg *policy.Registry, ps recordPass, due string, args []any) (int64, error) {
	var n int64
	if ps.key == "" {
		err := s.sweepTx(ctx, reg, func(q Querier) error {
			return q.QueryRow(ctx, "SELECT count(*) FROM records WHERE "+due, args...).Scan(&n)
		})
		return n, err
	}
	hi, _ := ps.args[0].(time.Time) // the coarse bound: no due row lies after it
	var lo *time.Time
	err := s.sweepTx(ctx, reg, func(q Querier) error {
		return q.QueryRow(ctx, "SELECT min("+ps.key+") FROM records WHERE purpose = $1", args[0]).Scan(&lo)
	})
	if err != nil || lo == nil {
		return 0, err
	}
	const few, many = 20000, 100000
	window := 30 * 24 * time.Hour
	in := fmt.Sprintf("SELECT count(*) FROM records WHERE %s AND %s >= $%d AND %s < $%d", due, ps.key, len(args)+1, ps.key, len(args)+2)
	for from := *lo; !from.After(hi); {
		to := from.Add(window)
		var k int64
		err := s.sweepTx(ctx, reg, func(q Querier) error {
			return q.QueryRow(ctx, in, append(args[:len(args):len(args)], from, to)...).Scan(&k)
		})
		if err != nil {
			return 0, err
		}
		n += k
		from = to
		switch {
		case k > many && window > time.Minute:
			window /= 2
		case k < few && window < 100*365*24*time.Hour:
			window *= 2
		}
	}
	return n, nil
}

// renumber shifts the $3, $4… of a pass's condition by off, so that several
// passes share one argument list ($1 purpose and $2 as-of stay).
func renumber(cond string, off int) string {
	if off == 0 {
		return cond
	}
	for n := 9; n >= 3; n-- {
		cond = strings.ReplaceAll(cond, "$"+strconv.Itoa(n), "$"+strconv.Itoa(n+off))
	}
	return cond
}

// sweepPurpose deletes (or anonymises) the due records of p, batch by batch:
// one statement per batch (see deleteRecords).
func (s *RetentionStore) sweepPurpose(ctx context.Context, reg *policy.Registry, p *policy.Purpose, asOf time.Time, c *RetentionCount, progress func(int64)) error {
	var passes []recordPass
	err := s.sweepTx(ctx, reg, func(q Querier) error {
		var err error
		passes, err = s.passes(ctx, q, p, asOf)
		return err
	})
	if err != nil {
		return err
	}
	anonymise := p.Retention.Action == "anonymise"
	for _, ps := range passes {
		args := append([]any{p.Key, asOf}, ps.args...)
		// The rule is checked again on the row being deleted: a record
		// contacted while the batch was chosen is kept (the DELETE re-reads
		// a row changed under it). No FOR UPDATE: the advisory lock already
		// keeps other sweepers out, and locking each row first would write
		// every row twice.
		b := recordBatch{recheck: fmt.Sprintf("purpose = $1 AND (%s)", ps.cond), key: ps.key, anonymise: anonymise}
		b.sel = fmt.Sprintf("SELECT id FROM records WHERE %s AND NOT %s", b.recheck, heldSQL)
		var from any = pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true} // from the oldest
		if b.key != "" {
			// In the key's order from where the last batch ended (>=: rows
			// sharing that instant may remain), an ordered index scan that
			// stops at the batch's size.
			b.sel += fmt.Sprintf(" AND %s >= $%d ORDER BY %s", b.key, len(args)+1, b.key)
		}
		sel, size := b.sel, s.batch
		for {
			b.sel = sel + fmt.Sprintf(" LIMIT %d", size)
			var n int64
			began := time.Now()
			err := s.sweepTx(ctx, reg, func(q Querier) error {
				a := args
				if b.key != "" {
					a = append(a[:len(a):len(a)], from)
				}
				var last *time.Time
				var err error
				n, last, err = s.deleteRecords(ctx, q, b, a)
				if last != nil {
					from = *last
				}
				return err
			})
			if err != nil {
				return err
			}
			if anonymise {
				c.Anonymised += n
			} else {
				c.Deleted += n
			}
			progress(n)
			if n < int64(size) {
				break
			}
			size = nextBatch(size, s.batch, time.Since(began))
		}
	}
	return nil
}

// deleteRecords deletes the records sel selects, with their files (ON DELETE
// CASCADE), their consents, their subjects once left without records, and
// logs each id as a keyed hash for replay after a restore. With anonymise,
// only a count per purpose, month and status survives. It is the one
// deletion primitive of retention; erasure on request can share it.
//
// One statement, one round trip: the CTEs read the deleted rows (RETURNING)
// and nothing comes back to Go but the count. The consents go through
// portal_retention_drop_consents (the ledger is append-only for the
// application): it is VOLATILE, so it runs after its argument has made the
// DELETE run to completion, with a snapshot that sees the records gone.
// Subjects are deleted by the same statement, whose snapshot still shows the
// deleted records: those are excluded by id.
func (s *RetentionStore) deleteRecords(ctx context.Context, q Querier, b recordBatch, args []any) (deleted int64, last *time.Time, err error) {
	recheck, lastSQL := b.recheck, "NULL::timestamptz"
	if recheck == "" {
		recheck = "true"
	}
	if b.key != "" {
		lastSQL = "(SELECT max(" + b.key + ") FROM del)"
	}
	logged := erasureLogSQL("del", len(args))
	args = s.erasureArgs(args, DataRecords)
	stats := ""
	if b.anonymise {
		stats = `, st AS (INSERT INTO retention_stats (purpose, month, status, count)
			SELECT purpose, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, count(*) FROM del GROUP BY 1, 2, 3
			ON CONFLICT (purpose, month, status) DO UPDATE SET count = retention_stats.count + EXCLUDED.count)`
	}
	// id = ANY (ARRAY(…)): the batch is chosen first, then each row found
	// by its key and checked again (a join on the rule would scan every due row).
	err = q.QueryRow(ctx, `WITH del AS (DELETE FROM records WHERE id = ANY (ARRAY(`+b.sel+`)) AND `+recheck+`
			RETURNING id, subject_id, purpose, status, created_at, last_contact_at),
		logged AS (`+logged+`),
		gone AS (DELETE FROM subjects s WHERE s.id IN (SELECT subject_id FROM del)
			AND NOT EXISTS (SELECT 1 FROM records r WHERE r.subject_id = s.id AND r.id NOT IN (SELECT id FROM del))
			AND NOT EXISTS (SELECT 1 FROM rights_requests q WHERE q.subject_id = s.id)
			AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_id = s.id AND h.lifted_at IS NULL))`+stats+`
		SELECT (SELECT count(*) FROM del), `+lastSQL+`, portal_retention_drop_consents(ARRAY(SELECT id FROM del))`, args...).Scan(&deleted, &last, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("models: retention delete: %w", err)
	}
	return deleted, last, nil
}

// recordBatch is one batch of deleteRecords: sel chooses the ids (with a
// LIMIT), recheck is tested again on each row as it is deleted, key (if
// any) is the column whose greatest deleted value is returned, for the next
// batch to resume from.
type recordBatch struct {
	sel, recheck, key string
	anonymise         bool
}

// erasureLogSQL is an INSERT writing the erasure log of every id of the
// CTE from, inside the statement that deletes: the keyed hash of "kind:id"
// (HMAC-SHA256 from the key's pads, RFC 2104) computed by PostgreSQL, so no
// id comes back to Go. The batch's hashes go in one row, concatenated
// (id_hash holds one or more 32-byte hashes): a row per id wrote more WAL
// than the deletion itself, and every commit waits for its WAL. n is the
// number of arguments before those erasureArgs appends (kind, ipad, opad).
func erasureLogSQL(from string, n int) string {
	kind, ipad, opad := fmt.Sprintf("$%d", n+1), fmt.Sprintf("$%d::bytea", n+2), fmt.Sprintf("$%d::bytea", n+3)
	return `INSERT INTO erasure_log (kind, id_hash) SELECT ` + kind + `, string_agg(sha256(` + opad + ` || sha256(` + ipad +
		` || convert_to(` + kind + ` || ':' || id::text, 'UTF8'))), ''::bytea) FROM ` + from + ` HAVING count(*) > 0`
}

// erasureArgs appends erasureLogSQL's arguments to args.
func (s *RetentionStore) erasureArgs(args []any, kind string) []any {
	return append(args, kind, s.ipad, s.opad)
}

// LogErasure records ids deleted outside the sweep (an erasure on request)
// so that `portal retention replay` deletes them again after a restore.
func (s *RetentionStore) LogErasure(ctx context.Context, q Querier, kind string, ids []string) error {
	_, err := q.Exec(ctx, `INSERT INTO erasure_log (kind, id_hash) SELECT $1, unnest($2::bytea[])`, kind, s.hashes(kind, ids))
	if err != nil {
		return fmt.Errorf("models: erasure log: %w", err)
	}
	return nil
}

func (s *RetentionStore) hashes(kind string, ids []string) [][]byte {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		out[i] = s.idHash(kind, id)
	}
	return out
}

func (s *RetentionStore) idHash(kind, id string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(kind + ":" + id))
	return m.Sum(nil)
}

// sweepRightsRequests deletes requests a year (the registry's period) after
// they were made, batch by batch: one statement per batch
// deletes the requests (their timeline keeps no link to them), logs their
// ids for replay and deletes the people left with nothing. Its other CTEs
// still see the deleted requests (one snapshot): those are excluded by id.
func (s *RetentionStore) sweepRightsRequests(ctx context.Context, reg *policy.Registry, asOf time.Time, c *RetentionCount, progress func(int64)) error {
	rp, _ := reg.RightsPurpose()
	args := s.erasureArgs([]any{asOf, s.batch}, DataRightsRequests)
	sql := `WITH del AS (DELETE FROM rights_requests WHERE id IN (SELECT r.id FROM rights_requests r
			WHERE r.created_at + ` + interval(rp.Retention) + ` <= $1 AND NOT EXISTS (SELECT 1 FROM legal_holds h
			WHERE h.lifted_at IS NULL AND h.ends_at > $1 AND h.subject_id = r.subject_id)
			LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id, subject_id),
		logged AS (` + erasureLogSQL("del", 2) + `),
		gone AS (DELETE FROM subjects s WHERE s.id IN (SELECT subject_id FROM del)
			AND NOT EXISTS (SELECT 1 FROM records r WHERE r.subject_id = s.id)
			AND NOT EXISTS (SELECT 1 FROM rights_requests q WHERE q.subject_id = s.id AND q.id NOT IN (SELECT id FROM del))
			AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.subject_id = s.id AND h.lifted_at IS NULL))
		SELECT count(*) FROM del`
	return s.sweepBatches(ctx, reg, sql, args, c, progress)
}

// sweepSuppressions deletes objections older than the objection purpose's
// period (the policy: three years from the objection), batch by batch: one
// statement per batch deletes them (through the owner's function: the
// objections are append-only for the application) and logs their ids.
func (s *RetentionStore) sweepSuppressions(ctx context.Context, reg *policy.Registry, asOf time.Time, c *RetentionCount, progress func(int64)) error {
	op, _ := reg.PurposeOfKind(policy.KindObjection)
	rt := op.Retention
	args := s.erasureArgs([]any{rt.Years, rt.Months, rt.Days, asOf, s.batch}, DataSuppressions)
	sql := `WITH del AS (SELECT id FROM portal_retention_drop_suppressions(
			make_interval(years => $1, months => $2) + make_interval(days => $3), $4, $5)),
		logged AS (` + erasureLogSQL("del", 5) + `)
		SELECT count(*) FROM del`
	return s.sweepBatches(ctx, reg, sql, args, c, progress)
}

// sweepBatches runs sql, which deletes one batch and answers how many rows
// it deleted, in a transaction of its own until a batch comes back short.
func (s *RetentionStore) sweepBatches(ctx context.Context, reg *policy.Registry, sql string, args []any, c *RetentionCount, progress func(int64)) error {
	for {
		var n int64
		err := s.sweepTx(ctx, reg, func(q Querier) error {
			return q.QueryRow(ctx, sql, args...).Scan(&n)
		})
		if err != nil {
			return fmt.Errorf("models: retention %s: %w", c.Key, err)
		}
		c.Deleted += n
		progress(n)
		if n < int64(s.batch) {
			return nil
		}
	}
}

// ---- Evidence: the runs, hash-chained ------------------------------------

// runDigest is what a run's hash covers: everything but its id and hash.
func runDigest(prev []byte, r RetentionReport) []byte {
	counts, _ := json.Marshal(r.Counts)
	errs := []byte("[]")
	if len(r.Errors) > 0 {
		errs, _ = json.Marshal(r.Errors)
	}
	h := sha256.New()
	h.Write(prev)
	for _, part := range []string{r.StartedAt.UTC().Format(time.RFC3339Nano), r.EndedAt.UTC().Format(time.RFC3339Nano),
		r.AsOf.UTC().Format(time.RFC3339Nano), r.Trigger, string(counts), string(errs)} {
		h.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return h.Sum(nil)
}

var runGenesis = make([]byte, sha256.Size)

// recordRun appends the run's evidence row to the chain. The sweep's
// advisory lock orders the writers.
func (s *RetentionStore) recordRun(ctx context.Context, r *RetentionReport) (int64, error) {
	// PostgreSQL keeps microseconds: hash what is stored.
	r.StartedAt, r.EndedAt, r.AsOf = r.StartedAt.Truncate(time.Microsecond), r.EndedAt.Truncate(time.Microsecond), r.AsOf.Truncate(time.Microsecond)
	if r.Errors == nil {
		r.Errors = []string{}
	}
	var id int64
	err := s.db.Tx(ctx, func(q Querier) error {
		prev := runGenesis
		err := q.QueryRow(ctx, "SELECT hash FROM retention_runs ORDER BY id DESC LIMIT 1").Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		counts, _ := json.Marshal(r.Counts)
		return q.QueryRow(ctx, `INSERT INTO retention_runs (started_at, ended_at, as_of, trigger, counts, errors, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, r.StartedAt, r.EndedAt, r.AsOf, r.Trigger, counts, r.Errors,
			prev, runDigest(prev, *r)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("models: retention run: %w", err)
	}
	return id, nil
}

// Runs are the newest runs, newest first.
func (s *RetentionStore) Runs(ctx context.Context, limit int) ([]RetentionReport, error) {
	var out []RetentionReport
	err := s.db.Tx(ctx, func(q Querier) error {
		rows, err := q.Query(ctx, `SELECT id, started_at, ended_at, as_of, trigger, counts, errors
			FROM retention_runs ORDER BY id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("models: retention runs: %w", err)
	}
	return out, nil
}

func scanRun(row pgx.Row, extra ...any) (RetentionReport, error) {
	var r RetentionReport
	var counts []byte
	dest := append([]any{&r.ID, &r.StartedAt, &r.EndedAt, &r.AsOf, &r.Trigger, &counts, &r.Errors}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	return r, json.Unmarshal(counts, &r.Counts)
}

// RunsReport is what verifying the runs' chain found.
type RunsReport struct {
	OK      bool
	Checked int
	BadID   int64
	Reason  string
}

func (r RunsReport) String() string {
	if r.OK {
		return fmt.Sprintf("retention runs: %d checked, chain intact", r.Checked)
	}
	return fmt.Sprintf("retention runs: chain broken at run %d: %s (%d checked before)", r.BadID, r.Reason, r.Checked)
}

// Verify walks the runs' chain: an edited, deleted or reordered row breaks it.
func (s *RetentionStore) Verify(ctx context.Context) (RunsReport, error) {
	rep := RunsReport{OK: true}
	err := s.db.Tx(ctx, func(q Querier) error {
		rows, err := q.Query(ctx, `SELECT id, started_at, ended_at, as_of, trigger, counts, errors, prev_hash, hash
			FROM retention_runs ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		prev := runGenesis
		for rows.Next() {
			var ph, h []byte
			r, err := scanRun(rows, &ph, &h)
			if err != nil {
				return err
			}
			switch {
			case !hmac.Equal(ph, prev):
				rep.OK, rep.BadID, rep.Reason = false, r.ID, "previous hash does not match: a run was deleted or reordered"
			case !hmac.Equal(h, runDigest(prev, r)):
				rep.OK, rep.BadID, rep.Reason = false, r.ID, "hash does not match its contents: the row was edited"
			}
			if !rep.OK {
				return nil
			}
			rep.Checked++
			prev = h
		}
		return rows.Err()
	})
	if err != nil {
		return rep, fmt.Errorf("models: verify retention runs: %w", err)
	}
	return rep, nil
}

// ---- Replay after a restore -----------------------------------------------

// ReplayReport counts what a replay deleted again.
type ReplayReport struct {
	Logged                                int
	Records, RightsRequests, Suppressions int64
	Subjects, RequestDetails              int64 // erased on request
}

// Replay deletes again every record, rights request and objection whose id
// the erasure log holds (since since): a restored backup must not bring back
// what was erased or expired (art. 17). The log holds only keyed hashes, so
// each stored id is hashed and looked up.
func (s *RetentionStore) Replay(ctx context.Context, reg *policy.Registry, since time.Time) (ReplayReport, error) {
	var rep ReplayReport
	want := map[string]bool{}
	err := s.db.Tx(ctx, func(q Querier) error {
		rows, err := q.Query(ctx, "SELECT kind, id_hash FROM erasure_log WHERE at >= $1", since)
		if err != nil {
			return err
		}
		var kind string
		var h []byte
		_, err = pgx.ForEachRow(rows, []any{&kind, &h}, func() error {
			// one or more hashes (a batch of the sweep), concatenated
			for ; len(h) >= sha256.Size; h = h[sha256.Size:] {
				want[kind+string(h[:sha256.Size])] = true
				rep.Logged++
			}
			return nil
		})
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("models: replay: %w", err)
	}
	if len(want) == 0 {
		return rep, nil
	}
	err = s.db.Scoped(ctx, allScope(reg), func(q Querier) error {
		// People erased on request: unlinked from their consent proofs
		// before their records go (the proofs are kept, art. 7(1)), deleted after.
		rows, err := q.Query(ctx, "SELECT id FROM subjects")
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		var subjects []uuid.UUID
		for _, id := range ids {
			if want[DataSubjects+string(s.idHash(DataSubjects, id.String()))] {
				subjects = append(subjects, id)
			}
		}
		if len(subjects) > 0 {
			if err := forgetSubjects(ctx, q, subjects, false); err != nil {
				return err
			}
		}
		var recs []uuid.UUID
		rows, err = q.Query(ctx, "SELECT id FROM records")
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			return err
		}
		for _, id := range ids {
			if want[DataRecords+string(s.idHash(DataRecords, id.String()))] {
				recs = append(recs, id)
			}
		}
		for len(recs) > 0 {
			n := min(len(recs), s.batch)
			got, _, err := s.deleteRecords(ctx, q, recordBatch{sel: "SELECT id FROM records WHERE id = ANY ($1)"}, []any{recs[:n]})
			if err != nil {
				return err
			}
			rep.Records += got
			recs = recs[n:]
		}
		if len(subjects) > 0 {
			if err := forgetSubjects(ctx, q, subjects, true); err != nil {
				return err
			}
			rep.Subjects = int64(len(subjects))
		}
		rows, err = q.Query(ctx, "SELECT id FROM rights_requests")
		if err != nil {
			return err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			return err
		}
		var reqs []uuid.UUID
		for _, id := range ids {
			if want[DataRightsRequests+string(s.idHash(DataRightsRequests, id.String()))] {
				reqs = append(reqs, id)
			} else if want[DataRequestDetails+string(s.idHash(DataRequestDetails, id.String()))] {
				if err := reduceRequest(ctx, q, s.vault, id); err != nil {
					return err
				}
				rep.RequestDetails++
			}
		}
		if len(reqs) > 0 {
			tag, err := q.Exec(ctx, "DELETE FROM rights_requests WHERE id = ANY ($1)", reqs)
			if err != nil {
				return err
			}
			rep.RightsRequests = tag.RowsAffected()
		}
		rows, err = q.Query(ctx, "SELECT id FROM suppressions")
		if err != nil {
			return err
		}
		sids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		var sups []int64
		for _, id := range sids {
			if want[DataSuppressions+string(s.idHash(DataSuppressions, strconv.FormatInt(id, 10)))] {
				sups = append(sups, id)
			}
		}
		if len(sups) > 0 {
			return q.QueryRow(ctx, "SELECT portal_retention_drop_suppression_ids($1)", sups).Scan(&rep.Suppressions)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("models: replay: %w", err)
	}
	return rep, nil
}

// ---- Legal holds ----------------------------------------------------------

// LegalHold keeps a record, or everything of one person, past its period.
type LegalHold struct {
	ID        uuid.UUID
	RecordID  *uuid.UUID
	SubjectID *uuid.UUID
	Reason    string
	EndsAt    time.Time
	PlacedBy  uuid.UUID
	PlacedAt  time.Time
}

// HoldTarget names what a hold keeps: one record (by id) or one person (by
// the email they gave, found through the blind index).
type HoldTarget struct {
	RecordID *uuid.UUID
	Email    string
}

// Errors of placing a hold.
var (
	ErrHoldReason = errors.New("models: a hold needs a reason (at most 500 characters)")
	ErrHoldEnd    = errors.New("models: a hold needs an end date in the future")
	ErrHoldTarget = errors.New("models: no record or person matches")
)

// PlaceHold keeps the target from every sweep until endsAt (or until lifted),
// logged as a "hold" in the same transaction.
func (s *RetentionStore) PlaceHold(ctx context.Context, reg *policy.Registry, a Actor, t HoldTarget, reason string, endsAt time.Time) (uuid.UUID, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return uuid.Nil, ErrHoldReason
	}
	if !endsAt.After(a.Now) {
		return uuid.Nil, ErrHoldEnd
	}
	id := uuid.Must(uuid.NewV7())
	err := s.db.Scoped(ctx, allScope(reg), func(q Querier) error {
		ev := a.event(ActionHold, "")
		var rec, subj *uuid.UUID
		if t.RecordID != nil {
			var purpose string
			var sid *uuid.UUID
			err := q.QueryRow(ctx, "SELECT purpose, subject_id FROM records WHERE id = $1", *t.RecordID).Scan(&purpose, &sid)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrHoldTarget
			}
			if err != nil {
				return err
			}
			rec, ev.Purpose, ev.RecordID, ev.SubjectID = t.RecordID, purpose, t.RecordID, sid
		} else {
			var sid uuid.UUID
			err := q.QueryRow(ctx, "SELECT id FROM subjects WHERE email_index = $1", s.vault.BlindIndex(vault.KindEmail, t.Email)).Scan(&sid)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrHoldTarget
			}
			if err != nil {
				return err
			}
			subj, ev.SubjectID = &sid, &sid
		}
		if _, err := q.Exec(ctx, `INSERT INTO legal_holds (id, record_id, subject_id, reason, ends_at, placed_by, placed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, rec, subj, reason, endsAt, a.StaffID, a.Now); err != nil {
			return err
		}
		return logAccess(ctx, q, ev)
	})
	if err != nil && !errors.Is(err, ErrHoldTarget) {
		err = fmt.Errorf("models: place hold: %w", err)
	}
	return id, err
}

// LiftHold ends a hold now, logged as "lift_hold".
func (s *RetentionStore) LiftHold(ctx context.Context, a Actor, id uuid.UUID) error {
	err := s.db.Tx(ctx, func(q Querier) error {
		ev := a.event(ActionLiftHold, "")
		err := q.QueryRow(ctx, `UPDATE legal_holds SET lifted_by = $2, lifted_at = $3 WHERE id = $1 AND lifted_at IS NULL
			RETURNING record_id, subject_id`, id, a.StaffID, a.Now).Scan(&ev.RecordID, &ev.SubjectID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return logAccess(ctx, q, ev)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("models: lift hold: %w", err)
	}
	return err
}

// Holds are the holds in force at now, soonest end first.
func (s *RetentionStore) Holds(ctx context.Context, now time.Time) ([]LegalHold, error) {
	var out []LegalHold
	err := s.db.Tx(ctx, func(q Querier) error {
		rows, err := q.Query(ctx, `SELECT id, record_id, subject_id, reason, ends_at, placed_by, placed_at FROM legal_holds
			WHERE lifted_at IS NULL AND ends_at > $1 ORDER BY ends_at, id`, now)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[LegalHold])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("models: holds: %w", err)
	}
	return out, nil
}

// SetEventEnd sets the end of the event purpose p counts from (the AI
// challenge): its records are kept for the period from then, or from the
// last interaction if later.
func (s *RetentionStore) SetEventEnd(ctx context.Context, a Actor, p *policy.Purpose, end time.Time) error {
	if p.Retention.From != policy.FromEventEnd {
		return ErrNotFound
	}
	err := s.db.Tx(ctx, func(q Querier) error {
		_, err := q.Exec(ctx, `INSERT INTO purpose_event_ends (purpose, ends_at, set_by, set_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (purpose) DO UPDATE SET ends_at = EXCLUDED.ends_at, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
			p.Key, end, a.StaffID, a.Now)
		return err
	})
	if err != nil {
		return fmt.Errorf("models: event end: %w", err)
	}
	return nil
}

// EventEnd is the end set for p by staff or the registry (nil: none).
func (s *RetentionStore) EventEnd(ctx context.Context, p *policy.Purpose) (*time.Time, error) {
	if p.Retention.From != policy.FromEventEnd {
		return nil, nil // no event: no query on every record view
	}
	var t *time.Time
	err := s.db.Tx(ctx, func(q Querier) error {
		var err error
		t, err = s.eventEnd(ctx, q, p)
		return err
	})
	return t, err
}

// RetentionEnd is when r leaves under p's rule as the registry says it
// today (the record page's "Deleted on"): from its anchors, not from the
// value frozen at insert. eventEnd is the end of the event, if any.
func RetentionEnd(p *policy.Purpose, r Record, eventEnd *time.Time) time.Time {
	anchor := r.LastContactAt
	switch p.Retention.From {
	case policy.FromCreated:
		anchor = r.CreatedAt
	case policy.FromEventEnd:
		if eventEnd != nil && eventEnd.After(anchor) {
			anchor = *eventEnd
		}
	}
	return p.Retention.ExpiresAt(anchor.UTC())
}
