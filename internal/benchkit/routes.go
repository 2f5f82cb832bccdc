// Package benchkit holds what only `make bench` uses: the baseline routes,
// sessions signed in without a TOTP round and a synthetic access log. The
// server wires it in only with PORTAL_BENCH=1.
package benchkit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
)

// Routes are the baselines `make bench` compares real pages against.
// The server adds them only with PORTAL_BENCH=1, never in production.
//   - /__bench/hello: a bare 13-byte response, the ceiling of the stack.
//   - /__bench/same-bytes?path=/privacy: the bytes the real route answered
//     the first time, replayed from memory through the same middleware, so the
//     ratio against the real route is the cost of rendering alone.
func Routes(e *echo.Echo) {
	var cache sync.Map
	e.GET("/__bench/hello", func(c echo.Context) error {
		return c.String(http.StatusOK, "Hello, World!")
	})
	e.GET("/__bench/same-bytes", func(c echo.Context) error {
		path := c.QueryParam("path")
		if body, ok := cache.Load(path); ok {
			// Sent as the real pages are (handlers' render): with its length.
			c.Response().Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(body.([]byte)))}
			return c.HTMLBlob(http.StatusOK, body.([]byte))
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			return echo.NewHTTPError(http.StatusBadRequest, "the path must answer 200")
		}
		body, _ := cache.LoadOrStore(path, rec.Body.Bytes())
		return c.HTMLBlob(http.StatusOK, body.([]byte))
	})
}
