package views

import "github.com/alegria/privacy-portal/i18n"

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
