package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/models"
)

// noRedirect is a client that shows redirects instead of following them.
func noRedirect(s server) *http.Client {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// postConsent posts a cookie choice as a same-origin browser would.
func postConsent(t *testing.T, s server, form url.Values, mutate func(*http.Request)) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/consent", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("User-Agent", "TestBrowser/1.0")
	if mutate != nil {
		mutate(req)
	}
	res, err := noRedirect(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func consentCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == "portal_consent" {
			return c
		}
	}
	return nil
}

// getWith fetches path sending the given cookies and headers.
func getWith(t *testing.T, s server, path string, cookies []*http.Cookie, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+en(path), nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := noRedirect(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

func ledger(t *testing.T, s server, id string) []models.CookieConsent {
	t.Helper()
	rows, err := s.db.CookieConsentsOf(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBannerUntilAChoice(t *testing.T) {
	s := newServer(t, nil)
	_, body := get(t, s, "/privacy")
	for _, want := range []string{`id="consent-banner"`, `action="/consent"`, `value="accept_all"`, `value="reject_all"`,
		`formaction="/en/cookies/preferences"`, `type="text/plain"`, `data-category="audience"`, `name="return_to" value="/en/privacy"`} {
		if !strings.Contains(body, want) {
			t.Errorf("first visit lacks %q", want)
		}
	}
	if strings.Count(body, `class="btn consent-choice"`) != 3 {
		t.Error("the three banner choices do not share one class")
	}

	res := postConsent(t, s, url.Values{"action": {"reject_all"}, "return_to": {"/privacy"}}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy" {
		t.Fatalf("reject: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	ck := consentCookie(res)
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge < 180*86400 {
		t.Fatalf("consent cookie %+v: want HttpOnly, Secure, SameSite=Lax, 6 months", ck)
	}
	_, body = getWith(t, s, "/privacy", []*http.Cookie{ck}, nil)
	if strings.Contains(body, `id="consent-banner"`) {
		t.Error("banner shown again after a choice")
	}
	if !strings.Contains(body, `type="text/plain" data-src="/static/js/audience-demo.js`) {
		t.Error("audience script active after reject all")
	}
}

func TestConsentChoices(t *testing.T) {
	s := newServer(t, nil)
	cases := []struct {
		name       string
		form       url.Values
		categories []string
		active     bool
	}{
		{"accept all", url.Values{"action": {"accept_all"}}, []string{"audience", "marketing"}, true},
		{"reject all", url.Values{"action": {"reject_all"}}, []string{}, false},
		{"custom audience", url.Values{"action": {"custom"}, "category": {"audience"}}, []string{"audience"}, true},
		{"custom marketing only", url.Values{"action": {"custom"}, "category": {"marketing", "marketing"}}, []string{"marketing"}, false},
		{"custom none", url.Values{"action": {"custom"}}, []string{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := postConsent(t, s, c.form, func(r *http.Request) { r.Header.Set("X-Test", c.name) })
			ck := consentCookie(res)
			if res.StatusCode != http.StatusSeeOther || ck == nil {
				t.Fatalf("status %d, cookie %v", res.StatusCode, ck)
			}
			_, body := getWith(t, s, "/cookies/preferences", []*http.Cookie{ck}, nil)
			active := strings.Contains(body, `<script src="/static/js/audience-demo.js`)
			if active != c.active {
				t.Errorf("audience script active = %v, want %v", active, c.active)
			}
			i := strings.Index(body, "<code>")
			id := body[i+6 : i+6+36]
			rows := ledger(t, s, id)
			if len(rows) != 1 {
				t.Fatalf("ledger rows for %s: %d", id, len(rows))
			}
			r := rows[0]
			if string(r.Action) != c.form.Get("action") || strings.Join(r.Categories, ",") != strings.Join(c.categories, ",") || r.PolicyVersion == "" {
				t.Errorf("ledger row %+v, want %s %v", r, c.form.Get("action"), c.categories)
			}
			if r.IPPrefix.String() != "127.0.0.0/24" || len(r.UAHash) != 32 {
				t.Errorf("ledger keeps %v and a %d-byte agent hash: want the /24 and a sha256", r.IPPrefix, len(r.UAHash))
			}
		})
	}
}

func TestConsentKeepsItsIDAndWithdrawExpiresCookies(t *testing.T) {
	s := newServer(t, nil)
	first := consentCookie(postConsent(t, s, url.Values{"action": {"accept_all"}}, nil))
	res := postConsent(t, s, url.Values{"action": {"withdraw"}, "return_to": {"/cookies/preferences?saved=1"}},
		func(r *http.Request) { r.AddCookie(first); r.AddCookie(&http.Cookie{Name: "pp_audience", Value: "x"}) })
	if res.Header.Get("Location") != "/cookies/preferences?saved=1" {
		t.Errorf("withdraw redirects to %q", res.Header.Get("Location"))
	}
	var expired bool
	for _, c := range res.Cookies() {
		if c.Name == "pp_audience" && c.MaxAge < 0 {
			expired = true
		}
	}
	if !expired {
		t.Error("withdrawal did not expire pp_audience")
	}
	_, body := getWith(t, s, "/cookies/preferences", []*http.Cookie{consentCookie(res)}, nil)
	if !strings.Contains(body, "You withdrew your consent.") || !strings.Contains(body, `type="text/plain"`) {
		t.Error("preferences page does not show the withdrawal")
	}
	i := strings.Index(body, "<code>")
	rows := ledger(t, s, body[i+6:i+6+36])
	if len(rows) != 2 || rows[0].Action != models.CookieAcceptAll || rows[1].Action != models.CookieWithdraw {
		t.Errorf("one consent id should carry both choices, got %+v", rows)
	}
}

func TestConsentRejectsBadInput(t *testing.T) {
	s := newServer(t, nil)
	cases := []struct {
		name   string
		form   url.Values
		mutate func(*http.Request)
		status int
		want   string
	}{
		{"unknown action", url.Values{"action": {"sell_my_data"}}, nil, 400, "not one we offer"},
		{"gpc is not postable", url.Values{"action": {"gpc"}}, nil, 400, "not one we offer"},
		{"no action", url.Values{}, nil, 400, "not one we offer"},
		{"unknown category", url.Values{"action": {"custom"}, "category": {"spyware"}}, nil, 400, "category does not exist"},
		{"necessary is not a choice", url.Values{"action": {"custom"}, "category": {"necessary"}}, nil, 400, "category does not exist"},
		{"cross-site post", url.Values{"action": {"accept_all"}}, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, 403, "own pages"},
		{"foreign origin", url.Values{"action": {"accept_all"}}, func(r *http.Request) {
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "https://evil.example")
		}, 403, "own pages"},
		{"too large", url.Values{"action": {"custom"}, "category": {strings.Repeat("a", 5000)}}, nil, 413, "too large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL+"/consent", strings.NewReader(c.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Accept-Language", "en")
			if c.mutate != nil {
				c.mutate(req)
			}
			res, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			// The whole body: one Read returns only what has arrived.
			b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
			body := string(b)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if !strings.Contains(body, c.want) && c.status != 413 {
				t.Errorf("body lacks %q", c.want)
			}
			if consentCookie(res) != nil {
				t.Error("a refused post set the consent cookie")
			}
		})
	}
}

func TestConsentReturnsOnlyToThisSite(t *testing.T) {
	s := newServer(t, nil)
	for in, want := range map[string]string{
		"/privacy":                "/privacy",
		"/cookies?x=1":            "/cookies?x=1",
		"https://evil.example/":   "/",
		"//evil.example/":         "/",
		"/\\evil.example":         "/",
		"javascript:alert(1)":     "/",
		"":                        "/",
		"/%0d%0aSet-Cookie:x=1":   "/%0d%0aSet-Cookie:x=1",
		"/ok\r\nSet-Cookie: x=1":  "/",
		"http:/evil.example/path": "/",
	} {
		t.Run(in, func(t *testing.T) {
			res := postConsent(t, s, url.Values{"action": {"reject_all"}, "return_to": {in}}, nil)
			if got := res.Header.Get("Location"); got != want {
				t.Errorf("return_to %q redirects to %q, want %q", in, got, want)
			}
		})
	}
}

func TestConsentAnswersJSONForTheScript(t *testing.T) {
	s := newServer(t, nil)
	res := postConsent(t, s, url.Values{"action": {"custom"}, "category": {"audience"}}, func(r *http.Request) {
		r.Header.Set("Accept", "application/json")
	})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || consentCookie(res) == nil {
		t.Errorf("JSON answer: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestTamperedOrStaleCookieBringsTheBannerBack(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	clock := &now
	s := newServer(t, func(d *handlers.Deps) { d.Now = func() time.Time { return *clock } })
	ck := consentCookie(postConsent(t, s, url.Values{"action": {"accept_all"}}, nil))
	tampered := *ck
	tampered.Value = ck.Value[:len(ck.Value)-4] + "AAAA"
	cases := []struct {
		name   string
		cookie *http.Cookie
		at     time.Time
		banner bool
	}{
		{"valid", ck, now, false},
		{"tampered", &tampered, now, true},
		{"unsigned", &http.Cookie{Name: "portal_consent", Value: `{"i":"x","c":["audience"]}`}, now, true},
		{"five months later", ck, now.AddDate(0, 5, 0), false},
		{"six months later", ck, now.AddDate(0, 6, 3), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			*clock = c.at
			_, body := getWith(t, s, "/", []*http.Cookie{c.cookie}, nil)
			if got := strings.Contains(body, `id="consent-banner"`); got != c.banner {
				t.Errorf("banner = %v, want %v", got, c.banner)
			}
			if c.banner && strings.Contains(body, `<script src="/static/js/audience-demo.js`) {
				t.Error("an invalid cookie activated a gated script")
			}
		})
	}
}

func TestGlobalPrivacyControl(t *testing.T) {
	s := newServer(t, nil)
	res, body := getWith(t, s, "/", nil, map[string]string{"Sec-GPC": "1"})
	ck := consentCookie(res)
	if ck == nil || strings.Contains(body, `id="consent-banner"`) || !strings.Contains(body, "Global Privacy Control signal") {
		t.Fatalf("GPC: cookie %v, banner shown or notice missing", ck)
	}
	_, prefs := getWith(t, s, "/cookies/preferences", []*http.Cookie{ck}, map[string]string{"Sec-GPC": "1"})
	i := strings.Index(prefs, "<code>")
	rows := ledger(t, s, prefs[i+6:i+6+36])
	if len(rows) != 1 || rows[0].Action != models.CookieGPC || len(rows[0].Categories) != 0 {
		t.Errorf("GPC ledger rows %+v: want one gpc refusal, recorded once", rows)
	}
	// An explicit opt-in still wins over the signal.
	res = postConsent(t, s, url.Values{"action": {"accept_all"}}, func(r *http.Request) { r.AddCookie(ck); r.Header.Set("Sec-GPC", "1") })
	_, body = getWith(t, s, "/", []*http.Cookie{consentCookie(res)}, map[string]string{"Sec-GPC": "1"})
	if !strings.Contains(body, `<script src="/static/js/audience-demo.js`) {
		t.Error("explicit opt-in after GPC not honoured")
	}
}

func TestConsentIsRateLimited(t *testing.T) {
	s := newServer(t, func(d *handlers.Deps) { d.ConsentRate = 1 })
	var limited bool
	for range 30 {
		if res := postConsent(t, s, url.Values{"action": {"reject_all"}}, nil); res.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("30 posts in a burst from one address were never limited")
	}
}

// A choice posted again with its key (the answer was lost, the browser sent
// the form again, consent.js fell back to the form) is answered with the
// proof already stored: one ledger row per click. The banner's form carries
// a key per rendering, so the no-JS path is covered too.
func TestConsentRetryIsStoredOnce(t *testing.T) {
	s := newServer(t, nil)
	rows := func() int {
		var n int
		if err := s.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM cookie_consents`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	_, page := get(t, s, "/privacy")
	m := regexp.MustCompile(`name="_idem" value="([0-9a-f-]{36})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the banner's form carries no idempotency key")
	}
	_, again := get(t, s, "/privacy")
	if strings.Contains(again, m[1]) {
		t.Error("two renderings share one key")
	}

	t.Run("without JavaScript", func(t *testing.T) {
		before := rows()
		form := url.Values{"action": {"reject_all"}, "_idem": {m[1]}}
		first, retry := postConsent(t, s, form, nil), postConsent(t, s, form, nil)
		if first.StatusCode != 303 || retry.StatusCode != 303 || consentCookie(retry) == nil {
			t.Fatalf("answers %d, %d", first.StatusCode, retry.StatusCode)
		}
		if n := rows() - before; n != 1 {
			t.Errorf("a form posted twice left %d proofs, want 1", n)
		}
		// Another button of the same rendering is a choice of its own.
		postConsent(t, s, url.Values{"action": {"accept_all"}, "_idem": {m[1]}}, nil)
		if n := rows() - before; n != 2 {
			t.Errorf("another choice on the same page left %d proofs in all, want 2", n)
		}
	})

	t.Run("consent.js", func(t *testing.T) {
		before := rows()
		key := uuid.NewString()
		answer := func() (string, *http.Cookie) {
			req, _ := http.NewRequest("POST", s.URL+"/consent", strings.NewReader(url.Values{"action": {"custom"}, "category": {"audience"}, "_idem": {key}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Accept", "application/json")
			res, err := noRedirect(s).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Categories []string `json:"categories"`
				Proof      string   `json:"proof"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
				t.Fatalf("%d: %v", res.StatusCode, err)
			}
			if len(body.Categories) != 1 || body.Categories[0] != "audience" || uuid.Validate(body.Proof) != nil {
				t.Errorf("answer %+v: want the audience category and the proof's id", body)
			}
			return body.Proof, consentCookie(res)
		}
		p1, c1 := answer()
		p2, c2 := answer()
		if p1 != p2 {
			t.Errorf("a retry answered proof %s, the first post %s", p2, p1)
		}
		if n := rows() - before; n != 1 {
			t.Errorf("a click posted twice left %d proofs, want 1", n)
		}
		// Both answers set the cookie of the one stored choice (same consent id).
		_, b1 := getWith(t, s, "/cookies/preferences", []*http.Cookie{c1}, nil)
		_, b2 := getWith(t, s, "/cookies/preferences", []*http.Cookie{c2}, nil)
		code := regexp.MustCompile(`<code>([0-9a-f-]{36})</code>`)
		if id1, id2 := code.FindStringSubmatch(b1), code.FindStringSubmatch(b2); id1 == nil || id2 == nil || id1[1] != id2[1] {
			t.Errorf("the retry's cookie names another consent id: %v, %v", id1, id2)
		}
	})

	t.Run("a malformed key", func(t *testing.T) {
		before := rows()
		if res := postConsent(t, s, url.Values{"action": {"accept_all"}, "_idem": {"not-a-key"}}, nil); res.StatusCode != 400 {
			t.Errorf("malformed key: %d, want 400", res.StatusCode)
		}
		if rows() != before {
			t.Error("a post with a malformed key was stored")
		}
	})

	t.Run("the settings page", func(t *testing.T) {
		_, body := get(t, s, "/cookies/preferences")
		if !strings.Contains(body, `name="_idem" value="`) {
			t.Error("the settings form carries no idempotency key")
		}
	})
}

// A choice's body is read as ParseForm reads it: what ParseForm refuses (a
// bad escape, a semicolon separator, NUL or invalid UTF-8 in any field) is
// a 400 and sets nothing; consent.js's content type (with its charset), a
// query string next to the body and repeated fields are read as before.
func TestConsentBodyIsReadAsAForm(t *testing.T) {
	s := newServer(t, nil)
	post := func(t *testing.T, path, contentType, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Accept", "application/json")
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	const form = "application/x-www-form-urlencoded"
	for name, body := range map[string]string{
		"bad escape":  "action=accept_all&return_to=%zz",
		"semicolon":   "action=accept_all;return_to=/",
		"NUL":         "action=accept_all&x=%00",
		"invalid key": "action=accept_all&%ff=1",
	} {
		t.Run(name, func(t *testing.T) {
			res := post(t, "/consent", form, body)
			if res.StatusCode != http.StatusBadRequest || consentCookie(res) != nil {
				t.Errorf("status %d, cookie %v; want 400 and none", res.StatusCode, consentCookie(res))
			}
		})
	}
	for name, c := range map[string]struct{ path, contentType, body, want string }{
		"charset":           {"/consent", form + ";charset=UTF-8", "category=marketing&action=custom&category=audience&action=accept_all", `["audience","marketing"]`},
		"query and body":    {"/consent?return_to=%2Fprivacy", form, "action=custom&category=audience", `["audience"]`},
		"empty fields":      {"/consent", form, "&&action=reject_all&=&category&", `[]`},
		"plus and escapes":  {"/consent", form, "act%69on=custom&category=audience&return_to=%2Fa+b", `["audience"]`},
		"first action wins": {"/consent", form, "action=reject_all&action=accept_all", `[]`},
	} {
		t.Run(name, func(t *testing.T) {
			res := post(t, c.path, c.contentType, c.body)
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || consentCookie(res) == nil || !strings.Contains(string(b), `"categories":`+c.want) {
				t.Errorf("status %d, cookie %v, answer %s; want 200, a cookie and categories %s", res.StatusCode, consentCookie(res), b, c.want)
			}
		})
	}
}
