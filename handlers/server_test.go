package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

type server struct {
	*httptest.Server
	e     *echo.Echo // its routes feed the permission matrix
	db    *models.DB
	urls  testdb.URLs
	reg   *policy.Registry
	vault *vault.Vault
}

func newServer(t testing.TB, mutate func(*handlers.Deps)) server {
	t.Helper()
	db, urls := testdb.Open(t)
	return newServerOn(t, db, urls, mutate)
}

// newServerOn serves on a database opened by the caller.
func newServerOn(t testing.TB, db *models.DB, urls testdb.URLs, mutate func(*handlers.Deps)) server {
	t.Helper()
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	target, err := migrations.Latest()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://portal.example")
	v, err := vault.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	d := handlers.Deps{Registry: reg, DB: db, Vault: v, Secrets: vault.NewEphemeralSecrets(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: base, SchemaTarget: target}
	if mutate != nil {
		mutate(&d)
	}
	e := handlers.New(d)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return server{srv, e, db, urls, d.Registry, d.Vault}
}

// en is a public path as an English page's link names it: the tests that
// read English sentences ask for the English page (/en/…). Paths that have
// one URL for every language, or already carry a language, are kept.
func en(path string) string {
	for _, p := range []string{"/admin", "/static/", "/consent", "/healthz", "/readyz", "/favicon.ico", "/__bench/", "/en/", "/fr/", "/metrics"} {
		if strings.HasPrefix(path, p) {
			return path
		}
	}
	if path == "/en" || path == "/fr" || !strings.HasPrefix(path, "/") {
		return path
	}
	return "/en" + path
}

func get(t *testing.T, s server, path string) (*http.Response, string) {
	t.Helper()
	res, err := s.Client().Get(s.URL + en(path))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// Pages go out with their length, not chunked: the spliced public pages
// (the privacy notice, served from its cached copy) and rendered ones alike.
func TestPagesCarryTheirLength(t *testing.T) {
	s := newServer(t, nil)
	for _, path := range []string{"/privacy", "/privacy", "/contact", "/does-not-exist"} {
		res, body := get(t, s, path)
		if res.ContentLength != int64(len(body)) || len(res.TransferEncoding) != 0 {
			t.Errorf("%s: Content-Length %d, Transfer-Encoding %v, body %d bytes", path, res.ContentLength, res.TransferEncoding, len(body))
		}
	}
}

func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	s := newServer(t, nil)
	for _, path := range []string{"/", "/privacy", "/cookies", "/healthz", "/readyz", "/does-not-exist", "/static/css/app.css"} {
		t.Run(path, func(t *testing.T) {
			res, _ := get(t, s, path)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'nonce-", "frame-ancestors 'none'", "default-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP allows unsafe-inline: %q", csp)
			}
			for name, want := range map[string]string{
				"X-Content-Type-Options":    "nosniff",
				"Referrer-Policy":           "same-origin",
				"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if h.Get("Permissions-Policy") == "" || h.Get("X-Request-Id") == "" {
				t.Errorf("missing Permissions-Policy or X-Request-Id: %v", h)
			}
		})
	}
}

func TestNonceIsFreshPerRequest(t *testing.T) {
	s := newServer(t, nil)
	a, _ := get(t, s, "/")
	b, _ := get(t, s, "/")
	if a.Header.Get("Content-Security-Policy") == b.Header.Get("Content-Security-Policy") {
		t.Error("two requests got the same CSP nonce")
	}
}

func TestNoHSTSOnPlainHTTP(t *testing.T) {
	s := newServer(t, func(d *handlers.Deps) { d.BaseURL, _ = url.Parse("http://localhost:8080") })
	res, _ := get(t, s, "/")
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent for a plain-http base URL")
	}
}

