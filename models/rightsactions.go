package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// Each right of the policy, carried out on one request's person.

func packageAAD(id uuid.UUID) []byte { return []byte("rights_packages.content:" + id.String()) }

// Package is the access and portability package (art. 15, 20), assembled by
// the caller from the case (HTML summary, JSON, CSV) and stored encrypted
// until its single download.
type Package struct {
	ID        uuid.UUID
	Content   []byte
	ExpiresAt time.Time
}

// CaseForPackage opens the case to build a package from, logged as an
// "export" of the person's data.
func (d *RightsDesk) CaseForPackage(ctx context.Context, a Actor, id uuid.UUID) (RightsCase, error) {
	var out RightsCase
	err := d.act(ctx, a, id, ActionExport, true, func(_ Querier, c *RightsCase, _ *AccessEvent) error {
		out = *c
		return nil
	})
	return out, err
}

// SendPackage stores the package, queues the email carrying its signed link
// and answers the request (done), in one transaction.
func (d *RightsDesk) SendPackage(ctx context.Context, a Actor, id uuid.UUID, p Package, mail Email) error {
	sealed, err := d.vault.Encrypt(p.Content, packageAAD(p.ID))
	if err != nil {
		return err
	}
	return d.act(ctx, a, id, ActionExport, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		if _, err := q.Exec(ctx, `INSERT INTO rights_packages (id, request_id, content, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)`,
			p.ID, id, sealed, p.ExpiresAt, a.Now.UTC()); err != nil {
			return fmt.Errorf("models: package: %w", err)
		}
		if err := d.event(ctx, q, id, EventPackageSent, a, "", a.Now); err != nil {
			return err
		}
		return d.move(ctx, q, a, c, policy.RightsDone, "", &mail)
	})
}

