package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	scriptNonceRE = regexp.MustCompile(`nonce="([^"]*)"`)
	choiceKeyRE   = regexp.MustCompile(`name="_idem" value="([^"]*)"`)
)

// Public pages are rendered once per variant and written back with each
// request's nonce: every script of every response carries the nonce of that
// response's own CSP, never another request's, and the page is otherwise
// the same bytes for every visitor of the same variant. The banner's form
// carries a choice key of its own per response in the same way.
func TestPublicPagesCarryTheirOwnNonce(t *testing.T) {
	s := newServer(t, nil)
	accepted := consentCookie(postConsent(t, s, url.Values{"action": {"accept_all"}}, nil))
	if accepted == nil {
		t.Fatal("no consent cookie")
	}
	variants := map[string]func(*http.Request){
		"banner":   nil,
		"gpc":      func(r *http.Request) { r.Header.Set("Sec-GPC", "1") },
		"accepted": func(r *http.Request) { r.AddCookie(accepted) },
	}
	for _, path := range []string{"/", "/privacy", "/cookies"} {
		for name, mutate := range variants {
			t.Run(path+" "+name, func(t *testing.T) {
				var pages []string
				var nonces, keys []string
				for range 2 {
					req, _ := http.NewRequest("GET", s.URL+path, nil)
					if mutate != nil {
						mutate(req)
					}
					res, err := s.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						t.Fatalf("status %d", res.StatusCode)
					}
					csp := res.Header.Get("Content-Security-Policy")
					nonce := strings.TrimSuffix(strings.SplitN(strings.SplitN(csp, "'nonce-", 2)[1], "'", 2)[0], "'")
					found := scriptNonceRE.FindAllStringSubmatch(string(body), -1)
					if len(found) == 0 {
						t.Fatal("no script with a nonce on the page")
					}
					for _, m := range found {
						if m[1] != nonce {
							t.Fatalf("script nonce %q, the response's CSP says %q", m[1], nonce)
						}
					}
					if strings.Contains(string(body), "NoncePlaceholder") || strings.Contains(string(body), "ChoiceKeyPlaceholder") {
						t.Fatal("a placeholder reached the page")
					}
					page := strings.ReplaceAll(string(body), nonce, "")
					if m := choiceKeyRE.FindStringSubmatch(page); m != nil {
						keys = append(keys, m[1])
						page = strings.ReplaceAll(page, m[1], "")
					}
					if n := res.Header.Get("Content-Length"); n != "" && n != strconv.Itoa(len(body)) {
						t.Fatalf("Content-Length %s for %d bytes", n, len(body))
					}
					nonces = append(nonces, nonce)
					pages = append(pages, page)
				}
				if nonces[0] == nonces[1] {
					t.Error("two responses share a nonce")
				}
				if want := name == "banner"; want != (len(keys) == 2) || len(keys) == 2 && keys[0] == keys[1] {
					t.Errorf("choice keys %q: want one per response with the banner, none without", keys)
				}
				if pages[0] != pages[1] {
					t.Error("the same variant answered different pages")
				}
			})
		}
	}
}
