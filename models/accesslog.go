package models

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/vault"
)

// Actions recorded in the access log. The CNIL (délibération 2021-122)
// expects every consultation, creation, change and deletion to be traced,
// along with logins and refusals.
const (
	ActionList        = "list"
	ActionView        = "view"
	ActionDownload    = "download"
	ActionExport      = "export"
	ActionUpdate      = "update"
	ActionErase       = "erase"
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
	ActionDenied      = "denied"
	ActionReadLog     = "read_log" // the DPO reading this log is itself logged
	ActionStaffAdmin  = "staff_admin"
	// The DPO's transparency documents, built from the registry and the
	// ledgers' counts (no one's data), are logged like the log itself.
	ActionReadROPA         = "read_ropa"          // the record of processing (art. 30), opened or downloaded
	ActionReadConsentStats = "read_consent_stats" // the consent statistics
	ActionContacted        = "contacted"          // staff recorded a contact: retention counts from it
	ActionHold             = "hold"               // the DPO placed a legal hold
	ActionLiftHold         = "lift_hold"          // the DPO lifted a legal hold
	ActionTransfer         = "transfer"           // a partner transmission (art. 30(1)(d): recipients)
)

// Actions lists every action, for the DPO's filter.
var Actions = []string{ActionList, ActionView, ActionDownload, ActionExport, ActionUpdate, ActionErase,
	ActionLogin, ActionLoginFailed, ActionLogout, ActionDenied, ActionReadLog, ActionStaffAdmin,
	ActionReadROPA, ActionReadConsentStats, ActionPolicyNotice,
	ActionContacted, ActionHold, ActionLiftHold, ActionTransfer}

// Outcomes of an access.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)

// Chains is how many independent hash chains the log is split into. One
// chain would make every logged request wait for the previous one's commit
// (the chain's lock is held until commit, a WAL flush). Events take the
// chains in turn (nextChain), so with as many chains as the pool has
// connections (32) concurrent requests of one server never queue on one
// another's commit, while each chain still detects any edit, deletion or
// reordering of its rows. (Eight chains picked at random: the record view
// spent half its time waiting for the lock, make bench.)
const Chains = 32

// chainTurn hands out chains in turn, from a random start per process so
// that several servers do not walk the chains in step.
var chainTurn = struct {
	next  atomic.Uint32
	start func() uint32
}{start: sync.OnceValue(func() uint32 {
	n, err := rand.Int(rand.Reader, big.NewInt(Chains))
	if err != nil {
		return 0
	}
	return uint32(n.Int64())
})}

// nextChain is the chain of the next event.
func nextChain() int16 {
	return int16((chainTurn.start() + chainTurn.next.Add(1)) % Chains)
}

// AccessEvent is one row of the access log. It names who, when, what and
// which data (ids only: never the personal data itself).
type AccessEvent struct {
	ID         int64
	Chain      int16
	At         time.Time
	StaffID    *uuid.UUID
	Role       string
	Action     string
	Purpose    string
	RecordID   *uuid.UUID
	SubjectID  *uuid.UUID
	IP         string
	UserAgent  string
	Outcome    string
	Restricted bool // the record read was under restriction of processing
	// TargetStaffID is the account a staff-admin action changed.
	TargetStaffID *uuid.UUID
	// RequestID is the X-Request-Id of the request that caused the event
	// (the request_id of its log line); empty outside a request.
	RequestID string
	Digest    []byte
	PrevHash  []byte
	Hash      []byte
}

// maxUserAgent bounds what a client can make us store.
const maxUserAgent = 256

// normalise puts the event in the exact form the database will give back,
// so the digest computed now is the one verification recomputes.
func (e *AccessEvent) normalise() {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.UserAgent = clip(e.UserAgent, maxUserAgent)
	e.IP = clip(e.IP, 64)
	e.RequestID = clip(strings.ReplaceAll(e.RequestID, "\x00", ""), maxRequestID)
}

type requestIDKey struct{}

// WithRequestID puts the request's X-Request-Id on ctx: every access event
// logged under ctx carries it, so a log line and an access row join.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom is the request id WithRequestID put on ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// maxRequestID bounds the request id a client may send in X-Request-Id.
const maxRequestID = 64

// clip makes client-sent text storable: valid UTF-8 (PostgreSQL refuses
// anything else, and a refused log row would refuse the access, or let a
// failed login go uncounted), cut at a character boundary within max bytes.
func clip(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) { // a character cut in half: at most three bytes to drop
		s = s[:len(s)-1]
	}
	return s
}

// digest is the SHA-256 of the event's canonical content: every field,
// length-prefixed, in a fixed order. The chain hashes this digest with the
// previous row's hash.
func (e *AccessEvent) digest() []byte {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	id := func(u *uuid.UUID) []byte {
		if u == nil {
			return nil
		}
		return u[:]
	}
	binary.BigEndian.PutUint64(n[:], uint64(e.Chain))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At.UnixMicro()))
	h.Write(n[:])
	put(id(e.StaffID))
	put([]byte(e.Role))
	put([]byte(e.Action))
	put([]byte(e.Purpose))
	put(id(e.RecordID))
	put(id(e.SubjectID))
	put([]byte(e.IP))
	put([]byte(e.UserAgent))
	put([]byte(e.Outcome))
	if e.Restricted {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	// Appended only when set, so the digests of events logged before the
	// column existed still verify.
	if e.TargetStaffID != nil {
		put(e.TargetStaffID[:])
	}
	if e.RequestID != "" {
		h.Write([]byte{'r'}) // tells it from a target staff id
		put([]byte(e.RequestID))
	}
	return h.Sum(nil)
}

// Actor is the staff member behind a back-office request: who they are, what
// their role lets them see, and where the request comes from (for the log).
type Actor struct {
	StaffID   uuid.UUID
	Role      string
	Scope     Scope
	IP        string
	UserAgent string
	Now       time.Time
	// Session, when set, is verified in the transaction that reads the
	// data (stores that support it: RecordStore.View, AccessLog.Review);
	// nil when the session was read before the request reached the store.
	Session *SessionCheck
}

func (a Actor) event(action, purpose string) AccessEvent {
	id := a.StaffID
	return AccessEvent{At: a.Now, StaffID: &id, Role: a.Role, Action: action, Purpose: purpose,
		IP: a.IP, UserAgent: a.UserAgent, Outcome: OutcomeOK}
}

// Link normalises e as the log stores it and returns its digest and its
// hash on a chain whose previous link is prev (nil: the chain's start). Bulk
// loaders writing whole chains at once (benchmarks) use it.
func Link(e *AccessEvent, prev []byte) (digest, hash []byte) {
	if prev == nil {
		prev = genesis
	}
	e.normalise()
	d := e.digest()
	sum := sha256.Sum256(append(append([]byte{}, prev...), d...))
	return d, sum[:]
}

// ErrLogUnavailable means the access could not be logged; the caller must
// not show the data (no log, no access).
var ErrLogUnavailable = errors.New("models: access log unavailable")

