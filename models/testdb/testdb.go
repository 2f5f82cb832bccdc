// Package testdb gives each test a fresh, migrated database on the throwaway
// cluster that `make test` starts (scripts/pgcluster), cloned from a template
// migrated once per run by pgtestdb.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/common"

	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// URLs are the two connection strings of one test database: the owner's
// (migrations, tampering tests) and the application role's.
type URLs struct {
	Owner string
	App   string
}

type migrator struct{}

func (migrator) Hash() (string, error) {
	return common.HashDirs(migrations.FS(), "*.sql", ".")
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return migrations.Up(ctx, db)
}

func env(t testing.TB, name string) *url.URL {
	t.Helper()
	raw := os.Getenv(name)
	if raw == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts a throwaway PostgreSQL cluster", name)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return u
}

// New creates a fresh migrated database for t and returns its URLs. It is
// dropped when the test passes.
func New(t testing.TB) URLs {
	t.Helper()
	admin, owner, app := env(t, "ADMIN_DATABASE_URL"), env(t, "MIGRATE_DATABASE_URL"), env(t, "DATABASE_URL")
	adminPW, _ := admin.User.Password()
	ownerPW, _ := owner.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		Host:       admin.Hostname(),
		Port:       admin.Port(),
		User:       admin.User.Username(),
		Password:   adminPW,
		Database:   "postgres",
		Options:    "sslmode=disable",
		TestRole: &pgtestdb.Role{
			Username:     owner.User.Username(),
			Password:     ownerPW,
			Capabilities: "NOSUPERUSER",
		},
		ForceTerminateConnections: true,
	}
	inst := pgtestdb.Custom(t, conf, migrator{})
	appURL := *app
	appURL.Path = "/" + inst.Database
	return URLs{Owner: inst.URL(), App: appURL.String()}
}

// Open creates a fresh database and connects to it as the application role.
func Open(t testing.TB) (*models.DB, URLs) {
	t.Helper()
	urls := New(t)
	db, err := models.Open(context.Background(), urls.App, 8)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(db.Close)
	return db, urls
}

// Exec runs statements as the owner (setting up tampering, say).
func Exec(t testing.TB, ownerURL, query string, args ...any) {
	t.Helper()
	db, err := sql.Open("pgx", ownerURL)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("testdb: %s: %v", query, err)
	}
}

// OwnerAllPurposes connects as the owner with every purpose of the registry
// in scope (and restricted records visible): the tables force row-level
// security even on their owner, and a test that inspects a raw dump must
// see everything.
func OwnerAllPurposes(t testing.TB, ownerURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // the session settings below live on this one connection
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`SELECT set_config('portal.purposes', $1, false), set_config('portal.restricted', 'on', false)`, strings.Join(reg.PurposeKeys(), ",")); err != nil {
		t.Fatal(err)
	}
	return db
}

// dumpTables are the tables that hold what people sent us.
var dumpTables = []string{"subjects", "records", "attachments", "consents", "outbox",
	"rights_requests", "rights_request_events", "suppressions", "rights_packages", "rights_id_documents", "post_mortem_directives"}

// Dump reads every row of those tables as the owner with every purpose in
// scope, as text: what a leaked database dump would show. Tests assert that
// no typed email, name or message appears in it.
func Dump(t testing.TB, ownerURL string) string {
	t.Helper()
	db := OwnerAllPurposes(t, ownerURL)
	var out strings.Builder
	for _, table := range dumpTables {
		rows, err := db.Query("SELECT t::text FROM " + table + " t")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out.WriteString(s + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out.String()
}

// String keeps URLs (which hold passwords) out of test logs.
func (u URLs) String() string { return fmt.Sprintf("testdb(%d bytes)", len(u.App)) }
