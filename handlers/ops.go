package handlers

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/alegria/privacy-portal/models"
)

// errAbortHandler is re-panicked by the recoverer, as net/http expects.
var errAbortHandler = http.ErrAbortHandler

type opsHandler struct {
	db     *models.DB
	schema *schemaGate
	// draining is set on SIGTERM: readiness turns 503 so the load balancer
	// stops sending traffic while in-flight requests finish.
	draining *atomic.Bool
}

// health says the process is alive; it does not touch the database, so a
// database outage does not get the app servers restarted.
func (h *opsHandler) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// ready says whether this instance should receive traffic: the database
// answers and its schema is the one this binary was built for.
func (h *opsHandler) ready(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if h.draining != nil && h.draining.Load() {
		c.Response().Header().Set(echo.HeaderRetryAfter, retryAfterSeconds)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "server": "shutting down"})
	}
	// Not ready: Retry-After on every 503 answer below.
	c.Response().Header().Set(echo.HeaderRetryAfter, retryAfterSeconds)
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.db.Ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
	}
	current, err := h.schema.check(ctx)
	if err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "no schema"})
	}
	if !current {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "schema": "older than this release: run portal migrate"})
	}
	c.Response().Header().Del(echo.HeaderRetryAfter)
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// MetricsHandler serves the Prometheus metrics gathered by reg, on the
// internal listener (PORTAL_METRICS_ADDR), never on the public site.
func MetricsHandler(reg prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// metrics counts requests and their latency by route, method and status.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series are each label set's counter and histogram, found in the
	// vectors once: a vector hashes and checks every label value and takes
	// its lock on each lookup. Routes are patterns and methods a fixed
	// list (methodLabel), so the sets are as few as the vectors' own series.
	series sync.Map // seriesKey → *series
}

type seriesKey struct {
	route, method string
	status        int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "portal_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s := m.seriesOf(seriesKey{routeOf(c), methodLabel(c.Request().Method), c.Response().Status})
		s.requests.Inc()
		s.latency.Observe(time.Since(start).Seconds())
		return nil
	}
}

// seriesOf is k's counter and histogram.
func (m *metrics) seriesOf(k seriesKey) *series {
	if s, ok := m.series.Load(k); ok {
		return s.(*series)
	}
	s, _ := m.series.LoadOrStore(k, &series{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		latency:  m.latency.WithLabelValues(k.route, k.method),
	})
	return s.(*series)
}

// methodLabel is the method as a metric label: HTTP lets a client name any
// method, and each new label value is a new series held in memory forever,
// so only the methods of RFC 9110 keep their name.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// schemaGate refuses traffic while the database schema is older than this
// binary's migrations (a deploy that forgot `portal migrate`). The answer is
// cached for a second so the check costs nothing per request.
type schemaGate struct {
	db     *models.DB
	target int64
	now    func() time.Time

	mu sync.Mutex // one check of the database at a time
	// current is when the schema was last found current; nil: it was not
	// (or never checked). Read without the lock on every request.
	current atomic.Pointer[time.Time]
}

func newSchemaGate(db *models.DB, target int64, now func() time.Time) *schemaGate {
	return &schemaGate{db: db, target: target, now: now}
}

func (g *schemaGate) check(ctx context.Context) (bool, error) {
	if at := g.current.Load(); at != nil && g.now().Sub(*at) < time.Second {
		return true, nil
	}
	if !g.mu.TryLock() {
		// Another request is asking the database: until it answers, the
		// last answer stands (a current schema does not go stale in a
		// second), and a schema not yet current waits for that answer.
		if g.current.Load() != nil {
			return true, nil
		}
		g.mu.Lock()
	}
	defer g.mu.Unlock()
	if at := g.current.Load(); at != nil && g.now().Sub(*at) < time.Second {
		return true, nil
	}
	v, err := g.db.SchemaVersion(ctx)
	if err != nil || v < g.target {
		g.current.Store(nil)
		return false, err
	}
	now := g.now()
	g.current.Store(&now)
	return true, nil
}

func (g *schemaGate) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ok, _ := g.check(c.Request().Context()); !ok {
			return echo.NewHTTPError(http.StatusServiceUnavailable)
		}
		return next(c)
	}
}