// ClaimPackage hands a package over once: the download empties the row, so a
// second use, or one after the expiry, gets nothing.
func (d *RightsDesk) ClaimPackage(ctx context.Context, id uuid.UUID, now time.Time) ([]byte, error) {
	var out []byte
	err := d.db.Scoped(ctx, Scope{Purposes: []string{d.purpose}}, func(q Querier) error {
		var sealed []byte
		var request *uuid.UUID
		var expires time.Time
		var used *time.Time
		err := q.QueryRow(ctx, `SELECT content, request_id, expires_at, used_at FROM rights_packages WHERE id = $1 FOR UPDATE`, id).
			Scan(&sealed, &request, &expires, &used)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrLinkInvalid
		case err != nil:
			return fmt.Errorf("models: package: %w", err)
		case used != nil:
			return ErrLinkUsed
		case !now.Before(expires) || sealed == nil:
			return ErrLinkExpired
		}
		if out, err = d.vault.Decrypt(sealed, packageAAD(id)); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE rights_packages SET content = NULL, used_at = $2 WHERE id = $1`, id, now.UTC()); err != nil {
			return fmt.Errorf("models: package: %w", err)
		}
		if request != nil {
			return d.event(ctx, q, *request, EventPackageUsed, Actor{}, "", now)
		}
		return nil
	})
	return out, err
}

// PurgePackages deletes the content of packages past their expiry.
func (d *RightsDesk) PurgePackages(ctx context.Context, now time.Time) (int64, error) {
	tag, err := d.db.Pool.Exec(ctx, `UPDATE rights_packages SET content = NULL WHERE content IS NOT NULL AND expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("models: purge packages: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Rectify replaces fields of one of the person's records with values the
// caller validated as the public form does (art. 16). The timeline names the
// fields changed, never their old values.
func (d *RightsDesk) Rectify(ctx context.Context, a Actor, id, recordID uuid.UUID, values Fields) error {
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, ev *AccessEvent) error {
		i := slices.IndexFunc(c.Records, func(r PersonRecord) bool { return r.ID == recordID })
		if i < 0 {
			return ErrNotFound
		}
		rec := c.Records[i]
		var changed []string
		for k, v := range values {
			if rec.Fields[k] != v {
				changed = append(changed, k)
				if v == "" {
					delete(rec.Fields, k)
				} else {
					rec.Fields[k] = v
				}
			}
		}
		if len(changed) == 0 {
			return nil
		}
		sort.Strings(changed)
		sealed, err := SealFields(d.vault, rec.ID, rec.Fields)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE records SET fields = $2 WHERE id = $1`, rec.ID, sealed); err != nil {
			return fmt.Errorf("models: rectify: %w", err)
		}
		ev.RecordID, ev.Restricted, ev.Purpose = &rec.ID, rec.Restricted, rec.Purpose
		return d.event(ctx, q, id, EventRectified, a, rec.Purpose+": "+strings.Join(changed, ", "), a.Now)
	})
}

// ErrHeld refuses an erasure while a legal hold keeps the person's data: the
// data is needed for a legal claim (art. 17(3)(e)).
var ErrHeld = errors.New("models: a legal hold keeps this person's data")

// ErrNoErasureLog is returned by an erasure on a desk built without the
// erasure log: what it deleted could come back with a restored backup.
var ErrNoErasureLog = errors.New("models: the rights desk has no erasure log")

// Erase deletes every record and file of the person (art. 17) with the
// retention sweep's deletion (files go with their records), logged by keyed
// hash so that `portal retention replay` deletes them again after a restore.
// Consent proofs keep only what art. 7(1) requires (kind, answer, time,
// policy version, wording hash) unlinked from the person; post-mortem
// directives and other requests' details go, and the subject with its blind
// indexes goes last. Only a suppression entry (a keyed hash) remains when the
// person also objected. The request keeps its right and dates; its address
// is kept until the answer is queued (see move). A legal hold in force on the
// person or one of their records refuses it (ErrHeld).
func (d *RightsDesk) Erase(ctx context.Context, a Actor, id uuid.UUID) (int, error) {
	if d.erasures == nil {
		return 0, ErrNoErasureLog
	}
	n := 0
	err := d.act(ctx, a, id, ActionErase, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		subjects, err := personSubjects(ctx, q, c.Request.SubjectID)
		if err != nil {
			return err
		}
		if len(subjects) == 0 {
			return nil
		}
		var held bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.ends_at > $2
			AND (h.subject_id = ANY ($1) OR h.record_id IN (SELECT id FROM records WHERE subject_id = ANY ($1))))`,
			subjects, a.Now.UTC()).Scan(&held); err != nil {
			return fmt.Errorf("models: erase: %w", err)
		}
		if held {
			return ErrHeld
		}
		// The person's other requests keep their right and dates, not their details.
		rows, err := q.Query(ctx, `SELECT id FROM rights_requests WHERE subject_id = ANY ($1) AND id <> $2`, subjects, id)
		if err != nil {
			return fmt.Errorf("models: erase requests: %w", err)
		}
		others, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return fmt.Errorf("models: erase requests: %w", err)
		}
		for _, o := range others {
			if err := d.reduceRequest(ctx, q, o); err != nil {
				return err
			}
		}
		// Consent proofs first: unlinked, they are not deleted with the records.
		if err := forgetSubjects(ctx, q, subjects, false); err != nil {
			return err
		}
		deleted, _, err := d.erasures.deleteRecords(ctx, q, recordBatch{sel: `SELECT id FROM records WHERE subject_id = ANY ($1)`}, []any{subjects})
		if err != nil {
			return err
		}
		n = int(deleted)
		if err := forgetSubjects(ctx, q, subjects, true); err != nil {
			return err
		}
		keys := make([]string, len(subjects))
		for i, s := range subjects {
			keys[i] = s.String()
		}
		if err := d.erasures.LogErasure(ctx, q, DataSubjects, keys); err != nil {
			return err
		}
		return d.event(ctx, q, id, EventErased, a, fmt.Sprintf("%d records", n), a.Now)
	})
	return n, err
}

