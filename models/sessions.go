package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/alegria/privacy-portal/policy"
)

// Session lifetimes (ANSSI and CNIL guidance for administrative access): a
// session ends after policy.Durations.SessionIdle without activity, and in
// any case policy.Durations.SessionAbsolute after login.
var (
	SessionIdle     = policy.Durations.SessionIdle.Duration()
	SessionAbsolute = policy.Durations.SessionAbsolute.Duration()
)

// SessionRow is a live session joined with its (active) account.
type SessionRow struct {
	StaffID    uuid.UUID
	Role       string
	Name       string
	Data       []byte
	CreatedAt  time.Time
	MustChange bool
	Lang       string // the member's back-office language, "" if never chosen
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// SessionStore keeps the back-office's server-side sessions.
type SessionStore struct{ db *DB }

// NewSessionStore keeps sessions in db.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

// NewSessionToken is a random 256-bit session id, base64url.
func NewSessionToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create stores a new session for staffID under token.
func (s *SessionStore) Create(ctx context.Context, token string, staffID uuid.UUID, data []byte, now time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO sessions (id_hash, staff_id, data, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $4, $5)`, hashToken(token), staffID, data, now, now.Add(SessionAbsolute))
	if err != nil {
		return fmt.Errorf("models: create session: %w", err)
	}
	return nil
}

// Touch loads a live session and slides its idle deadline. A session
// idle for too long, past its absolute end, or whose account was deactivated
// is not found (and the idle or expired row is deleted).
func (s *SessionStore) Touch(ctx context.Context, token string, now time.Time) (SessionRow, error) {
	var r SessionRow
	var lastSeen time.Time
	var staffID pgtype.UUID // 16 bytes copied, not text parsed (see scanRecord)
	id := hashToken(token)
	err := s.db.Pool.QueryRow(ctx, `SELECT st.id, st.role, st.name, s.data, s.created_at, st.must_change_password, s.last_seen_at,
			coalesce(st.lang, '')
		FROM sessions s JOIN staff st ON st.id = s.staff_id
		WHERE s.id_hash = $1 AND st.active AND s.last_seen_at > $3 AND s.expires_at > $2`,
		id, now, now.Add(-SessionIdle)).
		Scan(&staffID, &r.Role, &r.Name, &r.Data, &r.CreatedAt, &r.MustChange, &lastSeen, &r.Lang)
	r.StaffID = staffID.Bytes
	if errors.Is(err, pgx.ErrNoRows) {
		_ = s.Delete(ctx, token)
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("models: session: %w", err)
	}
	// The idle deadline slides at most once a minute: most requests only
	// read the row (no write, no row lock for one person's parallel requests).
	if now.Sub(lastSeen) >= time.Minute {
		if _, err := s.db.Pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`, id, now); err != nil {
			return r, fmt.Errorf("models: session: %w", err)
		}
	}
	return r, nil
}

// SessionCheck is a session to verify inside the transaction that reads the
// data (sessionCheckSQL) instead of in a read of its own: a request
// that carries one was let through on a copy of its session row, and shows
// nothing unless the check holds at the moment of the read.
type SessionCheck struct {
	tokenHash []byte
	StaffID   uuid.UUID
	Role      string
	Now       time.Time
}

// NewSessionCheck is the check of the session named by token, for staffID
// in role, at now.
func NewSessionCheck(token string, staffID uuid.UUID, role string, now time.Time) *SessionCheck {
	return &SessionCheck{tokenHash: hashToken(token), StaffID: staffID, Role: role, Now: now}
}

// ErrSessionEnded means the session of a request checked in its data's
// transaction no longer holds (logged out, idle, expired, account
// deactivated or given another role): nothing was read.
var ErrSessionEnded = errors.New("models: session ended")

