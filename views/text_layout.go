package views

import "github.com/alegria/privacy-portal/i18n"

// The layout's sentences: navigation, skip link, language switcher.
var (
	layoutSkip          = i18n.New("Skip to main content", "Aller au contenu principal")
	layoutNavMain       = i18n.New("Main", "Navigation principale")
	layoutNavLegal      = i18n.New("Legal", "Informations légales")
	layoutNavLanguage   = i18n.New("Language", "Langue")
	layoutHome          = i18n.New("Home", "Accueil")
	layoutPrivacy       = i18n.New("Privacy", "Confidentialité")
	layoutPrivacyPolicy = i18n.New("Privacy policy", "Politique de confidentialité")
	layoutCookies       = i18n.New("Cookies", "Cookies")
	layoutCookieChoice  = i18n.New("Cookie settings", "Paramètres des cookies")
	layoutLegalNotice   = i18n.New("Legal notice", "Mentions légales")
	layoutYourRights    = i18n.New("Your rights", "Vos droits")
)

// Shared components.
var (
	componentScrollHint = i18n.New("Scroll sideways to see the whole table.", "Faites défiler horizontalement pour voir tout le tableau.")
	componentOnThisPage = i18n.New("On this page", "Sur cette page")
)
