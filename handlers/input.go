package handlers

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/views"
)

// ---- Input every route shares ----------------------------------------------
//
// PostgreSQL refuses NUL bytes and invalid UTF-8 in text: a value carrying
// them would fail deep in a query and answer 500. They are refused here, at
// the edge, with a 400 the visitor can read, whatever the route.

// errBadInput is the one answer to an unreadable query or form value.
var errBadInput = echo.NewHTTPError(http.StatusBadRequest, views.MsgBadInput)

// cleanValues reports whether every key and value is valid UTF-8 without NUL.
func cleanValues(vs url.Values) bool {
	for k, list := range vs {
		if !cleanText(k) {
			return false
		}
		for _, v := range list {
			if !cleanText(v) {
				return false
			}
		}
	}
	return true
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CleanQuery is the query-string check on its own: a parse error, a NUL or
// invalid UTF-8 anywhere is refused. Exported for the fuzz target.
func CleanQuery(raw string) bool {
	vs, err := url.ParseQuery(raw)
	return err == nil && cleanValues(vs)
}

// validInput refuses a request whose query string, or url-encoded body,
// holds a value PostgreSQL cannot store or that does not parse. Multipart
// bodies and the forms with files (uploads: route → limit) are checked where
// they are parsed (limitUploads). It runs after the body limit, so reading
// the form here is bounded.
func validInput(uploads map[string]int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := checkInput(c, uploads); err != nil {
				return err
			}
			return next(c)
		}
	}
}

func checkInput(c echo.Context, uploads map[string]int64) error {
	r := c.Request()
	if !CleanQuery(r.URL.RawQuery) || !cleanText(r.URL.Path) {
		return errBadInput
	}
	if _, upload := uploads[c.Path()]; upload {
		return nil
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		ct := r.Header.Get(echo.HeaderContentType)
		if ct != echo.MIMEApplicationForm { // the plain type needs no parsing
			ct, _, _ = mime.ParseMediaType(ct)
		}
		if ct == echo.MIMEApplicationForm && c.Path() == consentPath && r.URL.RawQuery == "" {
			p, err := readConsentPost(r)
			if err != nil {
				return formError(err)
			}
			stateOf(c).consentPost = &p
			return nil
		}
		if ct == echo.MIMEApplicationForm {
			if err := r.ParseForm(); err != nil {
				return formError(err)
			}
			if !cleanValues(r.PostForm) {
				return errBadInput
			}
		}
	}
	return nil
}

// formError is the answer to a body that could not be read: 413 past its
// limit, 400 for anything else.
func formError(err error) error {
	var tooLarge *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he): // the body limit
		return he
	case errors.As(err, &tooLarge):
		return echo.ErrStatusRequestEntityTooLarge
	}
	return errBadInput
}

// ---- Methods ----------------------------------------------------------------

// headKey marks a HEAD request served by its GET route.
const headKey = "portal.head"

// headAsGet serves HEAD wherever GET is served (monitoring and link
// checkers use HEAD): the request is routed as GET and its body discarded.
// It runs before routing (Echo#Pre).
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		r.Method = http.MethodGet
		c.Set(headKey, true)
		res := c.Response()
		res.Writer = bodyless{res.Writer}
		err := next(c)
		r.Method = http.MethodHead
		return err
	}
}

// isHead reports whether the request came as HEAD.
func isHead(c echo.Context) bool {
	h, _ := c.Get(headKey).(bool)
	return h || c.Request().Method == http.MethodHead
}

// bodyless drops the body of a HEAD answer but keeps its headers and status.
type bodyless struct{ http.ResponseWriter }

func (b bodyless) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the connection.
func (b bodyless) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// allowedMethods finds which methods a path answers, so that a method a
// known path does not serve is a 405 with Allow, not a 404 (the catch-all
// of route groups would otherwise turn it into a 404). Built lazily from
// e.Routes(), once every route is registered.
type allowedMethods struct {
	e      *echo.Echo
	once   sync.Once
	routes map[routeKey]bool
}

// routeKey names a route by its method and path pattern.
type routeKey struct{ method, path string }

var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (a *allowedMethods) load() {
	a.once.Do(func() {
		a.routes = map[routeKey]bool{}
		for _, rt := range a.e.Routes() {
			a.routes[routeKey{rt.Method, rt.Path}] = true
		}
	})
}

// isRoute reports whether method and the matched path pattern are a route
// (not a group's catch-all 404).
func (a *allowedMethods) isRoute(method, pattern string) bool {
	if a == nil {
		return true
	}
	a.load()
	return a.routes[routeKey{method, pattern}]
}

func (a *allowedMethods) of(r *http.Request) []string {
	a.load()
	var out []string
	path := echo.GetPath(r)
	for _, m := range probeMethods {
		c := a.e.NewContext(r, nil)
		a.e.Router().Find(m, path, c)
		if a.routes[routeKey{m, c.Path()}] {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

// methodNotAllowed turns a 404 into 405 + Allow when the path exists for
// other methods than the request's.
func (a *allowedMethods) methodNotAllowed(c echo.Context) (string, bool) {
	if a == nil || a.e == nil {
		return "", false
	}
	method := c.Request().Method
	allowed := a.of(c.Request())
	for _, m := range allowed {
		if m == method {
			return "", false // the route exists: a real 404 (no such record)
		}
	}
	if len(allowed) == 0 {
		return "", false
	}
	return strings.Join(allowed, ", "), true
}
