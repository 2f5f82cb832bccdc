package handlers

import (
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// requireStaffAdmin admits only the role that manages accounts.
func (b *backoffice) requireStaffAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s, ok := currentStaff(c); !ok || !s.Role.ManagesStaff {
			return b.deny(c, "", nil)
		}
		return next(c)
	}
}

func (b *backoffice) renderStaff(c echo.Context, status int, created *models.NewStaff, msg string) error {
	list, err := b.staff.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := views.StaffAdminView{Staff: list, Roles: b.d.Registry.Roles, Created: created, Error: msg}
	return render(c, status, views.AdminStaff(b.page(c, views.TitleStaffAdmin), v))
}

func (b *backoffice) showStaff(c echo.Context) error { return b.renderStaff(c, http.StatusOK, nil, "") }

// createStaff adds an account and shows, once, its one-time password and
// TOTP enrolment URI.
func (b *backoffice) createStaff(c echo.Context) error {
	email, name, role := c.FormValue("email"), c.FormValue("name"), c.FormValue("role")
	if _, ok := b.d.Registry.Role(role); !ok || email == "" || name == "" || len(email) > 254 || len(name) > 100 {
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
func (b *backoffice) staffParam(c echo.Context) (uuid.UUID, error) {
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
func (b *backoffice) setStaffRole(c echo.Context) error {
	id, err := b.staffParam(c)
	if err != nil || c.Response().Committed {
		return err
	}
	role := c.FormValue("role")
	if _, ok := b.d.Registry.Role(role); !ok {
		return b.renderStaff(c, http.StatusUnprocessableEntity, nil, views.StaffFormIncomplete)
	}
	if err := b.staff.SetRole(c.Request().Context(), b.actor(c), id, role); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/staff")
}

// setStaffActive deactivates (ending every session at once) or reactivates.
func (b *backoffice) setStaffActive(c echo.Context) error {
	id, err := b.staffParam(c)
	if err != nil || c.Response().Committed {
		return err
	}
	if err := b.staff.SetActive(c.Request().Context(), b.actor(c), id, c.FormValue("active") == "true"); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/staff")
}
