package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// cspBefore and cspAfter surround the nonce in the Content-Security-Policy
// of every response: scripts run only with this request's nonce (and what
// they load, 'strict-dynamic'); no inline style, no framing, forms post only
// here.
const (
	cspBefore = "default-src 'none'; script-src 'nonce-"
	cspAfter  = "' 'strict-dynamic'; style-src 'self'; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'; manifest-src 'self'"
)

// fixedHeaders are the security headers whose value never changes, in
// canonical form, each value slice built once: setting them costs no
// allocation per response. (A later Add on one of them appends to a full
// slice, which copies it: the shared value is never written to.)
func fixedHeaders(hsts bool) map[string][]string {
	h := map[string][]string{
		"X-Content-Type-Options":     {"nosniff"},
		"X-Frame-Options":            {"DENY"},
		"Referrer-Policy":            {"same-origin"},
		"Permissions-Policy":         {"camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), interest-cohort=()"},
		"Cross-Origin-Opener-Policy": {"same-origin"},
	}
	if hsts {
		h["Strict-Transport-Security"] = []string{"max-age=63072000; includeSubDomains"}
	}
	return h
}

// securityHeaders sets the headers every response carries and puts a fresh
// CSP nonce on the request context, where templ's script tags find it.
func securityHeaders(base *url.URL) echo.MiddlewareFunc {
	fixed := fixedHeaders(base != nil && base.Scheme == "https")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			nonce, err := newNonce()
			if err != nil {
				return err
			}
			r := c.Request()
			c.SetRequest(r.WithContext(templ.WithNonce(r.Context(), nonce)))
			h := c.Response().Header()
			h.Set("Content-Security-Policy", cspBefore+nonce+cspAfter)
			for k, v := range fixed {
				h[k] = v
			}
			return next(c)
		}
	}
}

func newNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("handlers: nonce: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b[:]), nil
}

// requestLog writes one JSON line per request. It logs the route pattern, not
// the URL, and no address or agent: query strings and IPs are personal data.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // let the error handler set the final status before we log it
			}
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("route", routeOf(c)),
				slog.Int("status", c.Response().Status),
				slog.Duration("duration", time.Since(start)),
			)
			return nil
		}
	}
}

// routeOf is the matched route pattern, or a fixed label for unmatched paths
// so that scanners cannot blow up log and metric cardinality.
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" && c.Response().Status != 404 {
		return p
	}
	return "unmatched"
}

// recoverer turns a panic into a 500 and logs where it happened, without
// showing anything of it to the client.
func recoverer(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == errAbortHandler {
						panic(r)
					}
					log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
						"route", c.Path(), "panic", fmt.Sprint(r))
					err = echo.NewHTTPError(500)
				}
			}()
			return next(c)
		}
	}
}
