package handlers_test

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alegria/privacy-portal/policy"
)

// checkCookies fails for a cookie the registry does not declare, or one
// that lasts otherwise than the registry says (a session cookie where it
// declares a lifetime, or the reverse, or another lifetime).
func checkCookies(t *testing.T, reg *policy.Registry, where string, res *http.Response, now time.Time) {
	t.Helper()
	declared := map[string]policy.Cookie{}
	for _, cat := range reg.Cookies {
		for _, c := range cat.Cookies {
			declared[c.Name] = c
		}
	}
	for _, c := range res.Cookies() {
		d, ok := declared[c.Name]
		if !ok {
			t.Errorf("%s sets cookie %q, which the registry does not declare", where, c.Name)
			continue
		}
		if c.MaxAge < 0 || c.Value == "" {
			continue // a deletion
		}
		var lasts time.Duration // 0: a session cookie
		switch {
		case c.MaxAge > 0:
			lasts = time.Duration(c.MaxAge) * time.Second
		case !c.Expires.IsZero(): // Echo's CSRF cookie: Expires from the real clock
			lasts = time.Until(c.Expires)
		}
		if d.Lifetime == nil || d.Lifetime.IsZero() {
			if lasts != 0 {
				t.Errorf("%s sets %q for %v; the registry declares a session cookie", where, c.Name, lasts)
			}
			continue
		}
		want := d.Lifetime.After(now).Sub(now)
		// Calendar months vary by a few days; within a day otherwise.
		slack := 26 * time.Hour
		if d.Lifetime.Months > 0 {
			slack = 4 * 24 * time.Hour
		}
		if math.Abs(float64(lasts-want)) > float64(slack) {
			t.Errorf("%s sets %q for %v; the registry declares %s", where, c.Name, lasts, d.Lifetime)
		}
	}
}

// Every route a visitor or a signed-in staff member can GET, and the cookie
// choice, set only the cookies the registry declares, for as long as it says.
func TestCookieCrawl(t *testing.T) {
	s := newBOServer(t)
	now := s.clk.Now()
	id := s.record(t, "contact", map[string]string{"email": "crawl@example.org", "first_name": "Crawl", "last_name": "Test", "message": "hi"}, false, false)
	params := map[string]string{":purpose": "contact", ":id": id.String(), ":file": "cv", ":lang": "en", "*": "css/app.css"}
	var public, staff []string
	for _, r := range s.e.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		path := r.Path
		for k, v := range params {
			path = strings.ReplaceAll(path, k, v)
		}
		if path == "/admin/login" || !strings.HasPrefix(path, "/admin") {
			public = append(public, path)
		} else {
			staff = append(staff, path)
		}
	}
	if len(public) < 10 || len(staff) < 5 {
		t.Fatalf("crawled %d public and %d staff routes: the route list is not what this test expects", len(public), len(staff))
	}
	visitor := s.browser(t)
	for _, path := range public {
		res, _ := visitor.do("GET", path, nil)
		checkCookies(t, s.reg, "GET "+path, res, now)
	}
	// The cookie choice sets the consent cookie; GPC refusal answers a GET.
	res, _ := visitor.do("POST", "/consent", url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	checkCookies(t, s.reg, "POST /consent", res, now)
	if len(res.Cookies()) == 0 {
		t.Error("POST /consent set no cookie: the consent cookie is not crawled")
	}

	b := s.browser(t)
	if res := b.login(s.account(t, "dpo", true)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	checkCookies(t, s.reg, "POST /admin/login", res, now)
	for _, path := range staff {
		res, _ := b.do("GET", path, nil)
		checkCookies(t, s.reg, "GET "+path, res, now)
	}
}
