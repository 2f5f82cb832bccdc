package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/internal/policyfixture"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// portal policy notify tells each person once, in batches, and refuses a
// version that is not a material change.
func TestPolicyNotify(t *testing.T) {
	ctx := context.Background()
	db, urls := testdb.Open(t)
	keys := t.TempDir()
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("PORTAL_KEYS_DIR", keys)
	t.Setenv("PORTAL_CREATE_KEYS", "1")
	t.Setenv("PORTAL_POLICY", "")
	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"policy", "notify"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "not a material change") {
		t.Fatalf("a non-material version: %v", err)
	}

	path := policyfixture.TwoVersions(t)
	t.Setenv("PORTAL_POLICY", path)
	reg, err := policy.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.OpenOrCreate(keys)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := reg.Purpose("contact")
	for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		if _, err := models.NewRecordStore(db, v).Create(ctx, models.NewRecord{Purpose: p, CreatedAt: time.Now(),
			Fields: models.Fields{"email": email, "first_name": "A", "last_name": "B", "message": "m"}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []string{"3 notices queued now", "0 notices queued now"} {
		stdout.Reset()
		if err := run(ctx, []string{"policy", "notify", "--batch", "2"}, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "in all 3 told") {
			t.Errorf("run %d: %s", i+1, stdout.String())
		}
	}
}
