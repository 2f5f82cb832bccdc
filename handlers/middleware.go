package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/views"
)

// builtOnce composes the site-wide middleware once, at start-up. Echo v4
// applies what e.Use registers to the matched handler on every request,
// allocating one closure per middleware per request; this chain is built
// once and ends by calling the matched handler (c.Handler()), which is the
// next Echo passes to global middleware. It ignores that next, so it must be
// the last (the only) e.Use: middleware registered after it would never run.
func builtOnce(mws ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	h := func(c echo.Context) error { return c.Handler()(c) }
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return func(echo.HandlerFunc) echo.HandlerFunc { return h }
}

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
// slice, which copies it: the shared value is never written to.) A list,
// not a map: every response walks it.
func fixedHeaders(hsts bool) []fixedHeader {
	h := []fixedHeader{
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{"same-origin"}},
		{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), interest-cohort=()"}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
	}
	if hsts {
		h = append(h, fixedHeader{"Strict-Transport-Security", []string{"max-age=63072000; includeSubDomains"}})
	}
	return h
}

type fixedHeader struct {
	name  string
	value []string
}

// securityHeaders sets the headers every response carries and puts a fresh
// CSP nonce on the request context, where templ's script tags find it.
func securityHeaders(base *url.URL) echo.MiddlewareFunc {
	fixed := fixedHeaders(base != nil && base.Scheme == "https")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			csp, nonce, err := newCSP()
			if err != nil {
				return err
			}
			// In place on the request's templ state (stateOf made it), so
			// the request is not copied for it.
			r := c.Request()
			if ctx := templ.WithNonce(r.Context(), nonce); ctx != r.Context() {
				c.SetRequest(r.WithContext(ctx))
			}
			h := c.Response().Header()
			h["Content-Security-Policy"] = []string{csp}
			for _, f := range fixed {
				h[f.name] = f.value
			}
			return next(c)
		}
	}
}

// nonceLen is the length of a nonce: 16 random bytes in base64.
var nonceLen = base64.RawStdEncoding.EncodedLen(16)

// newCSP is a fresh nonce and the Content-Security-Policy that names it,
// built in one buffer: the nonce is a slice of the policy's text.
func newCSP() (csp, nonce string, err error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", fmt.Errorf("handlers: nonce: %w", err)
	}
	var b strings.Builder
	b.Grow(len(cspBefore) + nonceLen + len(cspAfter))
	b.WriteString(cspBefore)
	var enc [24]byte
	base64.RawStdEncoding.Encode(enc[:], raw[:])
	b.Write(enc[:nonceLen])
	b.WriteString(cspAfter)
	csp = b.String()
	return csp, csp[len(cspBefore) : len(cspBefore)+nonceLen], nil
}

// newRequestID is a request id as Echo's RequestID middleware draws it (32
// letters, crypto/rand, no letter likelier than another), in one
// allocation where Echo's takes three and a pooled reader.
func newRequestID() string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	const maxByte = 255 - (256 % len(letters)) // above it a byte would favour the first letters
	var id [32]byte
	var raw [48]byte
	for n := 0; n < len(id); {
		if _, err := rand.Read(raw[:]); err != nil {
			panic("handlers: crypto/rand failed: " + err.Error()) // as Echo's does: rand.Read never fails on Linux
		}
		for _, r := range raw {
			if int(r) > maxByte {
				continue
			}
			id[n] = letters[int(r)%len(letters)]
			if n++; n == len(id) {
				break
			}
		}
	}
	return string(id[:])
}

// requestLog writes one JSON line per request. It logs the route pattern, not
// the URL, and no address or agent: query strings and IPs are personal data.
// The record goes straight to the handler: Logger.LogAttrs would also walk
// the stack for the caller's position, which no line shows (a quarter of
// the logging's cost).
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	h := log.Handler()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // let the error handler set the final status before we log it
			}
			ctx := c.Request().Context()
			if !h.Enabled(ctx, slog.LevelInfo) {
				return nil
			}
			now := time.Now()
			r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
			r.AddAttrs(
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("route", routeOf(c)),
				slog.Int("status", c.Response().Status),
				slog.Duration("duration", now.Sub(start)),
			)
			_ = h.Handle(ctx, r) // as Logger does: a failed log write does not fail the request
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

