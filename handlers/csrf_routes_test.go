package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Deny by default: every back-office route that changes something refuses
// a post without the form token, or with a wrong one, whoever sends it.
// The crawl is built from e.Routes(), so a route added later, in any group,
// is held to it too.
func TestEveryBackOfficeChangeNeedsTheFormToken(t *testing.T) {
	s := newBOServer(t)
	rec := s.record(t, "contact", map[string]string{"first_name": "Forged", "email": "forged@example.com"}, false, false)
	fill := strings.NewReplacer(":purpose", "contact", ":id", rec.String(), ":token", "not-a-token", ":file", rec.String())
	var paths []string
	for _, r := range s.e.Routes() {
		if !strings.HasPrefix(r.Path, "/admin") {
			continue
		}
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			paths = append(paths, r.Method+" "+fill.Replace(r.Path))
		}
	}
	if len(paths) < 10 {
		t.Fatalf("only %d back-office changes found", len(paths))
	}
	for _, role := range []string{"", "sales", "dpo", "admin"} {
		b := s.browser(t)
		if role != "" {
			b.login(s.account(t, role, true))
		}
		for _, p := range paths {
			method, path, _ := strings.Cut(p, " ")
			for _, token := range []string{"", "forged-token-forged-token-forged"} {
				form := url.Values{"status": {"closed"}, "note": {"forged"}, "email": {"forged@example.com"}}
				if token != "" {
					form.Set("_csrf", token)
				}
				res := rawDo(t, b, method, path, "application/x-www-form-urlencoded", form.Encode())
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s, %s without its form token (%q): %d, want 403", role, p, token, res.StatusCode)
				}
			}
		}
	}
}
