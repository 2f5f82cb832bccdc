package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// staffAuth is what signing in needs of the accounts.
type staffAuth interface {
	Authenticate(ctx context.Context, a models.LoginAttempt) (models.Staff, error)
	ChangePassword(ctx context.Context, c models.PasswordChange) error
	SetLanguage(ctx context.Context, id uuid.UUID, lang i18n.Lang) error
}

// sessionEnder ends sessions.
type sessionEnder interface {
	Delete(ctx context.Context, token string) error
	EndOthers(ctx context.Context, id uuid.UUID, keep string) error
}

// eventLog appends an event that reads no data (a logout).
type eventLog interface {
	Log(ctx context.Context, e models.AccessEvent) error
}

// authHandler signs staff in and out and changes their password.
type authHandler struct {
	*staffGate
	staff    staffAuth
	sessions sessionEnder
	log      eventLog
}

func newAuthHandler(g *staffGate, staff staffAuth, sessions sessionEnder, log eventLog) *authHandler {
	return &authHandler{staffGate: g, staff: staff, sessions: sessions, log: log}
}

func (b *authHandler) showLogin(c echo.Context) error {
	return render(c, http.StatusOK, views.AdminLogin(b.page(c, views.TitleStaffLogin), "", ""))
}

// login checks email, password and TOTP code together. Every refusal gets the
// same message, whether the account exists or not, must still wait, or the code
// was already used.
func (b *authHandler) login(c echo.Context) error {
	email := c.FormValue("email")
	if len(email) > 254 {
		email = email[:254]
	}
	st, err := b.staff.Authenticate(c.Request().Context(), models.LoginAttempt{
		Email: email, Password: c.FormValue("password"), Code: c.FormValue("code"),
		IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Now: b.now(), Lang: i18n.From(c.Request().Context()),
	})
	p := b.page(c, views.TitleStaffLogin)
	switch {
	case errors.Is(err, models.ErrTooManyAttempts):
		return render(c, http.StatusTooManyRequests, views.AdminLogin(p, email, views.LoginTooMany(c.Request().Context())))
	case errors.Is(err, models.ErrBadLogin):
		return render(c, http.StatusUnauthorized, views.AdminLogin(p, email, views.LoginRefused(c.Request().Context())))
	case err != nil:
		return dataError(err)
	}
	// Against session fixation: whatever session came with the request is
	// deleted, and the login gets a brand-new id.
	old, err := b.store.Get(c.Request(), sessionCookie)
	if err == nil && !old.IsNew {
		if err := b.sessions.Delete(c.Request().Context(), old.ID); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(b.store, sessionCookie)
	sess.Options = b.store.options()
	sess.Values[sessStaffID] = st.ID.String()
	sess.Values[sessAuthAt] = b.now().Unix()
	// A new form token too, bound to the new session: whatever token the
	// browser held before signing in (perhaps planted) is worthless now.
	token := newCSRFToken()
	sess.Values[sessCSRF] = token
	if err := b.store.Save(c.Request(), c.Response(), sess); err != nil {
		return err
	}
	b.setCSRFCookie(c, token)
	if st.MustChangePassword {
		return c.Redirect(http.StatusSeeOther, "/admin/password")
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// logout deletes the session row: the cookie is worthless from now on. The
// session ends first and whatever happens to the log: a log that cannot be
// written must not keep anyone signed in. A failed log write is reported in
// the server's log.
func (b *authHandler) logout(c echo.Context) error {
	sess, err := b.store.Get(c.Request(), sessionCookie)
	if err != nil {
		return err
	}
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	a := b.actor(c)
	ev := models.AccessEvent{At: a.Now, StaffID: &a.StaffID, Role: a.Role, Action: models.ActionLogout,
		IP: a.IP, UserAgent: a.UserAgent, Outcome: models.OutcomeOK}
	if err := b.log.Log(c.Request().Context(), ev); err != nil {
		b.logger.Error("access log write failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"action", models.ActionLogout, "error", err.Error())
	}
	return c.Redirect(http.StatusSeeOther, "/admin/login")
}

func (b *authHandler) showPassword(c echo.Context) error {
	return render(c, http.StatusOK, views.AdminPassword(b.page(c, views.TitleStaffPassword), ""))
}

// changePassword replaces the password (forced at first login for accounts
// flagged so); a wrong current password counts toward the sign-in throttle.
func (b *authHandler) changePassword(c echo.Context) error {
	s, _ := currentStaff(c)
	err := b.staff.ChangePassword(c.Request().Context(), models.PasswordChange{StaffID: s.ID, Current: c.FormValue("current"),
		Next: c.FormValue("new"), IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Now: b.now()})
	switch {
	case errors.Is(err, models.ErrTooManyAttempts):
		return render(c, http.StatusTooManyRequests, views.AdminPassword(b.page(c, views.TitleStaffPassword), views.PasswordTooMany(c.Request().Context())))
	case errors.Is(err, models.ErrWeakPassword) || errors.Is(err, models.ErrBadLogin):
		return render(c, http.StatusUnprocessableEntity, views.AdminPassword(b.page(c, views.TitleStaffPassword), views.PasswordRefused(c.Request().Context())))
	}
	if err != nil {
		return err
	}
	if sess, err := b.store.Get(c.Request(), sessionCookie); err == nil && sess.ID != "" {
		if err := b.sessions.EndOthers(c.Request().Context(), s.ID, sess.ID); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// setLanguage stores the member's back-office language and brings them back
// to the page they came from (a back-office path only: never an open
// redirect).
func (b *authHandler) setLanguage(c echo.Context) error {
	lang, ok := i18n.Parse(c.FormValue("lang"))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, views.MsgBadLanguage.In(c.Request().Context()))
	}
	s, _ := currentStaff(c)
	if err := b.staff.SetLanguage(c.Request().Context(), s.ID, lang); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, backOfficePath(c.FormValue("next")))
}

// backOfficePath is next if it is a path of the back-office, else its home.
func backOfficePath(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, "//") || (u.Path != "/admin" && !strings.HasPrefix(u.Path, "/admin/")) || len(next) > 512 {
		return "/admin"
	}
	return u.Path
}