// Every public page lives under a language prefix, /fr/… or /en/…, one URL
// per language; the rest of the path is the same in both. The router knows
// only the rest: stripLanguage removes the prefix before routing and puts
// the language on the request context, where views find it (i18n.From).

// located is what stripLanguage learned about the URL as requested.
type located struct {
	requested string // the path with its language prefix, as the visitor sees it
	prefixed  bool
	base      string // the site's public URL, for the pages' hreflang links
}

// stripLanguage runs before routing (Echo#Pre): a path that starts with a
// language the portal speaks is routed without it, in that language. Being
// first, it attaches the request's state (stateOf).
func stripLanguage(base *url.URL) echo.MiddlewareFunc {
	site := ""
	if base != nil {
		site = strings.TrimSuffix(base.String(), "/")
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			locate(c, site)
			return next(c)
		}
	}
}

func locate(c echo.Context, site string) {
	s := stateOf(c)
	r := c.Request()
	p := r.URL.Path
	s.loc = located{requested: p, base: site}
	for _, l := range i18n.All {
		prefix := "/" + l.String()
		if p != prefix && !strings.HasPrefix(p, prefix+"/") {
			continue
		}
		rest := strings.TrimPrefix(p, prefix)
		if rest == "" {
			rest = "/"
		}
		// In place: the router reads the request Echo received (as Echo's
		// own rewrite middleware does).
		r.URL.Path = rest
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
		}
		s.loc.prefixed = true
		s.lang = langValue(l)
		return
	}
}

// languageNeutral are the paths that have one URL for every language: the
// back-office (the staff member's preference chooses), the banner's POST,
// the one-click unsubscribe a mail provider posts to (RFC 8058: it follows
// no redirect), assets and probes.
func languageNeutral(path string) bool {
	switch path {
	case consentPath, unsubscribePath, "/healthz", "/readyz", "/favicon.ico", "/admin":
		return true
	}
	for _, prefix := range []string{"/static/", "/admin/", "/__bench/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

var varyLanguage = []string{"Accept-Language"}

// languageRedirect sends a bare public path to the same page in the
// language the browser asks for (Accept-Language): 302 for a GET, 307 for
// anything else so that a POST stays a POST with its body. Language-neutral
// paths are served in that language too (their error pages), and do not
// exist under a prefix.
func languageRedirect(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		s := stateOf(c)
		loc := s.loc
		neutral := languageNeutral(r.URL.Path)
		switch {
		case loc.prefixed && neutral:
			return echo.ErrNotFound
		case loc.prefixed:
			return next(c)
		}
		if h := c.Response().Header(); h[echo.HeaderVary] == nil {
			h[echo.HeaderVary] = varyLanguage // shared, never written to (see fixedHeaders)
		} else {
			h.Add(echo.HeaderVary, "Accept-Language")
		}
		l := i18n.Match(r.Header.Get("Accept-Language"))
		if neutral {
			s.lang = langValue(l)
			return next(c)
		}
		target := "/" + l.String() + r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		status := http.StatusFound
		if r.Method != http.MethodGet {
			status = http.StatusTemporaryRedirect
		}
		return c.Redirect(status, target)
	}
}

// requestedPath is the path as the visitor requested it, language prefix
// included: where a form or the banner brings them back.
func requestedPath(c echo.Context) string {
	if s := peekState(c); s != nil && s.loc.requested != "" {
		return s.loc.requested
	}
	return c.Request().URL.Path
}

// siteURL is the site's public URL without a trailing slash.
func siteURL(c echo.Context) string {
	if s := peekState(c); s != nil {
		return s.loc.base
	}
	return ""
}

// localPath is a public path in the request's language, for redirects.
func localPath(c echo.Context, path string) string {
	return views.LangPath(c.Request().Context(), path)
}