// sessionCheckSQL verifies the session ($1-$5) and sets the transaction's
// row-level-security scope ($6, $7: scopeSQL's two settings) in one
// statement, one executor start fewer than two. The scope is set before any
// read it guards, since those reads are later statements of the same
// transaction; no table this statement reads (sessions, staff) has a policy
// depending on it. A session that no longer holds raises PS401
// (portal_session_ended), which aborts the transaction: the statements
// queued after it do not run. The usual path reads two rows and writes
// nothing; the idle deadline slides at most once a minute
// (portal_session_touch). OFFSET 0 keeps the sub-select of l in one
// place: without it the planner pulls l up and copies the sub-select into
// each CASE branch that reads seen, two InitPlans that the usual path runs
// both, and whose nodes every execution sets up.
const sessionCheckSQL = sessionCheckHead + sessionCheckFrom

// sessionCheckHead and sessionCheckFrom are sessionCheckSQL's select list
// and the rest, so that a statement may add settings of its own transaction
// to the check's (recordViewCheckSQL) without a node more to start.
const (
	sessionCheckHead = `SELECT CASE WHEN l.seen IS NULL THEN portal_session_ended()
		WHEN l.seen < $4::timestamptz - interval '1 minute' THEN portal_session_touch($1, $4) END,
	set_config('portal.purposes', $6, true), set_config('portal.restricted', $7, true)`
	sessionCheckFrom = `
	FROM (SELECT (SELECT s.last_seen_at FROM sessions s JOIN staff st ON st.id = s.staff_id
		WHERE s.id_hash = $1::bytea AND st.id = $2::uuid AND st.role = $3::text AND st.active AND NOT st.must_change_password
		  AND s.last_seen_at > $5::timestamptz AND s.expires_at > $4) AS seen OFFSET 0) l`
)

// queueAs adds the check to b as sql: sessionCheckSQL, or a statement
// wrapping or extending it that takes the same parameters.
func (c *SessionCheck) queueAs(b *pgx.Batch, sql string, scope Scope) {
	sa := scope.args()
	b.Queue(sql, c.tokenHash, pgID(&c.StaffID), c.Role, c.Now, c.Now.Add(-SessionIdle), sa[0], sa[1])
}

// sessionEnded reports the session check's refusal.
func sessionEnded(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "PS401"
}

// SaveData replaces a session's values.
func (s *SessionStore) SaveData(ctx context.Context, token string, data []byte) error {
	_, err := s.db.Pool.Exec(ctx, "UPDATE sessions SET data = $1 WHERE id_hash = $2", data, hashToken(token))
	if err != nil {
		return fmt.Errorf("models: save session: %w", err)
	}
	return nil
}

// Delete ends a session (logout, expiry).
func (s *SessionStore) Delete(ctx context.Context, token string) error {
	_, err := s.db.Pool.Exec(ctx, "DELETE FROM sessions WHERE id_hash = $1", hashToken(token))
	if err != nil {
		return fmt.Errorf("models: delete session: %w", err)
	}
	return nil
}

// EndOthers deletes every session of staff member id but the one
// named by keep: after a password change, a session someone else may hold
// must not outlive the old password.
func (s *SessionStore) EndOthers(ctx context.Context, id uuid.UUID, keep string) error {
	if _, err := s.db.Pool.Exec(ctx, "DELETE FROM sessions WHERE staff_id = $1 AND id_hash <> $2", id, hashToken(keep)); err != nil {
		return fmt.Errorf("models: end other sessions: %w", err)
	}
	return nil
}

// Purge deletes the sessions past their deadlines.
func (s *SessionStore) Purge(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.db.Pool.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2", now, now.Add(-SessionIdle))
	if err != nil {
		return 0, fmt.Errorf("models: purge sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// SessionData is what a session's data column holds; everything else comes
// from the staff table on every load. A typed struct in JSON, not gob of
// map[string]any: gob re-reads its type descriptors on every load, a tenth
// of the record view's CPU (make bench).
type SessionData struct {
	AuthAt int64 `json:"auth_at"` // unix seconds of the login: the absolute timeout counts from it
	// CSRF is the session's form token, issued at sign-in: a token planted
	// in the browser from a same-site origin is not this one.
	CSRF string `json:"csrf,omitempty"`
}
