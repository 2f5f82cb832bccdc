package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// retryAfterSeconds is what a 503 asks clients to wait: about the time a
// database restart or failover takes.
const retryAfterSeconds = "5"

// errorHandler is the one place errors become responses: expected HTTP errors
// render their status; anything else is logged and shown as a plain 500,
// never with its details. A database that cannot be reached is a 503 with
// Retry-After, never a 500: the visitor may try again in a moment. A method
// a known path does not serve is a 405 with Allow.
func errorHandler(log *slog.Logger, methods *allowedMethods) echo.HTTPErrorHandler {
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
			if m, ok := he.Message.(i18n.Msg); ok && he.Internal == nil && status < 500 {
				message = m.In(c.Request().Context()) // the same, in the visitor's language
			}
			if status == http.StatusInternalServerError && models.IsUnavailable(he.Internal) {
				status = http.StatusServiceUnavailable
			}
		} else if models.IsUnavailable(err) {
			status = http.StatusServiceUnavailable
		}
		if status == http.StatusNotFound {
			if allow, ok := methods.methodNotAllowed(c); ok {
				status, message = http.StatusMethodNotAllowed, ""
				c.Response().Header().Set(echo.HeaderAllow, allow)
			}
		}
		if status == http.StatusServiceUnavailable {
			c.Response().Header().Set(echo.HeaderRetryAfter, retryAfterSeconds)
		}
		if status >= 500 {
			log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"route", c.Path(), "status", status, "error", err.Error())
		}
		if isHead(c) {
			_ = c.NoContent(status)
			return
		}
		if strings.HasPrefix(c.Request().URL.Path, "/admin") { // the back-office keeps its own layout
			p := views.StaffPage{Title: tr(c, views.TitleError), Path: c.Request().URL.Path}
			if rerr := render(c, status, views.AdminError(p, status, message)); rerr != nil {
				_ = c.String(status, http.StatusText(status))
			}
			return
		}
		title := views.TitleError
		if status == http.StatusNotFound {
			title = views.TitleNotFound
		}
		if rerr := render(c, status, views.ErrorPage(pageFor(c, tr(c, title)), status, message)); rerr != nil {
			_ = c.String(status, http.StatusText(status))
		}
	}
}
