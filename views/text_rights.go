package views

import (
	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
)

// The pages a person reaches from the rights desk's emailed links.
var (
	TitleDownload       = i18n.New("Your data", "Vos données")
	TitleIdentityUpload = i18n.New("Send an identity document", "Envoyer un justificatif d’identité")
	MsgIdentityUploaded = i18n.New("Thank you: we have your document. We will delete it once we have answered your request.",
		"Merci\u00a0: nous avons bien reçu votre document. Nous le supprimerons dès que nous aurons répondu à votre demande.")
	MsgLinkUsed = i18n.New("This link has already been used: for your security it works only once. Write to our Data Protection Officer if you need it again.",
		"Ce lien a déjà été utilisé\u00a0: pour votre sécurité, il ne fonctionne qu’une fois. Écrivez à notre délégué à la protection des données (DPO) si vous en avez de nouveau besoin.")
	MsgDownloadExpired = i18n.New("This link has expired: for your security it works only for a limited time. Write to our Data Protection Officer to get a new one.",
		"Ce lien a expiré\u00a0: pour votre sécurité, il n’est valable que pendant une durée limitée. Écrivez à notre délégué à la protection des données (DPO) pour en obtenir un nouveau.")
	MsgDownloadInvalid = i18n.New("This link is incomplete or has been changed. Please copy the whole link from the email.",
		"Ce lien est incomplet ou a été modifié. Copiez le lien entier depuis l’e-mail.")
	MsgIdentityLinkEnded = i18n.New("This link can no longer be used: a document was already sent through it, or your request has been answered.",
		"Ce lien n’est plus utilisable\u00a0: un document a déjà été envoyé par ce lien, ou votre demande a reçu une réponse.")

	rightsDataReady = i18n.New("Your data is ready. The link works once: keep the file somewhere safe.",
		"Vos données sont prêtes. Le lien ne fonctionne qu’une fois\u00a0: conservez le fichier en lieu sûr.")
	rightsDownload = i18n.New("Download my data", "Télécharger mes données")
	rightsDPO      = i18n.New("Our Data Protection Officer:", "Notre délégué à la protection des données (DPO)\u00a0:")
	rightsDocument = i18n.New("Identity document (PDF, JPEG or PNG)", "Justificatif d’identité (PDF, JPEG ou PNG)")
	rightsSend     = i18n.New("Send", "Envoyer")
	mailLiftLead   = i18n.New("You asked us to restrict the use of your data. We are lifting this restriction, for this reason:",
		"Vous nous avez demandé de limiter l’utilisation de vos données. Nous levons cette limitation, pour la raison suivante\u00a0:")
	mailLiftSubj = i18n.New("%s: the restriction of your data is lifted", "%s\u00a0: la limitation de l’utilisation de vos données est levée")
)

// Where a record came from, said in the package and on the DPO's page.
var (
	originForm  = i18n.New("the “%s” form (%s)", "le formulaire «\u00a0%s\u00a0» (%s)")
	originStaff = i18n.New("entered by our staff", "saisi par nos équipes")
)

// The access and portability package, in the language of the request.
var (
	pkgProcessors = i18n.New("our processors: %s", "nos sous-traitants\u00a0: %s")
	pkgPartners   = i18n.New("partners, only with your consent: %s", "des partenaires, uniquement avec votre consentement\u00a0: %s")
	pkgTitle      = i18n.New("Your data held by %s", "Vos données détenues par %s")
	pkgPrepared   = i18n.New("Prepared on %s. The same data is in data.json and data.csv.", "Préparé le %s. Les mêmes données figurent dans data.json et data.csv.")
	pkgBasis      = i18n.New("Legal basis:", "Base légale\u00a0:")
	pkgRecipients = i18n.New("Who receives it:", "Destinataires\u00a0:")
	pkgRetention  = i18n.New("How long we keep it:", "Durée de conservation\u00a0:")
	pkgOrigin     = i18n.New("Where it came from:", "Provenance\u00a0:")
	pkgConsents   = i18n.New("Your consents", "Vos consentements")
	pkgGiven      = i18n.New("given", "donné")
	pkgNotGiven   = i18n.New("withdrawn or refused", "retiré ou refusé")
)

// The DPO's deadline reminders.
var (
	mailReminderSubj = i18n.New("Rights request %s", "Demande d’exercice de droits %s")
	mailReminderBody = i18n.New("A rights request (%s) %s: due %s.\n\n%s/admin/dpo/rights/%s\n",
		"Une demande d’exercice de droits (%s) %s\u00a0: échéance le %s.\n\n%s/admin/dpo/rights/%s\n")
	reminderWhen = map[string]i18n.Msg{
		models.Remind7d:      i18n.New("is due in 7 days", "arrive à échéance dans 7 jours"),
		models.Remind2d:      i18n.New("is due in 2 days", "arrive à échéance dans 2 jours"),
		models.RemindOverdue: i18n.New("is overdue", "a dépassé son échéance"),
	}
)
