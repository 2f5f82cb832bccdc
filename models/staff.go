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
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

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

// RandomPassword is a one-time password: 20 base32 characters (100 bits).
func RandomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// CreateStaff adds an account with a one-time password (changed at first
// login) and a fresh TOTP secret: the second factor is mandatory for every role.
func (db *DB) CreateStaff(ctx context.Context, v *vault.Vault, email, name, role string) (NewStaff, error) {
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
	if err := db.Gorm.WithContext(ctx).Create(&s).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return NewStaff{}, ErrDuplicate
		}
		return NewStaff{}, fmt.Errorf("models: create staff: %w", err)
	}
	return NewStaff{Staff: s, Password: pw, OTPURL: key.URL()}, nil
}

// StaffByID returns an account.
func (db *DB) StaffByID(ctx context.Context, id uuid.UUID) (Staff, error) {
	var s Staff
	err := db.Gorm.WithContext(ctx).Take(&s, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return s, ErrNotFound
	}
	return s, err
}

// ListStaff returns every account, by name.
func (db *DB) ListStaff(ctx context.Context) ([]Staff, error) {
	var out []Staff
	err := db.Gorm.WithContext(ctx).Order("name, email").Find(&out).Error
	return out, err
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
func (db *DB) Authenticate(ctx context.Context, v *vault.Vault, a LoginAttempt) (Staff, error) {
	email := strings.ToLower(strings.TrimSpace(a.Email))
	var failures int64
	err := db.Gorm.WithContext(ctx).Raw(`SELECT count(*) FROM access_events
		WHERE action = ? AND ip = ? AND at > ?`, ActionLoginFailed, a.IP, a.Now.Add(-LockoutDuration)).Scan(&failures).Error
	if err != nil {
		return Staff{}, fmt.Errorf("models: login: %w", err)
	}
	ev := AccessEvent{At: a.Now, Action: ActionLoginFailed, IP: a.IP, UserAgent: a.UserAgent, Outcome: OutcomeFailed}
	if failures >= MaxFailuresPerIP {
		ev.Outcome = OutcomeDenied
		if err := db.Log(ctx, ev); err != nil {
			return Staff{}, err
		}
		return Staff{}, ErrTooManyAttempts
	}
	if len(a.Password) > MaxPasswordLen {
		a.Password = a.Password[:MaxPasswordLen]
	}
	var s Staff
	var result error
	err = db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&s, "email = ?", email).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			_, _ = argon2id.ComparePasswordAndHash(a.Password, dummyHash)
			result = ErrBadLogin
			return LogAccess(tx, ev)
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
				upd := map[string]any{"failed_logins": s.FailedLogins, "updated_at": a.Now}
				if s.FailedLogins >= MaxFailedLogins {
					upd["failed_logins"], upd["locked_until"] = 0, a.Now.Add(LockoutDuration)
				}
				if err := tx.Model(&Staff{}).Where("id = ?", s.ID).Updates(upd).Error; err != nil {
					return err
				}
			}
			return LogAccess(tx, ev)
		}
		if err := tx.Model(&Staff{}).Where("id = ?", s.ID).Updates(map[string]any{
			"failed_logins": 0, "locked_until": nil, "totp_last_step": step, "updated_at": a.Now}).Error; err != nil {
			return err
		}
		ev.Action, ev.Outcome = ActionLogin, OutcomeOK
		return LogAccess(tx, ev)
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
func (db *DB) ChangePassword(ctx context.Context, id uuid.UUID, current, next string, now time.Time) error {
	if err := CheckPasswordPolicy(next); err != nil {
		return err
	}
	if current == next {
		return ErrWeakPassword
	}
	s, err := db.StaffByID(ctx, id)
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
	return db.Gorm.WithContext(ctx).Model(&Staff{}).Where("id = ?", id).Updates(map[string]any{
		"password_hash": hash, "must_change_password": false, "updated_at": now}).Error
}

// SetStaffRole re-roles an account. Its sessions end, so the new scope
// applies from the next login.
func (db *DB) SetStaffRole(ctx context.Context, id uuid.UUID, role string, now time.Time) error {
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Model(&Staff{}).Where("id = ?", id).Updates(map[string]any{"role": role, "updated_at": now})
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected == 0 {
			return ErrNotFound
		}
		return tx.Exec("DELETE FROM sessions WHERE staff_id = ?", id).Error
	})
}

// SetStaffActive activates or deactivates an account. Deactivating deletes
// its sessions in the same transaction: access ends at once.
func (db *DB) SetStaffActive(ctx context.Context, id uuid.UUID, active bool, now time.Time) error {
	return db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Model(&Staff{}).Where("id = ?", id).Updates(map[string]any{"active": active, "updated_at": now})
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected == 0 {
			return ErrNotFound
		}
		if active {
			return nil
		}
		return tx.Exec("DELETE FROM sessions WHERE staff_id = ?", id).Error
	})
}

// CurrentTOTPCode is the code an authenticator would show now (tests and the
// demo's bench helper only: it needs the vault).
func (db *DB) CurrentTOTPCode(ctx context.Context, v *vault.Vault, id uuid.UUID, now time.Time) (string, error) {
	s, err := db.StaffByID(ctx, id)
	if err != nil {
		return "", err
	}
	secret, err := v.Decrypt(s.TOTPSecret, totpAAD(s.ID))
	if err != nil {
		return "", err
	}
	return totp.GenerateCodeCustom(string(secret), now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