// logAccessSQL appends one event to its chain (see portal_log_access). The
// request id reaches the row through the transaction-local setting its
// column defaults to, set in the FROM clause so it is set first.
const logAccessSQL = `SELECT portal_log_access($1::smallint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
	FROM (SELECT set_config('portal.request_id', $15, true)) AS request`

// logAccess appends e to the log inside q's transaction. Call it as the
// transaction's last statement: the chain's lock is then held only until the
// commit that follows.
func logAccess(ctx context.Context, q Querier, e AccessEvent) error {
	args, err := e.logArgs(ctx)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, logAccessSQL, args...); err != nil {
		return fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	return nil
}

// appendAccess appends e to the log and returns once it is committed, in a
// transaction shared with the events other requests append meanwhile (a
// durable group commit, see groupCommit): one WAL flush, one chain lock and
// one INSERT for many events. It serves the accesses that change nothing (a
// read, a denial, a login): the caller reads first, in a read-only
// transaction, and shows nothing unless this returns nil (no log, no data).
// A change logs in its own transaction instead (logAccess), so that the
// change and its event commit together.
func (db *DB) appendAccess(ctx context.Context, e AccessEvent) error {
	if e.RequestID == "" {
		e.RequestID = RequestIDFrom(ctx)
	}
	e.normalise()
	db.accessOnce.Do(func() {
		// One writer: while its commit is in flight the next batch fills
		// (as the cookie ledger measured, fewer and larger transactions win).
		db.accessWriter = &groupCommit[*AccessEvent]{write: db.writeAccess, maxFlushers: 1, maxBatch: 256}
	})
	if err := db.accessWriter.do(ctx, &e); err != nil {
		if errors.Is(err, ErrLogUnavailable) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	return nil
}

// logBatchSQL appends a batch of events to one chain (portal_log_batch):
// one array per column, in the batch's order. It locks the chain's head and
// links the events itself (creating the head on the chain's first append);
// the statement queued after it in the same batch (chainHeadSQL) reads the
// head it left, still locked, in the same implicit transaction.
const logBatchSQL = `SELECT portal_log_batch($1::smallint, $2::timestamptz[], $3::uuid[], $4::text[], $5::text[],
	$6::text[], $7::uuid[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::boolean[], $13::bytea[], $14::uuid[],
	$15::text[])`

// chainHeadSQL reads a chain's newest link.
const chainHeadSQL = `SELECT hash FROM access_chain_heads WHERE chain = $1`

// logLinkedSQL appends a batch of events already linked by the writer from
// the chain's head as it last left it ($18): one plain statement, where
// portal_log_batch runs four and a PL/pgSQL loop. The head moves only if it
// still holds that hash; the UPDATE takes the head's row lock first (the
// EXISTS is a one-time filter, checked before any row reaches the INSERT),
// so ids are drawn after the lock, which is held to commit: ids grow in
// chain order, as with portal_log_batch. If another writer moved the head
// meanwhile (an event logged inside a change's transaction, another server),
// the UPDATE matches nothing and nothing is inserted.
const logLinkedSQL = `WITH head AS (
	UPDATE access_chain_heads SET prev_hash = $16, hash = $17 WHERE chain = $1 AND hash = $18 RETURNING 1)
INSERT INTO access_events (chain, at, staff_id, role, action, purpose, record_id, subject_id,
	ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id, request_id)
SELECT $1, e.at, e.staff, e.role, e.action, e.purpose, e.record, e.subject,
	e.ip, e.ua, e.outcome, e.restricted, e.digest, e.prev, e.link, e.target, nullif(e.request, '')
FROM unnest($2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[],
	$10::text[], $11::text[], $12::boolean[], $13::bytea[], $14::bytea[], $15::bytea[], $19::uuid[], $20::text[])
	WITH ORDINALITY AS e(at, staff, role, action, purpose, record, subject, ip, ua, outcome, restricted, digest,
		prev, link, target, request, ord)
WHERE EXISTS (SELECT FROM head)
ORDER BY e.ord`

// chainHeads is the newest link of each chain as this process's writer
// last left it, so that the writer can link a batch without reading it. It
// is a guess checked by logLinkedSQL, never trusted: a stale one costs a
// second statement (portal_log_batch), not a broken chain.
type chainHeads [Chains]atomic.Pointer[[sha256.Size]byte]

func (h *chainHeads) get(c int16) []byte {
	if p := h[c].Load(); p != nil {
		return p[:]
	}
	return nil
}

func (h *chainHeads) set(c int16, hash []byte) {
	if len(hash) != sha256.Size {
		h[c].Store(nil)
		return
	}
	h[c].Store((*[sha256.Size]byte)(hash))
}

// link chains digests from head: each event's previous link and its own
// (sha256(prev || digest), as portal_log_batch and verification compute it).
func link(head []byte, digests [][]byte) (prevs, links [][]byte) {
	n := len(digests)
	prevs, links = make([][]byte, n), make([][]byte, n)
	sums := make([]byte, n*sha256.Size) // one allocation for every link
	buf := make([]byte, 0, 2*sha256.Size)
	prev := head
	for i, d := range digests {
		sum := sha256.Sum256(append(append(buf[:0], prev...), d...))
		links[i] = sums[i*sha256.Size : (i+1)*sha256.Size : (i+1)*sha256.Size]
		copy(links[i], sum[:])
		prevs[i], prev = prev, links[i]
	}
	return prevs, links
}

// writeAccess writes one batch of normalised events on one chain, linked
// in order, as one statement and so one implicit transaction: linked here
// from the chain's cached head when there is one and it still holds
// (logLinkedSQL); otherwise linked by portal_log_batch under the head's
// lock, which also reads the new head for the next batch.
func (db *DB) writeAccess(ctx context.Context, batch []*AccessEvent) error {
	n, chain := len(batch), nextChain()
	at := make([]time.Time, n)
	// The columns of one type share one backing array: two allocations
	// where there were eleven.
	ids, texts := make([]pgtype.UUID, 4*n), make([]string, 7*n)
	staff, record, subject, target := ids[:n:n], ids[n:2*n:2*n], ids[2*n:3*n:3*n], ids[3*n:]
	role, action, purpose, ip := texts[:n:n], texts[n:2*n:2*n], texts[2*n:3*n:3*n], texts[3*n:4*n:4*n]
	ua, outcome, request := texts[4*n:5*n:5*n], texts[5*n:6*n:6*n], texts[6*n:]
	restricted, digest := make([]bool, n), make([][]byte, n)
	for i, e := range batch {
		e.Chain = chain // the digest covers the chain: computed once it is known
		at[i], staff[i], role[i], action[i], purpose[i] = e.At, pgID(e.StaffID), e.Role, e.Action, e.Purpose
		record[i], subject[i], ip[i], ua[i], outcome[i] = pgID(e.RecordID), pgID(e.SubjectID), e.IP, e.UserAgent, e.Outcome
		restricted[i], digest[i], target[i], request[i] = e.Restricted, e.digest(), pgID(e.TargetStaffID), e.RequestID
	}
	if head := db.accessHeads.get(chain); head != nil {
		prevs, links := link(head, digest)
		tag, err := db.Pool.Exec(ctx, logLinkedSQL, chain, at, staff, role, action, purpose, record, subject, ip, ua,
			outcome, restricted, digest, prevs, links, prevs[n-1], links[n-1], head, target, request)
		if err != nil {
			db.accessHeads.set(chain, nil) // the outcome is unknown: read the head again next time
			return fmt.Errorf("%w: %v", ErrLogUnavailable, err)
		}
		if tag.RowsAffected() == int64(n) {
			db.accessHeads.set(chain, links[n-1])
			return nil
		}
		// Another writer moved the head: nothing was written.
	}
	var b pgx.Batch
	b.Queue(logBatchSQL, chain, at, staff, role, action, purpose, record, subject, ip, ua,
		outcome, restricted, digest, target, request)
	var newHead []byte
	b.Queue(chainHeadSQL, chain).QueryRow(func(row pgx.Row) error { return row.Scan(&newHead) })
	if err := db.Pool.SendBatch(ctx, &b).Close(); err != nil {
		db.accessHeads.set(chain, nil)
		return fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	db.accessHeads.set(chain, newHead)
	return nil
}

// logArgs normalises e, picks its chain and returns portal_log_access's
// arguments in order. The request id comes from ctx when e has none.
func (e AccessEvent) logArgs(ctx context.Context) ([]any, error) {
	if e.RequestID == "" {
		e.RequestID = RequestIDFrom(ctx)
	}
	e.normalise()
	e.Chain = nextChain()
	return []any{e.Chain, e.At, pgID(e.StaffID), e.Role, e.Action, e.Purpose, pgID(e.RecordID), pgID(e.SubjectID),
		e.IP, e.UserAgent, e.Outcome, e.Restricted, e.digest(), pgID(e.TargetStaffID), e.RequestID}, nil
}

// pgID is an optional id as pgx encodes it directly (16 bytes, or NULL):
// a uuid.UUID goes through its driver.Valuer, a string parsed back per
// argument, which the log pays on every logged request.
func pgID(u *uuid.UUID) pgtype.UUID {
	if u == nil {
		return pgtype.UUID{}
	}
	return pgtype.UUID{Bytes: *u, Valid: true}
}

// AccessLog is the access log: it writes events (in the caller's
// transaction or its own), serves the DPO's review, and keeps the hash chains
// verifiable (signed heads, pruning checkpoints). key signs the heads and
// checkpoints: the database never sees it.
type AccessLog struct {
	db    *DB
	vault *vault.Vault
	key   []byte
	// signedBefore, when set, makes Verify require every event logged
	// before it to lie under a signed head (see RequireSigned).
	signedBefore time.Time
}

// HeadGrace is how old an event may be and still wait for its signed head:
// the signing job runs every minute.
const HeadGrace = 10 * time.Minute

// RequireSigned is the log whose Verify also requires every event logged
// before t to lie under a signed head. Deleting the newest signed heads (to
// rewrite the events above the remaining ones) then shows: those events are
// no longer covered.
func (l *AccessLog) RequireSigned(t time.Time) *AccessLog {
	c := *l
	c.signedBefore = t
	return &c
}

// NewAccessLog is the access log of db; key is Secrets.Key(CheckpointKeyName).
func NewAccessLog(db *DB, v *vault.Vault, key []byte) *AccessLog {
	return &AccessLog{db: db, vault: v, key: key}
}

// Log appends one event (logins, denials: accesses that read no data) and
// returns once it is committed.
func (l *AccessLog) Log(ctx context.Context, e AccessEvent) error {
	return l.db.appendAccess(ctx, e)
}

// LogDocument records that a staff member opened or downloaded a document
// that holds no one's personal data (the record of processing, the consent
// statistics): the DPO's review shows who consulted them and when.
func (l *AccessLog) LogDocument(ctx context.Context, a Actor, action string) error {
	return l.Log(ctx, a.event(action, ""))
}

// LogDenied records a refused back-office request (deny by default: the
// refusal itself is evidence the DPO reviews).
func (l *AccessLog) LogDenied(ctx context.Context, a Actor, purpose string, record *uuid.UUID) error {
	e := a.event(ActionDenied, purpose)
	if a.StaffID == uuid.Nil {
		e.StaffID = nil
	}
	e.RecordID, e.Outcome = record, OutcomeDenied
	return l.Log(ctx, e)
}

// AccessFilter narrows the DPO's review of the access log.
type AccessFilter struct {
	StaffID *uuid.UUID
	Role    string
	Action  string
	Purpose string
	Email   string // the subject, found through the blind index
	Outcome string
	From    time.Time
	To      time.Time
	Before  int64 // keyset cursor: events with a smaller id
	Limit   int
}

// AccessRow is one event as the DPO sees it.
type AccessRow struct {
	ID         int64
	At         time.Time
	StaffID    *uuid.UUID
	StaffName  string
	Role       string
	Action     string
	Purpose    string
	RecordID   *uuid.UUID
	SubjectID  *uuid.UUID
	IP         string
	UserAgent  string
	Outcome    string
	Restricted bool
	// TargetStaffID is the account a staff-admin action changed.
	TargetStaffID *uuid.UUID
	RequestID     string // the X-Request-Id of the request that caused it
}

// AccessPage is one page of events and the cursor of the next.
type AccessPage struct {
	Rows []AccessRow
	Next int64 // 0 when this is the last page
}

// where is the filter as SQL conditions (with their $n arguments).
func (f AccessFilter) where(v *vault.Vault) (string, []any) {
	var w where
	if f.StaffID != nil {
		if f.Before == 0 {
			// The first page of one member's events: written as a range
			// and ordered by (staff_id DESC, id DESC), the order of
			// access_events_staff read backwards, so that the plan reads
			// that member's events newest first. Written as an equality, the plan
			// walks the whole log newest first and filters it, so the
			// page costs whatever everyone else logged since (the DPO's
			// own reading included: one event per page).
			w.add("e.staff_id >= ? AND e.staff_id <= ?", pgID(f.StaffID), pgID(f.StaffID))
		} else {
			w.add("e.staff_id = ?", pgID(f.StaffID))
		}
	}
	if f.Role != "" {
		w.add("e.role = ?", f.Role)
	}
	if f.Action != "" {
		w.add("e.action = ?", f.Action)
		if f.Action != ActionView {
			// Stated in the index's own words, so that the plan of any
			// other action (prepared once, for any value) may use the
			// index of actions other than views (access_events_action).
			w.add("e.action <> 'view'")
		}
	}
	if f.Purpose != "" {
		w.add("e.purpose = ?", f.Purpose)
	}
	if f.Outcome != "" {
		w.add("e.outcome = ?", f.Outcome)
	}
	if f.Email != "" {
		w.add("e.subject_id IN (SELECT id FROM subjects WHERE email_index = ?)", v.BlindIndex(vault.KindEmail, f.Email))
	}
	if !f.From.IsZero() {
		w.add("e.at >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.add("e.at < ?", f.To)
	}
	if f.Before > 0 {
		w.add("e.id < ?", f.Before)
	}
	return w.sql(), w.args
}

// order is the ORDER BY of a page of f (see where).
func (f AccessFilter) order() string {
	if f.StaffID != nil && f.Before == 0 {
		return " ORDER BY e.staff_id DESC, e.id DESC"
	}
	return " ORDER BY e.id DESC"
}

const accessRowSQL = `SELECT e.id, e.at, e.staff_id, coalesce(s.name, ''), e.role, e.action, e.purpose, e.record_id,
	e.subject_id, e.ip, e.user_agent, e.outcome, e.restricted, e.target_staff_id, coalesce(e.request_id, '')
	FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id`

// collectAccessRows scans up to about n rows of accessRowSQL. The DPO's page
// reads fifty per request, so the scan allocates as little as it can: the
// slice and the ids are sized once, and a text equal to the row before's is
// shared with it rather than copied again (a filtered page repeats its name,
// role, action, address…). The values are read straight from their wire
// form (decodeAccessRow): pgx's Scan looked up a plan per column and row,
// a tenth of the page's CPU in the server.
func collectAccessRows(rows pgx.Rows, n int) ([]AccessRow, error) {
	defer rows.Close()
	out := make([]AccessRow, 0, n)
	ids := make([]uuid.UUID, 0, 4*n)
	var prev AccessRow
	raw := rawAccessRows(rows.FieldDescriptions())
	var scan func() (AccessRow, error)
	if !raw {
		scan = accessRowScanner(rows)
	}
	for rows.Next() {
		var r AccessRow
		var err error
		if raw {
			r, ids, err = decodeAccessRow(rows.RawValues(), &prev, ids)
		} else {
			r, err = scan()
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		prev = r
	}
	return out, rows.Err()
}

// accessRowOIDs are the types of accessRowSQL's columns, in order.
var accessRowOIDs = [...]uint32{pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.UUIDOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.TextOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.BoolOID, pgtype.UUIDOID, pgtype.TextOID}

// rawAccessRows says whether the columns came as decodeAccessRow reads
// them: every type as accessRowSQL selects it, and every column but the
// texts (whose two forms are the same bytes) in binary form, as pgx asks
// for them. Anything else goes through pgx's Scan.
func rawAccessRows(fds []pgconn.FieldDescription) bool { return rawColumns(fds, accessRowOIDs[:]) }

// rawColumns says whether fds are columns of types oids, each in binary
// form but the texts (see rawAccessRows).
func rawColumns(fds []pgconn.FieldDescription, oids []uint32) bool {
	if len(fds) != len(oids) {
		return false
	}
	for i, fd := range fds {
		if fd.DataTypeOID != oids[i] || (fd.DataTypeOID != pgtype.TextOID && fd.Format != pgx.BinaryFormatCode) {
			return false
		}
	}
	return true
}

// pgEpoch is PostgreSQL's timestamp zero, in Unix microseconds.
const pgEpoch = 946684800 * 1_000_000

// pgTime reads a timestamptz in PostgreSQL's binary format; false for one
// that is not 8 bytes or is ±infinity (no stored date is).
func pgTime(b []byte) (time.Time, bool) {
	if len(b) != 8 {
		return time.Time{}, false
	}
	micros := int64(binary.BigEndian.Uint64(b)) // #nosec G115 -- timestamptz's two's-complement bits
	if micros == math.MaxInt64 || micros == math.MinInt64 {
		return time.Time{}, false
	}
	micros += pgEpoch
	return time.Unix(micros/1_000_000, micros%1_000_000*1000), true
}

// decodeAccessRow reads one row of binary values (see rawAccessRows),
// appending its ids to ids; texts equal to prev's are shared with it.
func decodeAccessRow(v [][]byte, prev *AccessRow, ids []uuid.UUID) (AccessRow, []uuid.UUID, error) {
	at, ok := pgTime(v[1])
	if len(v[0]) != 8 || !ok || len(v[12]) != 1 {
		return AccessRow{}, ids, errors.New("models: access log: malformed row")
	}
	r := AccessRow{ID: int64(binary.BigEndian.Uint64(v[0])), At: at,
		Restricted: v[12][0] != 0,
		StaffName:  sameText(prev.StaffName, v[3]), Role: sameText(prev.Role, v[4]),
		Action: sameText(prev.Action, v[5]), Purpose: sameText(prev.Purpose, v[6]),
		IP: sameText(prev.IP, v[9]), UserAgent: sameText(prev.UserAgent, v[10]),
		Outcome: sameText(prev.Outcome, v[11]), RequestID: sameText(prev.RequestID, v[14])}
	var err error
	for _, id := range []struct {
		dst **uuid.UUID
		b   []byte
	}{{&r.StaffID, v[2]}, {&r.RecordID, v[7]}, {&r.SubjectID, v[8]}, {&r.TargetStaffID, v[13]}} {
		if *id.dst, ids, err = optUUID(id.b, ids); err != nil {
			return AccessRow{}, ids, err
		}
	}
	return r, ids, nil
}

// accessRowScanner reads the current row of rows through pgx's Scan.
func accessRowScanner(rows pgx.Rows) func() (AccessRow, error) {
	// The scan's targets, and the arguments that point at them, made once
	// for the page rather than once per row (they escape through Scan).
	var c struct {
		id                                                  int64
		at                                                  time.Time
		staff, record, subject, target                      uuid.NullUUID
		name, role, action, purpose, ip, ua, outcome, reqID string
		restricted                                          bool
	}
	dest := []any{&c.id, &c.at, &c.staff, &c.name, &c.role, &c.action, &c.purpose, &c.record,
		&c.subject, &c.ip, &c.ua, &c.outcome, &c.restricted, &c.target, &c.reqID}
	opt := func(u uuid.NullUUID) *uuid.UUID {
		if !u.Valid {
			return nil
		}
		return &u.UUID
	}
	return func() (AccessRow, error) {
		if err := rows.Scan(dest...); err != nil {
			return AccessRow{}, err
		}
		return AccessRow{ID: c.id, At: c.at, Restricted: c.restricted,
			StaffID: opt(c.staff), RecordID: opt(c.record), SubjectID: opt(c.subject), TargetStaffID: opt(c.target),
			StaffName: c.name, Role: c.role, Action: c.action, Purpose: c.purpose, IP: c.ip, UserAgent: c.ua,
			Outcome: c.outcome, RequestID: c.reqID}, nil
	}
}

// reviewMemberSQL and reviewAnySQL select what the DPO's page shows of an
// event, and nothing else: no user agent, request id or account changed,
// which it does not show (the CSV export reads accessRowSQL). A page of
// rows PostgreSQL sends in one piece rather than two (a filtered page
// was over its 8 KB output buffer, half of it columns never shown).
//
// reviewMemberSQL is one member's page (where puts the member first, $1):
// every row is theirs, so the name is read once per page, in a sub-select
// run before the rows (an InitPlan), where a join with staff looked it up
// again for each row.
const reviewMemberSQL = `SELECT e.id, e.at, coalesce((SELECT s.name FROM staff s WHERE s.id = $1), ''), e.role, e.action,
	e.purpose, e.record_id, e.subject_id, e.ip, e.outcome, e.restricted
	FROM access_events e`

// reviewAnySQL is any other page: each row's member, and their name.
const reviewAnySQL = `SELECT e.id, e.at, coalesce(s.name, ''), e.role, e.action,
	e.purpose, e.record_id, e.subject_id, e.ip, e.outcome, e.restricted, e.staff_id
	FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id`

// reviewSQL is the statement of f's page of the review, up to limit rows.
func (f AccessFilter) reviewSQL(v *vault.Vault, limit int) (string, []any) {
	cond, args := f.where(v)
	sel := reviewAnySQL
	if f.StaffID != nil {
		sel = reviewMemberSQL
	}
	return sel + cond + f.order() + " LIMIT " + strconv.Itoa(limit), args
}

// reviewRowOIDs are the types of reviewAnySQL's columns, in order;
// reviewMemberSQL's are all but the last.
var reviewRowOIDs = [...]uint32{pgtype.Int8OID, pgtype.TimestamptzOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.TextOID, pgtype.TextOID, pgtype.BoolOID, pgtype.UUIDOID}

// collectReviewRows reads up to about n rows of reviewSQL's statement for
// the page of member's events (nil: anyone's), as collectAccessRows reads
// accessRowSQL's; a member's rows all carry member.
func collectReviewRows(rows pgx.Rows, n int, member *uuid.UUID) ([]AccessRow, error) {
	defer rows.Close()
	cols := len(reviewRowOIDs)
	if member != nil {
		cols--
		m := *member // the rows' own copy, not the caller's filter
		member = &m
	}
	if !rawColumns(rows.FieldDescriptions(), reviewRowOIDs[:cols]) {
		return nil, errors.New("models: access log: unexpected columns")
	}
	out := make([]AccessRow, 0, n)
	ids := make([]uuid.UUID, 0, 3*n)
	var prev AccessRow
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != cols {
			return nil, errors.New("models: access log: malformed row")
		}
		at, ok := pgTime(v[1])
		if len(v[0]) != 8 || !ok || len(v[10]) != 1 {
			return nil, errors.New("models: access log: malformed row")
		}
		r := AccessRow{ID: int64(binary.BigEndian.Uint64(v[0])), At: at, StaffID: member, Restricted: v[10][0] != 0,
			StaffName: sameText(prev.StaffName, v[2]), Role: sameText(prev.Role, v[3]), Action: sameText(prev.Action, v[4]),
			Purpose: sameText(prev.Purpose, v[5]), IP: sameText(prev.IP, v[8]), Outcome: sameText(prev.Outcome, v[9])}
		var err error
		if r.RecordID, ids, err = optUUID(v[6], ids); err == nil {
			r.SubjectID, ids, err = optUUID(v[7], ids)
		}
		if err == nil && member == nil {
			r.StaffID, ids, err = optUUID(v[11], ids)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
		prev = r
	}
	return out, rows.Err()
}

// optUUID reads an optional binary uuid into ids (which it appends to, so
// that a page's ids share a few backing arrays): nil for NULL.
func optUUID(b []byte, ids []uuid.UUID) (*uuid.UUID, []uuid.UUID, error) {
	switch len(b) {
	case 0:
		if b == nil {
			return nil, ids, nil
		}
	case 16:
		ids = append(ids, uuid.UUID(b))
		return &ids[len(ids)-1], ids, nil
	}
	return nil, ids, errors.New("models: access log: malformed uuid")
}

// sameText is b as a string: prev itself when they are equal (the
// comparison copies nothing).
func sameText(prev string, b []byte) string {
	if string(b) == prev {
		return prev
	}
	return string(b)
}

func (l *AccessLog) rows(ctx context.Context, q Querier, f AccessFilter, limit int) ([]AccessRow, error) {
	cond, args := f.where(l.vault)
	rows, err := q.Query(ctx, accessRowSQL+cond+f.order()+fmt.Sprintf(" LIMIT %d", limit), args...)
	if err != nil {
		return nil, err
	}
	return collectAccessRows(rows, min(limit, 1000))
}

// planOnce says whether f's page has one plan whatever its values, so that
// PostgreSQL may run the statement's generic plan rather than plan it again
// on every page. It plans every page of the log otherwise: the custom plan
// of one member's first page is estimated at a twentieth of the generic
// one's cost (it knows how many events the member has), so it is always
// preferred, and planning it (0.3-0.6 ms) cost more than running it
// (0.15-0.2 ms on a million events). That page, unnarrowed or narrowed to
// views, is read through access_events_staff for any member: views have no
// index of their own (access_events_action leaves them out), so no value
// could make another plan better. Other narrowings keep their custom plans,
// which pick an index by the value (a rare action read through
// access_events_staff on its generic plan took 370 ms).
func (f AccessFilter) planOnce() bool {
	return f.StaffID != nil && f.Before == 0 && (f.Action == "" || f.Action == ActionView) &&
		f.Role == "" && f.Purpose == "" && f.Outcome == "" && f.Email == "" && f.From.IsZero() && f.To.IsZero()
}

// genericPlanSQL makes the statements after it in the same batch (one
// implicit transaction, until its Sync) run on their generic plans
// (genericPlanSetting: a column any such statement may add).
const (
	genericPlanSetting = "set_config('plan_cache_mode', 'force_generic_plan', true)"
	genericPlanSQL     = "SELECT " + genericPlanSetting
)

// checkedGenericPlanSQL is the session's check (sessionCheckSQL) and
// genericPlanSQL's setting in one statement: one statement fewer to start
// and answer per page. The check stays a sub-select of its own, run once:
// PostgreSQL neither pulls up nor drops a sub-select whose columns call
// volatile functions, so it raises PS401 as it does on its own.
const checkedGenericPlanSQL = genericPlanSQL + " FROM (" + sessionCheckSQL + ") AS checked"

// reviewRows is rows for the review's pages, read in one round trip with
// what must come before them in the same implicit transaction (one batch,
// one Sync): the session's check, when a's session came from a copy
// (SessionCheck), and, when the page has one plan whatever its values
// (planOnce), the setting that lets PostgreSQL reuse that plan. checked is
// called once the session is known to hold (at once when there is nothing
// to check), before the rows are read: it starts the page's own event, which
// a session that no longer holds must not leave behind (ErrSessionEnded,
// and checked is not called).
func (l *AccessLog) reviewRows(ctx context.Context, a Actor, f AccessFilter, limit int, checked func()) ([]AccessRow, error) {
	sql, args := f.reviewSQL(l.vault, limit)
	if a.Session == nil && !f.planOnce() {
		checked()
		rows, err := l.db.Pool.Query(ctx, sql, args...)
		if err != nil {
			return nil, err
		}
		return collectReviewRows(rows, min(limit, 1000), f.StaffID)
	}
	var b pgx.Batch
	plan := f.planOnce()
	if a.Session != nil {
		check := sessionCheckSQL
		if plan {
			check, plan = checkedGenericPlanSQL, false // the check sets it
		}
		a.Session.queueAs(&b, check, a.Scope)
	}
	if plan {
		b.Queue(genericPlanSQL)
	}
	b.Queue(sql, args...)
	br := l.db.Pool.SendBatch(ctx, &b)
	defer br.Close()
	if a.Session != nil {
		// The check's answer comes before the rows': the event starts as
		// soon as it holds, while the rows are still on their way.
		if _, err := br.Exec(); err != nil {
			if sessionEnded(err) {
				return nil, ErrSessionEnded
			}
			return nil, err
		}
	}
	checked()
	if plan {
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	out, err := collectReviewRows(rows, min(limit, 1000), f.StaffID)
	if err != nil {
		return nil, err
	}
	return out, br.Close()
}

// Review is one page of the log, newest first, keyset-paginated on the id
// (an index per filter column ends in id, so a page costs the same on a
// million rows as on a hundred). Its rows carry what the page shows: not
// the user agent, the request id or the account changed (Export has them).
// Reading the log is itself logged: the page is returned only once its log
// row is committed. When a's session came from a copy, it is checked in
// the page's own read (ErrSessionEnded: nothing read, nothing logged).
func (l *AccessLog) Review(ctx context.Context, a Actor, f AccessFilter) (AccessPage, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	// The page is read on its own (a read-only statement: no WAL flush)
	// while its log row is appended with others (appendAccess): the row
	// does not depend on what the page holds, so the page's read need not
	// wait for the shared commit, nor the commit for the read. The row is
	// appended once the session is known to hold, and the page is returned
	// only once that row is committed (no log, no data); a read that fails
	// after its row is logged leaves a logged attempt, as a denial does.
	event := a.event(ActionReadLog, f.Purpose)
	var logged chan error
	start := func() {
		logged = make(chan error, 1)
		go func() { logged <- l.db.appendAccess(ctx, event) }()
	}
	var page AccessPage
	var err error
	page.Rows, err = l.reviewRows(ctx, a, f, f.Limit+1, start)
	if logged != nil {
		if err := <-logged; err != nil {
			return AccessPage{}, err
		}
	}
	if errors.Is(err, ErrSessionEnded) {
		return AccessPage{}, err
	}
	if err != nil {
		return AccessPage{}, fmt.Errorf("models: access log: %w", err)
	}
	if len(page.Rows) > f.Limit {
		page.Rows = page.Rows[:f.Limit]
		page.Next = page.Rows[len(page.Rows)-1].ID
	}
	return page, nil
}

// Export returns up to limit events matching f, logged as an export of the
// log (under the filter's purpose, the only one the export concerns).
func (l *AccessLog) Export(ctx context.Context, a Actor, f AccessFilter, limit int) ([]AccessRow, error) {
	var rows []AccessRow
	err := l.db.Tx(ctx, func(q Querier) error {
		var err error
		if rows, err = l.rows(ctx, q, f, limit); err != nil {
			return fmt.Errorf("models: access log export: %w", err)
		}
		return logAccess(ctx, q, a.event(ActionExport, f.Purpose))
	})
	return rows, err
}

// Anomaly is a pattern the DPO should look at (CNIL: logs are analysed, with
// alerts on abnormal behaviour).
type Anomaly struct {
	Kind      string // bulk_views, out_of_hours, denied, restricted_reads
	StaffID   *uuid.UUID
	StaffName string
	Period    time.Time // the hour or day concerned
	Count     int64
}

// Anomaly kinds.
const (
	AnomalyBulkViews       = "bulk_views"
	AnomalyOutOfHours      = "out_of_hours"
	AnomalyDenied          = "denied"
	AnomalyRestrictedReads = "restricted_reads"
)

// AnomalyRules are the thresholds of the anomalies panel.
type AnomalyRules struct {
	Since         time.Time
	ViewsPerHour  int    // more views than this in one hour is flagged
	WorkStartHour int    // local hour the working day starts (7)
	WorkEndHour   int    // local hour it ends (20)
	TimeZone      string // the company's, "Europe/Paris"
}

// DefaultAnomalyRules looks at the last seven days.
func DefaultAnomalyRules(now time.Time) AnomalyRules {
	return AnomalyRules{Since: now.Add(-7 * 24 * time.Hour), ViewsPerHour: 50, WorkStartHour: 7, WorkEndHour: 20, TimeZone: "Europe/Paris"}
}

// dataActions are the accesses to personal data.
var dataActions = []string{ActionView, ActionDownload, ActionExport, ActionList, ActionUpdate, ActionErase, ActionTransfer}

// Anomalies runs the panel's four checks over the rules' window.
func (l *AccessLog) Anomalies(ctx context.Context, r AnomalyRules) ([]Anomaly, error) {
	const sel = "SELECT $1::text AS kind, e.staff_id, coalesce(max(s.name), '') AS staff_name, "
	queries := []struct {
		sql  string
		args []any
	}{
		{sel + `date_trunc('hour', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= $2 AND e.action IN ('view', 'download') AND e.outcome = 'ok'
			GROUP BY e.staff_id, 4 HAVING count(*) > $3`, []any{AnomalyBulkViews, r.Since, r.ViewsPerHour}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= $2 AND e.action = ANY($3) AND e.staff_id IS NOT NULL
			  AND (extract(hour FROM e.at AT TIME ZONE $4) < $5 OR extract(hour FROM e.at AT TIME ZONE $6) >= $7)
			GROUP BY e.staff_id, 4`, []any{AnomalyOutOfHours, r.Since, dataActions, r.TimeZone, r.WorkStartHour, r.TimeZone, r.WorkEndHour}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= $2 AND e.outcome = 'denied'
			GROUP BY e.staff_id, 4`, []any{AnomalyDenied, r.Since}},
		{sel + `date_trunc('day', e.at) AS period, count(*) AS count
			FROM access_events e LEFT JOIN staff s ON s.id = e.staff_id
			WHERE e.at >= $2 AND e.restricted AND e.action IN ('view', 'download', 'export')
			GROUP BY e.staff_id, 4`, []any{AnomalyRestrictedReads, r.Since}},
	}
	var out []Anomaly
	for _, q := range queries {
		rows, err := l.db.Pool.Query(ctx, q.sql+" ORDER BY 4 DESC LIMIT 20", q.args...)
		if err == nil {
			var got []Anomaly
			got, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Anomaly])
			out = append(out, got...)
		}
		if err != nil {
			return nil, fmt.Errorf("models: anomalies: %w", err)
		}
	}
	return out, nil
}

// DayCount is the number of accesses one role made on one day.
type DayCount struct {
	Day   time.Time
	Role  string
	Count int64
}

// AccessesPerDay counts the accesses per day and role since a moment (the
// DPO's chart), in the company's time zone.
func (l *AccessLog) AccessesPerDay(ctx context.Context, since time.Time, tz string) ([]DayCount, error) {
	rows, err := l.db.Pool.Query(ctx, `SELECT date_trunc('day', at AT TIME ZONE $1) AS day, role, count(*) AS count
		FROM access_events WHERE at >= $2 AND role <> '' GROUP BY 1, 2 ORDER BY 1, 2`, tz, since)
	var out []DayCount
	if err == nil {
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DayCount])
	}
	if err != nil {
		return nil, fmt.Errorf("models: accesses per day: %w", err)
	}
	return out, nil
}

// AccessLogRetention is how long access events are kept: the CNIL
// recommends six months to a year for access logs; we keep a year.
const AccessLogRetention = 365 * 24 * time.Hour

// genesis is the previous hash of the first row of a chain.
var genesis = make([]byte, sha256.Size)

// ChainReport is the outcome of a verification.
type ChainReport struct {
	Checked int64  // rows whose links were checked
	OK      bool   // every link holds
	Chain   int16  // where the first broken link is, when !OK
	ID      int64  // id of the first row whose link is broken
	Reason  string // what does not match
}

func (r ChainReport) String() string {
	if r.OK {
		return fmt.Sprintf("access log intact: %d events checked", r.Checked)
	}
	return fmt.Sprintf("access log BROKEN at chain %d, event %d: %s (%d events checked before)", r.Chain, r.ID, r.Reason, r.Checked)
}

type checkpoint struct {
	upto    int64
	hash    []byte
	chained bool // a head whose signature covers its predecessor's
}

// checkpointMAC signs a checkpoint so a forged one (placed to hide a
// rewritten chain) is refused.
func checkpointMAC(key []byte, chain int16, upto int64, hash []byte, pruned int64) []byte {
	m := hmac.New(sha256.New, key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(chain))
	m.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(upto))
	m.Write(b[:])
	m.Write(hash)
	binary.BigEndian.PutUint64(b[:], uint64(pruned))
	m.Write(b[:])
	return m.Sum(nil)
}

