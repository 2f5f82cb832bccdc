package models

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// RecordStore is the back-office's access to records and their files: every
// read or change runs in the staff member's row-level-security scope and is
// logged in the same transaction (no log, no data).
type RecordStore struct {
	db    *DB
	vault *vault.Vault
}

// NewRecordStore reads and writes db's records, sealed with v.
func NewRecordStore(db *DB, v *vault.Vault) *RecordStore { return &RecordStore{db: db, vault: v} }

// logged runs fn in the actor's row-level-security scope, then appends the
// event fn filled in, as the transaction's last statement: if the log write
// fails, the transaction rolls back and nothing read is shown.
func (s *RecordStore) logged(ctx context.Context, a Actor, ev *AccessEvent, fn func(q Querier) error) error {
	return s.db.Scoped(ctx, a.Scope, func(q Querier) error {
		if err := fn(q); err != nil {
			return err
		}
		return logAccess(ctx, q, *ev)
	})
}

// logDenied traces a miss (IDOR probing); if even that fails the miss stands.
func (s *RecordStore) logDenied(ctx context.Context, a Actor, purpose string, record *uuid.UUID) {
	e := a.event(ActionDenied, purpose)
	e.RecordID, e.Outcome = record, OutcomeDenied
	_ = s.db.appendAccess(ctx, e)
}

// RecordFilter narrows a purpose's list.
type RecordFilter struct {
	Status string
	From   time.Time // created at or after
	To     time.Time // created before
	Email  string    // exact search through the blind index
	After  string    // keyset cursor from the previous page
	Limit  int
}

// RecordSummary is one row of a list: masked values only.
type RecordSummary struct {
	ID         uuid.UUID
	Status     string
	CreatedAt  time.Time
	Restricted bool
	Masked     []string // the purpose's masked fields, in form order
}

// RecordPage is one page of a list and the cursor of the next.
type RecordPage struct {
	Items []RecordSummary
	Next  string
}

func encodeCursor(t time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(t.UnixMicro(), 10) + "_" + id.String()))
}

func decodeCursor(s string) (time.Time, uuid.UUID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, uuid.Nil, false
	}
	ts, idS, ok := strings.Cut(string(b), "_")
	us, err1 := strconv.ParseInt(ts, 10, 64)
	id, err2 := uuid.Parse(idS)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, false
	}
	return time.UnixMicro(us), id, true
}

// MaskedFields are the fields a list shows (masked), in form order.
func MaskedFields(p *policy.Purpose) []policy.Field {
	if p.Form == nil {
		return nil
	}
	var out []policy.Field
	for _, f := range p.Form.Fields {
		if f.Masked {
			out = append(out, f)
		}
	}
	return out
}

// List is one page of a purpose's records, newest first, with keyset
// pagination (stable and fast however deep), logged as a "list" access.
func (s *RecordStore) List(ctx context.Context, a Actor, p *policy.Purpose, f RecordFilter) (RecordPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var page RecordPage
	ev := a.event(ActionList, p.Key)
	err := s.logged(ctx, a, &ev, func(q Querier) error {
		var w where
		w.add("purpose = ?", p.Key)
		if f.Status != "" {
			w.add("status = ?", f.Status)
		}
		if !f.From.IsZero() {
			w.add("created_at >= ?", f.From)
		}
		if !f.To.IsZero() {
			w.add("created_at < ?", f.To)
		}
		if f.Email != "" {
			w.add("subject_id IN (SELECT id FROM subjects WHERE email_index = ?)", s.vault.BlindIndex(vault.KindEmail, f.Email))
		}
		if f.After != "" {
			if t, id, ok := decodeCursor(f.After); ok {
				w.add("(created_at, id) < (?, ?)", t, id)
			}
		}
		rows, err := q.Query(ctx, recordColumns+w.sql()+fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT %d", f.Limit+1), w.args...)
		if err != nil {
			return fmt.Errorf("models: list records: %w", err)
		}
		recs, err := pgx.CollectRows(rows, scanRecordRow)
		if err != nil {
			return fmt.Errorf("models: list records: %w", err)
		}
		if len(recs) > f.Limit {
			recs = recs[:f.Limit]
			last := recs[len(recs)-1]
			page.Next = encodeCursor(last.CreatedAt, last.ID)
		}
		masked := MaskedFields(p)
		for _, r := range recs {
			fields, err := OpenFields(s.vault, r.ID, r.Fields)
			if err != nil {
				return err
			}
			sum := RecordSummary{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, Restricted: r.Restricted}
			for _, mf := range masked {
				sum.Masked = append(sum.Masked, MaskField(mf, fields[mf.Name]))
			}
			page.Items = append(page.Items, sum)
		}
		return nil
	})
	return page, err
}

// AttachmentInfo describes a file without its content.
type AttachmentInfo struct {
	ID       uuid.UUID
	Filename string
	MIME     string
	Size     int64
}

// RecordDetail is everything about one record, decrypted.
type RecordDetail struct {
	Record      Record
	Fields      Fields
	Note        string
	Attachments []AttachmentInfo
	// Consents is where the record's person stands: the current consent
	// boxes and objections, read in the same transaction as the record
	// (empty for a record without a subject).
	Consents SubjectConsents
}

// recordColumns reads a whole record row (scanRecordRow's order).
const recordColumns = `SELECT id, purpose, subject_id, status, fields, note, restricted, objected,
	created_at, last_contact_at, expires_at FROM records`

func scanRecordRow(row pgx.CollectableRow) (Record, error) {
	var r Record
	err := scanRecord(row, &r)
	return r, err
}

func findRecord(ctx context.Context, q Querier, purpose string, id uuid.UUID) (Record, error) {
	var r Record
	err := scanRecord(q.QueryRow(ctx, recordSQL, id, purpose), &r)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("models: record: %w", err)
	}
	return r, nil
}

