package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// The DPO's record of processing (art. 30): one entry per purpose from the
// registry, the generated retention sentence, the gaps flagged, the same
// content as HTML, JSON and CSV, and every opening logged.
func TestRecordOfProcessing(t *testing.T) {
	s := newBOServer(t)
	dpo := s.browser(t)
	dpo.login(s.account(t, "dpo", true))

	res, body := dpo.do("GET", "/admin/dpo/ropa?lang=en", nil)
	if res.StatusCode != 200 {
		t.Fatalf("ropa: %d", res.StatusCode)
	}
	for _, p := range s.reg.Purposes {
		if !strings.Contains(body, `id="ropa-`+p.Key+`"`) {
			t.Errorf("no entry for purpose %s", p.Key)
		}
	}
	// The published policy names no categories of people: the page says so.
	if !strings.Contains(body, "Categories of data subjects: not stated in the registry.") ||
		!strings.Contains(body, "deployment.subject_categories.contact") {
		t.Error("the missing categories of data subjects are not flagged")
	}
	if !strings.Contains(body, s.reg.Security[0].EN) {
		t.Error("the security measures are missing")
	}
	if n := s.count(t, "action = 'read_ropa'"); n != 1 {
		t.Errorf("%d read_ropa events after one view, want 1", n)
	}

	res, js := dpo.do("GET", "/admin/dpo/ropa/export?format=json&lang=en", nil)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("json export: %d", res.StatusCode)
	}
	var r views.ROPA
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Entries) != len(s.reg.Purposes) || r.PolicyVersion != s.reg.Version {
		t.Fatalf("json: %d entries for %d purposes", len(r.Entries), len(s.reg.Purposes))
	}
	for i, e := range r.Entries {
		p := s.reg.Purposes[i]
		if e.Retention != views.RetentionText(p.Retention).EN || e.Retention == "" {
			t.Errorf("%s: retention %q, want the generated sentence", p.Key, e.Retention)
		}
		if len(e.LegalBases) == 0 || len(e.DataCategories) == 0 || len(e.Recipients) == 0 || len(e.Transfers) == 0 {
			t.Errorf("%s: an art. 30 field is empty: %+v", p.Key, e)
		}
	}

	res, text := dpo.do("GET", "/admin/dpo/ropa/export?format=csv&lang=en", nil)
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if res.StatusCode != 200 || err != nil || len(rows) != 1+len(s.reg.Purposes) {
		t.Fatalf("csv export: %d, %v, %d rows", res.StatusCode, err, len(rows))
	}
	res, html := dpo.do("GET", "/admin/dpo/ropa/export?format=html&lang=en", nil)
	if res.StatusCode != 200 || !strings.Contains(html, "<h1>Record of processing activities</h1>") {
		t.Fatalf("html export: %d", res.StatusCode)
	}
	// The record in French, for the CNIL: every text in French.
	res, js = dpo.do("GET", "/admin/dpo/ropa/export?format=json&lang=fr", nil)
	var fr views.ROPA
	if err := json.Unmarshal([]byte(js), &fr); err != nil || res.StatusCode != 200 || fr.Lang != i18n.FR || len(fr.Entries) != len(s.reg.Purposes) {
		t.Fatalf("french json export: %d, %v", res.StatusCode, err)
	}
	for i, e := range fr.Entries {
		if p := s.reg.Purposes[i]; e.Title != p.Title.FR || e.Description != p.Description.FR || e.Retention == r.Entries[i].Retention {
			t.Errorf("%s: the French record says %q, %q", p.Key, e.Title, e.Retention)
		}
	}
	if res, _ := dpo.do("GET", "/admin/dpo/ropa/export?format=xml", nil); res.StatusCode != 400 {
		t.Errorf("unknown format: %d, want 400", res.StatusCode)
	}
	if n := s.count(t, "action = 'read_ropa'"); n != 5 {
		t.Errorf("%d read_ropa events after one view and four downloads, want 5", n)
	}

	// No log, no document.
	testdbExec(t, s.urls.Owner, "REVOKE INSERT ON access_events FROM portal_app")
	if res, _ := dpo.do("GET", "/admin/dpo/ropa", nil); res.StatusCode != 503 {
		t.Errorf("ropa without a log: %d, want 503", res.StatusCode)
	}
}

// A fact the deployment states fills the record, and the flag goes.
func TestRecordOfProcessingDeploymentFacts(t *testing.T) {
	s := newBOServer(t)
	reg := *s.reg
	reg.Deployment.SubjectCategories = map[string]policy.Text{"contact": policy.T("Prospects who write to us", "Prospects qui nous écrivent")}
	r := views.NewROPA(&reg, i18n.EN)
	for _, e := range r.Entries {
		flagged := strings.Contains(strings.Join(e.Missing, " "), "data subjects")
		if e.Purpose == "contact" && (flagged || e.SubjectCategories != "Prospects who write to us") {
			t.Errorf("contact: %+v", e)
		}
		if e.Purpose != "contact" && !flagged {
			t.Errorf("%s: categories of people not flagged", e.Purpose)
		}
	}
}

// The consent statistics page: banner answers per day and kind, categories
// granted, form consents per kind; the reading is logged.
func TestConsentStatistics(t *testing.T) {
	s := newBOServer(t)
	ctx := context.Background()
	ledger := models.NewCookieLedger(s.db)
	now := s.clk.Now()
	for _, a := range []struct {
		action models.CookieAction
		cats   []string
	}{{models.CookieAcceptAll, []string{"audience", "marketing"}}, {models.CookieAcceptAll, []string{"audience", "marketing"}},
		{models.CookieRejectAll, nil}, {models.CookieCustom, []string{"audience"}}, {models.CookieGPC, nil}} {
		if _, err := ledger.Append(ctx, models.CookieConsent{CookieChoice: models.CookieChoice{ID: uuid.New(), Action: a.action,
			Categories: append([]string{}, a.cats...), PolicyVersion: s.reg.Version, At: now}}); err != nil {
			t.Fatal(err)
		}
	}
	testdbExec(t, s.urls.Owner, `INSERT INTO consents (purpose, kind, granted, source, policy_version, wording_hash, created_at) VALUES
		('ai_challenge', 'sms', true, 'form', '2026.1', '\x00', '2026-11-02'),
		('ai_challenge', 'sms', false, 'form', '2026.1', '\x00', '2026-11-02'),
		('ai_challenge', 'sms', false, 'withdrawal', '2026.1', '\x00', '2026-11-02')`)

	dpo := s.browser(t)
	dpo.login(s.account(t, "dpo", true))
	res, body := dpo.do("GET", "/admin/dpo/consents", nil)
	if res.StatusCode != 200 {
		t.Fatalf("consents: %d", res.StatusCode)
	}
	for _, want := range []string{
		"5 banner answers over the last 28 days",   // the chart's text alternative
		"<td>2 (40.0%)</td>", "<td>1 (20.0%)</td>", // accept all; reject, custom, GPC
		"<td>Audience measurement</td><td>3</td><td>60.0%</td>",
		"<td>Marketing</td><td>2</td><td>40.0%</td>",
		"<td>sms</td><td>1</td><td>1</td><td>1</td>",
		"<rect x=", // the SVG chart
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := s.count(t, "action = 'read_consent_stats'"); n != 1 {
		t.Errorf("%d read_consent_stats events, want 1", n)
	}
}