// forgetSubjects unlinks people from what outlives their erasure: consent
// proofs (kept for art. 7(1), without the person), their requests. With
// drop, it then deletes their directives and the subjects with their blind
// indexes. An erasure on request and its replay after a restore share it.
func forgetSubjects(ctx context.Context, q Querier, subjects []uuid.UUID, drop bool) error {
	b := &pgx.Batch{}
	if !drop {
		b.Queue(`SELECT portal_unlink_consents(s) FROM unnest($1::uuid[]) s`, subjects)
		b.Queue(`UPDATE rights_requests SET subject_id = NULL, cookie_consent_id = NULL WHERE subject_id = ANY ($1)`, subjects)
	} else {
		b.Queue(`DELETE FROM post_mortem_directives WHERE subject_id = ANY ($1)`, subjects)
		b.Queue(`DELETE FROM subjects WHERE id = ANY ($1)`, subjects)
	}
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("models: erase subjects: %w", err)
	}
	return nil
}

// reduceRequest keeps only the right of a request's details, and logs its id
// so that a replay after a restore reduces it again.
func (d *RightsDesk) reduceRequest(ctx context.Context, q Querier, id uuid.UUID) error {
	if err := reduceRequest(ctx, q, d.vault, id); err != nil {
		return err
	}
	if d.erasures == nil {
		return ErrNoErasureLog
	}
	return d.erasures.LogErasure(ctx, q, DataRequestDetails, []string{id.String()})
}

func reduceRequest(ctx context.Context, q Querier, v *vault.Vault, id uuid.UUID) error {
	var sealed []byte
	if err := q.QueryRow(ctx, `SELECT fields FROM rights_requests WHERE id = $1`, id).Scan(&sealed); err != nil {
		return fmt.Errorf("models: reduce request: %w", err)
	}
	plain, err := v.Decrypt(sealed, rightsAAD(id))
	if err != nil {
		return err
	}
	var f Fields
	if err := unmarshalJSON(plain, &f); err != nil {
		return err
	}
	kept, err := v.Encrypt(mustJSON(Fields{policy.RightField: f[policy.RightField]}), rightsAAD(id))
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE rights_requests SET fields = $2 WHERE id = $1`, id, kept); err != nil {
		return fmt.Errorf("models: reduce request: %w", err)
	}
	return nil
}

// Restrict flags (or unflags) every record of the person (art. 18): row-level
// security then hides them from every role but the DPO's. Lifting needs a
// reason, which the timeline keeps, and tells the person (art. 18(3)): the
// email notice composes is queued in the transaction that lifts it.
func (d *RightsDesk) Restrict(ctx context.Context, a Actor, id uuid.UUID, on bool, reason string, notice func(RightsCase) Email) (int, error) {
	if !on && strings.TrimSpace(reason) == "" {
		return 0, ErrReasonRequired
	}
	n := 0
	err := d.act(ctx, a, id, ActionUpdate, !on, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		subjects, err := personSubjects(ctx, q, c.Request.SubjectID)
		if err != nil {
			return err
		}
		tag, err := q.Exec(ctx, `UPDATE records SET restricted = $2 WHERE subject_id = ANY ($1)`, subjects, on)
		if err != nil {
			return fmt.Errorf("models: restrict: %w", err)
		}
		n = int(tag.RowsAffected())
		if on {
			return d.event(ctx, q, id, EventRestricted, a, reason, a.Now)
		}
		if c.Email() != "" && notice != nil {
			if err := enqueueQ(ctx, q, d.vault, "rights_restriction_lifted", notice(*c), a.Now); err != nil {
				return err
			}
		}
		return d.event(ctx, q, id, EventRestrictLifted, a, reason, a.Now)
	})
	return n, err
}

// Object puts the person on the objection list (art. 21(2)-(3)) through the
// path every objection takes (SuppressionStore.Add: the keyed hashes of
// their email and phone, which outlive an erasure and are checked on a later
// sign-up; their records flagged), so no sales list, export or audience
// reaches them. An index already on the list is not added twice.
func (d *RightsDesk) Object(ctx context.Context, a Actor, id uuid.UUID) error {
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		if c.Request.SubjectID == nil {
			return ErrNotFound
		}
		rows, err := q.Query(ctx, `SELECT email_index, phone_index FROM subjects WHERE id IN (`+personSubjectsSQL+`)`, *c.Request.SubjectID)
		if err != nil {
			return fmt.Errorf("models: objection: %w", err)
		}
		people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Suppression, error) {
			in := Suppression{Channel: SuppressAll, Source: SuppressionFromRights, At: a.Now}
			return in, r.Scan(&in.EmailIndex, &in.PhoneIndex)
		})
		if err != nil {
			return fmt.Errorf("models: objection: %w", err)
		}
		for _, in := range people {
			listed := true // both of the person's indexes already objected to all prospecting
			for _, one := range []Suppression{{EmailIndex: in.EmailIndex}, {PhoneIndex: in.PhoneIndex}} {
				if one.EmailIndex == nil && one.PhoneIndex == nil {
					continue
				}
				on, err := d.suppressions.Suppressed(ctx, q, one, SuppressAll)
				if err != nil {
					return err
				}
				listed = listed && on
			}
			if !listed {
				if err := d.suppressions.Add(ctx, q, in); err != nil {
					return err
				}
			}
		}
		return d.event(ctx, q, id, EventObjected, a, "", a.Now)
	})
}

// Withdraw appends a withdrawal to the consents ledger for each kind the
// person granted and has not withdrawn yet (art. 7(3)): effective at once,
// for every purpose that reads the ledger's latest answer.
func (d *RightsDesk) Withdraw(ctx context.Context, a Actor, id uuid.UUID, kinds []string, policyVersion string) (int, error) {
	n := 0
	err := d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		subjects, err := personSubjects(ctx, q, c.Request.SubjectID)
		if err != nil {
			return err
		}
		tag, err := q.Exec(ctx, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
			SELECT l.subject_id, l.record_id, l.purpose, l.kind, false, 'rights_request', $3, $4, $5
			FROM (SELECT DISTINCT ON (subject_id, purpose, kind) * FROM consents
			      WHERE subject_id = ANY ($1) AND kind = ANY ($2) ORDER BY subject_id, purpose, kind, created_at DESC, id DESC) l
			WHERE l.granted`, subjects, kinds, policyVersion, WordingHash("withdrawn through a rights request"), a.Now.UTC())
		if err != nil {
			return fmt.Errorf("models: withdraw: %w", err)
		}
		n = int(tag.RowsAffected())
		return d.event(ctx, q, id, EventWithdrawn, a, strings.Join(kinds, ", "), a.Now)
	})
	return n, err
}

