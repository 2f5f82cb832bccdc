package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// publicHandler serves the pages anyone can read. Their bodies depend on
// the registry and the language alone, so they are rendered once per
// language, at start-up.
type publicHandler struct {
	home, privacy, cookies perLang
}

// perLang is one frozen body per language.
type perLang map[i18n.Lang]templ.Component

// in is the body in the request's language.
func (p perLang) in(c echo.Context) templ.Component { return p[i18n.From(c.Request().Context())] }

func newPublicHandler(reg *policy.Registry, log *slog.Logger) *publicHandler {
	return &publicHandler{
		home:    frozen(views.HomeContent(reg), log),
		privacy: frozen(views.PrivacyContent(reg), log),
		cookies: frozen(views.CookiesContent(reg), log),
	}
}

// frozen pre-renders c in each language; should that fail, the page is
// rendered per request instead, and the failure shows there through the
// error handler.
func frozen(c templ.Component, log *slog.Logger) perLang {
	out := perLang{}
	for _, l := range i18n.All {
		f, err := views.FreezeIn(i18n.WithLang(context.Background(), l), c)
		if err != nil {
			log.Error("pre-rendering a public page failed", "lang", l, "error", err)
			f = c
		}
		out[l] = f
	}
	return out
}

func (h *publicHandler) showHome(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitleHome), tr(c, views.DescHome)), h.home.in(c)))
}

func (h *publicHandler) showPrivacy(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitlePrivacy), tr(c, views.DescPrivacy)), h.privacy.in(c)))
}

func (h *publicHandler) showCookies(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitleCookies), tr(c, views.DescCookies)), h.cookies.in(c)))
}
