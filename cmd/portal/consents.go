package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/alegria/privacy-portal/models"
)

// consentsCommand runs `portal consents stats [--days N]`: the cookie banner's
// answers per day, the optional categories granted and the forms' consent
// boxes per kind, from the two ledgers (read as portal_app): the figures of
// the DPO's page /admin/dpo/consents, through the same query.
func consentsCommand(env *env, args []string) error {
	ctx, stdout := env.ctx, env.stdout
	if len(args) > 0 && args[0] == "bench-link" {
		return preferencesBenchLink(env, args[1:])
	}
	if len(args) == 0 || args[0] != "stats" {
		return errors.New("usage: portal consents stats [--days N]")
	}
	fs := flag.NewFlagSet("consents stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	days := fs.Int("days", 30, "how many days back")
	if err := fs.Parse(args[1:]); err != nil || *days < 1 || *days > 3660 {
		return errors.New("usage: portal consents stats [--days N] (N from 1 to 3660)")
	}
	db, err := env.database()
	if err != nil {
		return err
	}
	since := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-*days)
	st, err := models.NewConsentStatsStore(db).Stats(ctx, since)
	if err != nil {
		return err
	}
	days1 := table(stdout, "day\tanswers\taccept\treject\tcustom\tgpc\twithdrawals\t", func(w io.Writer) {
		for _, d := range st.Days {
			answers := d.Accept + d.Reject + d.Custom + d.GPC
			fmt.Fprintf(w, "%s\t%d\t%.1f%%\t%.1f%%\t%.1f%%\t%.1f%%\t%d\t\n", d.Day.Format(time.DateOnly), answers,
				100*d.Rate(d.Accept), 100*d.Rate(d.Reject), 100*d.Rate(d.Custom), 100*d.Rate(d.GPC), d.Withdraw)
		}
		if len(st.Days) == 0 {
			fmt.Fprintf(w, "no cookie choices in the last %d days\t\t\t\t\t\t\t\n", *days)
		}
	})
	cats := table(stdout, "category\tgranted\tshare\t", func(w io.Writer) {
		for _, c := range st.Categories {
			fmt.Fprintf(w, "%s\t%d\t%.1f%%\t\n", c.Category, c.Granted, 100*c.Rate())
		}
	})
	forms := table(stdout, "form consent\tticked\tunticked\twithdrawn\t", func(w io.Writer) {
		for _, f := range st.Forms {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t\n", f.Kind, f.Granted, f.Declined, f.Withdrawn)
		}
	})
	return errors.Join(days1, cats, forms)
}

// table writes a right-aligned table and a blank line after it.
func table(out io.Writer, header string, rows func(w io.Writer)) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, header)
	rows(w)
	err := w.Flush()
	fmt.Fprintln(out)
	return err
}

// preferencesBenchLink prints the path of a signed /preferences link for an
// address, as the emails carry it: `make bench` measures the page without
// reading a mailbox. PORTAL_BENCH=1 only, like staff bench-session: whoever
// runs it holds the keys anyway, but a link printed on a terminal is a
// credential outside any email.
func preferencesBenchLink(env *env, args []string) error {
	if os.Getenv("PORTAL_BENCH") != "1" {
		return errors.New("bench-link is only available with PORTAL_BENCH=1")
	}
	fs := flag.NewFlagSet("consents bench-link", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "the address the link is for")
	if err := fs.Parse(args); err != nil || *email == "" {
		return errors.New("usage: portal consents bench-link --email E")
	}
	v, secrets, err := env.keys()
	if err != nil {
		return err
	}
	// The key the server signs every email's link with (handlers/routes.go).
	link := models.SignPreferencesLink(secrets.Key("email-link"), models.PersonOf(v, *email), time.Now().Add(models.PreferencesLinkValidity))
	_, err = fmt.Fprintln(env.stdout, "/preferences?"+link)
	return err
}
