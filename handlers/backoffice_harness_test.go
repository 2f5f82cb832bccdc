package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/internal/demo"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// clock is the injectable clock the back-office tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type boServer struct {
	*httptest.Server
	e    *echo.Echo
	db   *models.DB
	urls testdb.URLs
	v    *vault.Vault
	reg  *policy.Registry
	clk  *clock
}

func newBOServer(t *testing.T) *boServer { t.Helper(); return newBOServerWith(t, nil) }

// newBOServerWith is newBOServer with more changes to its dependencies.
func newBOServerWith(t *testing.T, mutate func(*handlers.Deps)) *boServer {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)}
	s := newServer(t, func(d *handlers.Deps) {
		d.Now = clk.Now
		if mutate != nil {
			mutate(d)
		}
	})
	return &boServer{Server: s.Server, e: s.e, db: s.db, urls: s.urls, v: s.vault, reg: s.reg, clk: clk}
}

// browser keeps cookies by hand (the test server is plain http, the cookies
// are Secure) and never follows redirects.
type browser struct {
	t       *testing.T
	s       *boServer
	cookies map[string]string
	ua      string
	xff     string // X-Forwarded-For, for a server that trusts the loopback proxy
	lang    string // Accept-Language: English unless a test asks for French
}

func (s *boServer) browser(t *testing.T) *browser {
	return &browser{t: t, s: s, cookies: map[string]string{}, ua: "test-browser", lang: "en"}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.s.URL+en(path), body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", b.ua)
	lang := b.lang
	if lang == "" {
		lang = "en" // the English pages, whose sentences the tests read
	}
	req.Header.Set("Accept-Language", lang)
	if b.xff != "" {
		req.Header.Set("X-Forwarded-For", b.xff)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.s.Client().Transport.RoundTrip(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res, string(data)
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf fetches a form token (from the sign-in page, which every visitor may load).
func (b *browser) csrf() string {
	b.t.Helper()
	_, body := b.do("GET", "/admin/login", nil)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatal("no CSRF token on the sign-in page")
	}
	return m[1]
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf())
	}
	return b.do("POST", path, form)
}

// account is a staff member created for a test, enrolled as its owner would
// be after the invitation; changePassword false leaves a password change
// forced at the next sign-in.
type account struct {
	ID       uuid.UUID
	Email    string
	Password string
}

func (s *boServer) account(t *testing.T, role string, changePassword bool) account {
	t.Helper()
	ctx := context.Background()
	ns, err := demo.Account(ctx, s.db, s.v, role+"-"+uuid.NewString()[:8]+"@example.com", "Staff "+role, role, s.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !changePassword {
		testdb.Exec(t, s.urls.Owner, "UPDATE staff SET must_change_password = true WHERE id = $1", ns.Staff.ID)
	}
	return account{ID: ns.Staff.ID, Email: ns.Staff.Email, Password: ns.Password}
}

func (b *browser) login(a account) *http.Response {
	b.t.Helper()
	code, err := models.NewStaffStore(b.s.db, b.s.v).CurrentTOTPCode(context.Background(), a.ID, b.s.clk.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	res, _ := b.post("/admin/login", url.Values{"email": {a.Email}, "password": {a.Password}, "code": {code}})
	// the next login in the same test needs a new time step
	b.s.clk.Add(30 * time.Second)
	return res
}

func (s *boServer) record(t *testing.T, purpose string, fields models.Fields, restricted bool, file bool) uuid.UUID {
	t.Helper()
	p, _ := s.reg.Purpose(purpose)
	nr := models.NewRecord{Purpose: p, Fields: fields, CreatedAt: s.clk.Now().Add(-time.Hour), Restricted: restricted}
	if file {
		nr.Attachment = &models.NewAttachment{Filename: "cv.pdf", MIME: "application/pdf", Content: []byte("%PDF-1.4 test")}
	}
	id, err := models.NewRecordStore(s.db, s.v).Create(context.Background(), nr)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// recordWithFile is a recruitment record with one attached file.
func (s *boServer) recordWithFile(t *testing.T, fields models.Fields) (rec, file uuid.UUID) {
	t.Helper()
	rec = s.record(t, "recruitment", fields, false, true)
	if err := s.db.InScope(context.Background(), models.Scope{Purposes: []string{"recruitment"}}, func(tx *gormDB) error {
		return tx.Raw("SELECT id FROM attachments WHERE record_id = ?", rec).Row().Scan(&file)
	}); err != nil {
		t.Fatal(err)
	}
	return rec, file
}

func (s *boServer) count(t *testing.T, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.db.Gorm.Raw("SELECT count(*) FROM access_events WHERE "+where, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

type gormDB = gorm.DB

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s not found in the page", pattern)
	}
	return m[1]
}

func testdbExec(t *testing.T, url, q string) { t.Helper(); testdb.Exec(t, url, q) }
