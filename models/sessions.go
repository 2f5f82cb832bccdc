package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Session lifetimes (ANSSI and CNIL guidance for administrative access): a
// session ends after 30 minutes without activity, and in any case 12 hours
// after login.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
)

// SessionRow is a live session joined with its (active) account.
type SessionRow struct {
	StaffID    uuid.UUID
	Role       string
	Name       string
	Data       []byte
	CreatedAt  time.Time
	MustChange bool
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewSessionToken is a random 256-bit session id, base64url.
func NewSessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession stores a new session for staffID under token.
func (db *DB) CreateSession(ctx context.Context, token string, staffID uuid.UUID, data []byte, now time.Time) error {
	err := db.Gorm.WithContext(ctx).Exec(`INSERT INTO sessions (id_hash, staff_id, data, created_at, last_seen_at, expires_at)
		VALUES ( ?, ?, ?, ?, ?, ?)`, hashToken(token), staffID, data, now, now, now.Add(SessionAbsolute)).Error
	if err != nil {
		return fmt.Errorf("models: create session: %w", err)
	}
	return nil
}

// TouchSession loads a live session and slides its idle deadline. A session
// idle for too long, past its absolute end, or whose account was deactivated
// is not found (and the idle or expired row is deleted).
func (db *DB) TouchSession(ctx context.Context, token string, now time.Time) (SessionRow, error) {
	var r SessionRow
	var lastSeen time.Time
	id := hashToken(token)
	// pgx directly, not gorm: this runs on every back-office request.
	err := db.Pool.QueryRow(ctx, `SELECT st.id, st.role, st.name, s.data, s.created_at, st.must_change_password, s.last_seen_at
		FROM sessions s JOIN staff st ON st.id = s.staff_id
		WHERE s.id_hash = $1 AND st.active AND s.last_seen_at > $3 AND s.expires_at > $2`,
		id, now, now.Add(-SessionIdle)).
		Scan(&r.StaffID, &r.Role, &r.Name, &r.Data, &r.CreatedAt, &r.MustChange, &lastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = db.DeleteSession(ctx, token)
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("models: session: %w", err)
	}
	// The idle deadline slides at most once a minute: most requests only
	// read the row (no write, no row lock for one person's parallel requests).
	if now.Sub(lastSeen) >= time.Minute {
		if _, err := db.Pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`, id, now); err != nil {
			return r, fmt.Errorf("models: session: %w", err)
		}
	}
	return r, nil
}

// SaveSessionData replaces a session's values.
func (db *DB) SaveSessionData(ctx context.Context, token string, data []byte) error {
	err := db.Gorm.WithContext(ctx).Exec("UPDATE sessions SET data = ? WHERE id_hash = ?", data, hashToken(token)).Error
	if err != nil {
		return fmt.Errorf("models: save session: %w", err)
	}
	return nil
}

// DeleteSession ends a session (logout, expiry).
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	err := db.Gorm.WithContext(ctx).Exec("DELETE FROM sessions WHERE id_hash = ?", hashToken(token)).Error
	if err != nil {
		return fmt.Errorf("models: delete session: %w", err)
	}
	return nil
}

// EndOtherSessions deletes every session of staff member id but the one
// named by keep: after a password change, a session someone else may hold
// must not outlive the old password.
func (db *DB) EndOtherSessions(ctx context.Context, id uuid.UUID, keep string) error {
	if _, err := db.Pool.Exec(ctx, "DELETE FROM sessions WHERE staff_id = $1 AND id_hash <> $2", id, hashToken(keep)); err != nil {
		return fmt.Errorf("models: end other sessions: %w", err)
	}
	return nil
}

// PurgeSessions deletes the sessions past their deadlines.
func (db *DB) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	r := db.Gorm.WithContext(ctx).Exec("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?", now, now.Add(-SessionIdle))
	if r.Error != nil {
		return 0, fmt.Errorf("models: purge sessions: %w", r.Error)
	}
	return r.RowsAffected, nil
}

// SessionData is what a session's data column holds; everything else comes
// from the staff table on every load. A typed struct in JSON, not gob of
// map[string]any: gob re-reads its type descriptors on every load, a tenth
// of the record view's CPU (make bench).
type SessionData struct {
	AuthAt int64 `json:"auth_at"` // unix seconds of the login: the absolute timeout counts from it
}

// BenchSessionData is the data column of a session signed in at t (the
// bench helper creates sessions without a TOTP round).
func BenchSessionData(t time.Time) ([]byte, error) {
	return json.Marshal(SessionData{AuthAt: t.Unix()})
}

// BenchSignIn creates a signed-in session for staff member id without the
// password and TOTP round (make bench only), and lifts the forced password
// change that would otherwise redirect every request.
func (db *DB) BenchSignIn(ctx context.Context, id uuid.UUID, now time.Time) (string, error) {
	data, err := BenchSessionData(now)
	if err != nil {
		return "", err
	}
	if _, err := db.Pool.Exec(ctx, "UPDATE staff SET must_change_password = false WHERE id = $1", id); err != nil {
		return "", fmt.Errorf("models: bench sign-in: %w", err)
	}
	token := NewSessionToken()
	if err := db.CreateSession(ctx, token, id, data, now); err != nil {
		return "", err
	}
	return token, nil
}