// AttachmentFile is a decrypted attachment ready to download.
type AttachmentFile struct {
	Filename string
	MIME     string
	Content  []byte
}

// Attachment decrypts one file of a record, logged as a "download".
func (s *RecordStore) Attachment(ctx context.Context, a Actor, purpose string, recordID, id uuid.UUID) (AttachmentFile, error) {
	var f AttachmentFile
	ev := a.event(ActionDownload, purpose)
	err := s.logged(ctx, a, &ev, func(q Querier) error {
		r, err := findRecord(ctx, q, purpose, recordID)
		if err != nil {
			return err
		}
		ev.RecordID, ev.SubjectID, ev.Restricted = &r.ID, r.SubjectID, r.Restricted
		var name, content []byte
		var mime string
		err = q.QueryRow(ctx, "SELECT filename, content, mime FROM attachments WHERE id = $1 AND record_id = $2", id, recordID).
			Scan(&name, &content, &mime)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("models: attachment: %w", err)
		}
		if name, err = s.vault.Decrypt(name, AttachmentAAD(id, "filename")); err != nil {
			return err
		}
		if content, err = s.vault.Decrypt(content, AttachmentAAD(id, "content")); err != nil {
			return err
		}
		f = AttachmentFile{Filename: string(name), MIME: mime, Content: content}
		return nil
	})
	return f, err
}

// RecordChange is what a staff member changes on a record.
type RecordChange struct {
	Status        string // "" keeps the status
	Note          *string
	MarkContacted bool // moves last_contact_at, from which retention counts
}

// ErrBadStatus is a status the purpose does not declare.
var ErrBadStatus = errors.New("models: unknown status for this purpose")

// MaxNoteLen bounds a staff note.
const MaxNoteLen = 2000

// ErrNoteTooLong is a note over MaxNoteLen characters.
var ErrNoteTooLong = fmt.Errorf("models: note longer than %d characters", MaxNoteLen)

// UpdateResult says what an update did.
type UpdateResult struct {
	Destroyed bool // the new status destroys the record (unsuccessful application)
}

