package views

import (
	"context"
	"net/http"

	"github.com/alegria/privacy-portal/i18n"
)

// Titles and meta descriptions of the public pages.
var (
	TitleHome = i18n.New("Training in low-code, no-code and AI",
		"Formations au low-code, au no-code et à l’IA")
	DescHome = i18n.New("Alegria.tech trains people in low-code, no-code and artificial intelligence: courses, work-study programmes, an AI challenge and advice.",
		"Alegria.tech forme au low-code, au no-code et à l’intelligence artificielle\u00a0: formations, alternance, challenge IA et conseil.")
	DescPrivacy = i18n.New("How Alegria.tech collects, uses, keeps and protects your personal data, who receives it, and how to use your rights.",
		"Comment Alegria.tech collecte, utilise, conserve et protège vos données personnelles, qui les reçoit et comment exercer vos droits.")
	DescCookies = i18n.New("The cookies this site sets, what each one is for, how long it lasts, and how to change your choice.",
		"Les cookies que dépose ce site, la finalité et la durée de chacun, et comment modifier votre choix.")
	DescCookiePreferences = i18n.New("See and change your cookie choice, or withdraw your consent.",
		"Consultez et modifiez votre choix en matière de cookies, ou retirez votre consentement.")
	DescFormReply = i18n.New("What we stored from your form, for how long, and how to use your rights.",
		"Ce que nous avons enregistré de votre formulaire, pour combien de temps, et comment exercer vos droits.")
	TitlePrivacy  = i18n.New("Privacy policy", "Politique de confidentialité")
	TitleCookies  = i18n.New("Cookies", "Cookies")
	TitleNotFound = i18n.New("Page not found", "Page introuvable")
	TitleError    = i18n.New("Something went wrong", "Une erreur est survenue")
)

// The error page.
var (
	errorLabel        = i18n.New("Error %d", "Erreur %d")
	errorBackHome     = i18n.New("Back to the home page", "Retour à l’accueil")
	errorNotFound     = i18n.New("Page not found", "Page introuvable")
	errorForbidden    = i18n.New("Access denied", "Accès refusé")
	errorSignIn       = i18n.New("Please sign in", "Veuillez vous connecter")
	errorMethod       = i18n.New("This action is not allowed here", "Cette action n’est pas possible ici")
	errorTooLarge     = i18n.New("What you sent is too large", "Votre envoi est trop volumineux")
	errorTooMany      = i18n.New("Too many requests", "Trop de demandes")
	errorUnavailable  = i18n.New("Service temporarily unavailable", "Service momentanément indisponible")
	errorClient       = i18n.New("We could not handle this request", "Nous n’avons pas pu traiter cette demande")
	errorServer       = i18n.New("Something went wrong", "Une erreur est survenue")
	errorMsgNotFound  = i18n.New("The page you asked for does not exist or has moved.", "La page demandée n’existe pas ou a été déplacée.")
	errorMsgForbidden = i18n.New("You do not have access to this page.", "Vous n’avez pas accès à cette page.")
	errorMsgTooMany   = i18n.New("Please wait a moment before trying again.", "Veuillez patienter un instant avant de réessayer.")
	errorMsgClient    = i18n.New("Please check what you entered and try again.", "Veuillez vérifier votre saisie et réessayer.")
	errorMsgServer    = i18n.New("An error occurred on our side. Please try again in a few minutes.",
		"Une erreur s’est produite de notre côté. Veuillez réessayer dans quelques minutes.")
)

// errorHeading is the page heading for an HTTP error status.
func errorHeading(ctx context.Context, status int) string {
	m := errorServer
	switch {
	case status == http.StatusNotFound:
		m = errorNotFound
	case status == http.StatusForbidden:
		m = errorForbidden
	case status == http.StatusUnauthorized:
		m = errorSignIn
	case status == http.StatusMethodNotAllowed:
		m = errorMethod
	case status == http.StatusRequestEntityTooLarge:
		m = errorTooLarge
	case status == http.StatusTooManyRequests:
		m = errorTooMany
	case status == http.StatusServiceUnavailable:
		m = errorUnavailable
	case status >= 400 && status < 500:
		m = errorClient
	}
	return m.In(ctx)
}

// errorMessage is what the error page says when the handler gave no message.
func errorMessage(ctx context.Context, status int) string {
	m := errorMsgServer
	switch {
	case status == http.StatusNotFound:
		m = errorMsgNotFound
	case status == http.StatusForbidden:
		m = errorMsgForbidden
	case status == http.StatusTooManyRequests:
		m = errorMsgTooMany
	case status >= 400 && status < 500:
		m = errorMsgClient
	}
	return m.In(ctx)
}
