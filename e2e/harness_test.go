// Package e2e drives the real server in headless chromium (Debian's
// /usr/bin/chromium, or CHROME_PATH), with JavaScript on and off.
package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/alegria/privacy-portal/handlers"
	"github.com/alegria/privacy-portal/migrations"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
)

// site is the portal served on a loopback port, with its database, policy
// and keys.
type site struct {
	URL   string
	DB    *models.DB
	Reg   *policy.Registry
	Vault *vault.Vault
}

// startSite serves handlers.New over plain http on 127.0.0.1, the address
// the base URL names (so cookies go without Secure, as in development).
func startSite(t *testing.T) site { return serveSite(t, "127.0.0.1") }

// serveSite serves the portal on a loopback port under host. The back-office
// uses "localhost": chromium treats it as a secure context and accepts the
// Secure __Host- session cookie over plain http there.
func serveSite(t *testing.T, host string) site {
	t.Helper()
	db, _ := testdb.Open(t)
	reg, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	target, err := migrations.Latest()
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(fmt.Sprintf("http://%s:%d", host, ln.Addr().(*net.TCPAddr).Port))
	srv := httptest.NewUnstartedServer(handlers.New(handlers.Deps{
		Registry: reg, DB: db, Vault: v, Secrets: vault.NewEphemeralSecrets(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: base, SchemaTarget: target,
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return site{URL: base.String(), DB: db, Reg: reg, Vault: v}
}

func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// browser opens a fresh headless chromium (its own profile: no cookie from
// another test) with JavaScript on or off, and a window of width × 900.
func browser(t *testing.T, js bool, width int64) context.Context {
	t.Helper()
	if _, err := os.Stat(chromePath()); err != nil {
		t.Fatalf("chromium not found at %s: `make test` installs it", chromePath())
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromePath()), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	must(t, chromedp.Do(ctx)) // start the browser on a context without a deadline
	_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1})
	must(t, err)
	// English unless a test asks otherwise (acceptLanguage): the tests read
	// the English sentences; the language test and axe visit both.
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "en"}})
	must(t, err)
	if !js {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		must(t, err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(tcancel)
	return tctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cookies are the browser's cookies for the site.
func cookies(t *testing.T, ctx context.Context, s site) map[string]string {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.URL + "/"}})
	must(t, err)
	out := map[string]string{}
	for _, c := range res.Cookies {
		out[c.Name] = c.Value
	}
	return out
}

// present reports whether selector matches an element now (no waiting).
func present(t *testing.T, ctx context.Context, selector string) bool {
	t.Helper()
	ids, err := chromedp.Run(ctx, chromedp.QueryNodeIDs(chromedp.CSSAll(selector), chromedp.AtLeast(0)))
	must(t, err)
	return len(ids) > 0
}

// navigate loads path and fails on an error status.
func navigate(t *testing.T, ctx context.Context, s site, path string) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.URL+path))
	must(t, err)
	if res == nil || res.Status >= 400 {
		t.Fatalf("GET %s: %v", path, res)
	}
}

// submit clicks a button that posts a form and waits for the page it leads to.
func submit(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
	must(t, err)
	if res.Status >= 400 {
		t.Fatalf("after clicking %s: %d", selector, res.Status)
	}
}

// waitFor polls a JavaScript condition until it holds (DevTools evaluation
// works with page scripts off too). It waits; it asserts nothing about time.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for range 100 {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		must(t, err)
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition never held: %s", cond)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	must(t, err)
	return v
}

// ledgerActions lists the actions recorded in cookie_consents, oldest first.
func ledgerActions(t *testing.T, s site) []string {
	t.Helper()
	rows, err := s.DB.Pool.Query(context.Background(), "SELECT action || coalesce(':' || array_to_string(categories, ','), '') FROM cookie_consents ORDER BY id")
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		must(t, rows.Scan(&a))
		out = append(out, a)
	}
	must(t, rows.Err())
	return out
}
