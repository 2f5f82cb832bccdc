package models

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// Email is one message for the outbox. Its fields are personal data: the
// outbox stores them encrypted.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Unsubscribe is the signed one-click unsubscribe URL (RFC 8058) of a
	// marketing email: sent as List-Unsubscribe with List-Unsubscribe-Post.
	// Empty for the emails a person's own request calls for.
	Unsubscribe string `json:"unsubscribe,omitempty"`
	// Lang is the language the email is written in ("fr", "en"), for the
	// lang of its HTML alternative. Empty: French.
	Lang string `json:"lang,omitempty"`
}

// ConsentChoice is one consent box as it was shown and answered.
type ConsentChoice struct {
	Kind    string
	Label   string // the exact wording shown; its hash goes to the ledger
	Granted bool
}

// FormSubmission is one validated public form, ready to be stored.
type FormSubmission struct {
	ID            uuid.UUID // the record's id, chosen by the caller so a confirmation link can name it
	Purpose       *policy.Purpose
	PolicyVersion string
	Fields        Fields
	Email, Phone  string // normalised identifiers (may be empty): the subject's blind indexes
	Consents      []ConsentChoice
	Files         []policy.Upload
	Receipt       *Email // queued in the same transaction
	Now           time.Time
	// Lang is the language of the pages the person used ("fr", "en"): later
	// emails about the record are written in it. Empty: French.
	Lang string
}

// langOf is a language as stored: "en" or, for anything else, "fr".
func langOf(l string) string {
	if l == "en" {
		return "en"
	}
	return "fr"
}

// FormStore stores public form submissions.
type FormStore struct {
	db     *DB
	vault  *vault.Vault
	writer *groupCommit[*preparedSubmission]
}

// NewFormStore returns the store of form submissions.
func NewFormStore(db *DB, v *vault.Vault) *FormStore {
	s := &FormStore{db: db, vault: v}
	// Submissions arriving together share a transaction (see groupCommit).
	// make bench, POST /contact at 16 connections: one commit per request
	// 5.3k/s (0.18x of pgbench's single-row inserts); grouped, 5.9-6.5k/s
	// (0.30-0.33x), with one writer or two alike: one, as for the ledger.
	// Measured again on a loaded machine (load 4.4): one writer 0.30x, two
	// 0.17x; halving the batches doubles what each commit pays once (the
	// statement's start, the ledger's trigger, the commit) on the same
	// cores.
	// Also measured, alternating with one writer in one run (load 5-7): the
	// next batch executing while the previous waits for its commit (BEGIN
	// and the statements in one round trip, COMMIT in a second) gave
	// 0.25x/0.28x against 0.22x/0.28x, and 0.24x/0.18x with batches capped
	// at 8. The commit is the smaller part of a batch (about 2 ms of 5-7):
	// the statement is, and 16 posts come back together after each commit,
	// so the next batch has nothing to take. Without HTTP at all
	// (BenchmarkFormSubmit) the store stores 1.6-1.7k posts/s against
	// pgbench's 4.7-5.3k single-row inserts in the same minute: about 27
	// tuples (7 rows, about 20 index entries) and 34 WAL records per post.
	// Migration 00028 (one index entry fewer on records, none on subjects
	// for a person without a phone, the ledger trigger's objections looked
	// up per row): the statement, its trigger included, 267-335 µs of
	// PostgreSQL per post against 347-469 µs, the trigger 68-79 against
	// 102-157, WAL records 30.2 against 32.2 (pg_stat_statements, the store
	// alone, alternating runs); make bench 0.29-0.35x against 0.21-0.29x in
	// the same lock (load 2.5-3.7). Still about 18 index entries and 7 rows
	// per post: 0.5x needs fewer rows (the receipt's outbox row) or fewer
	// indexes on consent_state, each with its readers changed.
	// No ON CONFLICT in the batch (submitSQL): WAL records 28.3 per post
	// against 30.1 (no speculative-insert confirmation for the subject and
	// the record). A batch of 8 now spends about 2.1 ms in its statement
	// and as long again in its commit and round trips (make bench, 1,117
	// batches in 5 s), so that halving PostgreSQL's work per post alone
	// would not reach 0.5x: the batch's fixed costs weigh as much.
	// Measured (store alone, batches of a fixed size written one after
	// another, the backend's CPU): about 0.85 ms per batch whatever its
	// size (the statement's start, the ledger's trigger, the commit) and
	// about 200 µs per post, so a post costs 1 ms alone, 300-400 µs in a
	// batch of 8, 200-230 µs in one of 64. Tried again: the next batch's
	// statement running while the previous one commits (BEGIN with the
	// statements, COMMIT on its own, one statement at a time), staged at
	// once or only once 8 posts waited: make bench's idle time fell from
	// 22% to 18% but PostgreSQL's CPU per post rose from about 470 to 560
	// µs (two statements more per batch, smaller batches), 1,341 posts/s
	// against 1,397 in the same lock.
	s.writer = &groupCommit[*preparedSubmission]{write: s.write, maxFlushers: 1, maxBatch: 64}
	return s
}

