package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// rightsCommand runs `portal rights list [--overdue]`: every confirmed
// rights request, soonest deadline first (ids, rights, statuses and dates:
// no personal data).
func rightsCommand(env *env, args []string) error {
	usage := errors.New("usage: portal rights list [--overdue]")
	if len(args) == 0 || args[0] != "list" {
		return usage
	}
	fs := flag.NewFlagSet("rights list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	overdue := fs.Bool("overdue", false, "only the requests past their deadline")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usage
	}
	reg, err := env.registry()
	if err != nil {
		return err
	}
	pu, ok := reg.RightsPurpose()
	if !ok {
		return errors.New("the registry has no purpose of kind rights_request")
	}
	db, err := env.database()
	if err != nil {
		return err
	}
	now := time.Now()
	rows, err := models.NewRightsDesk(db, nil, pu, nil).Overview(env.ctx, *overdue, now)
	if err != nil {
		return err
	}
	return printRights(env.stdout, rows, now)
}

func printRights(out io.Writer, rows []models.RightsRow, now time.Time) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "id\ttypes\tstatus\treceived\tdue\tdays left\t")
	for _, r := range rows {
		left := fmt.Sprint(models.DaysLeft(r.DueAt, now))
		var marks []string
		switch {
		case !models.RightsOpen(r.Status):
			left = "-"
		case r.Paused:
			left = "clock stopped"
		case r.Overdue(now):
			marks = append(marks, "OVERDUE")
		}
		if r.Extended {
			marks = append(marks, "extended")
		}
		status := r.Status
		if len(marks) > 0 {
			status += " (" + strings.Join(marks, ", ") + ")"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.ID, r.Right, status,
			r.ReceivedAt.UTC().Format(time.DateOnly), r.DueAt.UTC().Format(time.DateOnly), left)
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "no request\t\t\t\t\t\t")
	}
	return w.Flush()
}

type rightsRemindersArgs struct{}

func (rightsRemindersArgs) Kind() string { return "rights_reminders" }

// rightsRemindersWorker emails the DPO (through the outbox) 7 and 2 days
// before a rights request's due date and on the day it passes (art. 12(3):
// one month). Each reminder is sent once, whatever the number of instances.
type rightsRemindersWorker struct {
	river.WorkerDefaults[rightsRemindersArgs]
	desk    *models.RightsDesk
	reg     *policy.Registry
	baseURL string
	log     *slog.Logger
}

func (w *rightsRemindersWorker) Work(ctx context.Context, _ *river.Job[rightsRemindersArgs]) error {
	now := time.Now()
	n, err := w.desk.DueReminders(ctx, now, func(r models.Reminder) models.Email {
		return views.ReminderEmail(w.reg, w.baseURL, r)
	})
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("rights-request reminders queued for the DPO", "count", n)
	}
	if _, err := w.desk.PurgePackages(ctx, now); err != nil {
		return err
	}
	return nil
}
