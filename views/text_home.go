package views

import "github.com/alegria/privacy-portal/i18n"

// The home page.
var (
	homeLead = i18n.New("Training in low-code, no-code and artificial intelligence, work-study programmes, conferences and an AI challenge.",
		"Formations au low-code, au no-code et à l’intelligence artificielle, alternance, conférences et challenge IA.")
	homeOffer      = i18n.New("What we offer", "Notre offre")
	homeGetStarted = i18n.New("Get started", "Pour commencer")
	homeYourData   = i18n.New("Your data", "Vos données")
	homeEveryForm  = i18n.New("Every form says what it collects and why. Read our", "Chaque formulaire indique ce qu’il collecte et pourquoi. Consultez notre")
	homePolicy     = i18n.New("privacy policy", "politique de confidentialité")
	homeAnd        = i18n.New("and", "et notre")
	homeCookies    = i18n.New("cookie policy", "politique relative aux cookies")
	homeOr         = i18n.New(", or", ", ou")
	homeRights     = i18n.New("exercise your rights", "exercez vos droits")
	homeAnyTime    = i18n.New("at any time.", "à tout moment.")
)
