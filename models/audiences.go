package models

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// AudienceStore draws marketing lists: per consent box (a purpose and a
// channel, e.g. "AI challenge, SMS reminders"), only the people whose
// consent to that box is current and who have not objected; and the partner
// transmission, only the people whose partner-transfer consent is current.
// Every list leaves the back-office logged: an access event, then its
// criteria, count and recipient (marketing_exports), in one transaction.
type AudienceStore struct {
	db    *DB
	vault *vault.Vault
	reg   *policy.Registry
}

// NewAudienceStore returns the audiences of db's records.
func NewAudienceStore(db *DB, v *vault.Vault, reg *policy.Registry) *AudienceStore {
	return &AudienceStore{db: db, vault: v, reg: reg}
}

// Audience names one list: the consent box it is drawn on.
type Audience struct {
	Purpose string
	Kind    string // the consent box
}

// ErrNoAudience: the purpose has no such consent box opening a channel, or
// it is outside the actor's scope.
var ErrNoAudience = errors.New("models: no such audience")

// AudienceRow is one person of a list: their latest record of the purpose.
type AudienceRow struct {
	RecordID uuid.UUID
	Fields   Fields
}

func (s *AudienceStore) box(a Actor, au Audience) (policy.PurposeConsent, error) {
	box, ok := s.reg.ConsentBox(au.Purpose, au.Kind)
	if !ok || box.Consent.Channel == "" || !slices.Contains(a.Scope.Purposes, au.Purpose) {
		return box, ErrNoAudience
	}
	return box, nil
}

// Criteria is how a list was drawn, as the log keeps it.
func (au Audience) Criteria(channel string) string {
	return fmt.Sprintf("purpose=%s consent=%s channel=%s current consent, not suppressed", au.Purpose, au.Kind, channel)
}

// Count is how many people the list holds now. Counting reads no record's
// content, so it is not an access to personal data.
func (s *AudienceStore) Count(ctx context.Context, a Actor, au Audience) (int64, error) {
	box, err := s.box(a, au)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.Scoped(ctx, a.Scope, func(q Querier) error {
		return q.QueryRow(ctx, audienceCountSQL, au.Purpose, au.Kind, box.Consent.Channel, doubleOptIn(box.Purpose)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("models: audience: %w", err)
	}
	return n, nil
}

// Export hands each person of the list to each, in the actor's scope. It
// logs an "export" access event before the first row, and the criteria and
// count once the list is done (what each stopped short of is not counted).
func (s *AudienceStore) Export(ctx context.Context, a Actor, au Audience, each func(AudienceRow) error) (int64, error) {
	box, err := s.box(a, au)
	if err != nil {
		return 0, err
	}
	return s.export(ctx, a, ActionExport, "audience", au, box, "", each)
}

// ErrNoPartner: the recipient is not a partner the registry declares.
var ErrNoPartner = errors.New("models: unknown partner")

// PartnerExport is the transmission to a partner the registry declares
// (deployment.partners): only the people whose consent to the
// recipients.partners box of a purpose is current and who have not objected.
// It is logged as a "transfer" naming the recipient.
func (s *AudienceStore) PartnerExport(ctx context.Context, a Actor, purpose, recipient string, each func(AudienceRow) error) (int64, error) {
	if _, ok := s.reg.Partner(recipient); !ok {
		return 0, ErrNoPartner
	}
	pt := s.reg.Recipients.Partners
	if !slices.Contains(pt.Purposes, purpose) {
		return 0, ErrNoAudience
	}
	au := Audience{Purpose: purpose, Kind: pt.ConsentKind}
	box, err := s.box(a, au)
	if err != nil {
		return 0, err
	}
	return s.export(ctx, a, ActionTransfer, "partner_transfer", au, box, recipient, each)
}

func (s *AudienceStore) export(ctx context.Context, a Actor, action, kind string, au Audience, box policy.PurposeConsent, recipient string,
	each func(AudienceRow) error) (int64, error) {
	channel := box.Consent.Channel
	var n int64
	var stopped error
	err := s.db.Scoped(ctx, a.Scope, func(q Querier) error {
		if err := logAccess(ctx, q, a.event(action, au.Purpose)); err != nil {
			return err
		}
		// A list of 100,000 people costs enough for PostgreSQL to compile
		// the query (JIT): 0.3 s of compiling for a one-off plan whose
		// every row is an index lookup, which compiled code does not speed up.
		if _, err := q.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("models: audience: %w", err)
		}
		rows, err := q.Query(ctx, audienceSQL, au.Purpose, au.Kind, channel, doubleOptIn(box.Purpose))
		if err != nil {
			return fmt.Errorf("models: audience: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r AudienceRow
			var sealed []byte
			if err := rows.Scan(&r.RecordID, &sealed); err != nil {
				return fmt.Errorf("models: audience: %w", err)
			}
			if r.Fields, err = OpenFields(s.vault, r.RecordID, sealed); err != nil {
				return err
			}
			if stopped = each(r); stopped != nil {
				break
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("models: audience: %w", err)
		}
		var rcpt *string
		if recipient != "" {
			rcpt = &recipient
		}
		_, err = q.Exec(ctx, `INSERT INTO marketing_exports (at, staff_id, kind, purpose, criteria, recipient, row_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.Now.UTC(), a.StaffID, kind, au.Purpose, au.Criteria(channel), rcpt, n)
		if err != nil {
			return fmt.Errorf("models: audience log: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, stopped
}

// MarketingExport is one logged list.
type MarketingExport struct {
	StaffID   uuid.UUID
	Kind      string
	Purpose   string
	Criteria  string
	Recipient string
	Count     int64
}

// MarketingExports returns the newest logged lists (the DPO's review, tests).
func (s *AudienceStore) MarketingExports(ctx context.Context, limit int) ([]MarketingExport, error) {
	var out []MarketingExport
	err := s.db.Tx(ctx, func(q Querier) error {
		rows, err := q.Query(ctx, `SELECT staff_id, kind, purpose, criteria, coalesce(recipient, ''), row_count
			FROM marketing_exports ORDER BY id DESC LIMIT $1`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m MarketingExport
			if err := rows.Scan(&m.StaffID, &m.Kind, &m.Purpose, &m.Criteria, &m.Recipient, &m.Count); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("models: marketing exports: %w", err)
	}
	return out, nil
}

// doubleOptIn: the purpose's consent counts only once confirmed by email
// (the ledger row of the form alone is not enough).
func doubleOptIn(p *policy.Purpose) bool { return p.Form != nil && p.Form.DoubleOptIn }
