package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// A bare public path answers with the same page in the language the
// browser asks for: 302 for a GET (query kept), 307 for a POST so that it
// stays a POST, with Vary: Accept-Language so that no cache serves one
// visitor's language to another. Language-neutral paths are not moved and
// do not exist under a prefix.
func TestBarePathsFollowAcceptLanguage(t *testing.T) {
	s := newServer(t, nil)
	for _, c := range []struct {
		method, path, accept string
		status               int
		location             string
	}{
		{"GET", "/", "fr-FR,fr;q=0.9,en;q=0.8", 302, "/fr/"},
		{"GET", "/", "en-GB,en;q=0.9", 302, "/en/"},
		{"GET", "/", "", 302, "/fr/"},
		{"GET", "/", "de-DE, en;q=0.3", 302, "/en/"},
		{"HEAD", "/privacy", "en", 302, "/en/privacy"},
		{"GET", "/privacy/versions?x=1&y=%C3%A9", "en", 302, "/en/privacy/versions?x=1&y=%C3%A9"},
		{"GET", "/contact", "fr", 302, "/fr/contact"},
		{"POST", "/contact", "en", 307, "/en/contact"},
		{"GET", "/no-such-page", "en", 302, "/en/no-such-page"},
		{"GET", "/fr/admin/login", "", 404, ""},
		{"GET", "/en/healthz", "", 404, ""},
		{"GET", "/healthz", "fr", 200, ""},
		{"GET", "/admin/login", "fr", 200, ""},
		{"GET", "/fr", "", 200, ""},
		{"GET", "/en/privacy", "fr", 200, ""},
	} {
		req, _ := http.NewRequest(c.method, s.URL+c.path, nil)
		if c.accept != "" {
			req.Header.Set("Accept-Language", c.accept)
		}
		res, err := noRedirect(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status || res.Header.Get("Location") != c.location {
			t.Errorf("%s %s (%q): %d to %q, want %d to %q", c.method, c.path, c.accept, res.StatusCode, res.Header.Get("Location"), c.status, c.location)
		}
		if c.status == 302 || c.status == 307 {
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Language") {
				t.Errorf("%s %s: no Vary: Accept-Language", c.method, c.path)
			}
		}
	}
}

// Each page names its language, its twin in the other language and the bare
// path (x-default), and the switcher leads to the same page in the other
// language, query kept (a signed link keeps working).
func TestPagesNameTheirLanguages(t *testing.T) {
	s := newServer(t, nil)
	for _, path := range []string{"/", "/privacy", "/cookies", "/cookies/preferences", "/contact"} {
		for _, l := range []string{"fr", "en"} {
			other := map[string]string{"fr": "en", "en": "fr"}[l]
			_, body := get(t, s, "/"+l+path+"?k=v")
			for _, want := range []string{
				`<html lang="` + l + `">`,
				`<link rel="alternate" hreflang="fr" href="https://portal.example/fr` + path + `">`,
				`<link rel="alternate" hreflang="en" href="https://portal.example/en` + path + `">`,
				`<link rel="alternate" hreflang="x-default" href="https://portal.example` + path + `">`,
				`href="/` + other + path + `?k=v" hreflang="` + other + `" lang="` + other + `"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("/%s%s lacks %s", l, path, want)
				}
			}
		}
	}
	// A French page is French: the banner and the navigation.
	_, body := get(t, s, "/fr/privacy")
	for _, want := range []string{"Tout accepter", "Tout refuser", "Personnaliser", "Politique de confidentialité", `action="/consent"`, `value="/fr/privacy"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/fr/privacy lacks %q", want)
		}
	}
}
