package views

import "github.com/alegria/privacy-portal/i18n"

// The sentences of the cookie declaration (CNIL guidelines on cookies,
// 2020), in both languages; the categories and cookies come from the registry.
var (
	msgCookiesTitle = i18n.New("Cookie policy", "Politique relative aux cookies")
	msgCookiesLead  = i18n.New("Cookies are small files a site stores in your browser. Here is every cookie %s uses or lets a partner use, grouped by what it is for.",
		"Les cookies sont de petits fichiers qu’un site enregistre dans votre navigateur. Voici chaque cookie que %s utilise ou laisse un partenaire utiliser, regroupés selon leur finalité.")
	msgCookiesNecessary = i18n.New("Strictly necessary cookies are always on: the site cannot work without them. The others are set only once you accept them, and you can refuse them as easily as you accept them.",
		"Les cookies strictement nécessaires sont toujours actifs : le site ne peut pas fonctionner sans eux. Les autres ne sont déposés qu’après votre accord, et vous pouvez les refuser aussi facilement que les accepter.")
	msgChangeChoice    = i18n.New("Change your choice", "Modifier vos choix")
	msgAlwaysOn        = i18n.New("Always on: strictly necessary", "Toujours actifs : strictement nécessaires")
	msgOnlyWithConsent = i18n.New("Only with your consent", "Uniquement avec votre consentement")
	msgNoCookies       = i18n.New("No cookies in this category.", "Aucun cookie dans cette catégorie.")
	msgCookiesOf       = i18n.New("%s cookies", "Cookies : %s")
	msgColName         = i18n.New("Name", "Nom")
	msgColSetBy        = i18n.New("Set by", "Déposé par")
	msgColCookiePurp   = i18n.New("Purpose", "Finalité")
	msgColDuration     = i18n.New("Duration", "Durée")
	msgYourChoice      = i18n.New("Your choice", "Vos choix")
	msgChoiceText      = i18n.New("You can change your choice, or withdraw your consent, at any time from the", "Vous pouvez modifier vos choix, ou retirer votre consentement, à tout moment depuis la page")
	msgChoiceLink      = i18n.New("cookie settings", "Paramètres des cookies")
	msgChoiceAfter     = i18n.New(" page, linked at the bottom of every page.", ", accessible en bas de chaque page.")
	msgReadPrivacy     = i18n.New("To learn how we handle personal data in general, read our", "Pour savoir comment nous traitons les données personnelles en général, consultez notre")
	msgPrivacyLink     = i18n.New("privacy policy", "politique de confidentialité")
)
