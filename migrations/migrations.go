// Package migrations holds the SQL schema as ordered goose migrations,
// embedded in the binary and applied by the owner role.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed *.sql
var files embed.FS

// FS returns the embedded migration files (tests hash them to cache templates).
func FS() fs.FS { return files }

func provider(db *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Up applies every pending migration, each in its own transaction, then
// River's (see upRiver).
func Up(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: up: %w", err)
	}
	return upRiver(ctx, db)
}

// Latest is the version of the newest embedded migration: the schema this
// binary was built for.
func Latest() (int64, error) {
	var latest int64
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		v, err := goose.NumericComponent(path)
		if err != nil {
			return fmt.Errorf("migrations: %s: %w", path, err)
		}
		latest = max(latest, v)
		return nil
	})
	return latest, err
}
