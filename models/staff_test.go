package models_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// newStaff is an enrolled account, as its owner would leave it after the
// invitation.
func newStaff(t *testing.T, db *models.DB, v *vault.Vault, role string) models.NewStaff {
	t.Helper()
	ns, err := demo.Account(context.Background(), db, v, role+"@example.com", "Test "+role, role, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func code(t *testing.T, db *models.DB, v *vault.Vault, ns models.NewStaff, at time.Time) string {
	t.Helper()
	c, err := models.NewStaffStore(db, v).CurrentTOTPCode(context.Background(), ns.Staff.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	v, _ := vault.NewEphemeral()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	login := func(db *models.DB, email, pw, code, ip string, at time.Time) error {
		_, err := models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: email, Password: pw, Code: code, IP: ip, Now: at})
		return err
	}

	t.Run("password and code sign in; the same code is refused the second time", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		c := code(t, db, v, ns, now)
		a := models.LoginAttempt{Email: "SALES@example.com ", Password: ns.Password, Code: c, IP: "192.0.2.1", Now: now}
		s, err := models.NewStaffStore(db, v).Authenticate(ctx, a)
		if err != nil || s.ID != ns.Staff.ID {
			t.Fatalf("login: %v %+v", err, s)
		}
		a.Now = now.Add(5 * time.Second)
		if _, err := models.NewStaffStore(db, v).Authenticate(ctx, a); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("replayed TOTP code accepted: %v", err)
		}
	})
	t.Run("unknown account and wrong password look the same", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		e1 := login(db, "nobody@example.com", "x", "123456", "192.0.2.1", now)
		e2 := login(db, ns.Staff.Email, "wrong", code(t, db, v, ns, now), "192.0.2.1", now)
		if !errors.Is(e1, models.ErrBadLogin) || !errors.Is(e2, models.ErrBadLogin) || e1.Error() != e2.Error() {
			t.Errorf("errors differ: %v / %v", e1, e2)
		}
	})
	t.Run("failures from one address do not lock the owner out", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		for i := range 10 {
			_ = login(db, ns.Staff.Email, "wrong", "000000", "198.51.100.9", now.Add(time.Duration(i)*time.Second))
		}
		at := now.Add(time.Minute)
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, at), "192.0.2.1", at); err != nil {
			t.Errorf("the owner, from another address, with the right password and code: %v", err)
		}
	})
	t.Run("an address waits longer after each failure, then may try again", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		at := now
		for range policy.Limits.LoginFreeFailures {
			_ = login(db, ns.Staff.Email, "wrong", "000000", "192.0.2.9", at)
		}
		wait := models.LoginWait(policy.Limits.LoginFreeFailures, false)
		if wait <= 0 || models.LoginWait(policy.Limits.LoginFreeFailures+1, false) != 2*wait {
			t.Fatalf("waits %v then %v: not growing", wait, models.LoginWait(policy.Limits.LoginFreeFailures+1, false))
		}
		at = at.Add(wait / 2)
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, at), "192.0.2.9", at); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("a try inside the wait was let through: %v", err)
		}
		at = now.Add(wait + time.Second)
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, at), "192.0.2.9", at); err != nil {
			t.Errorf("after the wait: %v", err)
		}
		if got := models.LoginWait(1000, false); got != policy.Durations.Lockout.Duration() {
			t.Errorf("longest wait %v, want %v", got, policy.Durations.Lockout.Duration())
		}
	})
	t.Run("past the account's ceiling, addresses that failed wait the longest; a clean one still signs in", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		for i := range policy.Limits.AccountFailureCeiling {
			ip := "198.51.100." + string(rune('0'+i%10)) + string(rune('0'+i/10%10))
			_ = login(db, ns.Staff.Email, "wrong", "000000", ip, now.Add(time.Duration(i)*time.Millisecond))
		}
		at := now.Add(10 * time.Minute)
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, at), "198.51.100.00", at); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("an address that failed, past the ceiling: %v", err)
		}
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, at), "192.0.2.1", at); err != nil {
			t.Errorf("the owner from a clean address: %v", err)
		}
	})
	t.Run("one address cannot try without limit", func(t *testing.T) {
		db, _ := testdb.Open(t)
		for range policy.Limits.FailedLoginsPerAddress {
			_ = login(db, "x@example.com", "x", "1", "203.0.113.5", now)
		}
		if err := login(db, "x@example.com", "x", "1", "203.0.113.5", now); !errors.Is(err, models.ErrTooManyAttempts) {
			t.Errorf("per-address limit: %v", err)
		}
		if err := login(db, "x@example.com", "x", "1", "203.0.113.6", now); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("another address: %v", err)
		}
	})
	t.Run("a concurrent burst does not overshoot the per-address limit", func(t *testing.T) {
		db, _ := testdb.Open(t)
		var wg sync.WaitGroup
		burst := policy.Limits.FailedLoginsPerAddress + 10
		for range burst {
			wg.Go(func() { _ = login(db, "x@example.com", "x", "1", "203.0.113.7", now) })
		}
		wg.Wait()
		var checked int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE ip = '203.0.113.7' AND outcome = 'failed'`).Scan(&checked); err != nil {
			t.Fatal(err)
		}
		if checked != policy.Limits.FailedLoginsPerAddress {
			t.Errorf("%d passwords checked in a burst of %d, want exactly %d", checked, burst, policy.Limits.FailedLoginsPerAddress)
		}
	})
	t.Run("deactivated accounts cannot sign in", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		if err := models.NewStaffStore(db, v).SetActive(ctx, models.Actor{StaffID: uuid.New(), Role: "admin", Now: now}, ns.Staff.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := login(db, ns.Staff.Email, ns.Password, code(t, db, v, ns, now), "192.0.2.1", now); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("deactivated: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	v, _ := vault.NewEphemeral()
	db, _ := testdb.Open(t)
	ns := newStaff(t, db, v, "sales")
	now := time.Now()
	change := func(current, next, ip string) error {
		return models.NewStaffStore(db, nil).ChangePassword(ctx, models.PasswordChange{StaffID: ns.Staff.ID,
			Current: current, Next: next, IP: ip, Now: now})
	}
	cases := []struct {
		name, current, next string
		want                error
	}{
		{"too short", ns.Password, "short", models.ErrWeakPassword},
		{"same as before", ns.Password, ns.Password, models.ErrWeakPassword},
		{"wrong current", "nope", "a much longer passphrase", models.ErrBadLogin},
		{"fine", ns.Password, "a much longer passphrase", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := change(c.current, c.next, "192.0.2.1"); !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	t.Run("wrong current passwords count toward the sign-in throttle", func(t *testing.T) {
		for range policy.Limits.LoginFreeFailures {
			if err := change("guess", "another long passphrase", "203.0.113.8"); !errors.Is(err, models.ErrBadLogin) {
				t.Fatalf("wrong guess: %v", err)
			}
		}
		if err := change("a much longer passphrase", "another long passphrase", "203.0.113.8"); !errors.Is(err, models.ErrTooManyAttempts) {
			t.Errorf("the right password inside the wait: %v", err)
		}
		err := login(t, db, v, ns, "a much longer passphrase", "203.0.113.8", now)
		if !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("sign-in from the guessing address inside the wait: %v", err)
		}
	})
}

func login(t *testing.T, db *models.DB, v *vault.Vault, ns models.NewStaff, pw, ip string, at time.Time) error {
	_, err := models.NewStaffStore(db, v).Authenticate(context.Background(), models.LoginAttempt{Email: ns.Staff.Email,
		Password: pw, Code: code(t, db, v, ns, at), IP: ip, Now: at})
	return err
}

// Enrolment: the administrator who creates an account never holds its
// credentials; its owner sets them through a signed, single-use, expiring
// link.
func TestInvitation(t *testing.T) {
	ctx := context.Background()
	v, _ := vault.NewEphemeral()
	db, _ := testdb.Open(t)
	now := time.Now().UTC().Truncate(time.Second)
	key := []byte("0123456789abcdef0123456789abcdef")
	st := models.NewStaffStore(db, v).WithInvitationKey(key)
	admin := models.Actor{StaffID: uuid.New(), Role: "admin", IP: "192.0.2.7", Now: now}
	var mailed string
	inv, err := st.Create(ctx, &admin, "new.dpo@example.com", "New DPO", "dpo", models.AccountMail{
		Invitation: func(token string, _ time.Time) models.Email {
			mailed = token
			return models.Email{To: "new.dpo@example.com", Subject: "invitation", Body: "/admin/welcome/" + token}
		},
		DPO: &models.Email{To: "dpo@example.com", Subject: "account sees personal data", Body: "new.dpo@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if mailed != inv.Token {
		t.Error("the invitation email does not carry the link")
	}
	msgs, err := models.NewOutbox(db, v).List(ctx, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("outbox: %d messages, %v; want the invitation and the DPO's notice", len(msgs), err)
	}
	var n int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE action = 'staff_admin' AND target_staff_id = $1`, inv.Staff.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("creation logged %d times naming the account (%v)", n, err)
	}
	// Not enrolled: no password signs in.
	if _, err := st.Authenticate(ctx, models.LoginAttempt{Email: inv.Staff.Email, Password: "", Code: "000000", IP: "192.0.2.7", Now: now}); !errors.Is(err, models.ErrBadLogin) {
		t.Errorf("an invited account signed in without a password: %v", err)
	}
	// Forged, tampered or expired links are refused.
	tampered := []byte(inv.Token)
	tampered[30] ^= 1
	if tampered[30] == '-' || tampered[30] == '_' {
		tampered[30] = 'A'
	}
	for name, tok := range map[string]string{"tampered": string(tampered), "garbage": "abc", "other key": mustToken(t, db, v, now)} {
		if _, err := st.InvitationFor(ctx, tok, now); !errors.Is(err, models.ErrInvitationInvalid) {
			t.Errorf("%s link accepted: %v", name, err)
		}
	}
	if _, err := st.InvitationFor(ctx, inv.Token, policy.Durations.Invitation.After(now).Add(time.Second)); !errors.Is(err, models.ErrInvitationInvalid) {
		t.Errorf("expired link accepted: %v", err)
	}
	if s, err := st.InvitationFor(ctx, inv.Token, now); err != nil || s.Email != "new.dpo@example.com" {
		t.Fatalf("valid link: %v", err)
	}
	auth, err := models.NewAuthenticator(inv.Staff.Email)
	if err != nil || !strings.HasPrefix(auth.QR, "data:image/png;base64,") || !strings.HasPrefix(auth.URL, "otpauth://totp/") {
		t.Fatalf("authenticator: %v %q", err, auth.URL)
	}
	first, _ := totp.GenerateCode(auth.Secret, now.Add(-30*time.Second))
	enrol := models.Enrolment{Token: inv.Token, Password: "my own long passphrase", Secret: auth.Secret, Code: "000000", Now: now}
	if _, err := st.Enrol(ctx, enrol); !errors.Is(err, models.ErrBadCode) && first != "000000" {
		t.Errorf("a wrong first code enrolled: %v", err)
	}
	enrol.Code = first
	if _, err := st.Enrol(ctx, enrol); err != nil {
		t.Fatalf("enrol: %v", err)
	}
	if _, err := st.Enrol(ctx, enrol); !errors.Is(err, models.ErrInvitationInvalid) {
		t.Errorf("the link worked twice: %v", err)
	}
	c, _ := totp.GenerateCode(auth.Secret, now)
	s, err := st.Authenticate(ctx, models.LoginAttempt{Email: inv.Staff.Email, Password: "my own long passphrase", Code: c, IP: "192.0.2.8", Now: now})
	if err != nil || s.Role != "dpo" || s.MustChangePassword {
		t.Errorf("sign-in with the credentials chosen at enrolment: %v", err)
	}
}

func mustToken(t *testing.T, db *models.DB, v *vault.Vault, now time.Time) string {
	t.Helper()
	other := models.NewStaffStore(db, v).WithInvitationKey([]byte("another key, another server......"))
	inv, err := other.Create(context.Background(), nil, "other@example.com", "Other", "sales", models.AccountMail{})
	if err != nil {
		t.Fatal(err)
	}
	return inv.Token
}
