package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/vault"
)

// The record view is the back-office's hot path. It runs as two pgx batches
// on one connection instead of a statement per round trip (seven with the
// session before): (BEGIN, scope, record, attachments), then (log, COMMIT).
// Nothing is returned to the handler unless the COMMIT carrying the log row
// succeeded: no log, no data.
const (
	recordSQL = `SELECT id, purpose, subject_id, status, fields, note, restricted, objected,
	created_at, last_contact_at, expires_at FROM records WHERE id = $1 AND purpose = $2`
	attachmentInfoSQL = `SELECT id, filename, mime, size FROM attachments WHERE record_id = $1 ORDER BY created_at`
)

// GetRecord opens one record for reading, logged as a "view". A record out of
// the actor's scope (another purpose, or restricted) is not found: row-level
// security hides it even if a handler forgot to check.
func (db *DB) GetRecord(ctx context.Context, v *vault.Vault, a Actor, purpose string, id uuid.UUID) (RecordDetail, error) {
	d, err := db.getRecord(ctx, v, a, purpose, id)
	if errors.Is(err, ErrNotFound) {
		// A miss is still an access attempt worth tracing (IDOR probing).
		_ = db.LogDenied(ctx, a, purpose, &id)
	}
	return d, err
}

func (db *DB) getRecord(ctx context.Context, v *vault.Vault, a Actor, purpose string, id uuid.UUID) (d RecordDetail, err error) {
	if len(a.Scope.Purposes) == 0 {
		return d, ErrNoScope
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return d, fmt.Errorf("models: record: %w", err)
	}
	defer conn.Release()
	open := false
	defer func() {
		if open { // any failure after BEGIN: leave nothing half-done on a pooled connection
			if _, rerr := conn.Exec(context.Background(), "ROLLBACK"); rerr != nil {
				conn.Conn().Close(context.Background())
			}
		}
	}()

	restricted := "off"
	if a.Scope.SeesRestricted {
		restricted = "on"
	}
	var atts []attachmentRow
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(`SELECT set_config('portal.purposes', $1, true), set_config('portal.restricted', $2, true)`,
		strings.Join(a.Scope.Purposes, ","), restricted)
	b.Queue(recordSQL, id, purpose).QueryRow(func(row pgx.Row) error { return scanRecord(row, &d.Record) })
	b.Queue(attachmentInfoSQL, id).Query(func(rows pgx.Rows) error {
		var err error
		atts, err = pgx.CollectRows(rows, pgx.RowToStructByPos[attachmentRow])
		return err
	})
	open = true
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return d, ErrNotFound
		}
		return d, fmt.Errorf("models: record: %w", err)
	}
	r := d.Record
	if d.Fields, err = OpenFields(v, r.ID, r.Fields); err != nil {
		return d, err
	}
	if d.Note, err = OpenNote(v, r.ID, r.Note); err != nil {
		return d, err
	}
	for _, at := range atts {
		name, err := v.Decrypt(at.Filename, AttachmentAAD(at.ID, "filename"))
		if err != nil {
			return d, fmt.Errorf("models: attachment %s: %w", at.ID, err)
		}
		d.Attachments = append(d.Attachments, AttachmentInfo{ID: at.ID, Filename: string(name), MIME: at.Mime, Size: at.Size})
	}

	ev := a.event(ActionView, purpose)
	ev.RecordID, ev.SubjectID, ev.Restricted = &r.ID, r.SubjectID, r.Restricted
	args, err := ev.logArgs()
	if err != nil {
		return RecordDetail{}, err
	}
	b = &pgx.Batch{}
	b.Queue(logAccessSQL, args...)
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return RecordDetail{}, fmt.Errorf("%w: %v", ErrLogUnavailable, err)
	}
	open = false
	return d, nil
}

type attachmentRow struct {
	ID       uuid.UUID
	Filename []byte
	Mime     string
	Size     int64
}

func scanRecord(row pgx.Row, r *Record) error {
	return row.Scan(&r.ID, &r.Purpose, &r.SubjectID, &r.Status, &r.Fields, &r.Note, &r.Restricted, &r.Objected,
		&r.CreatedAt, &r.LastContactAt, &r.ExpiresAt)
}
