package views

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// textNodes lists a rendered page's text nodes, whitespace collapsed.
func textNodes(p page) []string {
	var out []string
	for n := range p.doc.Descendants() {
		if n.Type == html.TextNode {
			if s := strings.Join(strings.Fields(n.Data), " "); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// englishLeft lists the English sentences of a page that its French
// rendering still shows: every text node of the English page long enough to
// be a sentence, unless it is language-neutral (a name, an address).
func englishLeft(t *testing.T, c templ.Component, neutral ...string) []string {
	t.Helper()
	return englishLeftIn(t, c, c, neutral...)
}

// englishLeftIn compares an English and a French component.
func englishLeftIn(t *testing.T, enC, frC templ.Component, neutral ...string) []string {
	t.Helper()
	en, fr := renderIn(t, i18n.EN, enC), renderIn(t, i18n.FR, frC)
	var left []string
	for _, s := range textNodes(en) {
		if len(s) < 12 || !strings.Contains(fr.text, s) {
			continue
		}
		isNeutral := false
		for _, n := range neutral {
			isNeutral = isNeutral || strings.Contains(n, s) || strings.HasPrefix(s, n)
		}
		if !isNeutral {
			left = append(left, s)
		}
	}
	return left
}

// neutralNames are the registry's names and addresses: said the same in
// both languages.
func neutralNames(reg *policy.Registry) []string {
	neutral := []string{reg.Controller.Name, reg.Controller.Address, reg.Authority.Name, reg.Authority.Address, reg.Controller.Site, reg.DPO.Email,
		reg.Controller.Registry + " " + reg.Controller.RegNumber, reg.Authority.Phone}
	neutral = append(neutral, reg.Recipients.Processors...)
	for _, cat := range reg.Cookies {
		for _, c := range cat.Cookies {
			neutral = append(neutral, c.Name)
		}
	}
	return neutral
}

// The policy pages in French show no English sentence: every sentence the
// page declares and every registry text is said in French.
func TestPolicyPagesInFrenchHaveNoEnglishLeft(t *testing.T) {
	reg := defaultRegistry(t)
	neutral := append(neutralNames(reg),
		// The shared components' words (table of contents, scrolling hint)
		// are translated with the layout, not by these pages.
		"On this page", "Scroll sideways to see the whole table.")
	past, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]templ.Component{
		"privacy":  PrivacyContent(reg),
		"cookies":  CookiesContent(reg),
		"versions": PolicyVersions(PolicyVersionsView{Current: reg.Version, Versions: reg.Versions()}),
		"past":     PastPolicy(reg.History[0], "2099.1", PrivacyContent(past)),
		"changes":  PolicyChanges(PolicyChangesView{From: reg.History[0], To: reg.History[0], Changes: DiffPolicies(past, reg)}),
	} {
		if left := englishLeft(t, c, neutral...); len(left) > 0 {
			t.Errorf("%s: English left on the French page:\n%s", name, strings.Join(left, "\n"))
		}
	}
	// The record of processing is in the language it is asked in.
	fr, en := NewROPA(reg, i18n.FR), NewROPA(reg, i18n.EN)
	if left := englishLeftIn(t, ROPADocument(en), ROPADocument(fr), append(neutral, "deployment.", "purposes.")...); len(left) > 0 {
		t.Errorf("ropa: English left in the French record:\n%s", strings.Join(left, "\n"))
	}
	if p := renderIn(t, i18n.EN, ROPADocument(fr)); attr(p.tag(atom.Html)[0], "lang") != "fr" || !p.hasText(TitleROPA.Get(i18n.FR)) {
		t.Errorf("the French record is not marked French: %.120q", p.raw)
	}
}

// Each language renders its own words: the French page says the French
// texts of the registry and of the page, the English one the English.
func TestPolicyPagesSpeakTheirLanguage(t *testing.T) {
	reg := defaultRegistry(t)
	for _, l := range i18n.All {
		p := renderIn(t, l, PrivacyContent(reg))
		for _, want := range []string{msgPrivacyTitle.Get(l), reg.Purposes[0].Title.Get(l), reg.Identity.Get(l),
			secRights.title.Get(l), basisText(policy.BasisConsent).Get(l), policyDate(i18n.WithLang(context.Background(), l), reg.Date)} {
			if !p.hasText(want) {
				t.Errorf("%s: %q missing", l, want)
			}
		}
		if other := reg.Purposes[0].Description.Get(l.Other()); p.hasText(other) {
			t.Errorf("%s: the other language's %q is shown", l, other)
		}
	}
	if got := policyDate(i18n.WithLang(context.Background(), i18n.FR), "2026-11-01"); got != "1 nov. 2026" {
		t.Errorf("policyDate in French = %q", got)
	}
}

// Frozen pages are frozen once per language: a French request gets the
// French bytes, an English one the English.
func TestFreezeKeepsEachLanguage(t *testing.T) {
	reg := defaultRegistry(t)
	f, err := Freeze(CookiesContent(reg))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.All {
		p := renderIn(t, l, f)
		if !p.hasText(msgCookiesTitle.Get(l)) || p.hasText(msgCookiesTitle.Get(l.Other())) {
			t.Errorf("frozen page in %s: %.80q", l, p.text)
		}
	}
}

// A retention rule is said in both languages from the rule itself.
func TestRetentionTextInFrench(t *testing.T) {
	for _, c := range []struct {
		r    policy.Retention
		want string
	}{
		{policy.Retention{Years: 3, From: policy.FromLastContact, Action: "delete", UntilWithdrawn: true},
			"Nous les conservons jusqu’au retrait de votre consentement, et au plus 3 ans à compter de notre dernier contact avec vous, puis nous les supprimons."},
		{policy.Retention{Months: 13, From: policy.FromCreated, Action: "anonymise"},
			"Nous les conservons pendant 13 mois à compter de leur réception, puis nous les anonymisons."},
		{policy.Retention{Years: 1, Days: 1, From: policy.FromCreated, Action: "delete"},
			"Nous les conservons pendant 1 an et 1 jour à compter de leur réception, puis nous les supprimons."},
		{policy.Retention{Years: 2, From: policy.FromLastContact, Action: "delete", DestroyOn: []string{"unsuccessful"}},
			"Nous les supprimons dès que le dossier passe au statut «\u00a0non retenu\u00a0»\u202f; sinon nous les conservons pendant 2 ans à compter de notre dernier contact avec vous, puis nous les supprimons."},
	} {
		if got := RetentionText(c.r); got.FR != c.want {
			t.Errorf("RetentionText(%+v) = %q, want %q", c.r, got.FR, c.want)
		}
	}
}
