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

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
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
	// Invited: the account waits for its owner to follow the invitation and
	// set a password and an authenticator; it cannot sign in until then.
	Invited         bool
	InviteExpiresAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Lang is the language the member reads the back-office in ("fr" or
	// "en"); empty until the first sign-in sets it from the browser.
	Lang string
}

// TableName is the staff table (not "staffs").
func (Staff) TableName() string { return "staff" }

// TOTPIssuer names the portal in authenticator apps.
const TOTPIssuer = "Alegria.tech Privacy Portal"

// MaxPasswordLen bounds the hashing work a request can cause. The other
// numbers of the login policy (CNIL recommendations on passwords,
// délibération 2022-100) are policy.Durations and policy.Limits, which the
// pages state.
const MaxPasswordLen = 128

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, 2 passes).
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// dummyHash is compared against when the account does not exist, so the
// response takes as long either way and reveals nothing. It is the hash of
// "not a password of anyone" under passwordParams (a test checks they
// match), written out rather than computed at start-up: computing it took
// argon2's 19 MiB before the server served anything, and the collector then
// let the heap grow to twice that before its next cycle (peak RSS).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$ZVlaRirBE+xiPFqKSl3WPw$EIakYJH3bfjr+uxhJ/gKfRbHdmyNwi6VsDbtuirus9Y"

var (
	// ErrBadLogin covers every refusal: unknown account, wrong password or
	// code, replayed code, a try that must still wait, deactivation. One error, one message.
	ErrBadLogin = errors.New("models: login refused")
	// ErrTooManyAttempts is the per-address limit (sign-in), or a password
	// change from an address that must still wait.
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

// NewStaff is an enrolled account with the credentials its owner chose
// (demo accounts and tests keep them to sign in). Neither is stored in the clear.
type NewStaff struct {
	Staff    Staff
	Password string
	OTPURL   string
}

// StaffStore holds the back-office accounts: creation, sign-in, password and
// role changes. Account changes made by an administrator are logged in the
// transaction that makes them, naming the account changed.
type StaffStore struct {
	db        *DB
	vault     *vault.Vault
	inviteKey []byte
}

// NewStaffStore manages db's accounts; v seals their TOTP secrets.
func NewStaffStore(db *DB, v *vault.Vault) *StaffStore { return &StaffStore{db: db, vault: v} }

// WithInvitationKey sets the key that signs invitation links (derived from
// the server secret); without it no invitation can be made or accepted.
func (st *StaffStore) WithInvitationKey(key []byte) *StaffStore {
	st.inviteKey = key
	return st
}

const staffColumns = `SELECT id, email, name, role, password_hash, totp_secret, totp_last_step, must_change_password,
	active, invite_hash IS NOT NULL, invite_expires_at, created_at, updated_at, coalesce(lang, '') FROM staff`

func scanStaff(row pgx.CollectableRow) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.Role, &s.PasswordHash, &s.TOTPSecret, &s.TOTPLastStep, &s.MustChangePassword,
		&s.Active, &s.Invited, &s.InviteExpiresAt, &s.CreatedAt, &s.UpdatedAt, &s.Lang)
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

// staffAdmin logs a change to account target: by an administrator, or from
// the command line (by nil: the operator is not a staff member, the event
// names the account only).
func staffAdmin(ctx context.Context, q Querier, by *Actor, target uuid.UUID, now time.Time) error {
	e := AccessEvent{At: now, Action: ActionStaffAdmin, UserAgent: "portal command line", Outcome: OutcomeOK}
	if by != nil {
		e = by.event(ActionStaffAdmin, "")
	}
	e.TargetStaffID = &target
	return logAccess(ctx, q, e)
}

// RandomPassword is a random password: 20 base32 characters (100 bits).
func RandomPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// AccountMail is what an account change queues in the outbox, in the
// transaction that makes the change.
type AccountMail struct {
	// Invitation builds the invitation email from its link's token; nil
	// when nobody is to be mailed (the command line prints the link).
	Invitation func(token string, expires time.Time) Email
	// DPO tells the DPO that an account sees personal data (art. 38(1): the
	// DPO is involved in everything that touches personal data); nil when
	// the role sees none.
	DPO *Email
}

