package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// staffAccounts is what the staff page needs of the accounts.
type staffAccounts interface {
	List(ctx context.Context) ([]models.Staff, error)
	Create(ctx context.Context, by *models.Actor, email, name, role string) (models.NewStaff, error)
	SetRole(ctx context.Context, by models.Actor, id uuid.UUID, role string) error
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

func (b *staffAdminHandler) renderStaff(c echo.Context, status int, created *models.NewStaff, msg string) error {
	list, err := b.staff.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.StaffAdminView{Staff: accountViews(list), Roles: b.reg.Roles, Error: msg}
	if created != nil {
		v.Created = &views.NewAccount{Email: created.Staff.Email, Password: created.Password, OTPURL: created.OTPURL}
	}
	return render(c, status, views.AdminStaff(b.page(c, views.TitleStaffAdmin), v))
}

// accountViews is what the staff pages show of the accounts.
func accountViews(list []models.Staff) []views.StaffAccount {
	out := make([]views.StaffAccount, len(list))
	for i, s := range list {
		out[i] = views.StaffAccount{ID: s.ID, Name: s.Name, Email: s.Email, Role: s.Role, Active: s.Active}
	}
	return out
}

func (b *staffAdminHandler) showStaff(c echo.Context) error {
	return b.renderStaff(c, http.StatusOK, nil, "")
}

// createStaff adds an account and shows, once, its one-time password and
// TOTP enrolment URI.
func (b *staffAdminHandler) createStaff(c echo.Context) error {
	email, name, role := c.FormValue("email"), c.FormValue("name"), c.FormValue("role")
	if _, ok := b.reg.Role(role); !ok || email == "" || name == "" || len(email) > 254 || len(name) > 100 {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	a := b.actor(c)
	ns, err := b.staff.Create(c.Request().Context(), &a, email, name, role)
	if errors.Is(err, models.ErrDuplicate) {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffEmailTaken)
	}
	if errors.Is(err, models.ErrLogUnavailable) {
		return dataError(err)
	}
	if err != nil {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	return b.renderStaff(c, http.StatusCreated, &ns, "")
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
	if _, ok := b.reg.Role(role); !ok {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	if err := b.staff.SetRole(c.Request().Context(), b.actor(c), id, role); err != nil {
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