// AddDirective stores a post-mortem directive, encrypted with the person it
// designates.
func (d *RightsDesk) AddDirective(ctx context.Context, a Actor, id uuid.UUID, designated, instructions string) error {
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		if c.Request.SubjectID == nil {
			return ErrNotFound
		}
		did := uuid.New()
		sealed, err := d.vault.Encrypt(mustJSON(map[string]string{"Designated": designated, "Instructions": instructions}), directiveAAD(did))
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO post_mortem_directives (id, subject_id, request_id, content, created_at) VALUES ($1, $2, $3, $4, $5)`,
			did, *c.Request.SubjectID, id, sealed, a.Now.UTC()); err != nil {
			return fmt.Errorf("models: directive: %w", err)
		}
		return d.event(ctx, q, id, EventDirective, a, "", a.Now)
	})
}

// RevokeDirective revokes a directive of the request's person.
func (d *RightsDesk) RevokeDirective(ctx context.Context, a Actor, id, directive uuid.UUID) error {
	return d.act(ctx, a, id, ActionUpdate, false, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		subjects, err := personSubjects(ctx, q, c.Request.SubjectID)
		if err != nil {
			return err
		}
		tag, err := q.Exec(ctx, `UPDATE post_mortem_directives SET revoked_at = $3 WHERE id = $1 AND subject_id = ANY ($2) AND revoked_at IS NULL`,
			directive, subjects, a.Now.UTC())
		if err != nil {
			return fmt.Errorf("models: revoke directive: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return d.event(ctx, q, id, EventDirectiveEnd, a, "", a.Now)
	})
}

// AskIdentity asks the person for an identity document, with a reason
// (reasonable doubt only, art. 12(6)): the request waits for the person (the
// clock stops) and the email carries a signed single-use upload link for
// the new document slot. link builds that email from the slot's id.
func (d *RightsDesk) AskIdentity(ctx context.Context, a Actor, id uuid.UUID, reason string, link func(RightsCase, uuid.UUID) Email) error {
	if strings.TrimSpace(reason) == "" {
		return ErrReasonRequired
	}
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		doc := uuid.New()
		if _, err := q.Exec(ctx, `INSERT INTO rights_id_documents (id, request_id, asked_at) VALUES ($1, $2, $3)`, doc, id, a.Now.UTC()); err != nil {
			return fmt.Errorf("models: identity: %w", err)
		}
		if err := d.event(ctx, q, id, EventIDAsked, a, reason, a.Now); err != nil {
			return err
		}
		if c.Request.Status != policy.RightsWaitingForPerson {
			if err := d.move(ctx, q, a, c, policy.RightsWaitingForPerson, "identity document", nil); err != nil {
				return err
			}
		}
		return enqueueQ(ctx, q, d.vault, "rights_identity", link(*c, doc), a.Now)
	})
}

func idDocAAD(id uuid.UUID, column string) []byte {
	return []byte("rights_id_documents." + column + ":" + id.String())
}

// UploadIdentity stores the document for slot doc, encrypted, once: a second
// upload through the same link, or one after the request was answered, is
// refused.
func (d *RightsDesk) UploadIdentity(ctx context.Context, doc uuid.UUID, up policy.Upload, now time.Time) error {
	content, err := d.vault.Encrypt(up.Data, idDocAAD(doc, "content"))
	if err != nil {
		return err
	}
	name, err := d.vault.Encrypt([]byte(up.Name), idDocAAD(doc, "filename"))
	if err != nil {
		return err
	}
	return d.db.Scoped(ctx, Scope{Purposes: []string{d.purpose}}, func(q Querier) error {
		var request uuid.UUID
		err := q.QueryRow(ctx, `UPDATE rights_id_documents SET content = $2, filename = $3, mime = $4, size = $5, uploaded_at = $6
			WHERE id = $1 AND uploaded_at IS NULL AND destroyed_at IS NULL RETURNING request_id`,
			doc, content, name, up.MIME, len(up.Data), now.UTC()).Scan(&request)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrLinkUsed
		}
		if err != nil {
			return fmt.Errorf("models: identity upload: %w", err)
		}
		return d.event(ctx, q, request, EventIDReceived, Actor{}, "", now)
	})
}

// IdentityUploadOpen reports whether slot doc still takes an upload.
func (d *RightsDesk) IdentityUploadOpen(ctx context.Context, doc uuid.UUID) (bool, error) {
	var open bool
	err := d.db.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rights_id_documents WHERE id = $1 AND uploaded_at IS NULL AND destroyed_at IS NULL)`, doc).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("models: identity: %w", err)
	}
	return open, nil
}

