package handlers_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/views"
)

func staffLang(t *testing.T, s *boServer, a account) string {
	t.Helper()
	var lang *string
	if err := testdb.OwnerAllPurposes(t, s.urls.Owner).QueryRow(`SELECT lang FROM staff WHERE id = $1`, a.ID).Scan(&lang); err != nil {
		t.Fatal(err)
	}
	if lang == nil {
		return ""
	}
	return *lang
}

func htmlLang(body string) string {
	m := regexp.MustCompile(`<html lang="([a-z]+)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// The sign-in page follows the browser; the first sign-in keeps the
// browser's language as the member's; from then on the member's choice wins
// over the browser's, and only a back-office path is a place to come back to.
func TestStaffLanguagePreference(t *testing.T) {
	s := newBOServer(t)
	for _, c := range []struct{ accept, lang, title string }{
		{"fr-FR,fr;q=0.9,en;q=0.5", "fr", "Connexion du personnel"},
		{"en-GB,en;q=0.8", "en", "Staff sign-in"},
		{"de-DE", "fr", "Connexion du personnel"}, // neither language: French
	} {
		b := s.browser(t)
		b.lang = c.accept
		res, body := b.do("GET", "/admin/login", nil)
		if res.StatusCode != 200 || htmlLang(body) != c.lang || !strings.Contains(body, c.title) {
			t.Errorf("sign-in page for %q: %d, lang %q, want %q with %q", c.accept, res.StatusCode, htmlLang(body), c.lang, c.title)
		}
		if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("sign-in page for %q: no Vary: Accept-Language", c.accept)
		}
	}

	a := s.account(t, "sales", true)
	if got := staffLang(t, s, a); got != "" {
		t.Fatalf("a new account has language %q before signing in", got)
	}
	b := s.browser(t)
	b.lang = "fr-FR,fr;q=0.9"
	if res := b.login(a); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	if got := staffLang(t, s, a); got != "fr" {
		t.Fatalf("after a first sign-in from a French browser the account's language is %q", got)
	}
	b.lang = "en" // the browser changes its mind: the member's preference stands
	_, body := b.do("GET", "/admin", nil)
	if htmlLang(body) != "fr" || !strings.Contains(body, "Vos finalités") || strings.Contains(body, "Your purposes") {
		t.Fatalf("home for a French-speaking member: lang %q", htmlLang(body))
	}
	if !strings.Contains(body, `action="/admin/language"`) || !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "English") {
		t.Error("the back-office has no control to change language")
	}

	res, _ := b.post("/admin/language", url.Values{"lang": {"en"}, "next": {"/admin/records/contact"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/records/contact" {
		t.Fatalf("language change: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := staffLang(t, s, a); got != "en" {
		t.Fatalf("the chosen language is not stored: %q", got)
	}
	b.lang = "fr"
	_, body = b.do("GET", "/admin", nil)
	if htmlLang(body) != "en" || !strings.Contains(body, "Your purposes") {
		t.Fatalf("home after choosing English: lang %q", htmlLang(body))
	}

	// A later sign-in from a French browser keeps the choice.
	b2 := s.browser(t)
	b2.lang = "fr"
	b2.login(a)
	if got := staffLang(t, s, a); got != "en" {
		t.Errorf("a later sign-in replaced the member's choice with %q", got)
	}

	// Refusals: a language we do not speak, a way out of the back-office.
	if res, _ := b.post("/admin/language", url.Values{"lang": {"de"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", res.StatusCode)
	}
	if got := staffLang(t, s, a); got != "en" {
		t.Errorf("an unknown language changed the preference to %q", got)
	}
	for _, next := range []string{"//evil.example/admin", "https://evil.example/admin", "/administrator", "/privacy", "", "/\\evil.example"} {
		res, _ := b.post("/admin/language", url.Values{"lang": {"en"}, "next": {next}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin" {
			t.Errorf("next %q: %d to %q, want /admin", next, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

var (
	frTimeRE = regexp.MustCompile(`\d{1,2} (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) \d{4} à \d{2}:\d{2} CES?T`)
	enTimeRE = regexp.MustCompile(`\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2} CES?T`)
	verbRE   = regexp.MustCompile(`%[a-z]`)
)

// textsByLanguage finds every text of the marshalled registry (an object
// of exactly "en" and "fr") whose two languages differ, long enough that
// finding it on a page cannot be chance.
func textsByLanguage(t *testing.T, registry []byte) map[i18n.Lang][]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(registry, &v); err != nil {
		t.Fatal(err)
	}
	out := map[i18n.Lang][]string{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			en, isEN := v["en"].(string)
			fr, isFR := v["fr"].(string)
			if len(v) == 2 && isEN && isFR {
				if en != fr && len(en) >= 12 && len(fr) >= 12 {
					out[i18n.EN], out[i18n.FR] = append(out[i18n.EN], en), append(out[i18n.FR], fr)
				}
				return
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	if len(out[i18n.EN]) < 20 {
		t.Fatalf("only %d registry texts found: the registry's JSON shape changed", len(out[i18n.EN]))
	}
	return out
}

// leftovers are the sentences the back-office declares that body shows in
// other instead of in its own language. Short texts count only as a whole
// element's text or a text attribute, so a word inside a person's data or a
// form value is no false alarm; texts the registry also holds (its own
// translation is another part's) are left out.
func leftovers(body string, other i18n.Lang, registry string) []string {
	var found []string
	for _, m := range views.BackOfficeTexts() {
		text, own := m.Get(other), m.Get(other.Other())
		if text == own {
			continue
		}
		for _, frag := range verbRE.Split(text, -1) {
			frag = strings.TrimSpace(frag)
			if len([]rune(frag)) < 4 || strings.Contains(own, frag) || strings.Contains(registry, frag) {
				continue
			}
			esc := html.EscapeString(frag)
			if (len([]rune(frag)) >= 20 && strings.Contains(body, esc)) || strings.Contains(body, ">"+esc+"<") ||
				regexp.MustCompile(`(title|alt|aria-label|placeholder)="`+regexp.QuoteMeta(esc)+`"`).MatchString(body) {
				found = append(found, frag)
			}
		}
	}
	return found
}

// Every back-office page, in each language: the right <html lang>, none of
// the back-office's sentences left in the other language, and times in the
// company's zone with the zone named.
func TestBackOfficeInBothLanguages(t *testing.T) {
	d := newRightsDesk(t) // the DPO, signed in from an English browser
	rec := d.contact(t, "lea@example.org", "Léa")
	req := d.request(t, "lea@example.org", "access")
	dpoPages := []string{"/admin", "/admin/records/contact", "/admin/records/contact/" + rec.String(),
		"/admin/dpo/access-log", "/admin/dpo/rights", "/admin/dpo/rights/" + req.String(), "/admin/dpo/ropa",
		"/admin/dpo/consents", "/admin/dpo/retention", "/admin/password"}
	sales := d.s.browser(t)
	sales.login(d.s.account(t, "sales", true))
	admin := d.s.browser(t)
	admin.login(d.s.account(t, "admin", true))
	anon := d.s.browser(t)
	type page struct {
		b    *browser
		path string
	}
	var pages []page
	for _, p := range dpoPages {
		pages = append(pages, page{d.dpo, p})
	}
	pages = append(pages, page{sales, "/admin/audiences"}, page{sales, "/admin/partners"}, page{admin, "/admin/staff"},
		page{anon, "/admin/login"}, page{anon, "/admin/welcome/not-a-token"})

	registry, err := json.Marshal(d.s.reg)
	if err != nil {
		t.Fatal(err)
	}
	registryTexts := textsByLanguage(t, registry)
	for _, lang := range []i18n.Lang{i18n.EN, i18n.FR} {
		for _, b := range []*browser{d.dpo, sales, admin} {
			if res, _ := b.post("/admin/language", url.Values{"lang": {lang.String()}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("language %s: %d", lang, res.StatusCode)
			}
			b.lang = lang.Other().String() // the preference, not the browser, decides
		}
		anon.lang = lang.String()
		for _, p := range pages {
			res, body := p.b.do("GET", p.path, nil)
			if res.StatusCode != 200 && !(p.path == "/admin/welcome/not-a-token" && res.StatusCode == 404) {
				t.Errorf("%s %s: %d", lang, p.path, res.StatusCode)
				continue
			}
			if got := htmlLang(body); got != lang.String() {
				t.Errorf("%s %s: <html lang=%q>", lang, p.path, got)
			}
			// The record of processing's content is the registry's, translated
			// with it; its layout is checked here, its text in its own test.
			if p.path == "/admin/dpo/ropa" {
				continue
			}
			if l := leftovers(body, lang.Other(), string(registry)); len(l) > 0 {
				t.Errorf("%s %s shows, in %s: %q", lang, p.path, lang.Other(), l)
			}
			for _, text := range registryTexts[lang.Other()] {
				if strings.Contains(body, html.EscapeString(text)) {
					t.Errorf("%s %s shows the registry's %s text %q", lang, p.path, lang.Other(), text)
				}
			}
		}
		timeRE := map[i18n.Lang]*regexp.Regexp{i18n.FR: frTimeRE, i18n.EN: enTimeRE}[lang]
		for _, p := range []string{"/admin/records/contact/" + rec.String(), "/admin/dpo/access-log", "/admin/dpo/rights/" + req.String()} {
			_, body := d.dpo.do("GET", p, nil)
			if !timeRE.MatchString(body) {
				t.Errorf("%s %s: no time in Europe/Paris with its zone named", lang, p)
			}
			if regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`).MatchString(body) {
				t.Errorf("%s %s: a bare timestamp without its zone", lang, p)
			}
		}
	}
	// The record was received an hour before the clock's 10:00 UTC on
	// 3 November: 10:00 in Paris (CET, UTC+1).
	_, body := d.dpo.do("GET", "/admin/records/contact/"+rec.String(), nil)
	if !strings.Contains(body, "3 nov. 2026 à 10:00 CET") {
		t.Errorf("the record's reception time is not shown in Paris time: %s", frTimeRE.FindString(body))
	}
}

