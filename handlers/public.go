package handlers

import (
	"log/slog"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// publicHandler serves the pages anyone can read. Their bodies depend on
// the registry alone, so they are rendered once, at start-up.
type publicHandler struct {
	home, privacy, cookies templ.Component
}

func newPublicHandler(reg *policy.Registry, log *slog.Logger) *publicHandler {
	return &publicHandler{
		home:    frozen(views.HomeContent(reg), log),
		privacy: frozen(views.PrivacyContent(reg), log),
		cookies: frozen(views.CookiesContent(reg), log),
	}
}

// frozen pre-renders c; should that fail, the page is rendered per request
// instead, and the failure shows there through the error handler.
func frozen(c templ.Component, log *slog.Logger) templ.Component {
	f, err := views.Freeze(c)
	if err != nil {
		log.Error("pre-rendering a public page failed", "error", err)
		return c
	}
	return f
}

func (h *publicHandler) showHome(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, views.TitleHome, views.DescHome), h.home))
}

func (h *publicHandler) showPrivacy(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, views.TitlePrivacy, views.DescPrivacy), h.privacy))
}

func (h *publicHandler) showCookies(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, views.TitleCookies, views.DescCookies), h.cookies))
}
