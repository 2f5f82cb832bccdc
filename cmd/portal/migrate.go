package main

import (
	"database/sql"
	"errors"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for migrations

	"github.com/alegria/privacy-portal/migrations"
)

// migrateCommand: portal migrate, as the schema owner (MIGRATE_DATABASE_URL).
func migrateCommand(env *env, _ []string) error {
	if env.cfg.MigrateDatabaseURL == "" {
		return errors.New("MIGRATE_DATABASE_URL is not set: migrations run as the schema owner")
	}
	db, err := sql.Open("pgx", env.cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Up(env.ctx, db)
}
