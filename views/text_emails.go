package views

import "github.com/alegria/privacy-portal/i18n"

// The emails a person receives, in the language of the page they used (or,
// for later emails, the language stored with their request).
var (
	mailHello      = i18n.New("Hello,", "Bonjour,")
	mailReceived   = i18n.New("%s: we have received your request", "%s\u00a0: nous avons bien reçu votre demande")
	mailWhyHowLong = i18n.New("Why we keep it: %s\nHow long: %s", "Finalité\u00a0: %s\nDurée de conservation\u00a0: %s")
	mailRights     = i18n.New("You can see, correct or delete your data, or object to its use, at any time: %s", "Vous pouvez à tout moment consulter, rectifier ou effacer vos données, ou vous opposer à leur utilisation\u00a0: %s")
	mailPolicy     = i18n.New("Our privacy policy: %s", "Notre politique de confidentialité\u00a0: %s")
	mailDPO        = i18n.New("Our Data Protection Officer: %s", "Notre délégué à la protection des données (DPO)\u00a0: %s")
	mailLinkValid  = i18n.New("The link is valid for %s. If you did not ask for this, ignore this email: without your confirmation we delete the request after %s.", "Le lien est valable %s. Si vous n’êtes pas à l’origine de cette demande, ignorez cet e-mail\u00a0: sans confirmation de votre part, nous supprimons la demande au bout de %s.")
	mailFooter     = i18n.New("See or withdraw your consents, or object to marketing, in one click: %s", "Consultez ou retirez vos consentements, ou opposez-vous à la prospection, en un clic\u00a0: %s")
	mailPrefsSubj  = i18n.New("%s: your consents and objections", "%s\u00a0: vos consentements et oppositions")
	mailPrefsAsked = i18n.New("Someone, hopefully you, asked for a link to see and change what this address agreed to with %s. Open this link:", "Quelqu’un, vous sans doute, a demandé un lien pour consulter et modifier ce que cette adresse a accepté auprès de %s. Ouvrez ce lien\u00a0:")
	mailPrefsValid = i18n.New("The link works for %s. If you did not ask for it, ignore this email: nothing changes.", "Le lien est valable %s. Si vous ne l’avez pas demandé, ignorez cet e-mail\u00a0: rien ne change.")
	mailNoticeSubj = i18n.New("%s: our privacy policy changes", "%s\u00a0: notre politique de confidentialité évolue")
	mailNoticeLead = i18n.New("We hold some of your personal data, so we are telling you that our privacy policy changed on %s (version %s).", "Nous détenons certaines de vos données personnelles\u00a0: nous vous informons donc que notre politique de confidentialité a changé le %s (version %s).")
	mailNoticeDiff = i18n.New("What changed, fact by fact: %s", "Ce qui a changé, point par point\u00a0: %s")
	mailNoticePol  = i18n.New("The policy: %s", "La politique\u00a0: %s")
	mailAnswerSubj = i18n.New("%s: your request (%s)", "%s\u00a0: votre demande (%s)")
	mailRefused    = i18n.New("We cannot act on your request (%s), for this reason:", "Nous ne pouvons pas donner suite à votre demande (%s), pour la raison suivante\u00a0:")
	mailDone       = i18n.New("We have acted on your request (%s).", "Nous avons donné suite à votre demande (%s).")
	mailComplaint  = i18n.New("If you disagree, you can complain to the %s (%s), %s, phone %s: %s", "Si vous n’êtes pas d’accord, vous pouvez adresser une réclamation à la %s (%s), %s, téléphone %s\u00a0: %s")
	mailMoreSubj   = i18n.New("%s: more time for your request", "%s\u00a0: délai supplémentaire pour votre demande")
	mailMoreTime   = i18n.New("We need more time to answer your request (%s), for this reason:", "Nous avons besoin d’un délai supplémentaire pour répondre à votre demande (%s), pour la raison suivante\u00a0:")
	mailAnswerBy   = i18n.New("We will answer by %s at the latest.", "Nous vous répondrons au plus tard le %s.")
	mailDataSubj   = i18n.New("%s: your data", "%s\u00a0: vos données")
	mailDataLead   = i18n.New("Here is the data we hold about you, with where it came from, why we use it, who receives it and how long we keep it:", "Voici les données que nous détenons sur vous, avec leur origine, leur finalité, leurs destinataires et leur durée de conservation\u00a0:")
	mailDataOnce   = i18n.New("The link works once, until %s. The file holds a readable summary (HTML) and your data as JSON and CSV, which you can take to another service.", "Le lien ne fonctionne qu’une fois, jusqu’au %s. Le fichier contient un résumé lisible (HTML) et vos données aux formats JSON et CSV, que vous pouvez transmettre à un autre service.")
	mailIDSubj     = i18n.New("%s: please confirm who you are", "%s\u00a0: merci de confirmer votre identité")
	mailIDLead     = i18n.New("Before we can act on your request we need to check that it comes from you, for this reason:", "Avant de donner suite à votre demande, nous devons vérifier qu’elle émane bien de vous, pour la raison suivante\u00a0:")
	mailIDSend     = i18n.New("Please send a copy of an identity document through this link (it works once):", "Veuillez envoyer la copie d’un justificatif d’identité par ce lien (il ne fonctionne qu’une fois)\u00a0:")
)