// IdentityFile decrypts an identity document for the DPO, logged as a download.
func (d *RightsDesk) IdentityFile(ctx context.Context, a Actor, id, doc uuid.UUID) (AttachmentFile, error) {
	var f AttachmentFile
	err := d.act(ctx, a, id, ActionDownload, false, func(q Querier, _ *RightsCase, _ *AccessEvent) error {
		var name, content []byte
		err := q.QueryRow(ctx, `SELECT filename, content, mime FROM rights_id_documents WHERE id = $1 AND request_id = $2 AND content IS NOT NULL`, doc, id).
			Scan(&name, &content, &f.MIME)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("models: identity file: %w", err)
		}
		n, err := d.vault.Decrypt(name, idDocAAD(doc, "filename"))
		if err != nil {
			return err
		}
		if f.Content, err = d.vault.Decrypt(content, idDocAAD(doc, "content")); err != nil {
			return err
		}
		f.Filename = string(n)
		return nil
	})
	return f, err
}

// IdentityChecked records that the DPO checked the document: the request
// resumes (the clock runs again).
func (d *RightsDesk) IdentityChecked(ctx context.Context, a Actor, id uuid.UUID) error {
	return d.act(ctx, a, id, ActionUpdate, true, func(q Querier, c *RightsCase, _ *AccessEvent) error {
		if err := d.event(ctx, q, id, EventIDChecked, a, "", a.Now); err != nil {
			return err
		}
		if c.Request.Status == policy.RightsWaitingForPerson {
			return d.move(ctx, q, a, c, policy.RightsInProgress, "", nil)
		}
		return nil
	})
}

