package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/alegria/privacy-portal/internal/mailer"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// Background work runs as River periodic jobs on the same PostgreSQL, so
// several app instances never do the same work twice (River elects a
// leader to enqueue periodic jobs; workers lock each job).

type outboxArgs struct{}

func (outboxArgs) Kind() string { return "outbox_send" }

// outboxWorker sends pending emails when SMTP_URL is set; in development
// they stay in the outbox (portal outbox list).
type outboxWorker struct {
	river.WorkerDefaults[outboxArgs]
	outbox *models.Outbox
	send   func(context.Context, models.Email) error // nil without SMTP_URL
	log    *slog.Logger
}

func (w *outboxWorker) Work(ctx context.Context, _ *river.Job[outboxArgs]) error {
	if w.send == nil {
		return nil
	}
	n, err := w.outbox.SendPending(ctx, w.send, 200, time.Now)
	if err != nil {
		// Logged, not returned: the message is retried with its own backoff
		// at the next run. The error names the message id, never an address.
		w.log.Warn("outbox: a message could not be sent", "sent", n, "error", err.Error())
	}
	return nil
}

type cleanupArgs struct{}

func (cleanupArgs) Kind() string { return "hourly_cleanup" }

// cleanupWorker deletes newsletter subscriptions and rights requests whose
// confirmation link expired (7 days), staff sessions past their idle or
// absolute deadline (the store refuses them already; this drops the rows),
// and emails delivered a day ago or failed a week ago.
type cleanupWorker struct {
	river.WorkerDefaults[cleanupArgs]
	db     *models.DB
	reg    *policy.Registry
	outbox *models.Outbox
	log    *slog.Logger
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[cleanupArgs]) error {
	n, err := models.DeleteUnconfirmed(ctx, w.db, w.reg, time.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("deleted unconfirmed requests", "count", n)
	}
	if n, err = models.NewSessionStore(w.db).Purge(ctx, time.Now()); err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("purged expired staff sessions", "count", n)
	}
	if n, err = w.outbox.PurgeDelivered(ctx, time.Now()); err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("purged delivered emails", "count", n)
	}
	return nil
}

type headsArgs struct{}

func (headsArgs) Kind() string { return "sign_access_heads" }

// headsWorker signs each access-log chain's newest link (see
// AccessLog.SignHeads), so tampering is detectable up to a minute back.
type headsWorker struct {
	river.WorkerDefaults[headsArgs]
	db  *models.DB
	key []byte
}

func (w *headsWorker) Work(ctx context.Context, _ *river.Job[headsArgs]) error {
	_, err := models.NewAccessLog(w.db, nil, w.key).SignHeads(ctx)
	return err
}

type retentionArgs struct{}

func (retentionArgs) Kind() string { return "retention_sweep" }

// retentionWorker applies the registry's retention rules once a day. The
// registry is read again at each run, so an edited period applies to the
// data already stored; the store's advisory lock keeps to one run at a time
// across servers.
type retentionWorker struct {
	river.WorkerDefaults[retentionArgs]
	store    *models.RetentionStore
	registry func() (*policy.Registry, error)
	opts     models.SweepOptions // Outbox, CookieData, AccessLog, Owner
	log      *slog.Logger
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[retentionArgs]) error {
	reg, err := w.registry()
	if err != nil {
		return err
	}
	opts := w.opts
	opts.AsOf, opts.Trigger = time.Now(), "job"
	rep, err := w.store.Sweep(ctx, reg, opts)
	if errors.Is(err, models.ErrSweepRunning) {
		return nil // another server is on it
	}
	if err != nil {
		return err
	}
	t := rep.Totals()
	w.log.Info("retention run", "run", rep.ID, "due", t.Due, "deleted", t.Deleted, "anonymised", t.Anonymised,
		"held", t.Held, "errors", len(rep.Errors))
	return nil
}

// newJobs builds the River client of serve.
func newJobs(db *models.DB, reg *policy.Registry, outbox *models.Outbox, headKey []byte, smtpURL string, log *slog.Logger,
	reminders *rightsRemindersWorker, retention *retentionWorker) (*river.Client[pgx.Tx], error) {
	var send func(context.Context, models.Email) error
	if smtpURL != "" {
		s, err := mailer.New(smtpURL)
		if err != nil {
			return nil, err
		}
		send = s
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &outboxWorker{outbox: outbox, send: send, log: log})
	river.AddWorker(workers, &cleanupWorker{db: db, reg: reg, outbox: outbox, log: log})
	river.AddWorker(workers, &headsWorker{db: db, key: headKey})
	periodic := []*river.PeriodicJob{}
	if reminders != nil {
		river.AddWorker(workers, reminders)
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return rightsRemindersArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	if retention != nil {
		retention.log = log
		river.AddWorker(workers, retention)
		// Daily; unique per day, so servers starting together enqueue one.
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) {
				return retentionArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
	return river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		// River reports its producer's counts at INFO every few seconds: only
		// its warnings and errors belong in the server's log.
		Logger:  slog.New(warnOnly{log.Handler()}),
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers: workers,
		PeriodicJobs: append(periodic,
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Second),
				func() (river.JobArgs, *river.InsertOpts) { return outboxArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return cleanupArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return headsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		),
	})
}

// warnOnly passes records at warning level and above to h.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{w.Handler.WithAttrs(attrs)}
}

func (w warnOnly) WithGroup(name string) slog.Handler { return warnOnly{w.Handler.WithGroup(name)} }
