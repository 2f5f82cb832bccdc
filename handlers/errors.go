package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/views"
)

// errorHandler is the one place errors become responses: expected HTTP errors
// render their status; anything else is logged and shown as a plain 500,
// never with its details.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status := http.StatusInternalServerError
		message := ""
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
			if m, ok := he.Message.(string); ok && he.Internal == nil && status < 500 && m != http.StatusText(status) {
				message = m // a message written for the visitor
			}
		}
		if status >= 500 {
			log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"route", c.Path(), "status", status, "error", err.Error())
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		if strings.HasPrefix(c.Request().URL.Path, "/admin") { // the back-office keeps its own layout
			p := views.StaffPage{Title: views.TitleError, Path: c.Request().URL.Path}
			if rerr := render(c, status, views.AdminError(p, status, message)); rerr != nil {
				_ = c.String(status, http.StatusText(status))
			}
			return
		}
		title := views.TitleError
		if status == http.StatusNotFound {
			title = views.TitleNotFound
		}
		if rerr := render(c, status, views.ErrorPage(pageFor(c, title), status, message)); rerr != nil {
			_ = c.String(status, http.StatusText(status))
		}
	}
}
