package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alegria/privacy-portal/models"
)

// FuzzConsentCookie: a consent cookie is whatever the browser sends; reading
// it never fails loudly, and a readable one changed by a single byte no
// longer reads (an edited cookie is no consent).
func FuzzConsentCookie(f *testing.F) {
	now := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	cc := newConsentCookies([]byte("0123456789abcdef0123456789abcdef"), &url.URL{Scheme: "https", Host: "portal.example"}, func() time.Time { return now })
	valid, err := cc.codec.Encode(consentCookieName, models.CookieChoice{At: now})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add("")
	f.Add(strings.Repeat("A", 2000))
	f.Fuzz(func(t *testing.T, value string) {
		for _, b := range []byte(value) { // what a cookie can carry (RFC 6265 cookie-octet)
			if b <= ' ' || b >= 0x7f || b == '"' || b == ',' || b == ';' || b == '\\' {
				return
			}
		}
		read := func(v string) bool {
			r, _ := http.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: consentCookieName, Value: v})
			_, ok := cc.read(r)
			return ok
		}
		if !read(value) {
			return
		}
		b := []byte(value)
		b[len(b)/2] ^= 0x01 // stays a cookie-octet: flips between neighbours
		if string(b) != value && read(string(b)) {
			t.Fatalf("an edited cookie still reads: %q", b)
		}
	})
}

// FuzzCleanQuery: the query check refuses every NUL and invalid UTF-8.
func FuzzCleanQuery(f *testing.F) {
	for _, s := range []string{"a=b", "status=%00", "x=%ff", "%zz", "a=b&c=d;e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !CleanQuery(raw) {
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("%q passed but does not parse", raw)
		}
		for k, vs := range q {
			for _, v := range append(vs, k) {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("%q passed with %q", raw, v)
				}
			}
		}
	})
}
