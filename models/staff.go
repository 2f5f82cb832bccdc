package models

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/vault"
)

// Staff is a back-office account. Staff never see more than their role's
// purposes (art. 5(1)(f), 32); the admin role manages accounts and sees no
// personal data of the people in the records.
type Staff struct {
	ID                 uuid.UUID `gorm:"primaryKey;type:uuid"`
	Email              string
	Name               string
	Role               string
	PasswordHash       string
	TOTPSecret         []byte `gorm:"column:totp_secret"`
	TOTPLastStep       int64  `gorm:"column:totp_last_step"`
	MustChangePassword bool
	Active             bool
	FailedLogins       int
	LockedUntil        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TableName is the staff table (not "staffs").
func (Staff) TableName() string { return "staff" }

// TOTPIssuer names the portal in authenticator apps.
const TOTPIssuer = "Alegria.tech Privacy Portal"

// Login policy (CNIL recommendations on passwords, délibération 2022-100):
// a temporary lock after repeated failures, and a per-address limit so one
// client cannot try many accounts.
const (
	MaxFailedLogins  = 5
	LockoutDuration  = 15 * time.Minute
	MaxFailuresPerIP = 20 // failed logins from one address within LockoutDuration
	MinPasswordLen   = 12
	MaxPasswordLen   = 128 // bounds the hashing work a request can cause
)

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes).
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// dummyHash is compared against when the account does not exist, so the
// response takes as long either way and reveals nothing.
var dummyHash, _ = argon2id.CreateHash("not a password of anyone", passwordParams)

var (
	// ErrBadLogin covers every refusal: unknown account, wrong password or
	// code, replayed code, lock, deactivation. One error, one message.
	ErrBadLogin = errors.New("models: login refused")
	// ErrTooManyAttempts is the per-address limit.
	ErrTooManyAttempts = errors.New("models: too many failed logins from this address")
	// ErrWeakPassword is a new password outside the policy.
	ErrWeakPassword = errors.New("models: password does not meet the policy")
	// ErrNotFound is a missing row (or one a link names that no longer
	// exists: deleted unconfirmed after LinkValidity, say).
	ErrNotFound = errors.New("models: not found")
	// ErrDuplicate is an email already in use.
	ErrDuplicate = errors.New("models: already exists")
)

func totpAAD(id uuid.UUID) []byte { return []byte("staff.totp:" + id.String()) }

// NewStaff is what creating an account hands back once: the one-time
// password and the TOTP enrolment URI. Neither is stored in the clear.
type NewStaff struct {
	Staff    Staff
	Password string
	OTPURL   string
}

// StaffStore holds the back-office accounts: creation, sign-in, password and
// role changes. Account changes made by an administrator are logged in the
// transaction that makes them, naming the account changed.
type StaffStore struct {
	db    *DB
	vault *vault.Vault
}

// NewStaffStore manages db's accounts; v seals their TOTP secrets.
func NewStaffStore(db *DB, v *vault.Vault) *StaffStore { return &StaffStore{db: db, vault: v} }

const staffColumns = `SELECT id, email, name, role, password_hash, totp_secret, totp_last_step, must_change_password,
	active, failed_logins, locked_until, created_at, updated_at FROM staff`

func scanStaff(row pgx.CollectableRow) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.PasswordHash, &s.TOTPSecret, &s.TOTPLastStep, &s.MustChangePassword,
		&s.Active, &s.FailedLogins, &s.LockedUntil, &s.CreatedAt, &s.UpdatedAt)
	return s, err
}

func takeStaff(ctx context.Context, q Querier, where string, arg any) (Staff, error) {
	rows, err := q.Query(ctx, staffColumns+" WHERE "+where, arg)
	if err != nil {
		return Staff{}, fmt.Errorf("models: staff: %w", err)
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanStaff)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("models: staff: %w", err)
	}
	return s, nil
}

// staffAdmin logs an administrator's change to account target.
func staffAdmin(ctx context.Context, q Querier, by *Actor, target uuid.UUID) error {
	if by == nil { // the command line: the operator is not a staff member
		return nil
	}
	e := by.event(ActionStaffAdmin, "")
	e.TargetStaffID = &target
	return logAccess(ctx, q, e)
}

