package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// The rights desk: the DPO's handling of rights requests (art. 12-22 GDPR,
// art. 85 of the French Data Protection Act). Every move is a timeline event
// (rights_request_events, append-only) and an access_events row written in
// the same transaction.

// rightsMoves is the one table of a request's status moves. A request is
// answered (done) or refused (with a reason, art. 12(4)) from any open
// status; waiting for the person stops the deadline's clock until the DPO
// resumes.
var rightsMoves = map[string][]string{
	policy.RightsReceived:         {policy.RightsInProgress, policy.RightsWaitingForPerson, policy.RightsDone, policy.RightsRefused},
	policy.RightsInProgress:       {policy.RightsWaitingForPerson, policy.RightsDone, policy.RightsRefused},
	policy.RightsWaitingForPerson: {policy.RightsInProgress, policy.RightsDone, policy.RightsRefused},
}

// RightsMoves lists the statuses a request in status from may move to.
func RightsMoves(from string) []string { return slices.Clone(rightsMoves[from]) }

// CanMoveRights reports whether the table allows from → to.
func CanMoveRights(from, to string) bool { return slices.Contains(rightsMoves[from], to) }

// RightsOpen reports whether a request still waits for its answer.
func RightsOpen(status string) bool { return len(rightsMoves[status]) > 0 }

// ExtendedDueDate is the deadline after the one extension art. 12(3) allows:
// two further calendar months, with the same month-end rule as RightsDueDate.
func ExtendedDueDate(due time.Time) time.Time { return policy.Retention{Months: 2}.ExpiresAt(due) }

