package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// withDB points a URL at another database of the same cluster.
func withDB(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// exportAll decrypts every record of every purpose (the proof that the keys
// and the database belong together).
func exportAll(t *testing.T, appURL string, v *vault.Vault) []string {
	t.Helper()
	ctx := context.Background()
	db, err := models.Open(ctx, appURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg, _ := policy.Default()
	a := models.Actor{StaffID: uuid.New(), Role: "dpo", Scope: models.Scope{Purposes: reg.PurposeKeys(), SeesRestricted: true}, Now: time.Now()}
	var out []string
	for _, p := range reg.FormPurposes() {
		err := models.NewRecordStore(db, v).Export(ctx, a, p.Key, false, func(r models.ExportRow) error {
			out = append(out, fmt.Sprint(r.ID, r.Fields))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// A backup restores into a fresh database and an empty keys directory: the
// access log's chains verify and every record decrypts. The keysets are
// encrypted at rest under the master key, and sealed in the backup under
// another key.
func TestBackupRestores(t *testing.T) {
	if _, err := pgTool("pg_dump"); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	urls := testdb.New(t)
	src, _ := url.Parse(urls.Owner)
	srcName := strings.TrimPrefix(src.Path, "/")
	admin := os.Getenv("ADMIN_DATABASE_URL")
	dir := t.TempDir()
	keys, master, sealKey := filepath.Join(dir, "keys"), filepath.Join(dir, "master.json"), filepath.Join(dir, "backup-key.json")
	run1 := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(ctx, args, &out, &errOut); err != nil {
			t.Fatalf("portal %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("MIGRATE_DATABASE_URL", urls.Owner)
	t.Setenv("PORTAL_KEYS_DIR", keys)
	t.Setenv("PORTAL_DEMO_RECORDS", "3")
	t.Setenv("PORTAL_POLICY", "")
	t.Setenv("SMTP_URL", "")

	// Development keys in clear, then encrypted at rest for production.
	t.Setenv("PORTAL_CREATE_KEYS", "1")
	t.Setenv("PORTAL_MASTER_KEY_FILE", "")
	run1("seed", "--demo")
	t.Setenv("PORTAL_CREATE_KEYS", "")
	if _, _, err := openVault(config{KeysDir: keys}); err == nil || !strings.Contains(err.Error(), "PORTAL_MASTER_KEY_FILE") {
		t.Errorf("production start with clear keysets: %v", err)
	}
	t.Setenv("PORTAL_MASTER_KEY_FILE", master)
	run1("keys", "new-master")
	if out := run1("keys", "encrypt"); !strings.Contains(out, "2 keysets encrypted") {
		t.Errorf("keys encrypt: %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(keys, vault.AEADKeysetFile)); !bytes.Contains(b, []byte("encryptedKeyset")) {
		t.Error("aead.json still in clear")
	}
	v, _, err := openVault(config{KeysDir: keys, MasterKeyFile: master})
	if err != nil {
		t.Fatal(err)
	}
	before := exportAll(t, urls.App, v)
	if len(before) == 0 {
		t.Fatal("nothing seeded")
	}

	if err := vault.NewMasterKey(sealKey); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup")
	run1("backup", "--out", backup, "--key-file", sealKey, "--db", withDB(t, admin, srcName))
	if b, _ := os.ReadFile(filepath.Join(backup, keysBundleFile)); bytes.Contains(b, []byte("primaryKeyId")) {
		t.Error("the backup's keys are readable without the sealing key")
	}

	// A fresh database on the cluster, owned by the same roles, and an empty keys directory.
	fresh := "restore_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	owner, _ := url.Parse(urls.Owner)
	testdb.Exec(t, admin, "CREATE DATABASE "+fresh+" OWNER "+owner.User.Username())
	t.Cleanup(func() { testdb.Exec(t, admin, "DROP DATABASE IF EXISTS "+fresh+" WITH (FORCE)") })
	restored := filepath.Join(dir, "restored-keys")
	t.Setenv("PORTAL_KEYS_DIR", restored)
	t.Setenv("DATABASE_URL", withDB(t, urls.App, fresh))
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"restore", "--from", backup, "--key-file", master, "--db", withDB(t, admin, fresh)}, &out, &errOut); err == nil {
		t.Error("the keys opened under the wrong key")
	}
	run1("restore", "--from", backup, "--key-file", sealKey, "--db", withDB(t, admin, fresh))
	if err := run(ctx, []string{"restore", "--from", backup, "--key-file", sealKey, "--db", withDB(t, admin, fresh)}, &out, &errOut); err == nil {
		t.Error("a second restore merged into a database that is not empty")
	}
	if got := run1("auditlog", "verify"); !strings.Contains(got, "access log intact") {
		t.Errorf("auditlog verify after restore: %q", got)
	}
	v2, _, err := openVault(config{KeysDir: restored, MasterKeyFile: master})
	if err != nil {
		t.Fatal(err)
	}
	after := exportAll(t, withDB(t, urls.App, fresh), v2)
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("restored records differ: %d before, %d after", len(before), len(after))
	}
	if _, err := os.Stat(filepath.Join(restored, vault.SecretFile)); errors.Is(err, os.ErrNotExist) {
		t.Error("the server secret was not restored")
	}
}