// Update changes a record's status or note, or marks it contacted. A
// status the registry lists under destroy_on erases the record and its files
// at once, as the policy promises for unsuccessful applications.
func (s *RecordStore) Update(ctx context.Context, a Actor, p *policy.Purpose, id uuid.UUID, ch RecordChange) (UpdateResult, error) {
	var res UpdateResult
	if ch.Status != "" && !slices.Contains(p.Statuses, ch.Status) {
		return res, ErrBadStatus
	}
	if ch.Note != nil && len([]rune(*ch.Note)) > MaxNoteLen {
		return res, ErrNoteTooLong
	}
	ev := a.event(ActionUpdate, p.Key)
	err := s.logged(ctx, a, &ev, func(q Querier) error {
		r, err := findRecord(ctx, q, p.Key, id)
		if err != nil {
			return err
		}
		ev.RecordID, ev.SubjectID, ev.Restricted = &r.ID, r.SubjectID, r.Restricted
		if ch.Status != "" && slices.Contains(p.Retention.DestroyOn, ch.Status) {
			// attachments go with the record (ON DELETE CASCADE)
			if _, err := q.Exec(ctx, "DELETE FROM records WHERE id = $1", r.ID); err != nil {
				return fmt.Errorf("models: destroy record: %w", err)
			}
			ev.Action, res.Destroyed = ActionErase, true
			return nil
		}
		var set []string
		args := []any{r.ID}
		col := func(name string, v any) {
			args = append(args, v)
			set = append(set, name+" = $"+strconv.Itoa(len(args)))
		}
		if ch.Status != "" {
			col("status", ch.Status)
		}
		if ch.Note != nil {
			sealed, err := SealNote(s.vault, r.ID, strings.TrimSpace(*ch.Note))
			if err != nil {
				return err
			}
			col("note", sealed)
		}
		// A contact recorded by staff (an explicit "contacted", or a status
		// change) moves the last contact, from which retention counts; a
		// mere read never does.
		if ch.MarkContacted || (ch.Status != "" && ch.Status != r.Status) {
			col("last_contact_at", a.Now)
			if p.Retention.From == policy.FromLastContact || p.Retention.From == policy.FromEventEnd {
				col("expires_at", p.Retention.ExpiresAt(a.Now))
			}
			if ch.MarkContacted && ch.Status == "" && ch.Note == nil {
				ev.Action = ActionContacted
			}
		}
		if len(set) == 0 {
			return nil
		}
		if _, err := q.Exec(ctx, "UPDATE records SET "+strings.Join(set, ", ")+" WHERE id = $1", args...); err != nil {
			return fmt.Errorf("models: update record: %w", err)
		}
		return nil
	})
	return res, err
}

// ExportRow is one record in an export.
type ExportRow struct {
	ID        uuid.UUID
	Status    string
	CreatedAt time.Time
	Fields    Fields
}