func (l *AccessLog) latestCheckpoints(ctx context.Context) (map[int16]checkpoint, *ChainReport, error) {
	key := l.key
	rows, err := l.db.Pool.Query(ctx, `SELECT DISTINCT ON (chain) chain, upto_id, hash, pruned, signature
		FROM access_checkpoints ORDER BY chain, upto_id DESC`)
	if err != nil {
		return nil, nil, fmt.Errorf("models: checkpoints: %w", err)
	}
	defer rows.Close()
	cps := map[int16]checkpoint{}
	for rows.Next() {
		var c int16
		var cp checkpoint
		var pruned int64
		var sig []byte
		if err := rows.Scan(&c, &cp.upto, &cp.hash, &pruned, &sig); err != nil {
			return nil, nil, fmt.Errorf("models: checkpoints: %w", err)
		}
		if !hmac.Equal(sig, checkpointMAC(key, c, cp.upto, cp.hash, pruned)) {
			return nil, &ChainReport{Chain: c, ID: cp.upto, Reason: "checkpoint signature does not match"}, nil
		}
		cps[c] = cp
	}
	return cps, nil, rows.Err()
}

// Verify walks every chain in id order and names the first broken
// link: a row whose content no longer matches its digest (UPDATE), whose
// previous hash is not the hash of the row before it (DELETE, reordering,
// insertion), or whose hash is not sha256(prev || digest). Every signed head
// must carry a valid signature chained to the previous head's, and (unless
// pruned) be found on its chain, unchanged. tail > 0 checks only the newest tail rows of each
// chain (the DPO page's quick status); 0 checks everything.
func (l *AccessLog) Verify(ctx context.Context, tail int) (ChainReport, error) {
	cps, bad, err := l.latestCheckpoints(ctx)
	if err != nil || bad != nil {
		if bad != nil {
			return *bad, nil
		}
		return ChainReport{}, err
	}
	heads, bad, err := l.signedHeads(ctx)
	if err != nil || bad != nil {
		if bad != nil {
			return *bad, nil
		}
		return ChainReport{}, err
	}
	var rep ChainReport
	for c := int16(0); c < Chains; c++ {
		prev, from := genesis, int64(0)
		if cp, ok := cps[c]; ok {
			prev, from = cp.hash, cp.upto
		}
		q := `SELECT id, at, staff_id, role, action, purpose, record_id, subject_id, ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id, coalesce(request_id, '')
			FROM access_events WHERE chain = $1 AND id > $2 ORDER BY id`
		args := []any{c, from}
		if tail > 0 {
			q = `SELECT * FROM (SELECT id, at, staff_id, role, action, purpose, record_id, subject_id, ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id, coalesce(request_id, '')
				FROM access_events WHERE chain = $1 AND id > $2 ORDER BY id DESC LIMIT $3) t ORDER BY id`
			args = append(args, tail)
			prev = nil // the first row of the tail links to a row we do not read
		}
		// Every signed head past the last pruning must still be on the chain,
		// unchanged (not in tail mode, which reads too little to know).
		var want []checkpoint
		if tail == 0 {
			for _, h := range heads[c] {
				if h.upto > from {
					want = append(want, h)
				}
			}
		}
		var cover int64 // the newest event a signed head vouches for
		if n := len(heads[c]); n > 0 {
			cover = heads[c][n-1].upto
		}
		if tail > 0 || l.signedBefore.IsZero() {
			cover = -1 // no coverage check
		}
		broken, err := l.verifyChain(ctx, c, q, args, prev, want, cover, &rep.Checked)
		if err != nil {
			return ChainReport{}, err
		}
		if broken != nil {
			broken.Checked = rep.Checked
			return *broken, nil
		}
	}
	rep.OK = true
	return rep, nil
}

