// Command portal runs the Privacy Portal: the public site, the staff
// back-office and the DPO's tools, plus their maintenance commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: portal <command>

commands:
  serve                 serve the site (PORTAL_ADDR, default :8080)
  migrate               apply database migrations (MIGRATE_DATABASE_URL)
  seed --demo           create demo staff and records (first start of make run)
  staff add --email E --role R --name N
                        create a staff account; prints its invitation link (emailed too with SMTP_URL)
  auditlog verify       walk the access log's hash chains and name the first broken link
  auditlog prune        delete access events older than a year, leaving signed checkpoints (owner role)
  retention run [--dry-run] [--as-of YYYY-MM-DD] [--batch N]
                        apply the registry's retention rules; a summary per purpose (due, deleted, anonymised, held)
  retention verify      walk the hash chain of the retention runs
  retention replay [--since YYYY-MM-DD]
                        after a restore, delete again what was erased or expired since the backup
  policy check [FILE]   validate a policy registry and exit
  policy purposes       print every purpose key, comma-separated
  policy notify [--batch N]
                        tell every person with a current relationship about a material policy change (outbox)
  keys rotate           add a new primary encryption key and re-encrypt stored data with it
  keys reencrypt        re-encrypt what is still under an older key
  keys new-master       write a new master key to PORTAL_MASTER_KEY_FILE
  keys encrypt          encrypt clear keysets under PORTAL_MASTER_KEY_FILE
  backup --out DIR [--key-file F]
                        pg_dump of the database plus the keys, sealed under F or a passphrase
  restore --from DIR [--key-file F]
                        into an empty database and an empty PORTAL_KEYS_DIR
  outbox list           show the queued emails (development: without SMTP_URL they stay there)
  consents stats [--days N]
                        cookie-banner answers per day: accept / reject / custom rates
  ropa export --format html|json|csv
                        the record of processing activities (GDPR art. 30), from the registry
  rights list [--overdue]
                        confirmed rights requests: id, types, status, received, due, days left
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	env := newEnv(ctx, cfg, stdout, stderr)
	defer env.close()
	return cmd(env, args[1:])
}

// commands are the subcommands, one file each.
var commands = map[string]func(env *env, args []string) error{
	"serve":     serveCommand,
	"migrate":   migrateCommand,
	"seed":      seedCommand,
	"policy":    policyCommand,
	"keys":      keysCommand,
	"outbox":    outboxCommand,
	"consents":  consentsCommand,
	"ropa":      ropaCommand,
	"staff":     staffCommand,
	"auditlog":  auditlogCommand,
	"backup":    backupCommand,
	"restore":   restoreCommand,
	"rights":    rightsCommand,
	"retention": retentionCommand,
}
