package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/alegria/privacy-portal/internal/benchkit"
	"github.com/alegria/privacy-portal/models"
)

// auditlogCommand: verify (as the application role) and prune (as the owner).
func auditlogCommand(env *env, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: portal auditlog verify | prune")
	}
	ctx, cfg, stdout := env.ctx, env.cfg, env.stdout
	v, secrets, err := env.keys()
	if err != nil {
		return err
	}
	key := secrets.Key(models.CheckpointKeyName)
	switch args[0] {
	case "verify":
		db, err := env.database()
		if err != nil {
			return err
		}
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
			var err error
			if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
				return fmt.Errorf("bench-fill: %q is not a number of events", args[1])
			}
		}
		db, err := env.database()
		if err != nil {
			return err
		}
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
