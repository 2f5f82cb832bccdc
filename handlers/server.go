// Package handlers is the HTTP layer: thin Echo handlers (parse, call
// models/policy/vault, render) and the middleware every response passes.
package handlers

import (
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/scan"
	"github.com/alegria/privacy-portal/vault"
)

// Deps is everything the HTTP layer needs, wired explicitly by cmd/portal.
type Deps struct {
	Registry *policy.Registry
	DB       *models.DB
	Vault    *vault.Vault   // field encryption and blind indexes
	Secrets  *vault.Secrets // signing keys (cookies, links)
	Log      *slog.Logger
	BaseURL  *url.URL         // public URL of the site; https turns on HSTS and Secure cookies
	IP       echo.IPExtractor // how the client address is found (direct, or behind trusted proxies)
	Metrics  prometheus.Registerer
	Now      func() time.Time // injectable clock for tests
	// SchemaTarget is the migration version this binary needs; the server
	// answers 503 until the database has reached it.
	SchemaTarget int64
	// Extend adds routes beyond the portal's own: the benchmark baselines
	// (PORTAL_BENCH=1 only), never in production.
	Extend func(e *echo.Echo)
	// FormRate is how many form posts one client address may send per
	// minute (spam); 0 turns the limit off (benchmarks, tests).
	FormRate int
	// ConsentRate is cookie choices per second per client address on POST
	// /consent: 0 is the default, below 0 turns the limit off (benchmarks).
	ConsentRate float64
	// Draining, once set (on SIGTERM), turns /readyz to 503 while the
	// server keeps answering, so a load balancer drains this instance first.
	Draining *atomic.Bool
	// Scanner checks every uploaded file before it is stored (ClamAV in
	// production); nil only when development turned scanning off.
	Scanner scan.Scanner
}

// New builds the Echo server with every route and middleware.
func New(d Deps) *echo.Echo {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if d.IP != nil {
		e.IPExtractor = d.IP
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	methods := &allowedMethods{e: e}
	e.HTTPErrorHandler = errorHandler(d.Log, methods)
	e.Pre(headAsGet)
	routes(e, d, methods)
	if d.Extend != nil {
		d.Extend(e)
	}
	return e
}