// Staff emails go out in French, then in English, with times in Paris time
// and the zone named.
func TestStaffEmailsInBothLanguages(t *testing.T) {
	s := newBOServer(t)
	reg := s.reg
	role, _ := reg.Role("dpo")
	mail := views.StaffNotice(t.Context(), reg, views.ChangeAccountCreated, "new@example.com", role, "Alice", s.clk.Now())
	if mail == nil {
		t.Fatal("no notice for a role that sees personal data")
	}
	for _, want := range []string{"compte créé", "account created", "3 nov. 2026 à 11:00 CET", "3 Nov 2026, 11:00 CET", "Bonjour", "Hello"} {
		if !strings.Contains(mail.Body+mail.Subject, want) {
			t.Errorf("the DPO notice lacks %q:\n%s", want, mail.Body)
		}
	}
	if strings.Index(mail.Body, "Bonjour") > strings.Index(mail.Body, "Hello") {
		t.Error("the French text does not come first")
	}
	inv := views.StaffInvitation(t.Context(), reg, "https://portal.example", "Bob", "bob@example.com")("tok", s.clk.Now())
	for _, want := range []string{"https://portal.example/admin/welcome/tok", "activez votre compte", "set up your account", "11:00 CET"} {
		if !strings.Contains(inv.Body+inv.Subject, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, inv.Body)
		}
	}
}
