package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// portal ropa export writes the DPO's record in each format, from the registry.
func TestROPAExport(t *testing.T) {
	t.Setenv("PORTAL_POLICY", "")
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := func(format string) string {
		var stdout, stderr strings.Builder
		if err := run(context.Background(), []string{"ropa", "export", "--format", format}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return stdout.String()
	}
	var r views.ROPA
	if err := json.Unmarshal([]byte(out("json")), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != len(reg.Purposes) || r.Entries[0].Retention != views.RetentionText(reg.Purposes[0].Retention).EN {
		t.Errorf("json: %d entries, first retention %q", len(r.Entries), r.Entries[0].Retention)
	}
	rows, err := csv.NewReader(strings.NewReader(out("csv"))).ReadAll()
	if err != nil || len(rows) != 1+len(reg.Purposes) || rows[0][3] != "purpose" {
		t.Errorf("csv: %v, %d rows", err, len(rows))
	}
	if html := out("html"); !strings.Contains(html, "<h1>Record of processing activities</h1>") ||
		!strings.Contains(html, reg.Purposes[0].Title.EN) {
		t.Error("html: no title or no first purpose")
	}
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"ropa", "export", "--format", "pdf"}, &stdout, &stderr); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// portal consents stats prints the figures of the DPO's page: answers per
// day, categories granted, form consents per kind.
func TestConsentsStats(t *testing.T) {
	_, urls := testdb.Open(t)
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("PORTAL_POLICY", "")
	testdb.Exec(t, urls.Owner, `INSERT INTO cookie_consents (consent_id, categories, action, policy_version, created_at)
		VALUES (gen_random_uuid(), '{audience}', 'custom', '2026.1', now()), (gen_random_uuid(), '{}', 'reject_all', '2026.1', now())`)
	testdb.Exec(t, urls.Owner, `INSERT INTO consents (purpose, kind, granted, source, policy_version, wording_hash)
		VALUES ('newsletter', 'newsletter', true, 'form', '2026.1', '\x00')`)
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"consents", "stats", "--days", "2"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"50.0%", "audience        1  50.0%", "newsletter       1         0          0"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("consents stats lacks %q:\n%s", want, stdout.String())
		}
	}
}