// RandomPassword is a one-time password: 20 base32 characters (100 bits).
func RandomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// Create adds an account with a one-time password (changed at first login)
// and a fresh TOTP secret: the second factor is mandatory for every role. by
// is the administrator making it (nil from the command line).
func (st *StaffStore) Create(ctx context.Context, by *Actor, email, name, role string) (NewStaff, error) {
	v := st.vault
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 || name == "" || utf8.RuneCountInString(name) > 100 {
		return NewStaff{}, fmt.Errorf("models: staff: email and name are required")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: email})
	if err != nil {
		return NewStaff{}, fmt.Errorf("models: totp: %w", err)
	}
	pw := RandomPassword()
	hash, err := argon2id.CreateHash(pw, passwordParams)
	if err != nil {
		return NewStaff{}, fmt.Errorf("models: hash: %w", err)
	}
	s := Staff{ID: uuid.Must(uuid.NewV7()), Email: email, Name: name, Role: role, PasswordHash: hash,
		MustChangePassword: true, Active: true}
	if s.TOTPSecret, err = v.Encrypt([]byte(key.Secret()), totpAAD(s.ID)); err != nil {
		return NewStaff{}, err
	}
	s.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	if by != nil {
		s.CreatedAt = by.Now
	}
	s.UpdatedAt = s.CreatedAt
	err = st.db.Tx(ctx, func(q Querier) error {
		_, err := q.Exec(ctx, `INSERT INTO staff (id, email, name, role, password_hash, totp_secret, must_change_password, active,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, true, true, $7, $7)`,
			s.ID, s.Email, s.Name, s.Role, s.PasswordHash, s.TOTPSecret, s.CreatedAt)
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("models: create staff: %w", err)
		}
		return staffAdmin(ctx, q, by, s.ID)
	})
	if err != nil {
		return NewStaff{}, err
	}
	return NewStaff{Staff: s, Password: pw, OTPURL: key.URL()}, nil
}

// ByID returns an account.
func (st *StaffStore) ByID(ctx context.Context, id uuid.UUID) (Staff, error) {
	return takeStaff(ctx, st.db.Pool, "id = $1", id)
}

// List returns every account, by name.
func (st *StaffStore) List(ctx context.Context) ([]Staff, error) {
	rows, err := st.db.Pool.Query(ctx, staffColumns+" ORDER BY name, email")
	if err != nil {
		return nil, fmt.Errorf("models: list staff: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanStaff)
	if err != nil {
		return nil, fmt.Errorf("models: list staff: %w", err)
	}
	return out, nil
}

// Count is how many accounts exist (seeding is skipped when some do).
func (st *StaffStore) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := st.db.Pool.QueryRow(ctx, "SELECT count(*) FROM staff").Scan(&n); err != nil {
		return 0, fmt.Errorf("models: count staff: %w", err)
	}
	return n, nil
}

// LoginAttempt is one sign-in: what was typed and where from.
type LoginAttempt struct {
	Email, Password, Code string
	IP, UserAgent         string
	Now                   time.Time
}

// totpStep finds the time step (within one step of clock drift) whose code
// matches, or -1.
func totpStep(secret, code string, now time.Time) int64 {
	if len(code) != 6 {
		return -1
	}
	cur := now.Unix() / 30
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{
			Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step
		}
	}
	return -1
}

// Authenticate checks a login (password, then TOTP code) and logs it in the
// same transaction. The account row is locked for the attempt, so the failure
// counter and the last accepted TOTP step are exact under concurrent tries.
func (st *StaffStore) Authenticate(ctx context.Context, a LoginAttempt) (Staff, error) {
	v := st.vault
	email := strings.ToLower(strings.TrimSpace(a.Email))
	var failures int64
	err := st.db.Pool.QueryRow(ctx, `SELECT count(*) FROM access_events
		WHERE action = $1 AND ip = $2 AND at > $3`, ActionLoginFailed, a.IP, a.Now.Add(-LockoutDuration)).Scan(&failures)
	if err != nil {
		return Staff{}, fmt.Errorf("models: login: %w", err)
	}
	ev := AccessEvent{At: a.Now, Action: ActionLoginFailed, IP: a.IP, UserAgent: a.UserAgent, Outcome: OutcomeFailed}
	if failures >= MaxFailuresPerIP {
		ev.Outcome = OutcomeDenied
		if err := st.db.Tx(ctx, func(q Querier) error { return logAccess(ctx, q, ev) }); err != nil {
			return Staff{}, err
		}
		return Staff{}, ErrTooManyAttempts
	}
	if len(a.Password) > MaxPasswordLen {
		a.Password = a.Password[:MaxPasswordLen]
	}
	var s Staff
	var result error
	err = st.db.Tx(ctx, func(q Querier) error {
		var err error
		s, err = takeStaff(ctx, q, "email = $1 FOR UPDATE", email)
		if errors.Is(err, ErrNotFound) {
			_, _ = argon2id.ComparePasswordAndHash(a.Password, dummyHash)
			result = ErrBadLogin
			return logAccess(ctx, q, ev)
		}
		if err != nil {
			return err
		}
		ev.StaffID, ev.Role = &s.ID, s.Role
		pwOK, err := argon2id.ComparePasswordAndHash(a.Password, s.PasswordHash)
		if err != nil {
			return err
		}
		locked := s.LockedUntil != nil && a.Now.Before(*s.LockedUntil)
		step := int64(-1)
		if pwOK && !locked && s.Active {
			secret, err := v.Decrypt(s.TOTPSecret, totpAAD(s.ID))
			if err != nil {
				return err
			}
			step = totpStep(string(secret), a.Code, a.Now)
		}
		// A code already used (same or older step) is refused: a shoulder-
		// surfed or intercepted code cannot open a second session.
		if step < 0 || step <= s.TOTPLastStep || locked || !s.Active {
			result = ErrBadLogin
			if !locked && s.Active {
				s.FailedLogins++
				failed, lockedUntil := s.FailedLogins, (*time.Time)(nil)
				if s.FailedLogins >= MaxFailedLogins {
					until := a.Now.Add(LockoutDuration)
					failed, lockedUntil = 0, &until
				}
				if _, err := q.Exec(ctx, `UPDATE staff SET failed_logins = $2, locked_until = coalesce($3, locked_until), updated_at = $4
					WHERE id = $1`, s.ID, failed, lockedUntil, a.Now); err != nil {
					return err
				}
			}
			return logAccess(ctx, q, ev)
		}
		if _, err := q.Exec(ctx, `UPDATE staff SET failed_logins = 0, locked_until = NULL, totp_last_step = $2, updated_at = $3
			WHERE id = $1`, s.ID, step, a.Now); err != nil {
			return err
		}
		ev.Action, ev.Outcome = ActionLogin, OutcomeOK
		return logAccess(ctx, q, ev)
	})
	if err != nil {
		return Staff{}, fmt.Errorf("models: login: %w", err)
	}
	if result != nil {
		return Staff{}, result
	}
	return s, nil
}

