package handlers_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
)

// A NUL byte or invalid UTF-8 in any query parameter (the back-office
// filters included) or url-encoded form value is a 400 with a message,
// never the 500 PostgreSQL's refusal would become.
func TestUnreadableInputIs400(t *testing.T) {
	s := newBOServer(t)
	dpo := s.browser(t)
	dpo.login(s.account(t, "dpo", true))
	sales := s.browser(t)
	sales.login(s.account(t, "sales", true))
	for _, bad := range []string{"%00", "a%00b", "%ff%fe", "%zz"} {
		for _, q := range []string{"status", "role", "action", "purpose", "outcome", "email", "staff", "from"} {
			for _, path := range []string{"/admin/dpo/access-log", "/admin/dpo/access-log/export"} {
				res, body := dpo.do("GET", path+"?"+q+"="+bad, nil)
				if res.StatusCode != 400 || !strings.Contains(body, "cannot read") {
					t.Errorf("GET %s?%s=%s: %d", path, q, bad, res.StatusCode)
				}
			}
		}
		res, _ := sales.do("GET", "/admin/records/"+firstPurposeOf(t, s, "sales")+"?status="+bad, nil)
		if res.StatusCode != 400 {
			t.Errorf("records ?status=%s: %d", bad, res.StatusCode)
		}
		res, _ = sales.do("GET", "/?x="+bad, nil)
		if res.StatusCode != 400 {
			t.Errorf("GET /?x=%s: %d", bad, res.StatusCode)
		}
	}
	// A form value: the sign-in form with a NUL in the email.
	res, body := dpo.post("/admin/login", url.Values{"email": {"a\x00b@example.com"}, "password": {"x"}, "code": {"1"}})
	if res.StatusCode != 400 || !strings.Contains(body, "cannot read") {
		t.Errorf("POST /admin/login with NUL: %d", res.StatusCode)
	}
	res, _ = dpo.do("POST", "/admin/login", url.Values{"email": {"\xff\xfe"}})
	if res.StatusCode != 400 {
		t.Errorf("POST /admin/login with invalid UTF-8: %d", res.StatusCode)
	}
}

func firstPurposeOf(t *testing.T, s *boServer, role string) string {
	t.Helper()
	ps := s.reg.PurposesFor(role)
	if len(ps) == 0 {
		t.Fatalf("role %s has no purpose", role)
	}
	return ps[0]
}

// HEAD works wherever GET does, without a body; a method a known path does
// not serve is a 405 with Allow; an unknown path stays a 404.
func TestHeadAndMethodNotAllowed(t *testing.T) {
	s := newServer(t, nil)
	paths := []string{"/", "/privacy", "/cookies", "/cookies/preferences", "/healthz", "/admin/login", "/static/css/app.css"}
	for _, p := range s.reg.FormPurposes() {
		paths = append(paths, p.Form.Path)
	}
	for _, path := range paths {
		req, _ := http.NewRequest(http.MethodHead, s.URL+en(path), nil)
		res, err := noRedirect(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || len(body) != 0 || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("HEAD %s: %d, %d bytes, CSP %q", path, res.StatusCode, len(body), res.Header.Get("Content-Security-Policy"))
		}
	}
	for _, c := range []struct{ method, path, allow string }{
		{"TRACE", "/", "GET, HEAD"},
		{"TRACE", "/privacy", "GET, HEAD"},
		{"DELETE", "/admin/login", "GET, HEAD, POST"},
		{"PUT", "/consent", "POST"},
		{"GET", "/consent", "POST"},
		{"HEAD", "/consent", "POST"},
		{"POST", "/privacy", "GET, HEAD"},
	} {
		req, _ := http.NewRequest(c.method, s.URL+en(c.path), nil)
		res, err := noRedirect(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 405 || res.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", c.method, c.path, res.StatusCode, res.Header.Get("Allow"), c.allow)
		}
	}
	for _, m := range []string{"GET", "TRACE", "HEAD"} {
		req, _ := http.NewRequest(m, s.URL+en("/no-such-page"), nil)
		res, err := noRedirect(s).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Errorf("%s /no-such-page: %d", m, res.StatusCode)
		}
	}
}

