package handlers

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/views"
)

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a component with status. It renders into a buffer first, so a
// failed render still reaches the error handler with a proper status instead
// of a half-written page.
func render(c echo.Context, status int, comp templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		buffers.Put(buf)
	}()
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("handlers: render: %w", err)
	}
	return sendPage(c, status, buf.Bytes())
}

// sendPage sends a whole page with its length: net/http then sends it as is
// rather than chunked, one system call fewer per page (the chunks' final
// flush).
func sendPage(c echo.Context, status int, b []byte) error {
	c.Response().Header()[echo.HeaderContentLength] = []string{strconv.Itoa(len(b))}
	return c.HTMLBlob(status, b)
}

// tr is m in the request's language.
func tr(c echo.Context, m i18n.Msg) string { return m.In(c.Request().Context()) }

// describedPage is pageFor with a meta description.
func describedPage(c echo.Context, title, description string) views.Page {
	p := pageFor(c, title)
	p.Description = description
	return p
}

// pageFor is the layout data of the current request.
func pageFor(c echo.Context, title string) views.Page {
	r := c.Request()
	p := views.Page{Title: title, Path: r.URL.Path, Query: r.URL.RawQuery, Base: siteURL(c)}
	if s := peekState(c); s != nil {
		p.RightsPath = s.rightsPath
	}
	// Cookie consent: the banner (or the GPC notice) and the gated scripts.
	p.Consent = consentStateOf(c)
	if p.Consent.ShowBanner() || p.Consent.GPCHonoured {
		p.Consent.ChoiceKey = uuid.NewString()
		p.Banner = views.ConsentBanner(p.Consent)
	}
	return p
}

// withRightsPath puts the path of the registry's rights-request form on the
// request's state, for the navigation of every page (pageFor).
func withRightsPath(path string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			stateOf(c).rightsPath = path
			return next(c)
		}
	}
}
