package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// publicHandler serves the pages anyone can read.
type publicHandler struct {
	reg *policy.Registry
}

func (h *publicHandler) showHome(c echo.Context) error {
	return render(c, http.StatusOK, views.HomePage(pageFor(c, views.TitleHome), h.reg))
}

func (h *publicHandler) showPrivacy(c echo.Context) error {
	return render(c, http.StatusOK, views.PrivacyPage(pageFor(c, views.TitlePrivacy), h.reg))
}

func (h *publicHandler) showCookies(c echo.Context) error {
	return render(c, http.StatusOK, views.CookiesPage(pageFor(c, views.TitleCookies), h.reg))
}
