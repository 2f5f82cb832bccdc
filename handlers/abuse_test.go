package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/alegria/privacy-portal/models"
)

// abuseBodies are what a fuzzer or a careless client sends: each is posted
// (and put, patched, deleted) to every route, with the caller's valid form
// token where the body has room for one, so the abuse reaches the handler.
func abuseBodies(token string) []struct{ name, ctype, body string } {
	tok := "_csrf=" + url.QueryEscape(token) + "&"
	return []struct{ name, ctype, body string }{
		{"oversized", "application/x-www-form-urlencoded", tok + "x=" + strings.Repeat("a", 200<<10)},
		{"malformed", "application/x-www-form-urlencoded", tok + "%zz=%&&=&a=%"},
		{"nul", "application/x-www-form-urlencoded", tok + "email=a%00b&status=%00&role=%00&name=%00&active=%00&password=%00&code=%00"},
		{"invalid utf-8", "application/x-www-form-urlencoded", tok + "email=%ff%fe&status=%c3%28&role=%80&name=%ed%a0%80&note=%ff"},
		{"broken multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token + "\r\n--xyz\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"a\x00.pdf\"\r\n\r\n%PDF"},
		{"multipart without boundary", "multipart/form-data", tok},
		{"json", "application/json", `{"_csrf":"` + token + `","email":"\u0000"}`},
		{"empty", "", ""},
	}
}

// The abuse crawler: every route of e.Routes(), as a visitor and as each
// role, with oversized, malformed, NUL, invalid-UTF-8 and wrong-method
// requests (bodies and query strings), answers 4xx, never 5xx, and every
// answer, errors and downloads included, carries the security headers.
func TestAbuseCrawler(t *testing.T) {
	if testing.Short() {
		t.Skip("the crawler sends thousands of requests")
	}
	s := newBOServer(t)
	rec, file := s.recordWithFile(t, models.Fields{"first_name": "Abuse", "last_name": "Crawler", "email": "abuse@example.com"})
	target := s.account(t, "sales", true)
	fill := strings.NewReplacer(":purpose", "recruitment", ":id/files", rec.String()+"/files", ":file", file.String(),
		"/staff/:id", "/staff/"+target.ID.String(), ":id", rec.String(), "*", "css/app.css")

	type route struct{ method, path string }
	var routes []route
	seen := map[string]bool{}
	for _, r := range s.e.Routes() {
		if strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		p := fill.Replace(r.Path)
		if !seen[r.Method+p] {
			seen[r.Method+p] = true
			routes = append(routes, route{r.Method, p})
		}
	}
	sort.SliceStable(routes, func(i, j int) bool { // logout last: it ends the session
		return strings.HasSuffix(routes[j].path, "/logout") && !strings.HasSuffix(routes[i].path, "/logout")
	})
	if len(routes) < 20 {
		t.Fatalf("only %d routes", len(routes))
	}

	check := func(who, what string, res *http.Response) {
		t.Helper()
		if res.StatusCode >= 500 {
			t.Errorf("%s %s: %d", who, what, res.StatusCode)
		}
		h := res.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" || h.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s %s: %d without the security headers: %v", who, what, res.StatusCode, h)
		}
	}
	badQueries := []string{"?x=%00", "?status=%ff", "?purpose=%00&role=%00&action=%00&outcome=%00", "?after=%zz", "?before=-1&from=9999-99-99&to=x", "?" + strings.Repeat("a=b&", 4000)}
	roles := []string{"", "sales", "training", "recruitment", "dpo", "admin"}
	for _, role := range roles {
		who := "visitor"
		b := s.browser(t)
		if role != "" {
			who = role
			if res := b.login(s.account(t, role, true)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s login: %d", role, res.StatusCode)
			}
		}
		_, _ = b.do("GET", "/contact", nil) // the public form token too
		for _, r := range routes {
			token := b.cookies["__Host-admin_csrf"]
			if !strings.HasPrefix(r.path, "/admin") {
				token = b.cookies["__Host-csrf"]
			}
			for _, q := range badQueries {
				res, _ := b.do(r.method, r.path+q, nil)
				check(who, r.method+" "+r.path+q[:min(len(q), 40)], res)
			}
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, "TRACE", "PROPFIND"} {
				for _, body := range abuseBodies(token) {
					if r.path == "/admin/logout" && m == http.MethodPost && body.name != "nul" {
						continue // keep the session for the other bodies
					}
					res := rawDo(t, b, m, r.path, body.ctype, body.body)
					check(who, fmt.Sprintf("%s %s (%s)", m, r.path, body.name), res)
				}
			}
		}
	}
}

// rawDo sends a body as is, with the browser's cookies.
func rawDo(t *testing.T, b *browser, method, path, ctype, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, b.s.URL+en(path), strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.s.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