// WordingHash is the hash of the exact label of a consent box: the ledger
// proves what the person agreed to (art. 7(1)) without copying the text.
func WordingHash(label string) []byte {
	h := sha256.Sum256([]byte(label))
	return h[:]
}

// submitSQL stores a batch of submissions in one statement (one round trip,
// one plan, one executor for the whole batch): per submission, the subject
// found or created by blind index, the record flagged when the person is on
// the objection list, one consent row per box shown (ticked or not; $13-$16
// flattened, $13 naming the submission's ordinal), and the receipt in the
// outbox. It is idempotent on the record id, which the caller derives from
// the form's idempotency key: a post retried after a lost answer (or one
// whose caller gave up while it was written) stores nothing more and
// answers as the first did. It answers one row per submission: its record
// id and whether the person objected (NULL: not stored, an error).
//
// It inserts plainly what its snapshot does not hold (no ON CONFLICT: no
// speculative insertion, no confirmation record in the WAL, and no new
// version of a known person's subject row when nothing about it changes).
// What it cannot take fails the whole batch, and each submission is then
// written alone by submitAloneSQL, which resolves conflicts row by row: two
// submissions of one batch with the same new email, or a person or a
// retried post that another transaction stores at the same moment.
const submitSQL = submitKnownSQL + `, phone AS (
  UPDATE subjects x SET phone_index = (SELECT i.phone FROM input i WHERE i.known = x.id AND i.phone IS NOT NULL ORDER BY i.n LIMIT 1)
   WHERE x.id = ANY (ARRAY(SELECT known FROM input WHERE known IS NOT NULL AND phone IS NOT NULL)) AND x.phone_index IS NULL
)` + submitNewRecordsSQL

// submitNoPhoneSQL is submitSQL for a batch in which no one gave a phone
// (every contact form): without the phone update, whose plan (an UPDATE of
// subjects, its indexes opened, an init plan and a sort) PostgreSQL would
// set up for each batch to change nothing.
const submitNoPhoneSQL = submitKnownSQL + submitNewRecordsSQL

const submitKnownSQL = `WITH input AS (
  SELECT t.*, (SELECT x.id FROM subjects x WHERE x.email_index = t.email) AS known
    FROM ` + submitUnnestSQL + `
), s AS (
  INSERT INTO subjects (id, email_index, phone_index) SELECT sid, email, phone FROM input WHERE known IS NULL ORDER BY n
)`

const submitNewRecordsSQL = `, r AS (` + submitRecordSQL + `
    FROM input i, coalesce(i.known, i.sid) AS s(id)
   WHERE (SELECT true FROM records old WHERE old.id = i.rid) IS NULL -- a probe of the key, as ON CONFLICT's, whatever the statistics
  RETURNING id, subject_id, objected
)` + submitTailSQL

