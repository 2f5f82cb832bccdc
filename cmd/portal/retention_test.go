package main

import (
	"context"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/models/testdb"
)

// The CLI: a dry run deletes nothing and says so, a future --as-of needs
// --dry-run, a run leaves evidence that verify accepts, and replay answers.
func TestRetentionCommand(t *testing.T) {
	_, urls := testdb.Open(t)
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("MIGRATE_DATABASE_URL", urls.Owner)
	t.Setenv("PORTAL_KEYS_DIR", t.TempDir())
	t.Setenv("PORTAL_CREATE_KEYS", "1")
	ctx := context.Background()
	do := func(args ...string) (string, error) {
		var out, errOut strings.Builder
		err := run(ctx, args, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	out, err := do("retention", "run", "--dry-run", "--as-of", "2099-01-01")
	if err != nil || !strings.Contains(out, "dry run (nothing deleted) as of 2099-01-01") || !strings.Contains(out, "Quote requests") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if _, err := do("retention", "run", "--as-of", "2099-01-01"); err == nil || !strings.Contains(err.Error(), "--dry-run") {
		t.Errorf("a future --as-of without --dry-run: %v", err)
	}
	if out, err = do("retention", "run"); err != nil || !strings.Contains(out, "evidence: retention run 1") {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if out, err = do("retention", "verify"); err != nil || !strings.Contains(out, "1 checked, chain intact") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	if out, err = do("retention", "replay", "--since", "2020-01-01"); err != nil || !strings.Contains(out, "deleted again: 0 records") {
		t.Errorf("replay: %v\n%s", err, out)
	}
}
