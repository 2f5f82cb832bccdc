package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
)

// insertRecord writes a bare record in its purpose's scope.
func insertRecord(t *testing.T, db *models.DB, purpose string, restricted bool) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	err := db.InScope(context.Background(), models.Scope{Purposes: []string{purpose}}, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO records (id, purpose, status, fields, restricted, expires_at)
			VALUES (?, ?, 'new', '\x00', ?, now() + interval '1 year')`, id, purpose, restricted).Error
	})
	if err != nil {
		t.Fatalf("insert %s: %v", purpose, err)
	}
	return id
}

func countVisible(t *testing.T, db *models.DB, s models.Scope) int64 {
	t.Helper()
	var n int64
	err := db.InScope(context.Background(), s, func(tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM records").Scan(&n).Error
	})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// Row-level security is the second wall behind the handlers' checks: the
// application role sees only the purposes of the transaction's scope.
func TestRowLevelSecurityScopesRecords(t *testing.T) {
	db, _ := testdb.Open(t)
	insertRecord(t, db, "contact", false)
	insertRecord(t, db, "contact", true)
	insertRecord(t, db, "recruitment", false)

	cases := []struct {
		name  string
		scope models.Scope
		want  int64
	}{
		{"sales sees contact, not restricted", models.Scope{Purposes: []string{"contact", "quote"}}, 1},
		{"recruitment sees its own only", models.Scope{Purposes: []string{"recruitment"}}, 1},
		{"dpo sees restricted too", models.Scope{Purposes: []string{"contact", "recruitment"}, SeesRestricted: true}, 3},
		{"unknown purpose sees nothing", models.Scope{Purposes: []string{"nothing"}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := countVisible(t, db, c.scope); got != c.want {
				t.Errorf("visible records = %d, want %d", got, c.want)
			}
		})
	}
}

func TestNoScopeSeesNothing(t *testing.T) {
	db, _ := testdb.Open(t)
	insertRecord(t, db, "contact", false)
	var n int64
	if err := db.Gorm.Raw("SELECT count(*) FROM records").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("without a scope the app role saw %d records, want 0", n)
	}
	if err := db.InScope(context.Background(), models.Scope{}, func(*gorm.DB) error { return nil }); err != models.ErrNoScope {
		t.Errorf("empty scope: err = %v, want ErrNoScope", err)
	}
}

func TestScopeCannotWriteOtherPurpose(t *testing.T) {
	db, _ := testdb.Open(t)
	err := db.InScope(context.Background(), models.Scope{Purposes: []string{"contact"}}, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO records (id, purpose, status, fields, expires_at)
			VALUES (?, 'recruitment', 'new', '\x00', now())`, uuid.Must(uuid.NewV7())).Error
	})
	if err == nil {
		t.Fatal("inserting a recruitment record in a contact scope succeeded")
	}
}

func TestAppRoleCannotRunDDL(t *testing.T) {
	db, _ := testdb.Open(t)
	for _, q := range []string{
		"CREATE TABLE evil (id int)",
		"ALTER TABLE records DISABLE ROW LEVEL SECURITY",
		"DROP POLICY records_by_purpose ON records",
		"UPDATE consents SET granted = true",
		"DELETE FROM consents",
	} {
		if err := db.Gorm.Exec(q).Error; err == nil {
			t.Errorf("%q succeeded as portal_app", q)
		}
	}
}

func TestSchemaVersionIsLatest(t *testing.T) {
	db, _ := testdb.Open(t)
	got, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, err := migrationsLatest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("schema version %d, want %d", got, want)
	}
}

// A restricted record's attachments are hidden with it, by the database.
func TestRestrictedRecordHidesItsAttachments(t *testing.T) {
	db, _ := testdb.Open(t)
	id := insertRecord(t, db, "recruitment", true)
	dpo := models.Scope{Purposes: []string{"recruitment"}, SeesRestricted: true}
	err := db.InScope(context.Background(), dpo, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO attachments (id, record_id, purpose, filename, mime, size, sha256, content)
			VALUES (?, ?, 'recruitment', '\x00', 'application/pdf', 1, '\x00', '\x00')`, uuid.Must(uuid.NewV7()), id).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(s models.Scope) (n int64) {
		if err := db.InScope(context.Background(), s, func(tx *gorm.DB) error {
			return tx.Raw("SELECT count(*) FROM attachments").Scan(&n).Error
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(models.Scope{Purposes: []string{"recruitment"}}); n != 0 {
		t.Errorf("recruitment staff see %d attachments of a restricted record", n)
	}
	if n := count(dpo); n != 1 {
		t.Errorf("the DPO sees %d attachments, want 1", n)
	}
}

// Erasing a subject keeps the consent proof, unlinked.
func TestDeletingASubjectKeepsTheConsentLedger(t *testing.T) {
	db, _ := testdb.Open(t)
	sid := uuid.Must(uuid.NewV7())
	if err := db.Gorm.Exec(`INSERT INTO subjects (id) VALUES (?)`, sid).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec(`INSERT INTO consents (subject_id, purpose, kind, granted, source, policy_version, wording_hash)
		VALUES (?, 'contact', 'processing', true, 'form', '1', '\x00')`, sid).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec(`DELETE FROM subjects WHERE id = ?`, sid).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Gorm.Raw(`SELECT count(*) FROM consents WHERE subject_id IS NULL`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d unlinked consent rows after the subject's deletion, want 1", n)
	}
}

// Scoped sets its scope in the statement that opens the transaction, as
// quoted literals: a value is taken as it is, never as SQL, and the scope
// ends with the transaction.
func TestScopedTakesItsScopeLiterally(t *testing.T) {
	db, _ := testdb.Open(t)
	insertRecord(t, db, "contact", true)
	ctx := context.Background()
	inject := `contact', true), set_config('portal.restricted', 'on`
	cases := []struct {
		name       string
		scope      models.Scope
		restricted string
		want       int64
	}{
		{"a quote stays in the value", models.Scope{Purposes: []string{inject}}, "off", 0},
		{"a backslash stays in the value", models.Scope{Purposes: []string{`contact\`, "quote"}}, "off", 0},
		{"the DPO sees the restricted record", models.Scope{Purposes: []string{"quote", "contact"}, SeesRestricted: true}, "on", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var purposes, restricted string
			var n int64
			err := db.Scoped(ctx, c.scope, func(q models.Querier) error {
				return q.QueryRow(ctx, `SELECT current_setting('portal.purposes'), current_setting('portal.restricted'),
					(SELECT count(*) FROM records)`).Scan(&purposes, &restricted, &n)
			})
			if err != nil {
				t.Fatal(err)
			}
			if purposes != strings.Join(c.scope.Purposes, ",") || restricted != c.restricted || n != c.want {
				t.Errorf("scope %q restricted %q saw %d records, want %q %q %d",
					purposes, restricted, n, strings.Join(c.scope.Purposes, ","), c.restricted, c.want)
			}
		})
	}
	// The pooled connections keep no scope once the transaction ends.
	for range 4 {
		var left string
		if err := db.Pool.QueryRow(ctx, `SELECT coalesce(current_setting('portal.purposes', true), '')`).Scan(&left); err != nil || left != "" {
			t.Errorf("a pooled connection kept the scope %q (%v)", left, err)
		}
	}
	if err := db.Scoped(ctx, models.Scope{}, func(models.Querier) error { return nil }); err != models.ErrNoScope {
		t.Errorf("empty scope: err = %v, want ErrNoScope", err)
	}
}
