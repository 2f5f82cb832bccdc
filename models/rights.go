package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// Rights-request statuses handled here; the whole list is
// policy.RightsRequestStatuses.
const (
	RightsUnconfirmed = policy.RightsUnconfirmed
	RightsReceived    = policy.RightsReceived
)

// RightsDueDate is when an answer is due: one calendar month after receipt
// (art. 12(3)), the last day of the month when it has no such day (31
// January → 28/29 February), never later.
func RightsDueDate(received time.Time) time.Time {
	return policy.Retention{Months: 1}.ExpiresAt(received)
}

func rightsAAD(id uuid.UUID) []byte { return []byte("rights_request.fields:" + id.String()) }

// RightsRequest is one request to exercise a right.
type RightsRequest struct {
	ID               uuid.UUID
	SubjectID        *uuid.UUID
	Right            string
	Fields           Fields
	Status           string
	EmailConfirmedAt *time.Time
	ReceivedAt       *time.Time
	DueAt            *time.Time
	CreatedAt        time.Time
}

// RightsRequestSubmission is a validated rights-request form.
type RightsRequestSubmission struct {
	ID      uuid.UUID
	Right   string
	Fields  Fields
	Email   string // normalised
	Confirm Email  // the email with the signed confirmation link
	Now     time.Time
	// Consents are the form's boxes as answered; the request rests on the
	// requester's consent, so the ledger proves it (art. 7(1)).
	Consents      []ConsentChoice
	PolicyVersion string
	Lang          string // the language of the form: the desk answers in it
}

// RightsStore stores rights requests. Each row carries the key of the
// registry's rights_request purpose, which row-level security checks as it
// does for records.
type RightsStore struct {
	db      *DB
	vault   *vault.Vault
	purpose string
}

// NewRightsStore returns the store of the requests sent through purpose, the
// registry's purpose of kind rights_request.
func NewRightsStore(db *DB, v *vault.Vault, purpose *policy.Purpose) *RightsStore {
	return &RightsStore{db: db, vault: v, purpose: purpose.Key}
}

func (s *RightsStore) scope() Scope { return Scope{Purposes: []string{s.purpose}} }

// Submit stores an unconfirmed request, links it to its subject, starts its
// timeline and queues the confirmation email, in one transaction.
func (s *RightsStore) Submit(ctx context.Context, in RightsRequestSubmission) error {
	sealed, err := s.vault.Encrypt(mustJSON(in.Fields), rightsAAD(in.ID))
	if err != nil {
		return err
	}
	emailIdx := s.vault.BlindIndex(vault.KindEmail, in.Email)
	now := in.Now.UTC()
	kinds, granted, hashes := make([]string, len(in.Consents)), make([]bool, len(in.Consents)), make([][]byte, len(in.Consents))
	for i, c := range in.Consents {
		kinds[i], granted[i], hashes[i] = c.Kind, c.Granted, WordingHash(c.Label)
	}
	return s.db.InScope(ctx, s.scope(), func(tx *gorm.DB) error {
		c := tx.Statement.ConnPool
		_, err := c.ExecContext(ctx, `WITH s AS (
			INSERT INTO subjects (id, email_index) VALUES ($2, $3)
			ON CONFLICT (email_index) DO UPDATE SET email_index = excluded.email_index
			RETURNING id
		), r AS (
			INSERT INTO rights_requests (id, subject_id, "right", fields, status, created_at, purpose, lang)
			SELECT $1, s.id, $4, $5, $6, $7, $8, $13 FROM s RETURNING id, subject_id
		), c AS (
			INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
			SELECT r.subject_id, r.id, $8, k.kind, k.granted, 'form', $9, k.hash, $7
			FROM r, unnest($10::text[], $11::boolean[], $12::bytea[]) AS k(kind, granted, hash)
		)
		INSERT INTO rights_request_events (request_id, kind, actor, created_at) SELECT id, 'submitted', 'requester', $7 FROM r`,
			in.ID, uuid.New(), emailIdx, in.Right, sealed, RightsUnconfirmed, now, s.purpose,
			in.PolicyVersion, kinds, granted, hashes, langOf(in.Lang))
		if err != nil {
			return fmt.Errorf("models: rights request: %w", err)
		}
		return enqueue(ctx, tx, s.vault, "rights_confirm", in.Confirm, now)
	})
}

// Confirm records that the requester confirmed their email: the request is
// received now and due one calendar month later. Confirming twice keeps the
// first dates.
func (s *RightsStore) Confirm(ctx context.Context, id uuid.UUID, now time.Time) (*RightsRequest, error) {
	now = now.UTC()
	err := s.db.InScope(ctx, s.scope(), func(tx *gorm.DB) error {
		c := tx.Statement.ConnPool
		res, err := c.ExecContext(ctx, `UPDATE rights_requests SET status = $2, email_confirmed_at = $3, received_at = $3, due_at = $4
			WHERE id = $1 AND email_confirmed_at IS NULL`, id, RightsReceived, now, RightsDueDate(now))
		if err != nil {
			return fmt.Errorf("models: confirm rights request: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			_, err = c.ExecContext(ctx, `INSERT INTO rights_request_events (request_id, kind, actor, created_at)
				VALUES ($1, 'email_confirmed', 'requester', $2)`, id, now)
			if err != nil {
				return fmt.Errorf("models: confirm rights request: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Get returns one request, decrypted.
func (s *RightsStore) Get(ctx context.Context, id uuid.UUID) (*RightsRequest, error) {
	var r RightsRequest
	var sealed []byte
	err := s.db.InScope(ctx, s.scope(), func(tx *gorm.DB) error {
		return tx.Statement.ConnPool.QueryRowContext(ctx, `SELECT id, subject_id, "right", fields, status,
			email_confirmed_at, received_at, due_at, created_at FROM rights_requests WHERE id = $1`, id).
			Scan(&r.ID, &r.SubjectID, &r.Right, &sealed, &r.Status, &r.EmailConfirmedAt, &r.ReceivedAt, &r.DueAt, &r.CreatedAt)
	})
	if err != nil {
		if isNoRows(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("models: rights request: %w", err)
	}
	plain, err := s.vault.Decrypt(sealed, rightsAAD(id))
	if err != nil {
		return nil, fmt.Errorf("models: rights request %s: %w", id, err)
	}
	if err := unmarshalJSON(plain, &r.Fields); err != nil {
		return nil, err
	}
	return &r, nil
}