// submitAloneSQL is submitSQL resolving each conflict as it meets it, for
// one submission whose batch failed: the subject found by its email (its
// phone kept, or added when it had none), the record stored only if its id
// is new.
const submitAloneSQL = submitInputSQL + `, s AS (
  INSERT INTO subjects (id, email_index, phone_index) SELECT sid, email, phone FROM input ORDER BY n
  ON CONFLICT (email_index) DO UPDATE SET phone_index = coalesce(subjects.phone_index, excluded.phone_index)
  RETURNING id, email_index
), r AS (` + submitRecordSQL + `
    FROM input i JOIN s ON s.email_index = i.email
  ON CONFLICT (id) DO NOTHING
  RETURNING id, subject_id, objected
)` + submitTailSQL

const submitInputSQL = `WITH input AS (
  SELECT * FROM ` + submitUnnestSQL + `
)`

const submitUnnestSQL = `unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::bytea[],
                       $8::timestamptz[], $9::timestamptz[], $10::text[], $11::uuid[], $12::bytea[], $17::text[])
    WITH ORDINALITY AS t(rid, sid, email, phone, purpose, status, fields, at, expires, ver, outbox_id, msg, lang, n)`

const submitRecordSQL = `
  INSERT INTO records (id, purpose, subject_id, status, fields, objected, created_at, last_contact_at, expires_at, lang)
  SELECT i.rid, i.purpose, s.id, i.status, i.fields,
         -- Two probes of one index each: an OR of the two would be a bitmap
         -- of both indexes built for every post, and a NULL phone (most
         -- forms) matches nothing without reading the index.
         EXISTS (SELECT 1 FROM suppressions x WHERE x.email_index = i.email AND x.channel = 'all')
           OR EXISTS (SELECT 1 FROM suppressions x WHERE x.phone_index = i.phone AND x.channel = 'all'),
         i.at, i.at, i.expires, i.lang`

const submitTailSQL = `, c AS (
  INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
  SELECT r.subject_id, r.id, i.purpose, k.kind, k.granted, 'form', i.ver, k.hash, i.at
    FROM unnest($13::bigint[], $14::text[], $15::boolean[], $16::bytea[]) AS k(n, kind, granted, hash)
    JOIN input i ON i.n = k.n JOIN r ON r.id = i.rid
), o AS (
  INSERT INTO outbox (id, kind, message, created_at, send_after)
  SELECT i.outbox_id, 'receipt', i.msg, i.at, i.at FROM input i JOIN r ON r.id = i.rid WHERE i.msg IS NOT NULL
)
SELECT i.rid, coalesce(r.objected, -- else a retry of a post already stored: the same answer (read only then)
                       (SELECT old.objected FROM records old WHERE old.id = i.rid))
  FROM input i LEFT JOIN r ON r.id = i.rid`

// preparedSubmission is a submission encrypted and indexed, its SQL
// arguments ready; objected is filled in by the commit that stores it.
type preparedSubmission struct {
	purpose      string
	id, subject  uuid.UUID
	email, phone []byte
	status       string
	fields       []byte
	at, expires  time.Time
	version      string
	lang         string // the language of the pages the person used
	outboxID     uuid.UUID
	receipt      []byte // nil: no receipt
	kinds        []string
	granted      []bool
	hashes       [][]byte
	attachments  [][]any
	objected     bool
}

// Submit stores a submission in one transaction scoped to its purpose
// (row-level security admits nothing else). It reports whether the person
// is on the objection list, in which case the record is flagged so that no
// prospecting reaches them.
func (s *FormStore) Submit(ctx context.Context, in FormSubmission) (objected bool, err error) {
	p, err := s.prepare(in)
	if err != nil {
		return false, err
	}
	if err := s.writer.do(ctx, p); err != nil {
		return false, fmt.Errorf("models: submit %s: %w", in.Purpose.Key, err)
	}
	return p.objected, nil
}