// Create adds an account that cannot sign in yet, and its invitation: a
// signed, single-use, expiring link with which its owner sets their own
// password and enrols their authenticator. Whoever creates the account never
// holds its credentials (an administrator must not become the DPO). by is
// the administrator (nil from the command line); the change is logged naming
// the new account, and mail is queued in the same transaction.
func (st *StaffStore) Create(ctx context.Context, by *Actor, email, name, role string, mail AccountMail) (Invitation, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	name = strings.TrimSpace(name)
	if email == "" || !strings.Contains(email, "@") || len(email) > 254 || name == "" || utf8.RuneCountInString(name) > 100 {
		return Invitation{}, fmt.Errorf("models: staff: email and name are required")
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if by != nil {
		now = by.Now
	}
	s := Staff{ID: uuid.Must(uuid.NewV7()), Email: email, Name: name, Role: role, Active: true, Invited: true,
		CreatedAt: now, UpdatedAt: now}
	inv, nonceHash, err := st.newInvitation(s, now)
	if err != nil {
		return Invitation{}, err
	}
	err = st.db.Tx(ctx, func(q Querier) error {
		_, err := q.Exec(ctx, `INSERT INTO staff (id, email, name, role, password_hash, totp_secret, must_change_password, active,
			invite_hash, invite_expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, '', NULL, false, true, $5, $6, $7, $7)`,
			s.ID, s.Email, s.Name, s.Role, nonceHash, inv.ExpiresAt, now)
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("models: create staff: %w", err)
		}
		if err := st.queue(ctx, q, mail, inv, now); err != nil {
			return err
		}
		return staffAdmin(ctx, q, by, s.ID, now)
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
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
	// Lang is the browser's language (Accept-Language), kept as the
	// member's back-office language if they have none yet.
	Lang i18n.Lang
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

// LoginWait is how long a client address waits before its next try on one
// account after failures failed tries there. The first
// policy.Limits.LoginFreeFailures are free; then the wait starts at
// policy.Durations.LoginBackoff and doubles with each failure, up to
// policy.Durations.Lockout. Past the account's ceiling (many addresses
// failing: a distributed guess), every address that failed at all waits the
// longest. The account itself is never locked: its owner, from an address
// with no failure, signs in whatever others try.
func LoginWait(failures int, ceiling bool) time.Duration {
	longest := policy.Durations.Lockout.Duration()
	switch {
	case failures <= 0:
		return 0
	case ceiling:
		return longest
	case failures < policy.Limits.LoginFreeFailures:
		return 0
	}
	d := policy.Durations.LoginBackoff.Duration()
	for i := policy.Limits.LoginFreeFailures; i < failures && d < longest; i++ {
		d *= 2
	}
	return min(d, longest)
}

// loginGuard serialises the sign-in tries of one client address and counts
// its recent failures inside the caller's transaction, so a burst of
// concurrent tries cannot overshoot the per-address limit.
func loginGuard(ctx context.Context, q Querier, ip string, now time.Time) (blocked bool, err error) {
	if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('portal.login:' || $1, 0))`, ip); err != nil {
		return false, fmt.Errorf("models: login guard: %w", err)
	}
	var failures int
	err = q.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE action = $1 AND ip = $2 AND at > $3`,
		ActionLoginFailed, clip(ip, 64), policy.Durations.Lockout.Before(now)).Scan(&failures)
	if err != nil {
		return false, fmt.Errorf("models: login guard: %w", err)
	}
	return failures >= policy.Limits.FailedLoginsPerAddress, nil
}

// throttled says whether account id must still wait before a try from ip.
func throttled(ctx context.Context, q Querier, id uuid.UUID, ip string, now time.Time) (bool, error) {
	since := policy.Durations.LoginThrottleMemory.Before(now)
	var failures, total int
	var last *time.Time
	err := q.QueryRow(ctx, `SELECT
			coalesce((SELECT failures FROM login_throttle WHERE staff_id = $1 AND ip = $2 AND last_failed_at > $3), 0),
			(SELECT last_failed_at FROM login_throttle WHERE staff_id = $1 AND ip = $2),
			coalesce((SELECT sum(failures) FROM login_throttle WHERE staff_id = $1 AND last_failed_at > $3), 0)`,
		id, clip(ip, 64), since).Scan(&failures, &last, &total)
	if err != nil {
		return false, fmt.Errorf("models: login throttle: %w", err)
	}
	if last == nil {
		return false, nil
	}
	wait := LoginWait(failures, total >= policy.Limits.AccountFailureCeiling)
	return now.Before(last.Add(wait)), nil
}

// countFailure records a failed try on account id from ip.
func countFailure(ctx context.Context, q Querier, id uuid.UUID, ip string, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO login_throttle AS t (staff_id, ip, failures, last_failed_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (staff_id, ip) DO UPDATE SET last_failed_at = $3,
			failures = CASE WHEN t.last_failed_at > $4 THEN t.failures + 1 ELSE 1 END`,
		id, clip(ip, 64), now, policy.Durations.LoginThrottleMemory.Before(now))
	if err != nil {
		return fmt.Errorf("models: login throttle: %w", err)
	}
	return nil
}

// Authenticate checks a login (password, then TOTP code) and logs it in the
// same transaction. The account row is locked for the attempt, so the
// throttle and the last accepted TOTP step are exact under concurrent tries.
// A try that must still wait is refused without looking at the password.
func (st *StaffStore) Authenticate(ctx context.Context, a LoginAttempt) (Staff, error) {
	email := strings.ToLower(strings.TrimSpace(a.Email))
	if len(a.Password) > MaxPasswordLen {
		a.Password = a.Password[:MaxPasswordLen]
	}
	ev := AccessEvent{At: a.Now, Action: ActionLoginFailed, IP: a.IP, UserAgent: a.UserAgent, Outcome: OutcomeFailed}
	var s Staff
	var result error
	err := st.db.Tx(ctx, func(q Querier) error {
		blocked, err := loginGuard(ctx, q, a.IP, a.Now)
		if err != nil {
			return err
		}
		if blocked {
			ev.Outcome, result = OutcomeDenied, ErrTooManyAttempts
			return logAccess(ctx, q, ev)
		}
		s, err = takeStaff(ctx, q, "email = $1 FOR UPDATE", email)
		if errors.Is(err, ErrNotFound) || (err == nil && s.PasswordHash == "") { // unknown, or invited and not enrolled
			_, _ = argon2id.ComparePasswordAndHash(a.Password, dummyHash)
			result = ErrBadLogin
			return logAccess(ctx, q, ev)
		}
		if err != nil {
			return err
		}
		ev.StaffID, ev.Role = &s.ID, s.Role
		wait, err := throttled(ctx, q, s.ID, a.IP, a.Now)
		if err != nil {
			return err
		}
		if wait || !s.Active {
			_, _ = argon2id.ComparePasswordAndHash(a.Password, dummyHash)
			ev.Outcome, result = OutcomeDenied, ErrBadLogin
			return logAccess(ctx, q, ev)
		}
		pwOK, err := argon2id.ComparePasswordAndHash(a.Password, s.PasswordHash)
		if err != nil {
			return err
		}
		step := int64(-1)
		if pwOK {
			secret, err := st.vault.Decrypt(s.TOTPSecret, totpAAD(s.ID))
			if err != nil {
				return err
			}
			step = totpStep(string(secret), a.Code, a.Now)
		}
		// A code already used (same or older step) is refused: a shoulder-
		// surfed or intercepted code cannot open a second session.
		if step < 0 || step <= s.TOTPLastStep {
			result = ErrBadLogin
			if err := countFailure(ctx, q, s.ID, a.IP, a.Now); err != nil {
				return err
			}
			return logAccess(ctx, q, ev)
		}
		if _, err := q.Exec(ctx, `DELETE FROM login_throttle WHERE staff_id = $1 AND ip = $2`, s.ID, clip(a.IP, 64)); err != nil {
			return err
		}
		// A member who never chose a language gets the browser's from now on.
		if err := q.QueryRow(ctx, `UPDATE staff SET totp_last_step = $2, updated_at = $3, lang = coalesce(lang, $4)
			WHERE id = $1 RETURNING lang`, s.ID, step, a.Now, string(defaultLang(a.Lang))).Scan(&s.Lang); err != nil {
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
	if n < policy.Limits.MinPasswordLength || len(pw) > MaxPasswordLen {
		return ErrWeakPassword
	}
	return nil
}

// PasswordChange is a signed-in member replacing their password: the
// current one is asked again, and a wrong guess counts toward the same
// throttle as a failed sign-in (a stolen session must not become a way to
// guess the password without limit).
type PasswordChange struct {
	StaffID       uuid.UUID
	Current, Next string
	IP, UserAgent string
	Now           time.Time
}

// ChangePassword sets a new password after checking the current one.
func (st *StaffStore) ChangePassword(ctx context.Context, c PasswordChange) error {
	if err := CheckPasswordPolicy(c.Next); err != nil {
		return err
	}
	if c.Current == c.Next {
		return ErrWeakPassword
	}
	if len(c.Current) > MaxPasswordLen {
		c.Current = c.Current[:MaxPasswordLen]
	}
	var result error
	err := st.db.Tx(ctx, func(q Querier) error {
		blocked, err := loginGuard(ctx, q, c.IP, c.Now)
		if err != nil {
			return err
		}
		s, err := takeStaff(ctx, q, "id = $1 FOR UPDATE", c.StaffID)
		if err != nil {
			return err
		}
		ev := AccessEvent{At: c.Now, StaffID: &s.ID, Role: s.Role, Action: ActionLoginFailed, IP: c.IP, UserAgent: c.UserAgent,
			Outcome: OutcomeDenied, TargetStaffID: &s.ID}
		wait, err := throttled(ctx, q, s.ID, c.IP, c.Now)
		if err != nil {
			return err
		}
		if blocked || wait {
			result = ErrTooManyAttempts
			return logAccess(ctx, q, ev)
		}
		ok, err := argon2id.ComparePasswordAndHash(c.Current, s.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			ev.Outcome, result = OutcomeFailed, ErrBadLogin
			if err := countFailure(ctx, q, s.ID, c.IP, c.Now); err != nil {
				return err
			}
			return logAccess(ctx, q, ev)
		}
		hash, err := argon2id.CreateHash(c.Next, passwordParams)
		if err != nil {
			return err
		}
		_, err = q.Exec(ctx, `UPDATE staff SET password_hash = $2, must_change_password = false, updated_at = $3 WHERE id = $1`,
			s.ID, hash, c.Now)
		return err
	})
	if err != nil {
		return fmt.Errorf("models: change password: %w", err)
	}
	return result
}

// SetRole re-roles an account, logged in the same transaction as by's
// change to it. Its sessions end, so the new scope applies from the next login.
// dpo, when set, tells the DPO that the account now sees personal data.
func (st *StaffStore) SetRole(ctx context.Context, by Actor, id uuid.UUID, role string, dpo *Email) error {
	return st.change(ctx, by, id, true, `UPDATE staff SET role = $2, updated_at = $3 WHERE id = $1`, role, dpo)
}

// SetActive activates or deactivates an account, logged in the same
// transaction as by's change to it. Deactivating deletes its sessions in the
// same transaction: access ends at once.
func (st *StaffStore) SetActive(ctx context.Context, by Actor, id uuid.UUID, active bool) error {
	return st.change(ctx, by, id, !active, `UPDATE staff SET active = $2, updated_at = $3 WHERE id = $1`, active, nil)
}

func (st *StaffStore) change(ctx context.Context, by Actor, id uuid.UUID, endSessions bool, update string, value any, dpo *Email) error {
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
		if err := st.queue(ctx, q, AccountMail{DPO: dpo}, Invitation{}, by.Now); err != nil {
			return err
		}
		return staffAdmin(ctx, q, &by, id, by.Now)
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrLogUnavailable) {
		return fmt.Errorf("models: staff change: %w", err)
	}
	return err
}

func defaultLang(l i18n.Lang) i18n.Lang {
	if l, ok := i18n.Parse(string(l)); ok {
		return l
	}
	return i18n.Default
}

// SetLanguage records the language staff member id reads the back-office
// in. It is the member's own setting, not personal data of the people in the
// records: no access event.
func (st *StaffStore) SetLanguage(ctx context.Context, id uuid.UUID, lang i18n.Lang) error {
	if _, ok := i18n.Parse(string(lang)); !ok {
		return fmt.Errorf("models: staff language %q", lang)
	}
	tag, err := st.db.Pool.Exec(ctx, `UPDATE staff SET lang = $2 WHERE id = $1`, id, string(lang))
	if err != nil {
		return fmt.Errorf("models: staff language: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
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
