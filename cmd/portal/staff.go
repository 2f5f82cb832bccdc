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

	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/vault"
	"github.com/alegria/privacy-portal/views"
)

// staffCommand: `portal staff add --email E --role R --name N`, and the
// bench helper `portal staff bench-session --email E` (PORTAL_BENCH=1 only).
func staffCommand(env *env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: portal staff add --email E --role R --name N")
	}
	ctx, stdout := env.ctx, env.stdout
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	email := fs.String("email", "", "staff email address")
	role := fs.String("role", "", "role key from the registry")
	name := fs.String("name", "", "full name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	reg, db, v, secrets, err := env.all()
	if err != nil {
		return err
	}
	switch args[0] {
	case "add":
		r, ok := reg.Role(*role)
		if !ok {
			return fmt.Errorf("unknown role %q", *role)
		}
		// The operator gets the link (the first account has nobody to mail
		// it from); it is mailed too when mail can be sent. Creating an
		// account that sees personal data is logged and notified to the DPO.
		mail := models.AccountMail{DPO: views.StaffNotice(ctx, reg, views.ChangeAccountCreated, *email, r, "", time.Now())}
		if env.cfg.SMTPURL != "" {
			mail.Invitation = views.StaffInvitation(ctx, reg, env.cfg.BaseURL.String(), *name, *email)
		}
		inv, err := models.NewStaffStore(db, v).WithInvitationKey(secrets.Key(models.InvitationKeyName)).
			Create(ctx, nil, *email, *name, *role, mail)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (role %s): invitation link, valid once until %s:\n  %s\n", inv.Staff.Email, inv.Staff.Role,
			inv.ExpiresAt.Format(time.RFC3339), views.InvitationLink(env.cfg.BaseURL.String(), inv.Token))
		if env.cfg.SMTPURL != "" {
			fmt.Fprintln(stdout, "  (also emailed to the new member)")
		}
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
	fmt.Fprintf(w, "%-32s role %-12s password: %s\n  TOTP: %s\n", ns.Staff.Email, ns.Staff.Role, ns.Password, ns.OTPURL)
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
