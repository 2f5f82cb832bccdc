package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// upRiver applies River's own migrations (its job tables, for the background
// work: email outbox, cleanup of unconfirmed requests…) as the owner, then
// grants the application role what a River client needs on them. River's
// tables are named river_*; nothing else is granted.
func upRiver(ctx context.Context, db *sql.DB) error {
	m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
	if err != nil {
		return fmt.Errorf("migrations: river: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrations: river up: %w", err)
	}
	if _, err := db.ExecContext(ctx, riverGrants); err != nil {
		return fmt.Errorf("migrations: river grants: %w", err)
	}
	return nil
}

// riverGrants gives portal_app DML (no DDL) on River's tables, its sequences
// and functions, whatever River's migrations created.
const riverGrants = `DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relname LIKE 'river\_%' AND c.relkind IN ('r', 'p', 'S') LOOP
    IF r.relkind = 'S' THEN
      EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %I TO portal_app', r.relname);
    ELSE
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO portal_app', r.relname);
    END IF;
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'river\_%' LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO portal_app', r.sig);
  END LOOP;
END $$`
