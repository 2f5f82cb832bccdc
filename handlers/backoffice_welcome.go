package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// staffEnrolment is what answering an invitation needs of the accounts.
type staffEnrolment interface {
	InvitationFor(ctx context.Context, token string, now time.Time) (models.Staff, error)
	Enrol(ctx context.Context, e models.Enrolment) (models.Staff, error)
}

// welcomeHandler is the page an invitation link opens: the new member sets
// their own password and enrols their own authenticator. Only the link
// admits them; nobody, administrators included, sees what they choose.
type welcomeHandler struct {
	*staffGate
	staff staffEnrolment
}

func newWelcomeHandler(g *staffGate, staff staffEnrolment) *welcomeHandler {
	return &welcomeHandler{staffGate: g, staff: staff}
}

// maxTokenLen bounds what a link's token may be before it is even decoded.
const maxTokenLen = 200

func (b *welcomeHandler) invitation(c echo.Context) (models.Staff, error) {
	token := c.Param("token")
	if len(token) > maxTokenLen {
		return models.Staff{}, models.ErrInvitationInvalid
	}
	return b.staff.InvitationFor(c.Request().Context(), token, b.now())
}

func (b *welcomeHandler) renderWelcome(c echo.Context, status int, v views.WelcomeView) error {
	return render(c, status, views.AdminWelcome(b.page(c, views.TitleWelcome), v))
}

// showWelcome offers a fresh authenticator secret (QR code and text).
func (b *welcomeHandler) showWelcome(c echo.Context) error {
	s, err := b.invitation(c)
	if errors.Is(err, models.ErrInvitationInvalid) {
		return b.renderWelcome(c, http.StatusNotFound, views.WelcomeView{Invalid: true})
	}
	if err != nil {
		return dataError(err)
	}
	auth, err := models.NewAuthenticator(s.Email)
	if err != nil {
		return err
	}
	return b.renderWelcome(c, http.StatusOK, views.WelcomeView{Token: c.Param("token"), Email: s.Email, Name: s.Name,
		Secret: auth.Secret, QR: auth.QR})
}

// enrol sets the password and the authenticator the page offered, once the
// first code proves the app holds the secret.
func (b *welcomeHandler) enrol(c echo.Context) error {
	s, err := b.invitation(c)
	if errors.Is(err, models.ErrInvitationInvalid) {
		return b.renderWelcome(c, http.StatusNotFound, views.WelcomeView{Invalid: true})
	}
	if err != nil {
		return dataError(err)
	}
	v := views.WelcomeView{Token: c.Param("token"), Email: s.Email, Name: s.Name}
	auth, err := models.AuthenticatorFor(s.Email, c.FormValue("secret"))
	if err != nil { // not a secret this page offered: offer a new one
		if auth, err = models.NewAuthenticator(s.Email); err != nil {
			return err
		}
		v.Secret, v.QR, v.Error = auth.Secret, auth.QR, views.WelcomeCodeMismatch.In(c.Request().Context())
		return b.renderWelcome(c, http.StatusUnprocessableEntity, v)
	}
	v.Secret, v.QR = auth.Secret, auth.QR
	_, err = b.staff.Enrol(c.Request().Context(), models.Enrolment{Token: v.Token, Password: c.FormValue("password"),
		Secret: auth.Secret, Code: c.FormValue("code"), IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Now: b.now()})
	switch {
	case errors.Is(err, models.ErrWeakPassword):
		v.Error = views.WelcomeWeakPassword(c.Request().Context())
		return b.renderWelcome(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, models.ErrBadCode):
		v.Error = views.WelcomeCodeMismatch.In(c.Request().Context())
		return b.renderWelcome(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, models.ErrInvitationInvalid):
		return b.renderWelcome(c, http.StatusNotFound, views.WelcomeView{Invalid: true})
	case err != nil:
		return dataError(err)
	}
	return b.renderWelcome(c, http.StatusOK, views.WelcomeView{Done: true})
}
