package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// InvitationLink is the address of the page an invitation opens.
func InvitationLink(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + "/admin/welcome/" + token
}

// StaffInvitation builds the email that invites a new staff member to set
// up their account. It carries the only copy of the link: the administrator
// who created the account never sees it.
func StaffInvitation(reg *policy.Registry, baseURL, name, email string) func(token string, expires time.Time) models.Email {
	return func(token string, expires time.Time) models.Email {
		var b strings.Builder
		fmt.Fprintf(&b, "Hello %s,\n\nAn account was created for you on the %s back-office. Follow this link to choose your password and add the account to your authenticator app:\n\n%s\n\n",
			name, reg.Controller.Name, InvitationLink(baseURL, token))
		fmt.Fprintf(&b, "The link works once, until %s (Paris time). If you did not expect it, ignore this email and tell %s.\n\n%s\n",
			shortTime(expires), reg.DPO.Email, reg.Controller.Name)
		return models.Email{To: email, Subject: fmt.Sprintf("%s back-office: set up your account", reg.Controller.Name), Body: b.String()}
	}
}

// StaffNotice is the DPO's email when an account is given a role that sees
// personal data (art. 38(1): the DPO is involved in every question on the
// protection of personal data; CNIL délibération 2021-122 on access
// authorisations); nil when the role sees none.
func StaffNotice(reg *policy.Registry, change, email string, role *policy.Role, by string, at time.Time) *models.Email {
	if !role.SeesPersonalData() {
		return nil
	}
	body := fmt.Sprintf("Hello,\n\n%s: the account %s now has the role %s, which sees personal data. Done by %s on %s (Paris time).\n"+
		"The access log shows the change (action staff_admin).\n\n%s\n", change, email, role.Title.EN, by, shortTime(at), reg.Controller.Name)
	return &models.Email{To: reg.DPO.Email, Subject: fmt.Sprintf("%s back-office: %s (%s)", reg.Controller.Name, change, role.Title.EN), Body: body}
}
