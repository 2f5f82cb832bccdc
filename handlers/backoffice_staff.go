package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// staffAccounts is what the staff page needs of the accounts.
type staffAccounts interface {
	List(ctx context.Context) ([]models.Staff, error)
	ByID(ctx context.Context, id uuid.UUID) (models.Staff, error)
	Create(ctx context.Context, by *models.Actor, email, name, role string, mail models.AccountMail) (models.Invitation, error)
	Reinvite(ctx context.Context, by models.Actor, id uuid.UUID, mail models.AccountMail) (models.Invitation, error)
	SetRole(ctx context.Context, by models.Actor, id uuid.UUID, role string, dpo *models.Email) error
	SetActive(ctx context.Context, by models.Actor, id uuid.UUID, active bool) error
}

// staffAdminHandler is the administrator's staff page: accounts, roles and
// deactivation. It shows no personal data of the people in the records.
type staffAdminHandler struct {
	*staffGate
	staff staffAccounts
}

func newStaffAdminHandler(g *staffGate, staff staffAccounts) *staffAdminHandler {
	return &staffAdminHandler{staffGate: g, staff: staff}
}

// requireStaffAdmin admits only the role that manages accounts.
func (b *staffGate) requireStaffAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s, ok := currentStaff(c); !ok || !s.Role.ManagesStaff {
			return b.deny(c, "", nil)
		}
		return next(c)
	}
}

func (b *staffAdminHandler) renderStaff(c echo.Context, status int, created *views.NewAccount, msg i18n.Msg) error {
	list, err := b.staff.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.StaffAdminView{Staff: accountViews(list), Roles: b.reg.Roles, Error: msg.In(c.Request().Context()), Created: created}
	return render(c, status, views.AdminStaff(b.page(c, views.TitleStaffAdmin), v))
}

// invitation is the email that carries an invitation link to its owner
// only: the administrator's page never shows it.
func (b *staffAdminHandler) invitation(c echo.Context, name, email string) func(token string, expires time.Time) models.Email {
	return views.StaffInvitation(c.Request().Context(), b.reg, b.baseURL.String(), name, email)
}

// dpoNotice is the DPO's email when an account is given a role that sees
// personal data; nil otherwise.
func (b *staffAdminHandler) dpoNotice(c echo.Context, change i18n.Msg, email string, role *policy.Role) *models.Email {
	s, _ := currentStaff(c) // requireStaffAdmin: always signed in
	return views.StaffNotice(c.Request().Context(), b.reg, change, email, role, s.Name, b.now())
}

// accountViews is what the staff pages show of the accounts.
func accountViews(list []models.Staff) []views.StaffAccount {
	out := make([]views.StaffAccount, len(list))
	for i, s := range list {
		out[i] = views.StaffAccount{ID: s.ID, Name: s.Name, Email: s.Email, Role: s.Role, Active: s.Active, Invited: s.Invited}
	}
	return out
}

func (b *staffAdminHandler) showStaff(c echo.Context) error {
	return b.renderStaff(c, http.StatusOK, nil, i18n.Msg{})
}

// createStaff adds an account and emails its owner an invitation. The
// administrator sees where it went, never a credential: otherwise an
// administrator could create a DPO account and sign in as it.
func (b *staffAdminHandler) createStaff(c echo.Context) error {
	email, name, role := c.FormValue("email"), c.FormValue("name"), c.FormValue("role")
	r, ok := b.reg.Role(role)
	if !ok || email == "" || name == "" || len(email) > 254 || len(name) > 100 {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	a := b.actor(c)
	notice := b.dpoNotice(c, views.ChangeAccountCreated, email, r)
	inv, err := b.staff.Create(c.Request().Context(), &a, email, name, role,
		models.AccountMail{Invitation: b.invitation(c, name, email), DPO: notice})
	if errors.Is(err, models.ErrDuplicate) {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffEmailTaken)
	}
	if errors.Is(err, models.ErrLogUnavailable) {
		return dataError(err)
	}
	if err != nil {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	return b.renderStaff(c, http.StatusCreated, &views.NewAccount{Email: inv.Staff.Email, ExpiresAt: inv.ExpiresAt, NotifiedDPO: notice != nil}, i18n.Msg{})
}

// reinviteStaff replaces the invitation of an account not yet set up (the
// first expired or was lost); the previous link stops working.
func (b *staffAdminHandler) reinviteStaff(c echo.Context) error {
	id, err := b.staffParam(c)
	if err != nil || c.Response().Committed {
		return err
	}
	s, err := b.staff.ByID(c.Request().Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	if err != nil {
		return err
	}
	inv, err := b.staff.Reinvite(c.Request().Context(), b.actor(c), id, models.AccountMail{Invitation: b.invitation(c, s.Name, s.Email)})
	if errors.Is(err, models.ErrInvitationInvalid) {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffAlreadyEnrolled)
	}
	if err != nil {
		return dataError(err)
	}
	return b.renderStaff(c, http.StatusOK, &views.NewAccount{Email: inv.Staff.Email, ExpiresAt: inv.ExpiresAt}, i18n.Msg{})
}

// staffParam is the account a staff-admin action targets. An administrator
// may not re-role or deactivate their own account: otherwise the role that
// sees no personal data could grant itself one that does.
func (b *staffAdminHandler) staffParam(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return id, echo.NewHTTPError(http.StatusNotFound, "")
	}
	if s, ok := currentStaff(c); ok && s.ID == id {
		b.logDenied(c, "", nil)
		return id, b.renderStaff(c, http.StatusForbidden, nil, views.StaffSelfChange)
	}
	return id, nil
}

// setStaffRole re-roles an account; its sessions end.
func (b *staffAdminHandler) setStaffRole(c echo.Context) error {
	id, err := b.staffParam(c)
	if err != nil || c.Response().Committed {
		return err
	}
	role := c.FormValue("role")
	r, ok := b.reg.Role(role)
	if !ok {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	s, err := b.staff.ByID(c.Request().Context(), id)
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	if err != nil {
		return err
	}
	var notice *models.Email
	if s.Role != role {
		notice = b.dpoNotice(c, views.ChangeAccountReRoled, s.Email, r)
	}
	if err := b.staff.SetRole(c.Request().Context(), b.actor(c), id, role, notice); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/staff")
}

// setStaffActive deactivates (ending every session at once) or reactivates.
func (b *staffAdminHandler) setStaffActive(c echo.Context) error {
	id, err := b.staffParam(c)
	if err != nil || c.Response().Committed {
		return err
	}
	if err := b.staff.SetActive(c.Request().Context(), b.actor(c), id, c.FormValue("active") == "true"); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/staff")
}