func TestPublicPages(t *testing.T) {
	s := newServer(t, nil)
	cases := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"<h1", "/contact"}},
		{"/privacy", 200, []string{"dpo@alegria.tech", "890581986", "Schrems II", "3 Place de Fontenoy"}},
		{"/cookies", 200, []string{"portal_consent"}},
		{"/nope", 404, []string{"Page not found"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res, body := get(t, s, c.path)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
				t.Error("response shows internals")
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	t.Run("ready", func(t *testing.T) {
		s := newServer(t, nil)
		if res, body := get(t, s, "/readyz"); res.StatusCode != 200 {
			t.Fatalf("readyz %d: %s", res.StatusCode, body)
		}
	})
	t.Run("stale schema refuses traffic", func(t *testing.T) {
		s := newServer(t, func(d *handlers.Deps) { d.SchemaTarget += 1 })
		if res, body := get(t, s, "/readyz"); res.StatusCode != 503 || !strings.Contains(body, "portal migrate") {
			t.Errorf("readyz %d %s, want 503 naming portal migrate", res.StatusCode, body)
		}
		if res, _ := get(t, s, "/privacy"); res.StatusCode != 503 {
			t.Errorf("/privacy on a stale schema: %d, want 503", res.StatusCode)
		}
		if res, _ := get(t, s, "/healthz"); res.StatusCode != 200 {
			t.Errorf("/healthz %d, want 200: liveness does not depend on the database", res.StatusCode)
		}
	})
	t.Run("database down", func(t *testing.T) {
		s := newServer(t, nil)
		s.db.Close()
		if res, _ := get(t, s, "/readyz"); res.StatusCode != 503 {
			t.Errorf("readyz with the database closed: %d, want 503", res.StatusCode)
		}
	})
}

func TestStaticAssets(t *testing.T) {
	s := newServer(t, nil)
	_, page := get(t, s, "/")
	i := strings.Index(page, "/static/css/app.css?v=")
	if i < 0 {
		t.Fatal("page does not link the fingerprinted stylesheet")
	}
	href := page[i : i+strings.IndexByte(page[i:], '"')]
	req, _ := http.NewRequest("GET", s.URL+href, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := s.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("stylesheet headers %v: want precompressed and immutable", res.Header)
	}
	if res, _ := get(t, s, "/static/../go.mod"); res.StatusCode != 404 {
		t.Errorf("path traversal: %d", res.StatusCode)
	}
}

// Metrics are served on the internal listener only (MetricsHandler), not
// on the public site.
func TestMetricsCountRoutes(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := newServer(t, func(d *handlers.Deps) { d.Metrics = reg })
	get(t, s, "/privacy")
	get(t, s, "/random-scanner-path")
	// A method the client makes up is counted, not named (unbounded series).
	req, _ := http.NewRequest("BREW1234", s.URL+"/privacy", nil)
	if res, err := s.Client().Do(req); err == nil {
		res.Body.Close()
	}
	if res, _ := get(t, s, "/metrics"); res.StatusCode != 404 {
		t.Errorf("public /metrics: %d, want 404", res.StatusCode)
	}
	internal := httptest.NewServer(handlers.MetricsHandler(reg))
	defer internal.Close()
	res, err := internal.Client().Get(internal.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	body := string(raw)
	if !strings.Contains(body, `portal_http_requests_total{method="GET",route="/privacy",status="200"} 1`) {
		t.Errorf("metrics lack the /privacy counter:\n%s", body)
	}
	if strings.Contains(body, "random-scanner-path") {
		t.Error("unmatched paths leak into metric labels")
	}
	if strings.Contains(body, "BREW1234") || !strings.Contains(body, `method="other"`) {
		t.Errorf("a made-up method is not counted as other:\n%s", body)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newServer(t, nil)
	res, err := s.Client().Post(s.URL+"/privacy", "application/x-www-form-urlencoded", strings.NewReader(strings.Repeat("a", 100<<10)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge && res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("oversized body: %d", res.StatusCode)
	}
}

// Every request leaves one JSON log line with the same fields as ever: its
// id (the X-Request-Id answered), method, route pattern (never the URL),
// status and duration; no address, agent or query.
func TestRequestLogLine(t *testing.T) {
	var buf syncBuffer
	s := newServer(t, func(d *handlers.Deps) { d.Log = slog.New(slog.NewJSONHandler(&buf, nil)) })
	res, _ := get(t, s, "/privacy?email=ada@example.org")
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "request" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no request line in %q", buf.String())
	}
	want := map[string]any{"level": "INFO", "request_id": res.Header.Get("X-Request-Id"), "method": "GET", "route": "/privacy", "status": float64(200)}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["duration"].(float64); !ok || line["time"] == nil || len(line) != 8 {
		t.Errorf("line %v: want time, level, msg, request_id, method, route, status, duration and nothing else", line)
	}
	if strings.Contains(buf.String(), "ada@example.org") {
		t.Error("the query reached the log")
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
