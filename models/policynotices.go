package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// ActionPolicyNotice is the access-log action of a batch of policy-change
// notices: reading people's email addresses to tell them.
const ActionPolicyNotice = "policy_notice"

// PolicyNotices tells every person with a current relationship (a record
// not yet expired) about a material change of the policy, once per person
// and version, through the outbox.
type PolicyNotices struct {
	db    *DB
	vault *vault.Vault
	reg   *policy.Registry
}

// NewPolicyNotices reads records of reg's purposes through db.
func NewPolicyNotices(db *DB, v *vault.Vault, reg *policy.Registry) *PolicyNotices {
	return &PolicyNotices{db: db, vault: v, reg: reg}
}

// NoticeBatch is what one batch did.
type NoticeBatch struct {
	Emailed   int // notices queued in the outbox
	NoAddress int // people with no email address on file: remembered, not told
}

// Done is how many people the batch handled.
func (b NoticeBatch) Done() int { return b.Emailed + b.NoAddress }

// pendingNotices are the people with a record not yet expired who have no
// notice for the version, each with their newest record. Restricted records
// stay out of sight (art. 18): the scope does not see them.
const pendingNotices = `SELECT DISTINCT ON (r.subject_id) r.subject_id, r.id, r.purpose, r.fields, r.lang
FROM records r
WHERE r.subject_id IS NOT NULL AND r.expires_at > $2
  AND NOT EXISTS (SELECT 1 FROM policy_notices n WHERE n.version = $1 AND n.subject_id = r.subject_id)
ORDER BY r.subject_id, r.created_at DESC
LIMIT $3`

// NotifyBatch handles up to limit people in one transaction: it records
// each notice, queues its email (compose writes it for an address, in the
// language of the person's newest record) and logs
// the batch in the access log, so a batch is all done or not at all. Two
// runs at once do not tell anyone twice: the notice's key refuses the
// second, and its transaction waits for or skips the first.
func (n *PolicyNotices) NotifyBatch(ctx context.Context, version string, limit int, now time.Time,
	compose func(to, lang string) Email) (NoticeBatch, error) {
	var b NoticeBatch
	scope := Scope{Purposes: n.reg.PurposeKeys()}
	err := n.db.Scoped(ctx, scope, func(q Querier) error {
		b = NoticeBatch{}
		rows, err := q.Query(ctx, pendingNotices, version, now, limit)
		if err != nil {
			return fmt.Errorf("models: policy notices: %w", err)
		}
		type pending struct {
			subject, record uuid.UUID
			purpose, lang   string
			fields          []byte
		}
		var todo []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.subject, &p.record, &p.purpose, &p.fields, &p.lang); err != nil {
				rows.Close()
				return fmt.Errorf("models: policy notices: %w", err)
			}
			todo = append(todo, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("models: policy notices: %w", err)
		}
		for _, p := range todo {
			to, err := n.emailOf(p.record, p.purpose, p.fields)
			if err != nil {
				return err
			}
			channel := "email"
			if to == "" {
				channel = "none"
			}
			tag, err := q.Exec(ctx, `INSERT INTO policy_notices (version, subject_id, channel, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, version, p.subject, channel, now)
			if err != nil {
				return fmt.Errorf("models: policy notices: %w", err)
			}
			if tag.RowsAffected() == 0 {
				continue // another run told them
			}
			if to == "" {
				b.NoAddress++
				continue
			}
			if err := enqueueQ(ctx, q, n.vault, "policy_notice", compose(to, p.lang), now); err != nil {
				return err
			}
			b.Emailed++
		}
		if b.Done() == 0 {
			return nil
		}
		return logAccess(ctx, q, AccessEvent{At: now, Role: "system", Action: ActionPolicyNotice,
			UserAgent: "portal policy notify " + version, Outcome: OutcomeOK})
	})
	return b, err
}

// emailOf is the address a record holds in its purpose's email field.
func (n *PolicyNotices) emailOf(id uuid.UUID, purpose string, sealed []byte) (string, error) {
	p, ok := n.reg.Purpose(purpose)
	if !ok || p.Form == nil {
		return "", nil
	}
	f, err := OpenFields(n.vault, id, sealed)
	if err != nil {
		return "", err
	}
	for _, fd := range p.Form.Fields {
		if fd.Identifies == "email" && f[fd.Name] != "" {
			return f[fd.Name], nil
		}
	}
	return "", nil
}

// Notified counts the notices of a version per channel.
func (n *PolicyNotices) Notified(ctx context.Context, version string) (emailed, noAddress int, err error) {
	err = n.db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE channel = 'email'), count(*) FILTER (WHERE channel = 'none')
		FROM policy_notices WHERE version = $1`, version).Scan(&emailed, &noAddress)
	if err != nil {
		return 0, 0, fmt.Errorf("models: policy notices: %w", err)
	}
	return emailed, noAddress, nil
}
