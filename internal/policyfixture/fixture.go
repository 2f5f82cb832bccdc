// Package policyfixture writes registries with a history for tests: the
// embedded registry as a past version, and a newer, materially changed one.
package policyfixture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/policy"
)

// NewVersion is the version TwoVersions publishes after the embedded one.
const NewVersion = "2026.2"

// TwoVersions writes, in a fresh directory, registry.yaml at NewVersion
// (material: the contact purpose keeps data 2 years instead of 3, a
// processor and an audience cookie are added) and versions/<embedded
// version>.yaml, the embedded registry. It returns registry.yaml's path.
func TwoVersions(t testing.TB) string {
	t.Helper()
	old := string(policy.Embedded())
	cur, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	replace := func(s, from, to string) string {
		t.Helper()
		if !strings.Contains(s, from) {
			t.Fatalf("policyfixture: %q is not in the registry", from)
		}
		return strings.Replace(s, from, to, 1)
	}
	next := replace(old, `version: "`+cur.Version+`"`+"\ndate: \""+cur.Date+"\"\nmaterial: false",
		`version: "`+NewVersion+`"`+"\ndate: \"2026-12-01\"\nmaterial: true")
	next = replace(next, "\ncontroller:", `  - version: "`+NewVersion+`"
    date: "2026-12-01"
    summary:
      en: We keep contact messages for 2 years instead of 3, and measure audience with a second cookie.
      fr: Nous conservons les messages de contact 2 ans au lieu de 3, et mesurons l’audience avec un second cookie.
    material: true

controller:`)
	next = replace(next, "    retention:\n      years: 3\n      from: last_contact\n      action: delete\n      until_withdrawn: true\n    statuses: [new, contacted, qualified, closed]",
		"    retention:\n      years: 2\n      from: last_contact\n      action: delete\n      until_withdrawn: true\n    statuses: [new, contacted, qualified, closed]")
	next = replace(next, "processors: [Webflow, Calendly, Airtable, Brevo, ActiveCampaign]",
		"processors: [Webflow, Calendly, Airtable, Brevo, ActiveCampaign, Mailjet]")
	next = replace(next, "        lifetime: {months: 13}\n", `        lifetime: {months: 13}
      - name: pp_audience_visit
        provider: {en: Alegria.tech (measurement hosted on our own servers), fr: Alegria.tech (mesure hébergée sur nos propres serveurs)}
        purpose: {en: Tells one visit's pages apart., fr: Distingue les pages d’une même visite.}
        lifetime: {days: 1}
`)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "versions"), 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "registry.yaml")
	for name, data := range map[string]string{path: next, filepath.Join(dir, "versions", cur.Version+".yaml"): old} {
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return path
}
