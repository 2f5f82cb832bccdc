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
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// Actor is the staff member behind a back-office request: who they are, what
// their role lets them see, and where the request comes from (for the log).
type Actor struct {
	StaffID   uuid.UUID
	Role      string
	Scope     Scope
	IP        string
	UserAgent string
	Now       time.Time
}

func (a Actor) event(action, purpose string) AccessEvent {
	id := a.StaffID
	return AccessEvent{At: a.Now, StaffID: &id, Role: a.Role, Action: action, Purpose: purpose,
		IP: a.IP, UserAgent: a.UserAgent, Outcome: OutcomeOK}
}

// LogDenied records a refused back-office request (deny by default: the
// refusal itself is evidence the DPO reviews).
func (db *DB) LogDenied(ctx context.Context, a Actor, purpose string, record *uuid.UUID) error {
	e := a.event(ActionDenied, purpose)
	if a.StaffID == uuid.Nil {
		e.StaffID = nil
	}
	e.RecordID, e.Outcome = record, OutcomeDenied
	return db.Log(ctx, e)
}

// inScope runs fn in the actor's row-level-security scope, then appends the
// event fn filled in, as the transaction's last statement: if the log write
// fails, the transaction rolls back and nothing read is shown.
func (db *DB) inScope(ctx context.Context, a Actor, ev *AccessEvent, fn func(tx *gorm.DB) error) error {
	return db.InScope(ctx, a.Scope, func(tx *gorm.DB) error {
		if err := fn(tx); err != nil {
			return err
		}
		return LogAccess(tx, *ev)
	})
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

// ListRecords is one page of a purpose's records, newest first, with keyset
// pagination (stable and fast however deep), logged as a "list" access.
func (db *DB) ListRecords(ctx context.Context, v *vault.Vault, a Actor, p *policy.Purpose, f RecordFilter) (RecordPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var page RecordPage
	ev := a.event(ActionList, p.Key)
	err := db.inScope(ctx, a, &ev, func(tx *gorm.DB) error {
		q := tx.Model(&Record{}).Where("purpose = ?", p.Key)
		if f.Status != "" {
			q = q.Where("status = ?", f.Status)
		}
		if !f.From.IsZero() {
			q = q.Where("created_at >= ?", f.From)
		}
		if !f.To.IsZero() {
			q = q.Where("created_at < ?", f.To)
		}
		if f.Email != "" {
			q = q.Where("subject_id IN (SELECT id FROM subjects WHERE email_index = ?)", v.BlindIndex(vault.KindEmail, f.Email))
		}
		if f.After != "" {
			t, id, ok := decodeCursor(f.After)
			if ok {
				q = q.Where("(created_at, id) < (?, ?)", t, id)
			}
		}
		var recs []Record
		if err := q.Order("created_at DESC, id DESC").Limit(f.Limit + 1).Find(&recs).Error; err != nil {
			return fmt.Errorf("models: list records: %w", err)
		}
		if len(recs) > f.Limit {
			recs = recs[:f.Limit]
			last := recs[len(recs)-1]
			page.Next = encodeCursor(last.CreatedAt, last.ID)
		}
		masked := MaskedFields(p)
		for _, r := range recs {
			fields, err := OpenFields(v, r.ID, r.Fields)
			if err != nil {
				return err
			}
			s := RecordSummary{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, Restricted: r.Restricted}
			for _, mf := range masked {
				s.Masked = append(s.Masked, MaskField(mf, fields[mf.Name]))
			}
			page.Items = append(page.Items, s)
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
}

func findRecord(tx *gorm.DB, purpose string, id uuid.UUID) (Record, error) {
	var r Record
	err := tx.Where("id = ? AND purpose = ?", id, purpose).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
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

// GetAttachment decrypts one file of a record, logged as a "download".
func (db *DB) GetAttachment(ctx context.Context, v *vault.Vault, a Actor, purpose string, recordID, id uuid.UUID) (AttachmentFile, error) {
	var f AttachmentFile
	ev := a.event(ActionDownload, purpose)
	err := db.inScope(ctx, a, &ev, func(tx *gorm.DB) error {
		r, err := findRecord(tx, purpose, recordID)
		if err != nil {
			return err
		}
		ev.RecordID, ev.SubjectID, ev.Restricted = &r.ID, r.SubjectID, r.Restricted
		var at struct {
			Filename, Content []byte
			Mime              string
		}
		res := tx.Raw("SELECT filename, content, mime FROM attachments WHERE id = ? AND record_id = ?", id, recordID).Scan(&at)
		if res.Error != nil {
			return fmt.Errorf("models: attachment: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		name, err := v.Decrypt(at.Filename, AttachmentAAD(id, "filename"))
		if err != nil {
			return err
		}
		content, err := v.Decrypt(at.Content, AttachmentAAD(id, "content"))
		if err != nil {
			return err
		}
		f = AttachmentFile{Filename: string(name), MIME: at.Mime, Content: content}
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

// UpdateRecord changes a record's status or note, or marks it contacted. A
// status the registry lists under destroy_on erases the record and its files
// at once, as the policy promises for unsuccessful applications.
func (db *DB) UpdateRecord(ctx context.Context, v *vault.Vault, a Actor, p *policy.Purpose, id uuid.UUID, ch RecordChange) (UpdateResult, error) {
	var res UpdateResult
	if ch.Status != "" && !slices.Contains(p.Statuses, ch.Status) {
		return res, ErrBadStatus
	}
	if ch.Note != nil && len([]rune(*ch.Note)) > MaxNoteLen {
		return res, ErrNoteTooLong
	}
	ev := a.event(ActionUpdate, p.Key)
	err := db.inScope(ctx, a, &ev, func(tx *gorm.DB) error {
		r, err := findRecord(tx, p.Key, id)
		if err != nil {
			return err
		}
		ev.RecordID, ev.SubjectID, ev.Restricted = &r.ID, r.SubjectID, r.Restricted
		if ch.Status != "" && slices.Contains(p.Retention.DestroyOn, ch.Status) {
			// attachments go with the record (ON DELETE CASCADE)
			if err := tx.Exec("DELETE FROM records WHERE id = ?", r.ID).Error; err != nil {
				return fmt.Errorf("models: destroy record: %w", err)
			}
			ev.Action, res.Destroyed = ActionErase, true
			return nil
		}
		upd := map[string]any{}
		if ch.Status != "" {
			upd["status"] = ch.Status
		}
		if ch.Note != nil {
			sealed, err := SealNote(v, r.ID, strings.TrimSpace(*ch.Note))
			if err != nil {
				return err
			}
			upd["note"] = sealed
		}
		if ch.MarkContacted {
			upd["last_contact_at"] = a.Now
			if p.Retention.From == policy.FromLastContact || p.Retention.From == policy.FromEventEnd {
				upd["expires_at"] = p.Retention.ExpiresAt(a.Now)
			}
		}
		if len(upd) == 0 {
			return nil
		}
		return tx.Model(&Record{}).Where("id = ?", r.ID).Updates(upd).Error
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

// ExportRecords returns every record of a purpose visible to the actor,
// logged as an "export". With excludeObjected, records of people who objected
// to prospecting are left out (art. 21(3): no more marketing to them).
func (db *DB) ExportRecords(ctx context.Context, v *vault.Vault, a Actor, purpose string, excludeObjected bool) ([]ExportRow, error) {
	var out []ExportRow
	ev := a.event(ActionExport, purpose)
	err := db.inScope(ctx, a, &ev, func(tx *gorm.DB) error {
		q := tx.Where("purpose = ?", purpose)
		if excludeObjected {
			q = q.Where("NOT objected")
		}
		var recs []Record
		if err := q.Order("created_at DESC, id DESC").Limit(100000).Find(&recs).Error; err != nil {
			return fmt.Errorf("models: export: %w", err)
		}
		for _, r := range recs {
			f, err := OpenFields(v, r.ID, r.Fields)
			if err != nil {
				return err
			}
			out = append(out, ExportRow{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt, Fields: f})
		}
		return nil
	})
	return out, err
}

// CountByPurpose is the number of visible records per purpose (dashboard);
// not personal data, not logged.
func (db *DB) CountByPurpose(ctx context.Context, s Scope) (map[string]int64, error) {
	out := map[string]int64{}
	if len(s.Purposes) == 0 {
		return out, nil
	}
	err := db.InScope(ctx, s, func(tx *gorm.DB) error {
		var rows []struct {
			Purpose string
			N       int64
		}
		if err := tx.Raw("SELECT purpose, count(*) AS n FROM records GROUP BY purpose").Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out[r.Purpose] = r.N
		}
		return nil
	})
	return out, err
}