// Export hands every record of a purpose visible to the actor to each, in
// order, as it is read: nothing is held in memory and there is no cap. The
// "export" event is written first in the same transaction, so no row leaves
// before its log row exists (and a failed log write sends nothing); the
// export ends with the transaction's commit, even when each stops it early. With excludeObjected, records of
// people who objected to prospecting are left out (art. 21(3): no more
// marketing to them).
func (s *RecordStore) Export(ctx context.Context, a Actor, purpose string, excludeObjected bool, each func(ExportRow) error) error {
	// An export the caller cuts short (a client gone) has already handed
	// rows over: its log row commits all the same.
	var stopped error
	err := s.db.Scoped(ctx, a.Scope, func(q Querier) error {
		if err := logAccess(ctx, q, a.event(ActionExport, purpose)); err != nil {
			return err
		}
		cond := ""
		if excludeObjected {
			cond = " AND NOT objected AND NOT " + objectedSQL("records.subject_id")
		}
		rows, err := q.Query(ctx, `SELECT id, status, created_at, fields FROM records WHERE purpose = $1`+cond+
			` ORDER BY created_at DESC, id DESC`, purpose)
		if err != nil {
			return fmt.Errorf("models: export: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r ExportRow
			var sealed []byte
			if err := rows.Scan(&r.ID, &r.Status, &r.CreatedAt, &sealed); err != nil {
				return fmt.Errorf("models: export: %w", err)
			}
			if r.Fields, err = OpenFields(s.vault, r.ID, sealed); err != nil {
				return err
			}
			if stopped = each(r); stopped != nil {
				rows.Close()
				return nil
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("models: export: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return stopped
}

// CountByPurpose is the number of visible records per purpose (dashboard);
// not personal data, not logged.
func (s *RecordStore) CountByPurpose(ctx context.Context, sc Scope) (map[string]int64, error) {
	out := map[string]int64{}
	if len(sc.Purposes) == 0 {
		return out, nil
	}
	err := s.db.Scoped(ctx, sc, func(q Querier) error {
		rows, err := q.Query(ctx, "SELECT purpose, count(*) FROM records GROUP BY purpose")
		if err != nil {
			return err
		}
		var p string
		var n int64
		_, err = pgx.ForEachRow(rows, []any{&p, &n}, func() error { out[p] = n; return nil })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("models: count records: %w", err)
	}
	return out, nil
}

// NewRecord is a record to store as a form would (seed data and tests; the
// public forms have their own path).
type NewRecord struct {
	Purpose    *policy.Purpose
	Fields     Fields
	CreatedAt  time.Time
	Restricted bool
	Objected   bool
	Status     string // "" for the purpose's initial status
	Attachment *NewAttachment
}

// NewAttachment is a file to store encrypted with a record.
type NewAttachment struct {
	Filename string
	MIME     string
	Content  []byte
}

// Create stores one record (and its subject, found by the blind index of its
// email) in the purpose's scope, with the expiry its retention rule gives
// (seed data and tests; the public forms have their own path).
func (s *RecordStore) Create(ctx context.Context, nr NewRecord) (uuid.UUID, error) {
	p, v := nr.Purpose, s.vault
	id := uuid.Must(uuid.NewV7())
	sealed, err := SealFields(v, id, nr.Fields)
	if err != nil {
		return id, err
	}
	status := nr.Status
	if status == "" {
		status = p.InitialStatus()
	}
	err = s.db.Scoped(ctx, Scope{Purposes: []string{p.Key}}, func(q Querier) error {
		var subject *uuid.UUID
		if email := nr.Fields["email"]; email != "" {
			var got uuid.UUID
			err := q.QueryRow(ctx, `INSERT INTO subjects (id, email_index) VALUES ($1, $2)
				ON CONFLICT (email_index) DO UPDATE SET email_index = EXCLUDED.email_index RETURNING id`,
				uuid.Must(uuid.NewV7()), v.BlindIndex(vault.KindEmail, email)).Scan(&got)
			if err != nil {
				return fmt.Errorf("models: subject: %w", err)
			}
			subject = &got
		}
		_, err := q.Exec(ctx, `INSERT INTO records (id, purpose, subject_id, status, fields, restricted, objected,
			created_at, last_contact_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
			id, p.Key, subject, status, sealed, nr.Restricted, nr.Objected, nr.CreatedAt, p.Retention.ExpiresAt(nr.CreatedAt))
		if err != nil {
			return fmt.Errorf("models: create record: %w", err)
		}
		if a := nr.Attachment; a != nil {
			aid := uuid.Must(uuid.NewV7())
			name, err := v.Encrypt([]byte(a.Filename), AttachmentAAD(aid, "filename"))
			if err != nil {
				return err
			}
			content, err := v.Encrypt(a.Content, AttachmentAAD(aid, "content"))
			if err != nil {
				return err
			}
			_, err = q.Exec(ctx, `INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content)
				VALUES ($1, $2, $3, $4, $5, $6, sha256($7::bytea), $7)`, aid, id, p.Key, name, a.MIME, len(a.Content), content)
			if err != nil {
				return fmt.Errorf("models: create attachment: %w", err)
			}
		}
		return nil
	})
	return id, err
}

// The record view is the back-office's hot path. Its reads go in one pgx
// batch on one connection, a read-only implicit transaction of two
// statements: the session check with the scope (or the scope alone), then
// recordViewSQL, which reads the record, its files and its person's
// consents and objections at once. Its end flushes no WAL; its access event
// then joins the events of other requests in one shared commit
// (DB.appendAccess). Nothing is returned to the handler unless that commit
// succeeded: no log, no data.
const (
	recordSQL = `SELECT id, purpose, subject_id, status, fields, note, restricted, objected,
	created_at, last_contact_at, expires_at FROM records WHERE id = $1 AND purpose = $2`
	// recordViewSQL is recordSQL with, as record[] arrays (see
	// recordViewArrays.scan), the record's files, its person's consent
	// states (consent_state: each box's latest answer) and their objections
	// (suppressions, found by the person's email and by their phone, one
	// array each): one statement, where four statements cost four executor
	// starts. Each array is an ARRAY(SELECT ROW(…)) sub-select, a bare index
	// scan: PostgreSQL sets up every node of a plan on each execution, run
	// or not, and aggregates and lateral joins were most of that set-up. The
	// objections are two probes of one index each, not one scan of both
	// indexes: that was a bitmap heap scan over a BitmapOr of two bitmap
	// index scans, four nodes and a TID bitmap on every view, for a list
	// that is usually empty. Row-level security applies to records and
	// attachments as it would to each read alone (plain SQL, run as the
	// caller); a record out of scope returns no row at all.
	recordViewSQL = `SELECT r.id, r.purpose, r.subject_id, r.status, r.fields, r.note, r.restricted, r.objected,
	r.created_at, r.last_contact_at, r.expires_at,
	ARRAY(SELECT ROW(a.id, a.filename, a.mime, a.size, a.created_at) FROM attachments a WHERE a.record_id = r.id),
	ARRAY(SELECT ROW(cs.purpose, cs.kind, cs.granted, cs.source, cs.at) FROM consent_state cs WHERE cs.subject_id = r.subject_id),
	ARRAY(SELECT ROW(s.channel, s.created_at) FROM suppressions s WHERE s.email_index = sj.email_index),
	ARRAY(SELECT ROW(s.channel, s.created_at) FROM suppressions s WHERE s.phone_index = sj.phone_index)
	FROM records r
	LEFT JOIN subjects sj ON sj.id = r.subject_id
	WHERE r.id = $1 AND r.purpose = $2`
)

// recordViewCheckSQL and recordViewScopeSQL set what recordViewSQL, the
// statement after them in the view's transaction, reads through: the
// scope, with the session's check or without, and index probes only
// (indexProbesSQL). PostgreSQL plans recordViewSQL once this setting holds:
// pgx binds it, and PostgreSQL plans it, after the statement before it in
// the batch has run.
const (
	recordViewCheckSQL = sessionCheckHead + ", " + indexProbesSQL + sessionCheckFrom
	recordViewScopeSQL = scopeSQL + ", " + indexProbesSQL
)

// indexProbesSQL turns bitmap scans off until the transaction ends: each of
// recordViewSQL's reads finds a row or a few by an index, which a plain
// index scan does with one node, and a bitmap scan with two or more and a
// TID bitmap, all set up on every view. The planner picks bitmaps on
// tables it has no statistics for (a new install's attachments and
// suppressions), so the plan would otherwise depend on ANALYZE.
const indexProbesSQL = `set_config('enable_bitmapscan', 'off', true)`

// View opens one record for reading, logged as a "view". A record out of
// the actor's scope (another purpose, or restricted) is not found: row-level
// security hides it even if a handler forgot to check.
func (s *RecordStore) View(ctx context.Context, a Actor, purpose string, id uuid.UUID) (RecordDetail, error) {
	d, err := s.view(ctx, a, purpose, id)
	if errors.Is(err, ErrNotFound) {
		// A miss is still an access attempt worth tracing (IDOR probing).
		s.logDenied(ctx, a, purpose, &id)
	}
	return d, err
}

func (s *RecordStore) view(ctx context.Context, a Actor, purpose string, id uuid.UUID) (d RecordDetail, err error) {
	v := s.vault
	if len(a.Scope.Purposes) == 0 {
		return d, ErrNoScope
	}
	// One round trip, one implicit transaction (pgx sends the batch with a
	// single Sync), so the scope set first holds for the read after it.
	var rv recordViewArrays
	b := &pgx.Batch{}
	if a.Session != nil {
		a.Session.queueAs(b, recordViewCheckSQL, a.Scope)
	} else {
		b.Queue(recordViewScopeSQL, a.Scope.args()...)
	}
	b.Queue(recordViewSQL, pgID(&id), purpose).Query(func(rows pgx.Rows) error { return rv.scan(rows, &d) })
	if err := s.db.Pool.SendBatch(ctx, b).Close(); err != nil {
		switch {
		case sessionEnded(err):
			return RecordDetail{}, ErrSessionEnded
		case errors.Is(err, pgx.ErrNoRows):
			return RecordDetail{}, ErrNotFound
		}
		return RecordDetail{}, fmt.Errorf("models: record: %w", err)
	}
	// The event names the record's person and restriction as the read
	// found them.
	r := d.Record
	ev := a.event(ActionView, purpose)
	ev.RecordID, ev.SubjectID, ev.Restricted = &id, r.SubjectID, r.Restricted
	if err := s.db.appendAccess(ctx, ev); err != nil {
		return RecordDetail{}, err
	}
	if d.Fields, err = OpenFields(v, r.ID, r.Fields); err != nil {
		return d, err
	}
	if d.Note, err = OpenNote(v, r.ID, r.Note); err != nil {
		return d, err
	}
	for _, f := range rv.files {
		name, err := v.Decrypt(f.name, AttachmentAAD(f.id, "filename"))
		if err != nil {
			return d, fmt.Errorf("models: attachment %s: %w", f.id, err)
		}
		d.Attachments = append(d.Attachments, AttachmentInfo{ID: f.id, Filename: string(name), MIME: f.mime, Size: f.size})
	}
	return d, nil
}

func scanRecord(row pgx.Row, r *Record) error {
	// Ids scanned as pgtype.UUID: 16 bytes copied, where uuid.UUID's
	// sql.Scanner would take them as text and parse them back.
	var id, subject pgtype.UUID
	if err := row.Scan(&id, &r.Purpose, &subject, &r.Status, &r.Fields, &r.Note, &r.Restricted, &r.Objected,
		&r.CreatedAt, &r.LastContactAt, &r.ExpiresAt); err != nil {
		return err
	}
	r.ID, r.SubjectID = id.Bytes, nil
	if subject.Valid {
		sub := uuid.UUID(subject.Bytes)
		r.SubjectID = &sub
	}
	return nil
}
