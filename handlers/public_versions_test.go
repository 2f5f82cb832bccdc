package handlers_test

import (
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/policyfixture"
	"github.com/alegria/privacy-portal/policy"
)

// /privacy/versions lists every version; a past one stays readable, rendered
// by the privacy page's template; the changes page lists the facts that
// changed (retention, recipients, cookies), not a text diff.
func TestPolicyVersionPages(t *testing.T) {
	reg, err := policy.Load(policyfixture.TwoVersions(t))
	if err != nil {
		t.Fatal(err)
	}
	old, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, func(d *handlers.Deps) { d.Registry = reg })

	// The pages speak French unless English is asked for.
	res, body := get(t, s, "/fr/privacy/versions")
	if res.StatusCode != 200 {
		t.Fatalf("versions: %d", res.StatusCode)
	}
	newer, older := strings.Index(body, "Version "+policyfixture.NewVersion), strings.Index(body, "Version "+old.Version)
	if newer < 0 || older < newer || !strings.Contains(body, "Une modification substantielle.") ||
		!strings.Contains(body, `href="/fr/privacy/versions/`+old.Version+`"`) ||
		!strings.Contains(body, `href="/fr/privacy/versions/`+policyfixture.NewVersion+`/changes"`) {
		t.Errorf("the list lacks a version, its order, the material flag or a link:\n%s", body)
	}

	res, body = get(t, s, "/fr/privacy/versions/"+old.Version)
	if res.StatusCode != 200 || !strings.Contains(body, "Ceci est la version "+old.Version) ||
		!strings.Contains(body, "Version "+old.Version+", en vigueur depuis le") || !strings.Contains(body, "3 ans à compter de notre dernier contact") {
		t.Errorf("past version: %d", res.StatusCode)
	}

	res, body = get(t, s, "/fr/privacy/versions/"+policyfixture.NewVersion+"/changes")
	if res.StatusCode != 200 {
		t.Fatalf("changes: %d", res.StatusCode)
	}
	for _, want := range []string{
		"3 ans à compter de notre dernier contact", "2 ans à compter de notre dernier contact", // contact's retention, before and after
		"<td>Mailjet</td>", // a processor added
		"pp_audience_visit",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the changes lack %q", want)
		}
	}
	if strings.Contains(body, "Reject all") && strings.Count(body, "<tr>") > 8 {
		t.Error("the changes list unchanged facts")
	}

	for _, path := range []string{"/privacy/versions/1999.1", "/privacy/versions/" + old.Version + "/changes", "/privacy/versions/%2e%2e"} {
		if res, _ := get(t, s, path); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}
