package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// InvitationLink is the address of the page an invitation opens.
func InvitationLink(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + "/admin/welcome/" + token
}

// Staff emails are written in French, then in English: the invitee has
// chosen no language yet (their first sign-in takes the browser's), and the
// DPO's address is the registry's, not an account with a preference. Times
// are in the company's zone, named.

var (
	mailInviteSubject = i18n.New("%s back-office: set up your account", "Espace interne %s\u00a0: activez votre compte")
	mailInviteBody    = i18n.New("Hello %s,\n\nAn account was created for you on the %s back-office. Follow this link to choose your password and add the account to your authenticator app:\n\n%s\n\nThe link works once, until %s. If you did not expect it, ignore this email and tell %s.\n",
		"Bonjour %s,\n\nUn compte a été créé pour vous dans l’espace interne de %s. Suivez ce lien pour choisir votre mot de passe et ajouter le compte à votre application d’authentification\u00a0:\n\n%s\n\nLe lien ne fonctionne qu’une fois, jusqu’au %s. Si vous ne l’attendiez pas, ignorez ce message et prévenez %s.\n")
	mailNoticeSubject = i18n.New("%s back-office: %s (%s)", "Espace interne %s\u00a0: %s (%s)")
	mailNoticeBody    = i18n.New("Hello,\n\n%s: the account %s now has the role %s, which sees personal data. Done by %s on %s.\nThe access log shows the change (action staff_admin).\n",
		"Bonjour,\n\n%s\u00a0: le compte %s a désormais le rôle %s, qui donne accès à des données personnelles. Modification faite par %s le %s.\nLe journal des accès en garde la trace (action staff_admin).\n")
	mailByOperator = i18n.New("an operator on the command line (portal staff add)", "un opérateur en ligne de commande (portal staff add)")

	// ChangeAccountCreated and ChangeAccountReRoled name the account change
	// StaffNotice reports.
	ChangeAccountCreated = i18n.New("account created", "compte créé")
	ChangeAccountReRoled = i18n.New("account re-roled", "rôle du compte modifié")
)

// bilingual writes a message in French, then in English, under one rule.
func bilingual(ctx context.Context, write func(ctx context.Context) string) string {
	return write(i18n.WithLang(ctx, i18n.FR)) + "\n— English below —\n\n" + write(i18n.WithLang(ctx, i18n.EN))
}

// StaffInvitation builds the email that invites a new staff member to set
// up their account. It carries the only copy of the link: the administrator
// who created the account never sees it. ctx gives the time zone.
func StaffInvitation(ctx context.Context, reg *policy.Registry, baseURL, name, email string) func(token string, expires time.Time) models.Email {
	return func(token string, expires time.Time) models.Email {
		body := bilingual(ctx, func(ctx context.Context) string {
			return mailInviteBody.F(ctx, name, reg.Controller.Name, InvitationLink(baseURL, token), i18n.Time(ctx, expires), reg.DPO.Email)
		}) + "\n" + reg.Controller.Name + "\n"
		subject := mailInviteSubject.F(i18n.WithLang(ctx, i18n.FR), reg.Controller.Name) + " / " +
			mailInviteSubject.F(i18n.WithLang(ctx, i18n.EN), reg.Controller.Name)
		return models.Email{To: email, Subject: subject, Body: body}
	}
}

// StaffNotice is the DPO's email when an account is given a role that sees
// personal data (art. 38(1): the DPO is involved in every question on the
// protection of personal data; CNIL délibération 2021-122 on access
// authorisations); nil when the role sees none. by is the name of the
// administrator who made the change, "" for an operator on the command line.
func StaffNotice(ctx context.Context, reg *policy.Registry, change i18n.Msg, email string, role *policy.Role, by string, at time.Time) *models.Email {
	if !role.SeesPersonalData() {
		return nil
	}
	body := bilingual(ctx, func(ctx context.Context) string {
		who := by
		if who == "" {
			who = mailByOperator.In(ctx)
		}
		return mailNoticeBody.F(ctx, change.In(ctx), email, role.Title.In(ctx), who, i18n.Time(ctx, at))
	}) + "\n" + reg.Controller.Name + "\n"
	fr := i18n.WithLang(ctx, i18n.FR)
	return &models.Email{To: reg.DPO.Email, Subject: fmt.Sprintf("%s / %s", mailNoticeSubject.F(fr, reg.Controller.Name, change.In(fr), role.Title.In(fr)),
		change.Get(i18n.EN)), Body: body}
}