// DaysLeft is the number of calendar days (UTC) from now to due: 0 on the
// due day, negative once it has passed.
func DaysLeft(due, now time.Time) int {
	d := func(t time.Time) time.Time {
		y, m, dd := t.UTC().Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	return int(d(due).Sub(d(now)).Hours() / 24)
}

// Errors of the rights desk.
var (
	ErrBadMove        = errors.New("models: this status cannot follow the current one")
	ErrExtendTooLate  = errors.New("models: the extension must be sent before the first month ends")
	ErrAlreadyExtend  = errors.New("models: the deadline was already extended once")
	ErrReasonRequired = errors.New("models: a reason is required")
	ErrClosed         = errors.New("models: the request is already answered")
	ErrLinkUsed       = errors.New("models: link already used")
)

// Timeline event kinds.
const (
	EventMoved          = "moved"
	EventExtended       = "extended"
	EventViewed         = "viewed"
	EventPackageSent    = "package_sent"
	EventRectified      = "rectified"
	EventErased         = "erased"
	EventRestricted     = "restricted"
	EventRestrictLifted = "restriction_lifted"
	EventObjected       = "objected"
	EventWithdrawn      = "consent_withdrawn"
	EventDirective      = "directive_recorded"
	EventDirectiveEnd   = "directive_revoked"
	EventIDAsked        = "identity_document_asked"
	EventIDReceived     = "identity_document_received"
	EventIDChecked      = "identity_checked"
	EventIDDestroyed    = "identity_document_destroyed"
	EventIDKept         = "identity_document_kept"
	EventPackageUsed    = "package_downloaded"
	EventCookieLinked   = "cookie_proof_linked"
	EventAnswered       = "answer_sent"
)

// RightsDesk is the DPO's store of rights requests: the queue, the case of
// one person, and each right carried out.
type RightsDesk struct {
	db           *DB
	vault        *vault.Vault
	purpose      string // the registry's purpose of kind rights_request
	suppressions *SuppressionStore
	erasures     *RetentionStore // deletes as the retention sweep does and logs the ids for replay
}

// NewRightsDesk returns the desk of the requests filed under purpose (of kind
// rights_request). An erasure deletes through erasures (the retention
// sweep's deletion, logged for `portal retention replay`); a desk that never
// erases (the CLI's list, the reminders) may pass nil.
func NewRightsDesk(db *DB, v *vault.Vault, purpose *policy.Purpose, erasures *RetentionStore) *RightsDesk {
	return &RightsDesk{db: db, vault: v, purpose: purpose.Key, suppressions: NewSuppressionStore(db, v), erasures: erasures}
}

func eventAAD(request uuid.UUID) []byte {
	return []byte("rights_request_events.note:" + request.String())
}

// RightsRow is one request in the queue: no personal data.
type RightsRow struct {
	ID         uuid.UUID
	Right      string
	Status     string
	ReceivedAt time.Time
	DueAt      time.Time
	Extended   bool
	Paused     bool // the clock is stopped: waiting for the person
}

// Overdue reports whether an open request's deadline has passed.
func (r RightsRow) Overdue(now time.Time) bool {
	return RightsOpen(r.Status) && !r.Paused && now.After(r.DueAt)
}

// RightsFilter narrows the queue.
type RightsFilter struct {
	Status  string
	Right   string
	Overdue bool
	After   string // keyset cursor
	Limit   int
}

// RightsQueuePage is one page of the queue and the next page's cursor.
type RightsQueuePage struct {
	Items []RightsRow
	Next  string
}

const rightsRowColumns = `SELECT id, "right", status, received_at, due_at, extended_at IS NOT NULL, paused_at IS NOT NULL FROM rights_requests`

func scanRightsRow(row pgx.CollectableRow) (RightsRow, error) {
	var r RightsRow
	err := row.Scan(&r.ID, &r.Right, &r.Status, &r.ReceivedAt, &r.DueAt, &r.Extended, &r.Paused)
	return r, err
}

func (d *RightsDesk) queue(ctx context.Context, q Querier, f RightsFilter, now time.Time) (RightsQueuePage, error) {
	var page RightsQueuePage
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var w where
	w.add("purpose = ?", d.purpose)
	w.add("email_confirmed_at IS NOT NULL")
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Right != "" {
		w.add(`"right" = ?`, f.Right)
	}
	if f.Overdue {
		w.add("status = ANY (?) AND paused_at IS NULL AND due_at < ?", openStatuses(), now)
	}
	if f.After != "" {
		if t, id, ok := decodeCursor(f.After); ok {
			w.add("(due_at, id) > (?, ?)", t, id)
		}
	}
	rows, err := q.Query(ctx, rightsRowColumns+w.sql()+fmt.Sprintf(" ORDER BY due_at, id LIMIT %d", f.Limit+1), w.args...)
	if err != nil {
		return page, fmt.Errorf("models: rights queue: %w", err)
	}
	items, err := pgx.CollectRows(rows, scanRightsRow)
	if err != nil {
		return page, fmt.Errorf("models: rights queue: %w", err)
	}
	if len(items) > f.Limit {
		items = items[:f.Limit]
		last := items[len(items)-1]
		page.Next = encodeCursor(last.DueAt, last.ID)
	}
	page.Items = items
	return page, nil
}

func openStatuses() []string {
	var out []string
	for _, s := range policy.RightsRequestStatuses {
		if RightsOpen(s) {
			out = append(out, s)
		}
	}
	return out
}

// Queue is one page of confirmed requests, soonest deadline first, logged
// as a "list".
func (d *RightsDesk) Queue(ctx context.Context, a Actor, f RightsFilter) (RightsQueuePage, error) {
	var page RightsQueuePage
	err := d.db.Scoped(ctx, a.Scope, func(q Querier) error {
		var err error
		if page, err = d.queue(ctx, q, f, a.Now); err != nil {
			return err
		}
		return logAccess(ctx, q, a.event(ActionList, d.purpose))
	})
	return page, err
}

// Overview lists every confirmed request (the CLI): ids, rights, statuses
// and dates only, no personal data.
func (d *RightsDesk) Overview(ctx context.Context, overdue bool, now time.Time) ([]RightsRow, error) {
	var out []RightsRow
	err := d.db.Scoped(ctx, Scope{Purposes: []string{d.purpose}}, func(q Querier) error {
		f := RightsFilter{Overdue: overdue, Limit: 200}
		for {
			page, err := d.queue(ctx, q, f, now)
			if err != nil {
				return err
			}
			out = append(out, page.Items...)
			if page.Next == "" {
				return nil
			}
			f.After = page.Next
		}
	})
	return out, err
}

// RightsEvent is one timeline entry.
type RightsEvent struct {
	At    time.Time
	Kind  string
	Actor string
	Note  string
}

// PersonRecord is one record of the person, decrypted.
type PersonRecord struct {
	ID            uuid.UUID
	Purpose       string
	Status        string
	Fields        Fields
	CreatedAt     time.Time
	LastContactAt time.Time
	ExpiresAt     time.Time
	Restricted    bool
	Objected      bool
	Files         []AttachmentInfo
}

// ConsentEntry is one row of the consents ledger.
type ConsentEntry struct {
	At            time.Time
	Purpose       string
	Kind          string
	Granted       bool
	Source        string
	PolicyVersion string
}

// CookieProof is one cookie-banner choice linked to the request.
type CookieProof struct {
	At            time.Time
	Action        string
	Categories    []string
	PolicyVersion string
}

// Directive is a post-mortem directive (art. 85 of the French Data
// Protection Act): the instructions and the person designated to carry them out.
type Directive struct {
	ID           uuid.UUID
	Designated   string
	Instructions string
	CreatedAt    time.Time
	RevokedAt    *time.Time
}

// IDDocument is an identity document asked for on reasonable doubt.
type IDDocument struct {
	ID          uuid.UUID
	AskedAt     time.Time
	UploadedAt  *time.Time
	MIME        string
	Size        int64
	DestroyedAt *time.Time
	KeptAt      *time.Time
}

// RightsDetail is a request as the DPO handles it.
type RightsDetail struct {
	RightsRow
	Fields          Fields
	SubjectID       *uuid.UUID
	ExtendedAt      *time.Time
	PausedAt        *time.Time
	AnsweredAt      *time.Time
	CookieConsentID *uuid.UUID
	Lang            string // the language the person wrote in ("fr", "en")
}

// RightsCase is one request and everything held about its person, found
// across purposes through the blind indexes.
type RightsCase struct {
	Request      RightsDetail
	Events       []RightsEvent
	Records      []PersonRecord
	Consents     []ConsentEntry
	CookieProofs []CookieProof
	Suppressed   *time.Time // when the person objected to prospecting (nil: not on the list)
	Earlier      []RightsRow
	Directives   []Directive
	IDDocuments  []IDDocument
}

// Email is the address the request came from (the answer goes there).
func (c RightsCase) Email() string { return c.Request.Fields["email"] }

const rightsDetailSQL = `SELECT id, "right", status, received_at, due_at, extended_at IS NOT NULL, paused_at IS NOT NULL,
	fields, subject_id, extended_at, paused_at, answered_at, cookie_consent_id, lang
	FROM rights_requests WHERE id = $1 AND purpose = $2 AND email_confirmed_at IS NOT NULL`

func (d *RightsDesk) scanDetail(row pgx.Row, id uuid.UUID) (RightsDetail, error) {
	var r RightsDetail
	var sealed []byte
	var received, due *time.Time
	err := row.Scan(&r.ID, &r.Right, &r.Status, &received, &due, &r.Extended, &r.Paused,
		&sealed, &r.SubjectID, &r.ExtendedAt, &r.PausedAt, &r.AnsweredAt, &r.CookieConsentID, &r.Lang)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("models: rights request: %w", err)
	}
	if received != nil {
		r.ReceivedAt, r.DueAt = *received, *due
	}
	plain, err := d.vault.Decrypt(sealed, rightsAAD(id))
	if err != nil {
		return r, fmt.Errorf("models: rights request %s: %w", id, err)
	}
	return r, unmarshalJSON(plain, &r.Fields)
}

