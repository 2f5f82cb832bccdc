package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
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

// FuzzDecodeConsentPost: the cookie choice's own body decoder reads what
// url.ParseQuery and validInput's check read: the same error (any parse
// error, NUL or invalid UTF-8 refused), else the same first values and the
// same categories, in order.
func FuzzDecodeConsentPost(f *testing.F) {
	for _, s := range []string{"action=accept_all&return_to=%2F", "action=custom&category=audience&category=marketing&_idem=6f1c",
		"action=a;b", "action=%zz", "return_to=%00", "x=%ff", "&&action=&=&category", "action=a+b&action=c", "category=%E2%80%A8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decodeConsentPost(body)
		vs, perr := url.ParseQuery(body)
		if perr != nil || !cleanValues(vs) {
			if err == nil {
				t.Fatalf("%q: decoded %+v, ParseQuery: %v", body, got, perr)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: %v, ParseQuery read %v", body, err, vs)
		}
		want := consentPost{action: vs.Get("action"), returnTo: vs.Get("return_to"), idem: vs.Get(views.IdemField), categories: vs["category"]}
		if got.action != want.action || got.returnTo != want.returnTo || got.idem != want.idem || strings.Join(got.categories, "\x00") != strings.Join(want.categories, "\x00") ||
			len(got.categories) != len(want.categories) {
			t.Fatalf("%q: decoded %+v, ParseQuery reads %+v", body, got, want)
		}
	})
}

// FuzzSafeReturnPath: a plain path is given back as url.Parse and
// RequestURI would give it back, and no answer leaves the site.
func FuzzSafeReturnPath(f *testing.F) {
	for _, s := range []string{"/", "/fr/privacy", "/a/../b", "//evil.example", "/%2e%2e", "/a b", "/~x_y-z.1", "/\\evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeReturnPath(s)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("%q → %q leaves the site", s, got)
		}
		if got != "/" && plainPath(s) {
			u, err := url.Parse(s)
			if err != nil || u.RequestURI() != got {
				t.Fatalf("%q → %q, url.Parse gives %v %v", s, got, u, err)
			}
		}
	})
}