// prepare does the CPU work (encryption, blind indexes) in the caller's
// goroutine, so the shared commit only talks to the database.
func (s *FormStore) prepare(in FormSubmission) (*preparedSubmission, error) {
	p := in.Purpose
	if in.Email == "" {
		// Every form identifies the person by email today; a form without
		// one would need a phone-only lookup (the phone index is not unique).
		return nil, fmt.Errorf("models: submit %s: no email to identify the subject", p.Key)
	}
	sealed, err := SealFields(s.vault, in.ID, in.Fields)
	if err != nil {
		return nil, err
	}
	emailIdx := s.vault.BlindIndex(vault.KindEmail, in.Email)
	var phoneIdx []byte
	if in.Phone != "" {
		phoneIdx = s.vault.BlindIndex(vault.KindPhone, in.Phone)
	}
	kinds := make([]string, len(in.Consents))
	granted := make([]bool, len(in.Consents))
	hashes := make([][]byte, len(in.Consents))
	for i, c := range in.Consents {
		kinds[i], granted[i], hashes[i] = c.Kind, c.Granted, WordingHash(c.Label)
	}
	// Time-ordered ids: each new subject and receipt lands at the right edge
	// of its primary key (no descent from the root, no page split in the
	// middle), as the ledger's serial ids do.
	outboxID := uuid.Must(uuid.NewV7())
	var msg []byte
	if in.Receipt != nil {
		if msg, err = sealEmail(s.vault, outboxID, *in.Receipt); err != nil {
			return nil, err
		}
	}
	now := in.Now.UTC()
	prep := &preparedSubmission{purpose: p.Key, id: in.ID, subject: uuid.Must(uuid.NewV7()), email: emailIdx, phone: phoneIdx,
		status: p.InitialStatus(), fields: sealed, at: now, expires: p.Retention.ExpiresAt(now), version: in.PolicyVersion,
		outboxID: outboxID, receipt: msg, kinds: kinds, granted: granted, hashes: hashes, lang: langOf(in.Lang)}
	for i, f := range in.Files {
		// The file's id follows from the record's, so a retried post
		// stores it once (ON CONFLICT below).
		args, err := attachmentArgs(s.vault, uuid.NewSHA1(in.ID, []byte(strconv.Itoa(i))), in.ID, p.Key, f, now)
		if err != nil {
			return nil, err
		}
		prep.attachments = append(prep.attachments, args)
	}
	return prep, nil
}

// write stores submissions with submitSQL (submitNoPhoneSQL when no one
// gave a phone). A batch that fails is written again one submission at a
// time (groupCommit); a single submission that fails is written by
// submitAloneSQL, which settles a conflict with a concurrent writer instead
// of failing on it.
func (s *FormStore) write(ctx context.Context, subs []*preparedSubmission) error {
	sql := submitNoPhoneSQL
	if slices.ContainsFunc(subs, func(p *preparedSubmission) bool { return p.phone != nil }) {
		sql = submitSQL
	}
	err := s.insert(ctx, sql, subs)
	if err != nil && len(subs) == 1 {
		err = s.insert(ctx, submitAloneSQL, subs)
	}
	return err
}

