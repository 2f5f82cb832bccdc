package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// retentionCommand: run [--dry-run] [--as-of DATE], verify, replay [--since DATE].
func retentionCommand(env *env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: portal retention run [--dry-run] [--as-of YYYY-MM-DD] [--batch N] | verify | replay [--since YYYY-MM-DD]")
	}
	ctx, stdout := env.ctx, env.stdout
	reg, db, v, secrets, err := env.all()
	if err != nil {
		return err
	}
	store := models.NewRetentionStore(db, v, secrets.Key(models.ErasureLogKeyName))
	switch args[0] {
	case "run":
		fs := flag.NewFlagSet("retention run", flag.ContinueOnError)
		fs.SetOutput(env.stderr)
		dry := fs.Bool("dry-run", false, "count only: delete nothing")
		asOf := fs.String("as-of", "", "apply the rules as on this day (YYYY-MM-DD); a future day needs --dry-run")
		batch := fs.Int("batch", models.DefaultRetentionBatch, "records deleted per transaction (at most: fewer while a batch takes over a quarter of a second)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *batch < 1 || *batch > 100000 {
			return errors.New("--batch: between 1 and 100000 records per transaction")
		}
		store.SetBatch(*batch)
		opts := models.SweepOptions{AsOf: time.Now(), DryRun: *dry, Trigger: "cli"}
		if *asOf != "" {
			d, err := time.Parse(time.DateOnly, *asOf)
			if err != nil {
				return fmt.Errorf("--as-of: %q is not a date (YYYY-MM-DD)", *asOf)
			}
			if d.After(time.Now()) && !*dry {
				return errors.New("--as-of in the future deletes data before its day: add --dry-run to preview it")
			}
			opts.AsOf = d
		}
		if !*dry {
			opts.Outbox = models.NewOutbox(db, v)
			opts.CookieData = models.NewCookieLedger(db)
			opts.AccessLog = models.NewAccessLog(nil, v, secrets.Key(models.CheckpointKeyName))
			if env.cfg.MigrateDatabaseURL != "" {
				owner, err := pgxpool.New(ctx, env.cfg.MigrateDatabaseURL)
				if err != nil {
					return err
				}
				defer owner.Close()
				opts.Owner = owner
			}
			if isTerminal(stdout) {
				opts.Progress = progressBar(env.stderr)
			}
		}
		rep, err := store.Sweep(ctx, reg, opts)
		if err != nil {
			return err
		}
		printRetention(stdout, reg, rep)
		if len(rep.Errors) > 0 {
			return fmt.Errorf("retention run finished with %d error(s)", len(rep.Errors))
		}
		return nil
	case "verify":
		rep, err := store.Verify(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rep)
		if !rep.OK {
			return errors.New("retention runs verification failed")
		}
		return nil
	case "replay":
		fs := flag.NewFlagSet("retention replay", flag.ContinueOnError)
		fs.SetOutput(env.stderr)
		since := fs.String("since", "", "the day of the backup restored (YYYY-MM-DD); default: every logged erasure")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		var from time.Time
		if *since != "" {
			if from, err = time.Parse(time.DateOnly, *since); err != nil {
				return fmt.Errorf("--since: %q is not a date (YYYY-MM-DD)", *since)
			}
		}
		rep, err := store.Replay(ctx, reg, from)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "erasure log: %d ids; deleted again: %d records, %d rights requests, %d objections; erased on request again: %d people, %d request details\n",
			rep.Logged, rep.Records, rep.RightsRequests, rep.Suppressions, rep.Subjects, rep.RequestDetails)
		return nil
	}
	return fmt.Errorf("unknown retention command %q", args[0])
}

// printRetention is the summary per purpose or kind of data.
func printRetention(w io.Writer, reg *policy.Registry, rep models.RetentionReport) {
	mode := "run"
	if rep.DryRun {
		mode = "dry run (nothing deleted)"
	}
	fmt.Fprintf(w, "retention %s as of %s\n", mode, rep.AsOf.Format(time.DateOnly))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "data\tdue\tdeleted\tanonymised\theld\t")
	for _, c := range rep.Counts {
		name := c.Key
		if p, ok := reg.Purpose(c.Key); ok && c.Data == models.DataRecords {
			name = p.Title.EN
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", name, c.Due, c.Deleted, c.Anonymised, c.Held)
	}
	t := rep.Totals()
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t\n", t.Due, t.Deleted, t.Anonymised, t.Held)
	_ = tw.Flush() // a terminal or a pipe: nothing left to tell if it fails
	for _, e := range rep.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	if rep.ID != 0 {
		fmt.Fprintf(w, "evidence: retention run %d (portal retention verify checks the chain)\n", rep.ID)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws [#####     ] done/total on one line of w.
func progressBar(w io.Writer) func(done, total int64) {
	return func(done, total int64) {
		const width = 30
		n := width
		if total > 0 {
			n = int(min(done, total) * width / total)
		}
		fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

// newRetentionWorker is serve's daily sweep. With MIGRATE_DATABASE_URL it
// also prunes the access log (the owner's right only).
func newRetentionWorker(env *env) (*retentionWorker, func(), error) {
	_, db, v, secrets, err := env.all()
	if err != nil {
		return nil, nil, err
	}
	w := &retentionWorker{
		store:    models.NewRetentionStore(db, v, secrets.Key(models.ErasureLogKeyName)),
		registry: func() (*policy.Registry, error) { return policy.Load(env.cfg.PolicyPath) },
		opts: models.SweepOptions{Outbox: models.NewOutbox(db, v), CookieData: models.NewCookieLedger(db),
			AccessLog: models.NewAccessLog(nil, v, secrets.Key(models.CheckpointKeyName))},
	}
	closeFn := func() {}
	if env.cfg.MigrateDatabaseURL != "" {
		owner, err := pgxpool.New(env.ctx, env.cfg.MigrateDatabaseURL)
		if err != nil {
			return nil, nil, err
		}
		w.opts.Owner, closeFn = owner, owner.Close
	}
	return w, closeFn, nil
}
