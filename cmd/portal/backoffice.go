package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// staffCommand: `portal staff add --email E --role R --name N`, and the
// bench helper `portal staff bench-session --email E` (PORTAL_BENCH=1 only).
func staffCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: portal staff add --email E --role R --name N")
	}
	reg, err := loadRegistry(cfg)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	email := fs.String("email", "", "staff email address")
	role := fs.String("role", "", "role key from the registry")
	name := fs.String("name", "", "full name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	v, _, err := openVault(cfg)
	if err != nil {
		return err
	}
	switch args[0] {
	case "add":
		if _, ok := reg.Role(*role); !ok {
			return fmt.Errorf("unknown role %q", *role)
		}
		ns, err := models.NewStaffStore(db, v).Create(ctx, nil, *email, *name, *role)
		if err != nil {
			return err
		}
		printStaff(stdout, ns)
		return nil
	case "bench-session":
		// Benchmarks need a signed-in session without a human typing a TOTP
		// code. Never available outside an explicit bench run.
		if os.Getenv("PORTAL_BENCH") != "1" {
			return errors.New("bench-session is only available with PORTAL_BENCH=1")
		}
		return benchSession(ctx, db, *email, stdout)
	case "demo-code":
		return demoCode(ctx, db, v, *email, stdout)
	}
	return fmt.Errorf("unknown staff command %q", args[0])
}

func printStaff(w io.Writer, ns models.NewStaff) {
	fmt.Fprintf(w, "%-32s role %-12s one-time password: %s\n  TOTP: %s\n", ns.Staff.Email, ns.Staff.Role, ns.Password, ns.OTPURL)
}

func benchSession(ctx context.Context, db *models.DB, email string, w io.Writer) error {
	s, err := staffByEmail(ctx, db, email)
	if err != nil {
		return err
	}
	token, err := benchkit.SignIn(ctx, db.Pool, models.NewSessionStore(db), s.ID, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(w, token)
	return nil
}

// demoCode prints the current TOTP code of a demo account, for a newcomer
// trying the back-office without an authenticator app. It gives nothing away:
// whoever can run it already holds the database and the keys.
func demoCode(ctx context.Context, db *models.DB, v *vault.Vault, email string, w io.Writer) error {
	if !slices.ContainsFunc(demo.Staff, func(d struct{ Email, Name, Role string }) bool { return d.Email == email }) {
		return fmt.Errorf("demo-code is for the demo accounts only (%s, …)", demo.Staff[0].Email)
	}
	s, err := staffByEmail(ctx, db, email)
	if err != nil {
		return err
	}
	code, err := models.NewStaffStore(db, v).CurrentTOTPCode(ctx, s.ID, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(w, code)
	return nil
}

func staffByEmail(ctx context.Context, db *models.DB, email string) (models.Staff, error) {
	list, err := models.NewStaffStore(db, nil).List(ctx)
	if err != nil {
		return models.Staff{}, err
	}
	for _, s := range list {
		if s.Email == email {
			return s, nil
		}
	}
	return models.Staff{}, fmt.Errorf("no staff member %s", email)
}

// auditlogCommand: verify (as the application role) and prune (as the owner).
func auditlogCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: portal auditlog verify | prune")
	}
	v, secrets, err := openVault(cfg)
	if err != nil {
		return err
	}
	key := secrets.Key(models.CheckpointKeyName)
	switch args[0] {
	case "verify":
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		rep, err := models.NewAccessLog(db, v, key).RequireSigned(time.Now().Add(-models.HeadGrace)).Verify(ctx, 0)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep)
		if !rep.OK {
			return errors.New("access log verification failed")
		}
		return nil
	case "bench-fill":
		// Synthetic events for `make bench` (the DPO page over a million rows).
		if os.Getenv("PORTAL_BENCH") != "1" {
			return errors.New("bench-fill is only available with PORTAL_BENCH=1")
		}
		n := 1000000
		if len(args) > 1 {
			fmt.Sscan(args[1], &n)
		}
		db, err := openDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		staff, err := models.NewStaffStore(db, v).List(ctx)
		if err != nil {
			return err
		}
		pool, err := pgxpool.New(ctx, cfg.MigrateDatabaseURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		if err := benchkit.FillAccessLog(ctx, pool, n, staff, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %d access events\n", n)
		return nil
	case "prune":
		if cfg.MigrateDatabaseURL == "" {
			return errors.New("MIGRATE_DATABASE_URL is not set: pruning runs as the owner")
		}
		pool, err := pgxpool.New(ctx, cfg.MigrateDatabaseURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		n, err := models.NewAccessLog(nil, v, key).Prune(ctx, pool, time.Now().Add(-models.AccessLogRetention))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "pruned %d access events older than a year; checkpoints written\n", n)
		return nil
	}
	return fmt.Errorf("unknown auditlog command %q", args[0])
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
	fmt.Fprintln(stdout, "Demo staff (one per role). Sign in at /admin/login with the password and a code from an")
	fmt.Fprintln(stdout, "authenticator app enrolled with the TOTP URI (no app? `make demo-code EMAIL=…` prints the")
	fmt.Fprintln(stdout, "current code); you will be asked to choose a new password.")
	for _, s := range demo.Staff {
		ns, err := staff.Create(ctx, nil, s.Email, s.Name, s.Role)
		if err != nil {
			return err
		}
		printStaff(stdout, ns)
	}
	per := 300
	if os.Getenv("PORTAL_DEMO_RECORDS") != "" {
		fmt.Sscan(os.Getenv("PORTAL_DEMO_RECORDS"), &per)
	}
	count, err := demo.SeedRecords(ctx, models.NewRecordStore(db, v), reg, per, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data: %d records across %d purposes\n", count, len(reg.FormPurposes()))
	return nil
}