func (l *AccessLog) verifyChain(ctx context.Context, c int16, q string, args []any, prev []byte, heads []checkpoint, cover int64, checked *int64) (*ChainReport, error) {
	rows, err := l.db.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("models: verify: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := AccessEvent{Chain: c}
		if err := rows.Scan(&e.ID, &e.At, &e.StaffID, &e.Role, &e.Action, &e.Purpose, &e.RecordID, &e.SubjectID,
			&e.IP, &e.UserAgent, &e.Outcome, &e.Restricted, &e.Digest, &e.PrevHash, &e.Hash, &e.TargetStaffID, &e.RequestID); err != nil {
			return nil, fmt.Errorf("models: verify: %w", err)
		}
		e.At = e.At.UTC()
		broken := func(reason string) *ChainReport { return &ChainReport{Chain: c, ID: e.ID, Reason: reason} }
		if !bytes.Equal(e.digest(), e.Digest) {
			return broken("content changed since it was logged"), nil
		}
		if prev != nil && !bytes.Equal(e.PrevHash, prev) {
			return broken("previous hash does not match the row before it (a row was deleted, inserted or moved)"), nil
		}
		sum := sha256.Sum256(append(append([]byte{}, e.PrevHash...), e.Digest...))
		if !bytes.Equal(sum[:], e.Hash) {
			return broken("hash does not match its content"), nil
		}
		if cover >= 0 && e.ID > cover && e.At.Before(l.signedBefore) {
			return broken("logged before " + l.signedBefore.UTC().Format(time.RFC3339) +
				" but under no signed head (signed heads were deleted, or the signing job is not running)"), nil
		}
		for len(heads) > 0 && heads[0].upto < e.ID { // the head's event is gone
			return &ChainReport{Chain: c, ID: heads[0].upto, Reason: "signed head missing: events were deleted"}, nil
		}
		if len(heads) > 0 && e.ID == heads[0].upto {
			if !bytes.Equal(e.Hash, heads[0].hash) {
				return broken("differs from the chain's signed head (the chain was rewritten)"), nil
			}
			heads = heads[1:] // found
		}
		prev = e.Hash
		*checked++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(heads) > 0 {
		return &ChainReport{Chain: c, ID: heads[0].upto, Reason: "signed head missing: events were deleted"}, nil
	}
	return nil, nil
}

// PruneAccessLog deletes the events older than cutoff, chain by chain, and
// leaves a signed checkpoint holding the hash of the last deleted row, so the
// remaining rows still verify. It runs as the owner (the application cannot
// delete from the log).
func (l *AccessLog) Prune(ctx context.Context, ownerPool *pgxpool.Pool, cutoff time.Time) (int64, error) {
	key := l.key
	var total int64
	err := pgx.BeginFunc(ctx, ownerPool, func(tx pgx.Tx) error {
		for c := int16(0); c < Chains; c++ {
			// Block appends to this chain while it is cut (an append holds
			// its chain's head row until it commits).
			if _, err := tx.Exec(ctx, "SELECT 1 FROM access_chain_heads WHERE chain = $1 FOR UPDATE", c); err != nil {
				return err
			}
			var upto int64
			var hash []byte
			err := tx.QueryRow(ctx, `SELECT id, hash FROM access_events WHERE chain = $1 AND at < $2
				ORDER BY id DESC LIMIT 1`, c, cutoff).Scan(&upto, &hash)
			if err == pgx.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, "DELETE FROM access_events WHERE chain = $1 AND id <= $2", c, upto)
			if err != nil {
				return err
			}
			n := tag.RowsAffected()
			if _, err := tx.Exec(ctx, `INSERT INTO access_checkpoints (chain, upto_id, hash, pruned, signature)
				VALUES ($1, $2, $3, $4, $5)`, c, upto, hash, n, checkpointMAC(key, c, upto, hash, n)); err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("models: prune access log: %w", err)
	}
	return total, nil
}

// headMarker stands in checkpointMAC's "pruned" slot for a signed head, so a
// head's signature can never pass for a pruning checkpoint's, or back.
const headMarker = -1

// SignHeads records a signed copy of each chain's newest link (a River job
// runs it every minute). Each head's signature also covers the previous
// head's signature, so the heads form a chain of their own: deleting one (to
// hide a rewrite of the events below it) breaks the next. It returns how many
// heads it signed.
func (l *AccessLog) SignHeads(ctx context.Context) (int, error) {
	n := 0
	for c := int16(0); c < Chains; c++ {
		err := l.db.Tx(ctx, func(q Querier) error {
			// One signer per chain at a time, so two heads never claim the same predecessor.
			if _, err := q.Exec(ctx, "SELECT pg_advisory_xact_lock(728, $1)", c); err != nil {
				return err
			}
			var upto int64
			var hash []byte
			err := q.QueryRow(ctx, `SELECT id, hash FROM access_events WHERE chain = $1 ORDER BY id DESC LIMIT 1`, c).
				Scan(&upto, &hash)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			var lastUpto int64
			var prevSig []byte
			err = q.QueryRow(ctx, `SELECT upto_id, signature FROM access_heads WHERE chain = $1 ORDER BY upto_id DESC, id DESC LIMIT 1`, c).
				Scan(&lastUpto, &prevSig)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if prevSig != nil && lastUpto >= upto {
				return nil // nothing new on this chain
			}
			if _, err := q.Exec(ctx, `INSERT INTO access_heads (chain, upto_id, hash, signature, prev_signature)
				VALUES ($1, $2, $3, $4, $5)`, c, upto, hash, headMAC(l.key, c, upto, hash, prevSig), prevSig); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("models: sign heads: %w", err)
		}
	}
	return n, nil
}

// headMAC signs a head and the signature of the head before it (none for a
// chain's first head, or for heads signed before heads were chained, whose
// MAC is then checkpointMAC's).
func headMAC(key []byte, chain int16, upto int64, hash, prevSig []byte) []byte {
	if prevSig == nil {
		return checkpointMAC(key, chain, upto, hash, headMarker)
	}
	m := hmac.New(sha256.New, key)
	m.Write(checkpointMAC(key, chain, upto, hash, headMarker))
	m.Write(prevSig)
	return m.Sum(nil)
}

// signedHeads reads every signed head, chain by chain in order, and checks
// each signature and its link to the head before it.
func (l *AccessLog) signedHeads(ctx context.Context) (map[int16][]checkpoint, *ChainReport, error) {
	rows, err := l.db.Pool.Query(ctx, `SELECT chain, upto_id, hash, signature, prev_signature
		FROM access_heads ORDER BY chain, upto_id, id`)
	if err != nil {
		return nil, nil, fmt.Errorf("models: heads: %w", err)
	}
	defer rows.Close()
	heads := map[int16][]checkpoint{}
	last := map[int16][]byte{} // signature of each chain's previous head
	for rows.Next() {
		var c int16
		var h checkpoint
		var sig, prevSig []byte
		if err := rows.Scan(&c, &h.upto, &h.hash, &sig, &prevSig); err != nil {
			return nil, nil, fmt.Errorf("models: heads: %w", err)
		}
		if !hmac.Equal(sig, headMAC(l.key, c, h.upto, h.hash, prevSig)) {
			return nil, &ChainReport{Chain: c, ID: h.upto, Reason: "signed head's signature does not match"}, nil
		}
		// A head signed before heads were chained has no predecessor; after
		// the first chained head, every head must name the one before it.
		prev, hasPrev := last[c]
		if (prevSig != nil && (!hasPrev || !bytes.Equal(prevSig, prev))) || (prevSig == nil && chained(heads[c])) {
			return nil, &ChainReport{Chain: c, ID: h.upto, Reason: "signed head does not follow the previous one (a head was deleted)"}, nil
		}
		if prevSig != nil {
			h.chained = true
		}
		last[c] = sig
		heads[c] = append(heads[c], h)
	}
	return heads, nil, rows.Err()
}

func chained(hs []checkpoint) bool { return len(hs) > 0 && hs[len(hs)-1].chained }

// CheckpointKeyName names the derived key (vault.Secrets) that signs the
// access log's pruning checkpoints and chain heads.
const CheckpointKeyName = "access-log-checkpoint"