// personSubjects are the subjects of one person: the request's (found by the
// email's blind index) and any sharing its phone's blind index.
const personSubjectsSQL = `SELECT id FROM subjects WHERE id = $1
	OR (phone_index IS NOT NULL AND phone_index = (SELECT phone_index FROM subjects WHERE id = $1))`

// requestPersonSQL is personSubjectsSQL for the subject of request $1, so
// that a case's reads need not wait for the request to name its subject.
const requestPersonSQL = `SELECT s.id FROM subjects s WHERE s.id = (SELECT subject_id FROM rights_requests WHERE id = $1)
	OR (s.phone_index IS NOT NULL AND s.phone_index = (SELECT p.phone_index FROM subjects p
	    WHERE p.id = (SELECT subject_id FROM rights_requests WHERE id = $1)))`

func personSubjects(ctx context.Context, q Querier, subject *uuid.UUID) ([]uuid.UUID, error) {
	if subject == nil {
		return nil, nil
	}
	rows, err := q.Query(ctx, personSubjectsSQL, *subject)
	if err != nil {
		return nil, fmt.Errorf("models: subjects: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("models: subjects: %w", err)
	}
	return ids, nil
}

// Case opens a request and everything held about its person, logged as a
// "view" (and on the timeline: who looked, when).
func (d *RightsDesk) Case(ctx context.Context, a Actor, id uuid.UUID) (RightsCase, error) {
	var c RightsCase
	err := d.db.Scoped(ctx, a.Scope, func(q Querier) error {
		var err error
		if c, err = d.loadCase(ctx, q, id, false); err != nil {
			return err
		}
		if err := d.event(ctx, q, id, EventViewed, a, "", a.Now); err != nil {
			return err
		}
		ev := a.event(ActionView, d.purpose)
		ev.SubjectID = c.Request.SubjectID
		return logAccess(ctx, q, ev)
	})
	return c, err
}

// loadCase reads the request (locked for an action) and its person's data
// in one round trip: every read is queued in one batch, each finding the
// person from the request itself (requestPersonSQL), in the transaction
// that holds the request's lock.
func (d *RightsDesk) loadCase(ctx context.Context, q Querier, id uuid.UUID, lock bool) (RightsCase, error) {
	var c RightsCase
	var recs []Record
	var files []personFile
	var events []rawEvent
	var directives []rawDirective
	detail := rightsDetailSQL
	if lock {
		detail += " FOR UPDATE"
	}
	b := &pgx.Batch{}
	b.Queue(detail, id, d.purpose).QueryRow(func(row pgx.Row) error {
		var err error
		c.Request, err = d.scanDetail(row, id)
		return err
	})
	person := `IN (` + requestPersonSQL + `)`
	queueRows(b, "timeline", &events, pgx.RowToStructByPos[rawEvent],
		`SELECT created_at, kind, actor, note FROM rights_request_events WHERE request_id = $1 ORDER BY id`, id)
	queueRows(b, "person records", &recs, scanRecordRow,
		recordColumns+` WHERE subject_id `+person+` ORDER BY created_at, id`, id)
	queueRows(b, "person files", &files, pgx.RowToStructByPos[personFile],
		`SELECT a.record_id, a.id, a.filename, a.mime, a.size FROM attachments a
		WHERE a.record_id IN (SELECT r.id FROM records r WHERE r.subject_id `+person+`) ORDER BY a.created_at`, id)
	queueRows(b, "consents", &c.Consents, pgx.RowToStructByPos[ConsentEntry],
		`SELECT created_at, purpose, kind, granted, source, policy_version FROM consents
		WHERE subject_id `+person+` ORDER BY created_at, id`, id)
	queueRows(b, "cookie proofs", &c.CookieProofs, pgx.RowToStructByPos[CookieProof],
		`SELECT created_at, action, categories, policy_version FROM cookie_consents
		WHERE consent_id = (SELECT cookie_consent_id FROM rights_requests WHERE id = $1) ORDER BY created_at, id`, id)
	// The objection list is searched by blind index, not by subject id: it
	// outlives an erasure.
	var suppressed []*time.Time
	queueRows(b, "suppressions", &suppressed, pgx.RowTo[*time.Time],
		`SELECT min(x.created_at) FROM subjects s JOIN suppressions x
		ON x.email_index = s.email_index OR x.phone_index = s.phone_index WHERE s.id `+person, id)
	queueRows(b, "earlier requests", &c.Earlier, scanRightsRow,
		rightsRowColumns+` WHERE subject_id `+person+` AND id <> $1 AND email_confirmed_at IS NOT NULL ORDER BY received_at DESC`, id)
	queueRows(b, "directives", &directives, pgx.RowToStructByPos[rawDirective],
		`SELECT id, content, created_at, revoked_at FROM post_mortem_directives WHERE subject_id `+person+` ORDER BY created_at`, id)
	queueRows(b, "identity documents", &c.IDDocuments, pgx.RowToStructByPos[IDDocument],
		`SELECT id, asked_at, uploaded_at, coalesce(mime, ''), coalesce(size, 0), destroyed_at, kept_at
		FROM rights_id_documents WHERE request_id = $1 ORDER BY asked_at`, id)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return c, err
	}
	if len(suppressed) == 1 {
		c.Suppressed = suppressed[0]
	}
	var err error
	if c.Events, err = d.openEvents(id, events); err != nil {
		return c, err
	}
	if c.Records, err = d.openRecords(recs, files); err != nil {
		return c, err
	}
	if c.Directives, err = d.openDirectives(directives); err != nil {
		return c, err
	}
	return c, nil
}

