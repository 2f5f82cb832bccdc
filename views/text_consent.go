package views

import "github.com/alegria/privacy-portal/i18n"

// The cookie banner and the cookie settings page.
var (
	MsgUnknownCookieAction = i18n.New("This cookie choice is not one we offer. Please use the buttons of the cookie banner or of the cookie settings page.",
		"Ce choix ne fait pas partie de ceux que nous proposons. Utilisez les boutons du bandeau cookies ou de la page des paramètres des cookies.")
	MsgUnknownCookieCategory = i18n.New("This cookie category does not exist. Please choose among the categories listed on the cookie settings page.",
		"Cette catégorie de cookies n’existe pas. Choisissez parmi les catégories de la page des paramètres des cookies.")
	MsgCrossOriginConsent = i18n.New("Cookie choices can only be made from this site's own pages.",
		"Les choix relatifs aux cookies ne peuvent être faits que depuis les pages de ce site.")
	TitleCookiePreferences = i18n.New("Cookie settings", "Paramètres des cookies")

	consentGPCTitle = i18n.New("Your privacy signal was honoured", "Votre signal de confidentialité a été respecté")
	consentGPCText  = i18n.New("Your browser sent a Global Privacy Control signal, so we refused every optional cookie for you. You can still opt in from the",
		"Votre navigateur a envoyé un signal Global Privacy Control\u00a0: nous avons donc refusé pour vous tous les cookies facultatifs. Vous pouvez toujours les accepter depuis les")
	consentSettingsLink = i18n.New("cookie settings", "paramètres des cookies")
	consentTitle        = i18n.New("Cookies on this site", "Les cookies sur ce site")
	consentText         = i18n.New("With your consent we measure our audience to improve the site. Strictly necessary cookies are always on. Refusing is as easy as accepting, and you can change your mind at any time.",
		"Avec votre consentement, nous mesurons notre audience pour améliorer le site. Les cookies strictement nécessaires sont toujours actifs. Refuser est aussi simple qu’accepter, et vous pouvez changer d’avis à tout moment.")
	consentReadPolicy  = i18n.New("Read our cookie policy", "Lire notre politique relative aux cookies")
	consentAcceptAll   = i18n.New("Accept all", "Tout accepter")
	consentRejectAll   = i18n.New("Reject all", "Tout refuser")
	consentCustomise   = i18n.New("Customise", "Personnaliser")
	consentSave        = i18n.New("Save my choices", "Enregistrer mes choix")
	consentCategories  = i18n.New("Cookie categories", "Catégories de cookies")
	consentAlwaysOn    = i18n.New("%s (always on)", "%s (toujours actifs)")
	consentCookieNames = i18n.New("Cookies: %s.", "Cookies\u00a0: %s.")
	consentNoCookies   = i18n.New("No cookies in this category today.", "Aucun cookie dans cette catégorie à ce jour.")

	consentSettingsLead = i18n.New("Choose which optional cookies we may use. You can change or withdraw your choice at any time.",
		"Choisissez les cookies facultatifs que nous pouvons utiliser. Vous pouvez modifier ou retirer votre choix à tout moment.")
	consentSaved       = i18n.New("Your choice is saved.", "Votre choix est enregistré.")
	consentCurrent     = i18n.New("Your current choice", "Votre choix actuel")
	consentUndecided   = i18n.New("You have not made a choice yet, so no optional cookie is set.", "Vous n’avez pas encore fait de choix\u00a0: aucun cookie facultatif n’est déposé.")
	consentAllowed     = i18n.New("Allowed", "Autorisés")
	consentHow         = i18n.New("How", "Comment")
	consentWhen        = i18n.New("When", "Quand")
	consentVersion     = i18n.New("Policy version", "Version de la politique")
	consentReference   = i18n.New("Consent reference", "Référence du consentement")
	consentChange      = i18n.New("Change your choice", "Modifier votre choix")
	consentWithdrawH   = i18n.New("Withdraw your consent", "Retirer votre consentement")
	consentWithdrawTxt = i18n.New("Withdrawing stops the optional scripts and deletes the optional cookies this site can reach.",
		"Le retrait arrête les scripts facultatifs et supprime les cookies facultatifs que ce site peut atteindre.")
	consentWithdrawBtn = i18n.New("Withdraw my consent", "Retirer mon consentement")
	consentOnlyNeeded  = i18n.New("Only strictly necessary cookies.", "Uniquement les cookies strictement nécessaires.")

	choiceAcceptAll = i18n.New("You accepted all optional cookies.", "Vous avez accepté tous les cookies facultatifs.")
	choiceRejectAll = i18n.New("You refused all optional cookies.", "Vous avez refusé tous les cookies facultatifs.")
	choiceCustom    = i18n.New("You chose category by category.", "Vous avez choisi catégorie par catégorie.")
	choiceWithdraw  = i18n.New("You withdrew your consent.", "Vous avez retiré votre consentement.")
	choiceGPC       = i18n.New("Your browser's Global Privacy Control signal refused all optional cookies for you.",
		"Le signal Global Privacy Control de votre navigateur a refusé pour vous tous les cookies facultatifs.")
)