// insert stores submissions in one round trip: the scope and the statements
// travel as one pgx batch, which PostgreSQL runs as a single implicit
// transaction (one Sync), so set_config(…, true) scopes exactly these
// submissions and a failure anywhere stores none of them. The scope is the
// batch's purposes: each comes from the registry entry of the form posted,
// never from the client.
func (s *FormStore) insert(ctx context.Context, sql string, subs []*preparedSubmission) error {
	var purposes []string
	n := len(subs)
	ids, subjects, outboxIDs := make([]pgtype.UUID, n), make([]pgtype.UUID, n), make([]pgtype.UUID, n)
	emails, phones, fields, receipts := make([][]byte, n), make([][]byte, n), make([][]byte, n), make([][]byte, n)
	keys, statuses, versions, langs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ats, expires := make([]time.Time, n), make([]time.Time, n)
	var ordinals []int64
	var kinds []string
	var granted []bool
	var hashes [][]byte
	byID := make(map[uuid.UUID][]*preparedSubmission, n)
	for i, p := range subs {
		if !slices.Contains(purposes, p.purpose) {
			purposes = append(purposes, p.purpose)
		}
		ids[i], subjects[i], outboxIDs[i] = pgID(&p.id), pgID(&p.subject), pgID(&p.outboxID)
		emails[i], phones[i], fields[i], receipts[i] = p.email, p.phone, p.fields, p.receipt
		keys[i], statuses[i], versions[i], ats[i], expires[i] = p.purpose, p.status, p.version, p.at, p.expires
		langs[i] = p.lang
		for range p.kinds {
			ordinals = append(ordinals, int64(i+1))
		}
		kinds, granted, hashes = append(kinds, p.kinds...), append(granted, p.granted...), append(hashes, p.hashes...)
		byID[p.id] = append(byID[p.id], p)
	}
	b := &pgx.Batch{}
	// The generic plan, always: PostgreSQL would otherwise plan each small
	// batch afresh (a custom plan's row estimates look cheaper), about a
	// millisecond of planning per batch for a plan whose shape never changes.
	b.Queue(`SELECT set_config('portal.purposes', $1, true), set_config('portal.restricted', 'off', true), `+
		genericPlanSetting, strings.Join(purposes, ","))
	b.Queue(sql, ids, subjects, emails, phones, keys, statuses, fields, ats, expires, versions, outboxIDs, receipts,
		ordinals, kinds, granted, hashes, langs).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id pgtype.UUID
			var objected *bool
			if err := rows.Scan(&id, &objected); err != nil {
				return err
			}
			if objected == nil {
				return fmt.Errorf("models: submission %s not stored", uuid.UUID(id.Bytes))
			}
			for _, p := range byID[id.Bytes] {
				p.objected = *objected
			}
		}
		return rows.Err()
	})
	for _, p := range subs {
		for _, a := range p.attachments {
			b.Queue(insertAttachmentSQL, a...)
		}
	}
	return s.db.Pool.SendBatch(ctx, b).Close()
}

const insertAttachmentSQL = `INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`

// attachmentArgs encrypts an uploaded file under a random id. Its name is
// encrypted too: a file name often holds the person's name.
func attachmentArgs(v *vault.Vault, id, recordID uuid.UUID, purpose string, f policy.Upload, now time.Time) ([]any, error) {
	content, err := v.Encrypt(f.Data, AttachmentAAD(id, "content"))
	if err != nil {
		return nil, err
	}
	name, err := v.Encrypt([]byte(f.Name), AttachmentAAD(id, "filename"))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(content)
	return []any{id, recordID, purpose, name, f.MIME, len(f.Data), sum[:], content, now}, nil
}

// Attachment is an uploaded file, decrypted.
type Attachment struct {
	ID       uuid.UUID
	RecordID uuid.UUID
	Name     string
	MIME     string
	Data     []byte
}

// AttachmentsOf returns the decrypted attachments of a record, in the
// scope of its purpose.
func (s *FormStore) AttachmentsOf(ctx context.Context, purpose string, recordID uuid.UUID) ([]Attachment, error) {
	var out []Attachment
	err := s.db.InScope(ctx, Scope{Purposes: []string{purpose}}, func(tx *gorm.DB) error {
		rows, err := tx.Statement.ConnPool.QueryContext(ctx,
			`SELECT id, filename, mime, content FROM attachments WHERE record_id = $1 ORDER BY created_at`, recordID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Attachment
			var name, content []byte
			if err := rows.Scan(&a.ID, &name, &a.MIME, &content); err != nil {
				return err
			}
			n, err := s.vault.Decrypt(name, AttachmentAAD(a.ID, "filename"))
			if err != nil {
				return err
			}
			if a.Data, err = s.vault.Decrypt(content, AttachmentAAD(a.ID, "content")); err != nil {
				return err
			}
			a.Name, a.RecordID = string(n), recordID
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("models: attachments: %w", err)
	}
	return out, nil
}

// RecordFields returns the decrypted fields of a record and its status.
func (s *FormStore) RecordFields(ctx context.Context, purpose string, id uuid.UUID) (Fields, *Record, error) {
	var rec Record
	err := s.db.InScope(ctx, Scope{Purposes: []string{purpose}}, func(tx *gorm.DB) error {
		return tx.First(&rec, "id = ?", id).Error
	})
	if err != nil {
		return nil, nil, fmt.Errorf("models: record: %w", err)
	}
	f, err := OpenFields(s.vault, id, rec.Fields)
	return f, &rec, err
}
