package models_test

import (
	"context"
	"errors"
	"github.com/google/uuid"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/vault"
)

func newStaff(t *testing.T, db *models.DB, v *vault.Vault, role string) models.NewStaff {
	t.Helper()
	ns, err := models.NewStaffStore(db, v).Create(context.Background(), nil, role+"@example.com", "Test "+role, role)
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

	t.Run("password and code sign in; the same code is refused the second time", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		c := code(t, db, v, ns, now)
		a := models.LoginAttempt{Email: "SALES@example.com ", Password: ns.Password, Code: c, IP: "192.0.2.1", Now: now}
		s, err := models.NewStaffStore(db, v).Authenticate(ctx, a)
		if err != nil || s.ID != ns.Staff.ID || !s.MustChangePassword {
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
		_, e1 := models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: "nobody@example.com", Password: "x", Code: "123456", IP: "192.0.2.1", Now: now})
		_, e2 := models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: ns.Staff.Email, Password: "wrong", Code: code(t, db, v, ns, now), IP: "192.0.2.1", Now: now})
		if !errors.Is(e1, models.ErrBadLogin) || !errors.Is(e2, models.ErrBadLogin) || e1.Error() != e2.Error() {
			t.Errorf("errors differ: %v / %v", e1, e2)
		}
	})
	t.Run("five failures lock the account for 15 minutes", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		for i := 0; i < models.MaxFailedLogins; i++ {
			_, _ = models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: ns.Staff.Email, Password: "wrong", Code: "000000", IP: "192.0.2.9", Now: now})
		}
		good := models.LoginAttempt{Email: ns.Staff.Email, Password: ns.Password, Code: code(t, db, v, ns, now.Add(time.Minute)), IP: "192.0.2.9", Now: now.Add(time.Minute)}
		if _, err := models.NewStaffStore(db, v).Authenticate(ctx, good); !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("locked account signed in: %v", err)
		}
		later := now.Add(models.LockoutDuration + time.Minute)
		good.Now, good.Code = later, code(t, db, v, ns, later)
		if _, err := models.NewStaffStore(db, v).Authenticate(ctx, good); err != nil {
			t.Errorf("after the lock: %v", err)
		}
	})
	t.Run("one address cannot try without limit", func(t *testing.T) {
		db, _ := testdb.Open(t)
		for i := 0; i < models.MaxFailuresPerIP; i++ {
			_, _ = models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: "x@example.com", Password: "x", Code: "1", IP: "203.0.113.5", Now: now})
		}
		_, err := models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: "x@example.com", Password: "x", Code: "1", IP: "203.0.113.5", Now: now})
		if !errors.Is(err, models.ErrTooManyAttempts) {
			t.Errorf("per-address limit: %v", err)
		}
		_, err = models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: "x@example.com", Password: "x", Code: "1", IP: "203.0.113.6", Now: now})
		if !errors.Is(err, models.ErrBadLogin) {
			t.Errorf("another address: %v", err)
		}
	})
	t.Run("deactivated accounts cannot sign in", func(t *testing.T) {
		db, _ := testdb.Open(t)
		ns := newStaff(t, db, v, "sales")
		if err := models.NewStaffStore(db, v).SetActive(ctx, models.Actor{StaffID: uuid.New(), Role: "admin", Now: now}, ns.Staff.ID, false); err != nil {
			t.Fatal(err)
		}
		_, err := models.NewStaffStore(db, v).Authenticate(ctx, models.LoginAttempt{Email: ns.Staff.Email, Password: ns.Password, Code: code(t, db, v, ns, now), IP: "192.0.2.1", Now: now})
		if !errors.Is(err, models.ErrBadLogin) {
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
			if err := models.NewStaffStore(db, nil).ChangePassword(ctx, ns.Staff.ID, c.current, c.next, now); !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	s, _ := models.NewStaffStore(db, nil).ByID(ctx, ns.Staff.ID)
	if s.MustChangePassword {
		t.Error("password change still forced after a change")
	}
}
