package views

import (
	"context"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// The person's preferences pages.
var (
	TitlePreferences     = i18n.New("Your consents and objections", "Vos consentements et oppositions")
	TitlePreferencesLink = i18n.New("Get a link to your preferences", "Recevoir un lien vers vos préférences")
	TitlePreferencesSent = i18n.New("Check your inbox", "Consultez votre messagerie")
	DescPreferences      = i18n.New("See what you agreed to and when, withdraw any consent or object to marketing, in one click each.",
		"Consultez ce que vous avez accepté et quand, retirez un consentement ou opposez-vous à la prospection, en un clic.")

	MsgPreferencesLinkBad = i18n.New("This link is incomplete or has been changed. Type your email address to get a new one.",
		"Ce lien est incomplet ou a été modifié. Saisissez votre adresse e-mail pour en recevoir un nouveau.")
	MsgPreferencesLinkExpired = i18n.New("This link has expired. Type your email address to get a new one.",
		"Ce lien a expiré. Saisissez votre adresse e-mail pour en recevoir un nouveau.")
	MsgPreferencesEmail = i18n.New("Please type a valid email address, like name@example.com.",
		"Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.")
	MsgUnsubscribed = i18n.New("You are unsubscribed: your consent is withdrawn, from now on.",
		"Votre désinscription est enregistrée\u00a0: votre consentement est retiré à compter de maintenant.")

	prefsAskLink = i18n.New("Type your email address: we send a link to the page where you can see what you agreed to and when, withdraw any consent or object to marketing. The link works for %s.",
		"Saisissez votre adresse e-mail\u00a0: nous vous envoyons un lien vers la page où vous pouvez consulter ce que vous avez accepté et quand, retirer un consentement ou vous opposer à la prospection. Le lien est valable %s.")
	prefsEmail    = i18n.New("Email address", "Adresse e-mail")
	prefsSendLink = i18n.New("Send me the link", "M’envoyer le lien")
	prefsSent     = i18n.New("If we hold anything about this address, we have just sent it a link to your preferences. It works for %s.",
		"Si nous détenons des données liées à cette adresse, nous venons d’y envoyer un lien vers vos préférences. Il est valable %s.")
	prefsWithdrawn = i18n.New("Your consent is withdrawn, from now on.", "Votre consentement est retiré à compter de maintenant.")
	prefsObjected  = i18n.New("Your objection is recorded: no marketing reaches you any more.",
		"Votre opposition est enregistrée\u00a0: vous ne recevrez plus aucune prospection.")
	prefsNone = i18n.New("We hold no consent from this address.", "Nous ne détenons aucun consentement lié à cette adresse.")
	prefsLead = i18n.New("What you agreed to, and when. Withdrawing takes effect at once; it does not make unlawful what we did before.",
		"Ce que vous avez accepté, et quand. Le retrait prend effet immédiatement\u00a0; il ne remet pas en cause la licéité du traitement effectué auparavant.")
	prefsAgreed     = i18n.New("You agreed on %s.", "Vous avez donné votre accord le %s.")
	prefsWithdraw   = i18n.New("Withdraw this consent", "Retirer ce consentement")
	prefsNotGiven   = i18n.New("Not given, or withdrawn, as of %s.", "Non donné, ou retiré, depuis le %s.")
	prefsMarketing  = i18n.New("Marketing", "Prospection commerciale")
	prefsObjectedOn = i18n.New("You objected to all marketing on %s. We keep only a keyed hash of your address and phone number, so that the objection holds even after your data is deleted.",
		"Vous vous êtes opposé(e) à toute prospection le %s. Nous ne conservons qu’une empreinte chiffrée (hachage avec clé) de votre adresse e-mail et de votre numéro de téléphone, afin que votre opposition soit respectée même après l’effacement de vos données.")
	prefsCanObject = i18n.New("You can object to all marketing from us, by every channel, at any time (GDPR art. 21).",
		"Vous pouvez à tout moment vous opposer à toute prospection de notre part, par tous les canaux (droit d’opposition, art. 21 du RGPD).")
	prefsObject    = i18n.New("Object to all marketing", "M’opposer à toute prospection")
	prefsNoChannel = i18n.New("No %s since %s.", "%s\u00a0: aucun envoi depuis le %s.")
)

// channelLabels name the channels (policy.Channels, and "all" for every
// marketing channel); SMS and WhatsApp are said the same in both languages.
var channelLabels = map[string]i18n.Msg{
	policy.ChannelEmail:           i18n.New("Email", "E-mail"),
	policy.ChannelSMS:             i18n.New("SMS", "SMS"),
	policy.ChannelWhatsApp:        i18n.New("WhatsApp", "WhatsApp"),
	policy.ChannelAutomatedCalls:  i18n.New("Automated calls", "Appels automatisés"),
	policy.ChannelPartnerTransfer: i18n.New("Sharing with partners", "Transmission aux partenaires"),
	"all":                         i18n.New("All marketing", "Toute prospection"),
}

// ChannelLabel names a channel in ctx's language.
func ChannelLabel(ctx context.Context, ch string) string { return labelIn(ctx, channelLabels, ch) }