// queueRows queues sql on b; when the batch runs, its rows are collected
// into *into with scan.
func queueRows[T any](b *pgx.Batch, what string, into *[]T, scan pgx.RowToFunc[T], sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		var err error
		if *into, err = pgx.CollectRows(rows, scan); err != nil {
			return fmt.Errorf("models: %s: %w", what, err)
		}
		return nil
	})
}

type rawEvent struct {
	At    time.Time
	Kind  string
	Actor string
	Note  []byte
}

func (d *RightsDesk) openEvents(id uuid.UUID, raw []rawEvent) ([]RightsEvent, error) {
	out := make([]RightsEvent, 0, len(raw))
	for _, r := range raw {
		e := RightsEvent{At: r.At, Kind: r.Kind, Actor: r.Actor}
		if r.Note != nil {
			plain, err := d.vault.Decrypt(r.Note, eventAAD(id))
			if err != nil {
				return nil, fmt.Errorf("models: timeline: %w", err)
			}
			e.Note = string(plain)
		}
		out = append(out, e)
	}
	return out, nil
}

type personFile struct {
	RecordID uuid.UUID
	ID       uuid.UUID
	Filename []byte
	MIME     string
	Size     int64
}

func (d *RightsDesk) openRecords(recs []Record, files []personFile) ([]PersonRecord, error) {
	out := make([]PersonRecord, 0, len(recs))
	at := map[uuid.UUID]int{}
	for _, r := range recs {
		f, err := OpenFields(d.vault, r.ID, r.Fields)
		if err != nil {
			return nil, err
		}
		at[r.ID] = len(out)
		out = append(out, PersonRecord{ID: r.ID, Purpose: r.Purpose, Status: r.Status, Fields: f, CreatedAt: r.CreatedAt,
			LastContactAt: r.LastContactAt, ExpiresAt: r.ExpiresAt, Restricted: r.Restricted, Objected: r.Objected})
	}
	for _, pf := range files {
		i, ok := at[pf.RecordID]
		if !ok {
			continue
		}
		plain, err := d.vault.Decrypt(pf.Filename, AttachmentAAD(pf.ID, "filename"))
		if err != nil {
			return nil, err
		}
		out[i].Files = append(out[i].Files, AttachmentInfo{ID: pf.ID, Filename: string(plain), MIME: pf.MIME, Size: pf.Size})
	}
	return out, nil
}

