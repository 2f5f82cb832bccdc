package models

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/vault"
)

// ReencryptCounts says how many ciphertexts a pass moved to the primary key.
type ReencryptCounts struct {
	Records, Attachments, Outbox, RightsRequests, StaffSecrets int
}

// Total is the sum of the counts.
func (c ReencryptCounts) Total() int {
	return c.Records + c.Attachments + c.Outbox + c.RightsRequests + c.StaffSecrets
}

// Reencrypt moves every ciphertext not under the vault's primary key to it,
// batch rows at a time, each batch in its own short transaction with rows
// locked (SKIP LOCKED), so the site keeps running during a rotation. The
// key id is read from the ciphertext's Tink prefix (bytes 2-5) in SQL, so
// only rows that need it are touched. purposes is every purpose of the
// registry: the scope must see all records, restricted ones included.
func Reencrypt(ctx context.Context, db *DB, v *vault.Vault, purposes []string, batch int) (ReencryptCounts, error) {
	var c ReencryptCounts
	primary := make([]byte, 4)
	binary.BigEndian.PutUint32(primary, v.PrimaryKeyID())
	all := Scope{Purposes: purposes, SeesRestricted: true}
	steps := []struct {
		scope Scope
		n     *int
		fn    func(ctx context.Context, q Querier) (int, error)
	}{
		{all, &c.Records, func(ctx context.Context, q Querier) (int, error) {
			return reencryptRecords(ctx, q, v, primary, batch)
		}},
		{all, &c.Attachments, func(ctx context.Context, q Querier) (int, error) {
			return reencryptAttachments(ctx, q, v, primary, batch)
		}},
		{all, &c.Outbox, func(ctx context.Context, q Querier) (int, error) {
			return reencryptColumn(ctx, q, v, primary, batch, "outbox", "message", outboxAAD)
		}},
		{all, &c.RightsRequests, func(ctx context.Context, q Querier) (int, error) {
			return reencryptColumn(ctx, q, v, primary, batch, "rights_requests", "fields", rightsAAD)
		}},
		// Staff TOTP secrets: a retired key must not lock every account out.
		{all, &c.StaffSecrets, func(ctx context.Context, q Querier) (int, error) {
			return reencryptColumn(ctx, q, v, primary, batch, "staff", "totp_secret", totpAAD)
		}},
	}
	for _, st := range steps {
		for {
			var n int
			err := db.Scoped(ctx, st.scope, func(q Querier) error {
				var err error
				n, err = st.fn(ctx, q)
				return err
			})
			if err != nil {
				return c, fmt.Errorf("models: reencrypt: %w", err)
			}
			*st.n += n
			if n < batch {
				break
			}
		}
	}
	return c, nil
}

type sealedRow struct {
	id   uuid.UUID
	a, b []byte
}

func lockBatch(ctx context.Context, q Querier, query string, args ...any) ([]sealedRow, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sealedRow
	for rows.Next() {
		var r sealedRow
		if err := rows.Scan(&r.id, &r.a, &r.b); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// reseal decrypts under any key and encrypts under the primary one; nil
// stays nil.
func reseal(v *vault.Vault, ct, aad []byte) ([]byte, error) {
	if ct == nil {
		return nil, nil
	}
	plain, err := v.Decrypt(ct, aad)
	if err != nil {
		return nil, err
	}
	return v.Encrypt(plain, aad)
}

func reencryptRecords(ctx context.Context, q Querier, v *vault.Vault, primary []byte, batch int) (int, error) {
	rows, err := lockBatch(ctx, q, `SELECT id, fields, note FROM records
		WHERE substring(fields FROM 2 FOR 4) <> $1 OR substring(note FROM 2 FOR 4) <> $1
		LIMIT $2 FOR UPDATE SKIP LOCKED`, primary, batch)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		f, err := reseal(v, r.a, fieldsAAD(r.id))
		if err != nil {
			return 0, err
		}
		n, err := reseal(v, r.b, noteAAD(r.id))
		if err != nil {
			return 0, err
		}
		if _, err := q.Exec(ctx, `UPDATE records SET fields = $2, note = $3 WHERE id = $1`, r.id, f, n); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

func reencryptAttachments(ctx context.Context, q Querier, v *vault.Vault, primary []byte, batch int) (int, error) {
	rows, err := lockBatch(ctx, q, `SELECT id, filename, content FROM attachments
		WHERE substring(content FROM 2 FOR 4) <> $1 OR substring(filename FROM 2 FOR 4) <> $1
		LIMIT $2 FOR UPDATE SKIP LOCKED`, primary, batch)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		name, err := reseal(v, r.a, AttachmentAAD(r.id, "filename"))
		if err != nil {
			return 0, err
		}
		content, err := reseal(v, r.b, AttachmentAAD(r.id, "content"))
		if err != nil {
			return 0, err
		}
		sum := sha256.Sum256(content)
		if _, err := q.Exec(ctx, `UPDATE attachments SET filename = $2, content = $3, sha256 = $4 WHERE id = $1`,
			r.id, name, content, sum[:]); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// reencryptColumn re-seals one encrypted column of a table whose associated
// data is aad(id): the outbox messages and the rights requests' fields. The
// table and column names are this file's constants, never input.
func reencryptColumn(ctx context.Context, q Querier, v *vault.Vault, primary []byte, batch int,
	table, column string, aad func(uuid.UUID) []byte) (int, error) {
	rows, err := lockBatch(ctx, q, `SELECT id, `+column+`, NULL::bytea FROM `+table+`
		WHERE substring(`+column+` FROM 2 FOR 4) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED`, primary, batch)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		sealed, err := reseal(v, r.a, aad(r.id))
		if err != nil {
			return 0, err
		}
		if _, err := q.Exec(ctx, `UPDATE `+table+` SET `+column+` = $2 WHERE id = $1`, r.id, sealed); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}
