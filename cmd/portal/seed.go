package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// seedCommand: portal seed --demo (the first start of make run).
func seedCommand(env *env, args []string) error {
	if len(args) == 0 || args[0] != "--demo" {
		return errors.New("usage: portal seed --demo")
	}
	reg, db, v, _, err := env.all()
	if err != nil {
		return err
	}
	return seedBackoffice(env.ctx, db, v, reg, env.stdout)
}

// seedBackoffice creates one account per role and a few hundred records per
// purpose, unless staff already exist (make run calls it on first start).
func seedBackoffice(ctx context.Context, db *models.DB, v *vault.Vault, reg *policy.Registry, stdout io.Writer) error {
	staff := models.NewStaffStore(db, v)
	n, err := staff.Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(stdout, "demo data: staff accounts exist already, nothing seeded")
		return nil
	}
	fmt.Fprintln(stdout, "Demo staff (one per role, set up as if each had answered their invitation). Sign in at")
	fmt.Fprintln(stdout, "/admin/login with the password and a code from an authenticator app enrolled with the TOTP")
	fmt.Fprintln(stdout, "URI (no app? `make demo-code EMAIL=…` prints the current code).")
	for _, s := range demo.Staff {
		ns, err := demo.Account(ctx, db, v, s.Email, s.Name, s.Role, time.Now())
		if err != nil {
			return err
		}
		printStaff(stdout, ns)
	}
	per := 300
	if v := os.Getenv("PORTAL_DEMO_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("PORTAL_DEMO_RECORDS must be a number of records per purpose")
		}
		per = n
	}
	count, err := demo.SeedRecords(ctx, models.NewRecordStore(db, v), reg, per, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d records (%d per purpose with records)\n", count, per)
	return nil
}