// CheckPasswordPolicy says whether a new password is acceptable.
func CheckPasswordPolicy(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen || len(pw) > MaxPasswordLen {
		return ErrWeakPassword
	}
	return nil
}

// ChangePassword sets a new password (forced at first login) after checking
// the current one.
func (st *StaffStore) ChangePassword(ctx context.Context, id uuid.UUID, current, next string, now time.Time) error {
	if err := CheckPasswordPolicy(next); err != nil {
		return err
	}
	if current == next {
		return ErrWeakPassword
	}
	s, err := st.ByID(ctx, id)
	if err != nil {
		return err
	}
	ok, err := argon2id.ComparePasswordAndHash(current, s.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadLogin
	}
	hash, err := argon2id.CreateHash(next, passwordParams)
	if err != nil {
		return err
	}
	if _, err := st.db.Pool.Exec(ctx, `UPDATE staff SET password_hash = $2, must_change_password = false, updated_at = $3
		WHERE id = $1`, id, hash, now); err != nil {
		return fmt.Errorf("models: change password: %w", err)
	}
	return nil
}

// SetRole re-roles an account, logged in the same transaction as by's
// change to it. Its sessions end, so the new scope applies from the next login.
func (st *StaffStore) SetRole(ctx context.Context, by Actor, id uuid.UUID, role string) error {
	return st.change(ctx, by, id, true, `UPDATE staff SET role = $2, updated_at = $3 WHERE id = $1`, role)
}

// SetActive activates or deactivates an account, logged in the same
// transaction as by's change to it. Deactivating deletes its sessions in the
// same transaction: access ends at once.
func (st *StaffStore) SetActive(ctx context.Context, by Actor, id uuid.UUID, active bool) error {
	return st.change(ctx, by, id, !active, `UPDATE staff SET active = $2, updated_at = $3 WHERE id = $1`, active)
}

func (st *StaffStore) change(ctx context.Context, by Actor, id uuid.UUID, endSessions bool, update string, value any) error {
	err := st.db.Tx(ctx, func(q Querier) error {
		tag, err := q.Exec(ctx, update, id, value, by.Now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if endSessions {
			if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE staff_id = $1", id); err != nil {
				return err
			}
		}
		return staffAdmin(ctx, q, &by, id)
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLogUnavailable) {
		return fmt.Errorf("models: staff change: %w", err)
	}
	return err
}

// CurrentTOTPCode is the code an authenticator would show now (tests and the
// demo's bench helper only: it needs the vault).
func (st *StaffStore) CurrentTOTPCode(ctx context.Context, id uuid.UUID, now time.Time) (string, error) {
	s, err := st.ByID(ctx, id)
	if err != nil {
		return "", err
	}
	secret, err := st.vault.Decrypt(s.TOTPSecret, totpAAD(s.ID))
	if err != nil {
		return "", err
	}
	return totp.GenerateCodeCustom(string(secret), now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
