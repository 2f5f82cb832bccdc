package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

func outboxAAD(id uuid.UUID) []byte { return []byte("outbox.message:" + id.String()) }

func sealEmail(v *vault.Vault, id uuid.UUID, e Email) ([]byte, error) {
	plain, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("models: email: %w", err)
	}
	return v.Encrypt(plain, outboxAAD(id))
}

func openEmail(v *vault.Vault, id uuid.UUID, sealed []byte) (Email, error) {
	var e Email
	plain, err := v.Decrypt(sealed, outboxAAD(id))
	if err != nil {
		return e, fmt.Errorf("models: outbox %s: %w", id, err)
	}
	if err := json.Unmarshal(plain, &e); err != nil {
		return e, fmt.Errorf("models: outbox %s: %w", id, err)
	}
	return e, nil
}

// OutboxMessage is one queued email, decrypted.
type OutboxMessage struct {
	ID        uuid.UUID
	Kind      string
	Status    string
	Attempts  int
	CreatedAt time.Time
	SentAt    *time.Time
	Email     Email
}

// Outbox is the queue of emails: forms write to it in their transaction, a
// background job sends them. Nothing is lost if the mail server is down.
type Outbox struct {
	db    *DB
	vault *vault.Vault
}

// NewOutbox returns the outbox store.
func NewOutbox(db *DB, v *vault.Vault) *Outbox { return &Outbox{db: db, vault: v} }

// enqueue adds a message inside a caller's transaction.
func enqueue(ctx context.Context, tx *gorm.DB, v *vault.Vault, kind string, e Email, now time.Time) error {
	id := uuid.New()
	msg, err := sealEmail(v, id, e)
	if err != nil {
		return err
	}
	_, err = tx.Statement.ConnPool.ExecContext(ctx,
		`INSERT INTO outbox (id, kind, message, created_at, send_after) VALUES ($1, $2, $3, $4, $4)`, id, kind, msg, now)
	if err != nil {
		return fmt.Errorf("models: outbox: %w", err)
	}
	return nil
}

// enqueueQ adds a message inside a caller's pgx transaction.
func enqueueQ(ctx context.Context, q Querier, v *vault.Vault, kind string, e Email, now time.Time) error {
	id := uuid.New()
	msg, err := sealEmail(v, id, e)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO outbox (id, kind, message, created_at, send_after) VALUES ($1, $2, $3, $4, $4)`,
		id, kind, msg, now.UTC()); err != nil {
		return fmt.Errorf("models: outbox: %w", err)
	}
	return nil
}

// Add queues one message in its own statement (kind: receipt, invitation,
// marketing, …).
func (o *Outbox) Add(ctx context.Context, kind string, e Email, now time.Time) error {
	id := uuid.New()
	msg, err := sealEmail(o.vault, id, e)
	if err != nil {
		return err
	}
	if _, err := o.db.Pool.Exec(ctx, `INSERT INTO outbox (id, kind, message, created_at, send_after) VALUES ($1, $2, $3, $4, $4)`,
		id, kind, msg, now.UTC()); err != nil {
		return fmt.Errorf("models: outbox: %w", err)
	}
	return nil
}

// List returns the newest messages, decrypted (portal outbox list, tests).
func (o *Outbox) List(ctx context.Context, limit int) ([]OutboxMessage, error) {
	rows, err := o.db.Pool.Query(ctx,
		`SELECT id, kind, status, attempts, created_at, sent_at, message FROM outbox ORDER BY created_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("models: outbox list: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var sealed []byte
		if err := rows.Scan(&m.ID, &m.Kind, &m.Status, &m.Attempts, &m.CreatedAt, &m.SentAt, &sealed); err != nil {
			return nil, fmt.Errorf("models: outbox list: %w", err)
		}
		if m.Email, err = openEmail(o.vault, m.ID, sealed); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// maxAttempts: after this many failures a message is marked failed and left
// for an operator, instead of retrying forever.
const maxAttempts = 8

// SendPending sends up to limit pending messages with send, each in its own
// short transaction (FOR UPDATE SKIP LOCKED: several workers never send the
// same email twice). A failure is retried later with backoff. It returns
// how many were sent.
func (o *Outbox) SendPending(ctx context.Context, send func(context.Context, Email) error, limit int, now func() time.Time) (int, error) {
	sent := 0
	for range limit {
		done, err := o.sendOne(ctx, send, now)
		if err != nil || !done {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

func (o *Outbox) sendOne(ctx context.Context, send func(context.Context, Email) error, now func() time.Time) (bool, error) {
	tx, err := o.db.Pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("models: outbox: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var id uuid.UUID
	var sealed []byte
	var attempts int
	err = tx.QueryRow(ctx, `SELECT id, message, attempts FROM outbox
		WHERE status = 'pending' AND send_after <= $1 ORDER BY send_after LIMIT 1 FOR UPDATE SKIP LOCKED`, now()).
		Scan(&id, &sealed, &attempts)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("models: outbox: %w", err)
	}
	e, err := openEmail(o.vault, id, sealed)
	if err == nil {
		err = send(ctx, e)
	}
	if err != nil {
		status := "pending"
		if attempts+1 >= maxAttempts {
			status = "failed"
		}
		// The error is not stored: it may quote the address.
		backoff := time.Duration(1<<min(attempts, 10)) * time.Minute
		if _, uerr := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, status = $2, send_after = $3 WHERE id = $1`,
			id, status, now().Add(backoff)); uerr != nil {
			return false, fmt.Errorf("models: outbox: %w", uerr)
		}
		if cerr := tx.Commit(ctx); cerr != nil {
			return false, fmt.Errorf("models: outbox: %w", cerr)
		}
		return false, fmt.Errorf("models: outbox: sending message %s failed (attempt %d)", id, attempts+1)
	}
	if _, err := tx.Exec(ctx, `UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1`, id, now()); err != nil {
		return false, fmt.Errorf("models: outbox: %w", err)
	}
	return true, tx.Commit(ctx)
}

// Kept after delivery only long enough to answer "did my email go?": the
// message names a person and what they asked us (storage limitation,
// art. 5(1)(e)).
var (
	keepSent   = policy.Durations.SentEmailRetention.Duration()
	keepFailed = policy.Durations.FailedEmailRetention.Duration()
)

// PurgeDelivered deletes sent messages after keepSent and failed ones after
// keepFailed. Pending ones stay: they have not reached anyone yet.
func (o *Outbox) PurgeDelivered(ctx context.Context, now time.Time) (int64, error) {
	tag, err := o.db.Pool.Exec(ctx, `DELETE FROM outbox
		WHERE (status = 'sent' AND sent_at < $1) OR (status = 'failed' AND created_at < $2)`,
		now.Add(-keepSent), now.Add(-keepFailed))
	if err != nil {
		return 0, fmt.Errorf("models: outbox purge: %w", err)
	}
	return tag.RowsAffected(), nil
}