// KeepIdentity keeps one copy as evidence in a dispute, with a reason (seed
// §2.7): it is then not destroyed with the answer.
func (d *RightsDesk) KeepIdentity(ctx context.Context, a Actor, id, doc uuid.UUID, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return ErrReasonRequired
	}
	return d.act(ctx, a, id, ActionUpdate, false, func(q Querier, _ *RightsCase, _ *AccessEvent) error {
		var kept int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM rights_id_documents WHERE request_id = $1 AND kept_at IS NOT NULL`, id).Scan(&kept); err != nil {
			return fmt.Errorf("models: keep identity: %w", err)
		}
		if kept > 0 {
			return ErrBadMove // one copy at most
		}
		tag, err := q.Exec(ctx, `UPDATE rights_id_documents SET kept_at = $3 WHERE id = $1 AND request_id = $2 AND content IS NOT NULL`, doc, id, a.Now.UTC())
		if err != nil {
			return fmt.Errorf("models: keep identity: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return d.event(ctx, q, id, EventIDKept, a, reason, a.Now)
	})
}

// Reminder kinds: the DPO is emailed 7 and 2 days before a due date and on
// the day it passes.
const (
	Remind7d      = "7d"
	Remind2d      = "2d"
	RemindOverdue = "overdue"
)

// Reminder is one request whose deadline is near or passed.
type Reminder struct {
	Kind string
	Row  RightsRow
}

// DueReminders finds the reminders not sent yet, marks them sent and queues
// one email per reminder (composed by compose) for the DPO, in one
// transaction: a second run, or another instance, sends nothing twice. While
// the clock is stopped no reminder is due.
func (d *RightsDesk) DueReminders(ctx context.Context, now time.Time, compose func(Reminder) Email) (int, error) {
	n := 0
	err := d.db.Scoped(ctx, Scope{Purposes: []string{d.purpose}}, func(q Querier) error {
		rows, err := q.Query(ctx, rightsRowColumns+` WHERE purpose = $1 AND status = ANY ($2) AND paused_at IS NULL
			AND due_at < $3 ORDER BY due_at, id`, d.purpose, openStatuses(), now.Add(8*24*time.Hour))
		if err != nil {
			return fmt.Errorf("models: reminders: %w", err)
		}
		due, err := pgx.CollectRows(rows, scanRightsRow)
		if err != nil {
			return fmt.Errorf("models: reminders: %w", err)
		}
		for _, r := range due {
			left := DaysLeft(r.DueAt, now)
			var kinds []string // the most urgent first; the lesser are marked sent with it
			switch {
			case !now.Before(r.DueAt):
				kinds = []string{RemindOverdue, Remind2d, Remind7d}
			case left <= 2:
				kinds = []string{Remind2d, Remind7d}
			case left <= 7:
				kinds = []string{Remind7d}
			default:
				continue
			}
			tag, err := q.Exec(ctx, `INSERT INTO rights_reminders (request_id, kind, sent_at) SELECT $1, k, $3 FROM unnest($2::text[]) k
				ON CONFLICT DO NOTHING`, r.ID, kinds, now.UTC())
			if err != nil {
				return fmt.Errorf("models: reminders: %w", err)
			}
			var sent bool
			if err := q.QueryRow(ctx, `SELECT sent_at = $3 FROM rights_reminders WHERE request_id = $1 AND kind = $2`, r.ID, kinds[0], now.UTC()).Scan(&sent); err != nil {
				return fmt.Errorf("models: reminders: %w", err)
			}
			if tag.RowsAffected() == 0 || !sent {
				continue
			}
			if err := enqueueQ(ctx, q, d.vault, "rights_reminder", compose(Reminder{Kind: kinds[0], Row: r}), now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