func directiveAAD(id uuid.UUID) []byte {
	return []byte("post_mortem_directives.content:" + id.String())
}

type rawDirective struct {
	ID        uuid.UUID
	Content   []byte
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (d *RightsDesk) openDirectives(raw []rawDirective) ([]Directive, error) {
	var out []Directive
	for _, r := range raw {
		plain, err := d.vault.Decrypt(r.Content, directiveAAD(r.ID))
		if err != nil {
			return nil, err
		}
		var body struct{ Designated, Instructions string }
		if err := unmarshalJSON(plain, &body); err != nil {
			return nil, err
		}
		out = append(out, Directive{ID: r.ID, Designated: body.Designated, Instructions: body.Instructions,
			CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt})
	}
	return out, nil
}

// event appends one timeline entry; note (a reason, the fields changed) is
// stored encrypted.
func (d *RightsDesk) event(ctx context.Context, q Querier, id uuid.UUID, kind string, a Actor, note string, at time.Time) error {
	var sealed []byte
	if note != "" {
		var err error
		if sealed, err = d.vault.Encrypt([]byte(note), eventAAD(id)); err != nil {
			return err
		}
	}
	actor := "requester"
	if a.StaffID != uuid.Nil {
		actor = a.StaffID.String()
	} else if a.Role != "" {
		actor = a.Role
	}
	_, err := q.Exec(ctx, `INSERT INTO rights_request_events (request_id, kind, actor, note, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, kind, actor, sealed, at.UTC())
	if err != nil {
		return fmt.Errorf("models: timeline: %w", err)
	}
	return nil
}

// Step is what one DPO action does inside the request's transaction. It
// gets the request (locked) and the whole case; it may fill the log event.
type step func(q Querier, c *RightsCase, ev *AccessEvent) error

// act runs one action on an open request: lock it, run fn, log it. action
// is the access-log action (update, erase, export, download).
func (d *RightsDesk) act(ctx context.Context, a Actor, id uuid.UUID, action string, open bool, fn step) error {
	return d.db.Scoped(ctx, a.Scope, func(q Querier) error {
		c, err := d.loadCase(ctx, q, id, true)
		if err != nil {
			return err
		}
		if open && !RightsOpen(c.Request.Status) {
			return ErrClosed
		}
		ev := a.event(action, d.purpose)
		ev.SubjectID = c.Request.SubjectID
		if err := fn(q, &c, &ev); err != nil {
			return err
		}
		return logAccess(ctx, q, ev)
	})
}

// Move changes a request's status along the table. Waiting for the person
// stops the clock; leaving it pushes the deadline by the time waited.
// Answering (done) or refusing sends the answer compose writes (a refusal
// needs a reason) and destroys the identity documents not kept as evidence.
func (d *RightsDesk) Move(ctx context.Context, a Actor, id uuid.UUID, to, reason string, compose func(RightsCase) Email) error {
	if to == policy.RightsRefused && strings.TrimSpace(reason) == "" {
		return ErrReasonRequired
	}
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		var answer *Email
		if !RightsOpen(to) && compose != nil {
			e := compose(*c)
			answer = &e
		}
		return d.move(ctx, q, a, c, to, reason, answer)
	})
}

func (d *RightsDesk) move(ctx context.Context, q Querier, a Actor, c *RightsCase, to, reason string, answer *Email) error {
	r := c.Request
	if !CanMoveRights(r.Status, to) {
		return ErrBadMove
	}
	now := a.Now.UTC()
	due := r.DueAt
	var paused any
	if r.PausedAt != nil {
		due = due.Add(now.Sub(*r.PausedAt)) // the clock stood still while we waited (art. 12(3))
	}
	if to == policy.RightsWaitingForPerson {
		paused = now
	}
	var answered any
	if !RightsOpen(to) {
		answered = now
	}
	if _, err := q.Exec(ctx, `UPDATE rights_requests SET status = $2, due_at = $3, paused_at = $4, answered_at = $5 WHERE id = $1`,
		r.ID, to, due, paused, answered); err != nil {
		return fmt.Errorf("models: move rights request: %w", err)
	}
	note := r.Status + " → " + to
	if reason != "" {
		note += ": " + reason
	}
	if err := d.event(ctx, q, r.ID, EventMoved, a, note, now); err != nil {
		return err
	}
	c.Request.Status = to
	if RightsOpen(to) {
		return nil
	}
	if answer != nil {
		if err := enqueueQ(ctx, q, d.vault, "rights_answer", *answer, now); err != nil {
			return err
		}
		if err := d.event(ctx, q, r.ID, EventAnswered, a, "", now); err != nil {
			return err
		}
	}
	// An answered erasure keeps nothing of the person, not even the address
	// the answer went to (queued above, purged from the outbox once sent).
	if slices.ContainsFunc(c.Events, func(e RightsEvent) bool { return e.Kind == EventErased }) {
		if err := d.reduceRequest(ctx, q, r.ID); err != nil {
			return err
		}
	}
	return d.destroyIDDocuments(ctx, q, a, c)
}

// destroyIDDocuments deletes the identity documents of an answered request,
// except a copy kept as evidence (seed §2.7); the timeline keeps the dates.
func (d *RightsDesk) destroyIDDocuments(ctx context.Context, q Querier, a Actor, c *RightsCase) error {
	rows, err := q.Query(ctx, `UPDATE rights_id_documents SET content = NULL, filename = NULL, destroyed_at = $2
		WHERE request_id = $1 AND destroyed_at IS NULL AND kept_at IS NULL AND uploaded_at IS NOT NULL RETURNING id`, c.Request.ID, a.Now.UTC())
	if err != nil {
		return fmt.Errorf("models: destroy identity documents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return fmt.Errorf("models: destroy identity documents: %w", err)
	}
	for range ids {
		if err := d.event(ctx, q, c.Request.ID, EventIDDestroyed, a, "", a.Now); err != nil {
			return err
		}
	}
	// Empty slots never filled are closed too: their link dies with the answer.
	_, err = q.Exec(ctx, `UPDATE rights_id_documents SET destroyed_at = $2 WHERE request_id = $1 AND uploaded_at IS NULL AND destroyed_at IS NULL`,
		c.Request.ID, a.Now.UTC())
	if err != nil {
		return fmt.Errorf("models: close identity slots: %w", err)
	}
	return nil
}

// Extend pushes the deadline by two further months, once, with a reason
// emailed to the person before the first month ends (art. 12(3)).
func (d *RightsDesk) Extend(ctx context.Context, a Actor, id uuid.UUID, reason string, notice func(RightsCase, time.Time) Email) error {
	if strings.TrimSpace(reason) == "" {
		return ErrReasonRequired
	}
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		r := c.Request
		if r.Extended {
			return ErrAlreadyExtend
		}
		due := r.DueAt
		if r.PausedAt != nil {
			due = due.Add(a.Now.Sub(*r.PausedAt))
		}
		if !a.Now.Before(due) {
			return ErrExtendTooLate
		}
		newDue := ExtendedDueDate(due)
		if _, err := q.Exec(ctx, `UPDATE rights_requests SET due_at = $2, extended_at = $3::timestamptz,
			paused_at = CASE WHEN paused_at IS NULL THEN NULL ELSE $3::timestamptz END WHERE id = $1`, r.ID, newDue, a.Now.UTC()); err != nil {
			return fmt.Errorf("models: extend: %w", err)
		}
		if err := d.event(ctx, q, r.ID, EventExtended, a, reason, a.Now); err != nil {
			return err
		}
		return enqueueQ(ctx, q, d.vault, "rights_extension", notice(*c, newDue), a.Now)
	})
}

// LinkCookieProof links the cookie-choice proofs of a consent id the person
// gave us (from their preferences page) to the request.
func (d *RightsDesk) LinkCookieProof(ctx context.Context, a Actor, id, consentID uuid.UUID) error {
	return d.act(ctx, a, id, ActionUpdate, false, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		if _, err := q.Exec(ctx, `UPDATE rights_requests SET cookie_consent_id = $2 WHERE id = $1`, id, consentID); err != nil {
			return fmt.Errorf("models: link cookie proof: %w", err)
		}
		return d.event(ctx, q, id, EventCookieLinked, a, "", a.Now)
	})
}
