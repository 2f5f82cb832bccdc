package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings are marshalled here
	}
	return b
}

func unmarshalJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("models: decode: %w", err)
	}
	return nil
}

func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, gorm.ErrRecordNotFound)
}

// ConfirmedStatus is the status a double opt-in record takes once its
// email is confirmed: the one after the initial (pending) status.
func ConfirmedStatus(p *policy.Purpose) string {
	if len(p.Statuses) < 2 {
		return p.InitialStatus()
	}
	return p.Statuses[1]
}

// ConfirmRecord completes a double opt-in (the newsletter): the record
// leaves its pending status and each consent given on the form is
// appended again to the ledger as confirmed by email. Only from then does
// the subscription count. Confirming twice changes nothing.
func (s *FormStore) ConfirmRecord(ctx context.Context, p *policy.Purpose, id uuid.UUID, now time.Time) error {
	now = now.UTC()
	return s.db.InScope(ctx, Scope{Purposes: []string{p.Key}}, func(tx *gorm.DB) error {
		c := tx.Statement.ConnPool
		var status string
		err := c.QueryRowContext(ctx, `SELECT status FROM records WHERE id = $1 AND purpose = $2 FOR UPDATE`, id, p.Key).Scan(&status)
		if err != nil {
			if isNoRows(err) {
				return ErrNotFound
			}
			return fmt.Errorf("models: confirm: %w", err)
		}
		if status != p.InitialStatus() {
			return nil
		}
		if _, err := c.ExecContext(ctx, `UPDATE records SET status = $2, last_contact_at = $3,
			expires_at = $4 WHERE id = $1`, id, ConfirmedStatus(p), now, p.Retention.ExpiresAt(now)); err != nil {
			return fmt.Errorf("models: confirm: %w", err)
		}
		_, err = c.ExecContext(ctx, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
			SELECT subject_id, record_id, purpose, kind, true, 'email_confirmed', policy_version, wording_hash, $2
			FROM consents WHERE record_id = $1 AND source = 'form' AND granted`, id, now)
		if err != nil {
			return fmt.Errorf("models: confirm: %w", err)
		}
		return nil
	})
}

// DeleteUnconfirmed deletes the double opt-in records and rights requests
// whose confirmation link expired (LinkValidity): a request nobody confirmed
// is not kept (art. 5(1)(c), (e)). The ledger keeps a row saying the
// unconfirmed consent lapsed. It returns how many rows were deleted.
func DeleteUnconfirmed(ctx context.Context, db *DB, reg *policy.Registry, now time.Time) (int64, error) {
	cutoff := now.UTC().Add(-LinkValidity)
	var total int64
	for _, p := range reg.FormPurposes() {
		if !p.Form.DoubleOptIn || p.Kind == policy.KindRightsRequest {
			continue
		}
		err := db.InScope(ctx, Scope{Purposes: []string{p.Key}}, func(tx *gorm.DB) error {
			c := tx.Statement.ConnPool
			_, err := c.ExecContext(ctx, `INSERT INTO consents (subject_id, record_id, purpose, kind, granted, source, policy_version, wording_hash, created_at)
				SELECT k.subject_id, k.record_id, k.purpose, k.kind, false, 'unconfirmed_expired', k.policy_version, k.wording_hash, $4
				FROM consents k JOIN records r ON r.id = k.record_id
				WHERE r.purpose = $1 AND r.status = $2 AND r.created_at < $3 AND k.source = 'form' AND k.granted`,
				p.Key, p.InitialStatus(), cutoff, now.UTC())
			if err != nil {
				return err
			}
			res, err := c.ExecContext(ctx, `DELETE FROM records WHERE purpose = $1 AND status = $2 AND created_at < $3`,
				p.Key, p.InitialStatus(), cutoff)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("models: delete unconfirmed %s: %w", p.Key, err)
		}
	}
	rp, ok := reg.RightsPurpose()
	if !ok {
		return total, nil
	}
	err := db.InScope(ctx, Scope{Purposes: []string{rp.Key}}, func(tx *gorm.DB) error {
		res, err := tx.Statement.ConnPool.ExecContext(ctx,
			`DELETE FROM rights_requests WHERE email_confirmed_at IS NULL AND created_at < $1`, cutoff)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		total += n
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("models: delete unconfirmed rights requests: %w", err)
	}
	return total, nil
}