// proxy forwards TCP to PostgreSQL until cut, which drops every connection
// at once and refuses new ones: a database outage as clients see it.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) cut() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// During a database outage every request that needs the database answers
// 503 with Retry-After, never 500 — in the first second too, while the
// schema check is still cached: the session lookup, cookie choices, forms.
func TestDatabaseOutageIs503(t *testing.T) {
	urls := testdb.New(t)
	u, _ := url.Parse(urls.App)
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	db, err := models.Open(context.Background(), u.String(), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	s := newServerOn(t, db, urls, nil)
	if res, _ := get(t, s, "/"); res.StatusCode != 200 {
		t.Fatalf("GET / before the outage: %d", res.StatusCode)
	}
	p.cut()
	check := func(name string, res *http.Response) {
		t.Helper()
		if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s during the outage: %d, Retry-After %q", name, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	check("POST /consent", postConsent(t, s, url.Values{"action": {"accept_all"}}, nil))
	res, _ := getWith(t, s, "/admin", []*http.Cookie{{Name: "__Host-portal_session", Value: strings.Repeat("a", 43)}}, nil)
	check("GET /admin with a session", res)
	res, _ = get(t, s, "/readyz")
	check("GET /readyz", res)
}

// An access event carries the X-Request-Id of the request that caused it,
// so the request's log line and its access row can be joined; the chain
// still verifies with it.
func TestAccessEventsCarryTheRequestID(t *testing.T) {
	s := newBOServer(t)
	dpo := s.browser(t)
	dpo.login(s.account(t, "dpo", true))
	res, _ := dpo.do("GET", "/admin/dpo/access-log", nil)
	rid := res.Header.Get("X-Request-Id")
	if res.StatusCode != 200 || rid == "" {
		t.Fatalf("access log: %d, request id %q", res.StatusCode, rid)
	}
	if n := s.count(t, `request_id = ? AND action = ?`, rid, models.ActionReadLog); n != 1 {
		t.Errorf("%d access rows carry the request id %s, want 1", n, rid)
	}
	rep, err := models.NewAccessLog(s.db, s.v, nil).Verify(context.Background(), 0)
	if err != nil || !rep.OK {
		t.Errorf("chain with request ids: %+v, %v", rep, err)
	}
}

// idemRE finds a form's key (16 bytes in base64url), not the cookie
// banner's on the same page (a UUID).
var idemRE = regexp.MustCompile(`name="_idem" value="([A-Za-z0-9_-]{22})"`)

// A form posted twice from the same rendering (a retry after a lost answer)
// answers the same 303 and stores one record, one receipt, one set of
// consent rows and one file; a new rendering is a new record.
func TestFormRetryIsStoredOnce(t *testing.T) {
	s := newServer(t, nil)
	for _, tc := range []struct{ purpose, path string }{{"contact", "/contact"}, {"recruitment", "/apply"}} {
		pu, ok := s.reg.Purpose(tc.purpose)
		if !ok {
			t.Fatalf("no purpose %s", tc.purpose)
		}
		v := newVisitor(t, s)
		_, page := v.get(tc.path)
		m := idemRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no idempotency key in the form", tc.path)
		}
		vals := validPost(pu)
		vals.Set("_idem", m[1])
		post := func() *http.Response {
			if tc.purpose == "recruitment" {
				res, _ := v.postMultipart(tc.path, vals, "cv", "cv.pdf", pdf(1000))
				return res
			}
			res, _ := v.post(tc.path, vals)
			return res
		}
		a, b := post(), post()
		if a.StatusCode != 303 || b.StatusCode != 303 || a.Header.Get("Location") != b.Header.Get("Location") {
			t.Errorf("%s: first %d %s, retry %d %s", tc.path, a.StatusCode, a.Header.Get("Location"), b.StatusCode, b.Header.Get("Location"))
		}
		if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE purpose = $1`, tc.purpose); n != 1 {
			t.Errorf("%s: %d records after a retry, want 1", tc.path, n)
		}
		if n := ownerCount(t, s, `SELECT count(*) FROM consents WHERE purpose = $1`, tc.purpose); n != len(pu.Form.Consents) {
			t.Errorf("%s: %d consent rows, want %d", tc.path, n, len(pu.Form.Consents))
		}
		if tc.purpose == "recruitment" {
			if n := ownerCount(t, s, `SELECT count(*) FROM attachments`); n != 1 {
				t.Errorf("%d attachments after a retry, want 1", n)
			}
		}
		// A new rendering of the form is a new submission.
		_, page = v.get(tc.path)
		vals = validPost(pu)
		vals.Set("_idem", idemRE.FindStringSubmatch(page)[1])
		if res := post(); res.StatusCode != 303 {
			t.Errorf("%s: second rendering: %d", tc.path, res.StatusCode)
		}
		if n := ownerCount(t, s, `SELECT count(*) FROM records WHERE purpose = $1`, tc.purpose); n != 2 {
			t.Errorf("%s: %d records after a second rendering, want 2", tc.path, n)
		}
	}
	if n := ownerCount(t, s, `SELECT count(*) FROM outbox`); n != 4 {
		t.Errorf("%d emails queued for four submissions, want 4", n)
	}
}

// The back-office form token is the session's: renewed at sign-in, kept
// server-side, so a token planted in the browser (a same-site origin can
// set cookies) is refused, and its cookie is __Host- like the public one.
func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	s := newBOServer(t)
	b := s.browser(t)
	res, _ := b.do("GET", "/admin/login", nil)
	var names []string
	for _, c := range res.Cookies() {
		names = append(names, c.Name)
		if !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s: Secure %v, Path %q, Domain %q: not a valid __Host- cookie", c.Name, c.Secure, c.Path, c.Domain)
		}
	}
	if strings.Join(names, ",") != "__Host-admin_csrf" {
		t.Errorf("sign-in page sets %v, want __Host-admin_csrf", names)
	}
	// An attacker plants a token they know before the victim signs in.
	const planted = "PLANTEDPLANTEDPLANTEDPLANTED"
	b.cookies["__Host-admin_csrf"] = planted
	a := s.account(t, "admin", true)
	if res := b.login(a); res.StatusCode != 303 {
		t.Fatalf("login: %d", res.StatusCode)
	}
	if b.cookies["__Host-admin_csrf"] == planted || b.cookies["__Host-admin_csrf"] == "" {
		t.Fatal("the form token was not renewed at sign-in")
	}
	// The planted pair (cookie and field alike) no longer passes.
	session := b.cookies["__Host-admin_csrf"]
	b.cookies["__Host-admin_csrf"] = planted
	res, _ = b.do("POST", "/admin/logout", url.Values{"_csrf": {planted}})
	if res.StatusCode != 403 {
		t.Errorf("post with a planted token after sign-in: %d, want 403", res.StatusCode)
	}
	if b.cookies["__Host-admin_csrf"] != session {
		t.Error("the session's token was not given back to the browser")
	}
	// The session's own token works.
	res, _ = b.do("POST", "/admin/logout", url.Values{"_csrf": {session}})
	if res.StatusCode != 303 {
		t.Errorf("post with the session's token: %d, want 303", res.StatusCode)
	}
	// Public forms: __Host- too.
	v := s.browser(t)
	res, _ = v.do("GET", "/contact", nil)
	if c := res.Cookies(); len(c) == 0 || c[0].Name != "__Host-csrf" || !c[0].Secure || c[0].Path != "/" {
		t.Errorf("public form cookies %v, want __Host-csrf", c)
	}
}

// A signed-in member's page carries the session's form token, and sets its
// cookie only when the browser lacks it: once, with the session's value
// (not a token of the library's replaced by the session's on the same
// answer). The cookie set at sign-in outlives the session, so pages need not
// renew it. Its Vary names the language and the cookies, each once.
func TestStaffPageCarriesTheSessionsToken(t *testing.T) {
	s := newBOServer(t)
	b := s.browser(t)
	if res := b.login(s.account(t, "sales", true)); res.StatusCode != 303 {
		t.Fatalf("login: %d", res.StatusCode)
	}
	session := b.cookies["__Host-admin_csrf"]
	if session == "" {
		t.Fatal("no form token after sign-in")
	}
	for _, path := range []string{"/admin/records/contact", "/admin/password"} {
		delete(b.cookies, "__Host-admin_csrf") // a browser that lost it
		res, page := b.do("GET", path, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		var set []string
		for _, c := range res.Cookies() {
			if c.Name == "__Host-admin_csrf" {
				set = append(set, c.Value)
				if !c.Secure || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 24*60*60 {
					t.Errorf("GET %s: form-token cookie %+v", path, c)
				}
			}
		}
		if len(set) != 1 || set[0] != session {
			t.Errorf("GET %s without the cookie sets %q, want the session's token once", path, set)
		}
		if m := csrfRe.FindStringSubmatch(page); m == nil || m[1] != session {
			t.Errorf("GET %s: the page's form token is %v, want the session's", path, m)
		}
		if v := strings.Join(res.Header.Values("Vary"), ", "); v != "Accept-Language, Cookie" {
			t.Errorf("GET %s: Vary %q, want Accept-Language, Cookie", path, v)
		}
		// With the cookie: no Set-Cookie, the same token.
		res, page = b.do("GET", path, nil)
		if c := res.Header.Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("GET %s with the cookie sets %v", path, c)
		}
		if m := csrfRe.FindStringSubmatch(page); m == nil || m[1] != session {
			t.Errorf("GET %s: the page's form token is %v, want the session's", path, m)
		}
	}
	// The page's token is the one a change is checked against.
	if res, _ := b.do("POST", "/admin/logout", url.Values{"_csrf": {session}}); res.StatusCode != 303 {
		t.Errorf("logout with the page's token: %d, want 303", res.StatusCode)
	}
}

// Staff search by email without the address in any URL: the filter form is
// posted, the list's URL carries it sealed, and a forged or foreign token
// filters nothing.
func TestRecordSearchKeepsEmailsOutOfURLs(t *testing.T) {
	s := newBOServer(t)
	s.record(t, "recruitment", models.Fields{"first_name": "Inès", "last_name": "Haddad", "email": "ines.search@example.com"}, false, false)
	s.record(t, "recruitment", models.Fields{"first_name": "Other", "last_name": "Person", "email": "other@example.com"}, false, false)
	rec := s.browser(t)
	rec.login(s.account(t, "recruitment", true))
	_, page := rec.do("GET", "/admin/records/recruitment", nil)
	if !strings.Contains(page, `method="post" action="/admin/records/recruitment/search"`) {
		t.Error("the filter form is not posted")
	}
	res, _ := rec.post("/admin/records/recruitment/search", url.Values{"email": {"ines.search@example.com"}, "status": {""}})
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || strings.Contains(loc, "ines") || strings.Contains(loc, "example.com") || !strings.Contains(loc, "q=") {
		t.Fatalf("search: %d to %q", res.StatusCode, loc)
	}
	res, list := rec.do("GET", loc, nil)
	recordLink := regexp.MustCompile(`href="/admin/records/recruitment/[0-9a-f-]{36}"`)
	if n := len(recordLink.FindAllString(list, -1)); res.StatusCode != 200 || n != 1 {
		t.Errorf("filtered list: %d, %d records, want 1", res.StatusCode, n)
	}
	if strings.Contains(list, "ines.search%40") || strings.Contains(list, "email=") {
		t.Error("a link on the page carries the address")
	}
	if !strings.Contains(list, `value="ines.search@example.com"`) {
		t.Error("the search box does not keep the address")
	}
	// A token sealed by another server (another key) filters nothing.
	_, list = rec.do("GET", "/admin/records/recruitment?q=MTcwMDAwMDAwMHxmb3JnZWR8c2ln", nil)
	if n := len(recordLink.FindAllString(list, -1)); n != 2 {
		t.Errorf("a forged token: %d records listed, want both", n)
	}
}
