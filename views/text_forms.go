package views

import "github.com/alegria/privacy-portal/i18n"

// Messages the HTTP layer passes to the error page (the error handler says
// them in the visitor's language).
var (
	MsgCSRF = i18n.New("This form has expired or was sent from another site. Please go back, reload the page and send it again: nothing was stored.",
		"Ce formulaire a expiré ou a été envoyé depuis un autre site. Revenez en arrière, rechargez la page et envoyez-le à nouveau\u00a0: rien n’a été enregistré.")
	MsgRateLimited = i18n.New("You have sent several forms in a short time. Please wait a minute before trying again.",
		"Vous avez envoyé plusieurs formulaires en peu de temps. Veuillez patienter une minute avant de réessayer.")
	MsgBadForm = i18n.New("We could not read this form. Please go back, reload the page and send it again.",
		"Nous n’avons pas pu lire ce formulaire. Revenez en arrière, rechargez la page et envoyez-le à nouveau.")
	MsgBadInput = i18n.New("This address or form contains characters we cannot read (a NUL byte or invalid UTF-8). Please check the link or retype the form.",
		"Cette adresse ou ce formulaire contient des caractères illisibles (octet NUL ou UTF-8 invalide). Vérifiez le lien ou saisissez à nouveau le formulaire.")
	formsTooLarge = i18n.New("What you sent is larger than we accept (files: %s at most). Please go back and choose a smaller file: nothing was stored.",
		"Votre envoi dépasse la taille acceptée (fichiers\u00a0: %s au maximum). Revenez en arrière et choisissez un fichier plus léger\u00a0: rien n’a été enregistré.")
)

// Page titles of the form flow.
var (
	TitleFormSent     = i18n.New("Thank you", "Merci")
	TitleConfirmEmail = i18n.New("Confirm your email address", "Confirmez votre adresse e-mail")
	TitleConfirmed    = i18n.New("Confirmed", "Confirmé")
	TitleLinkProblem  = i18n.New("This link does not work", "Ce lien ne fonctionne pas")
)

// What a form says around its fields.
var (
	formsCorrectOne  = i18n.New("Please correct 1 field below", "Veuillez corriger le champ ci-dessous")
	formsCorrectMany = i18n.New("Please correct %d fields below", "Veuillez corriger les %d champs ci-dessous")
	formsRequiredA   = i18n.New("Fields marked", "Les champs marqués d’un")
	formsRequiredB   = i18n.New("are required.", "sont obligatoires.")
	formsYourChoices = i18n.New("Your choices", "Vos choix")
	formsHoneypot    = i18n.New("Leave this field empty", "Laissez ce champ vide")
	formsChoose      = i18n.New("Choose…", "Choisissez…")
	formsAbout       = i18n.New("About your data", "À propos de vos données")
	formsWhy         = i18n.New("Why we ask", "Finalité")
	formsBasis       = i18n.New("Legal basis", "Base légale")
	formsHowLong     = i18n.New("How long we keep it", "Durée de conservation")
	formsReadPolicyA = i18n.New("Read our", "Consultez notre")
	formsPolicy      = i18n.New("privacy policy", "politique de confidentialité")
	formsReadPolicyB = i18n.New("to learn who receives your data and", "pour savoir qui reçoit vos données et")
	formsHowRights   = i18n.New("how to use your rights", "comment exercer vos droits")
	formsMaxSize     = i18n.New("%s at most.", "%s au maximum.")
)

// The pages after a post.
var (
	formsCheckInbox = i18n.New("Check your inbox", "Consultez votre messagerie")
	formsLinkSent   = i18n.New("We have sent you an email with a link. Please follow it within %s to confirm that this address is yours: until then, nothing is done with your request, and if you do not follow it we delete the request.",
		"Nous vous avons envoyé un e-mail contenant un lien. Suivez-le dans un délai de %s pour confirmer que cette adresse est bien la vôtre\u00a0: d’ici là, votre demande n’est pas traitée, et sans confirmation nous la supprimons.")
	formsWhatStored = i18n.New("What we stored", "Ce que nous avons enregistré")
	formsEncrypted  = i18n.New("It is stored encrypted. Only these people can read it: %s.", "Ces données sont stockées chiffrées. Seules ces personnes peuvent les lire\u00a0: %s.")
	formsForHowLong = i18n.New("For how long", "Pour combien de temps")
	formsYourRights = i18n.New("Your rights", "Vos droits")
	formsRightsText = i18n.New("You can see, correct or delete this data, object to its use or withdraw your consent at any time: use", "Vous pouvez à tout moment consulter, rectifier ou effacer ces données, vous opposer à leur utilisation ou retirer votre consentement\u00a0: utilisez")
	formsRightsForm = i18n.New("our rights form", "notre formulaire d’exercice des droits")
	formsOrRead     = i18n.New(", or read our", ", ou consultez notre")
	formsConfirm    = i18n.New("Confirm", "Confirmer")
	formsDue        = i18n.New("We received your request on %s. We will answer by %s at the latest, one month later, as the law requires; if your request is complex we may extend this and will tell you why before that date.",
		"Nous avons reçu votre demande le %s. Nous y répondrons au plus tard le %s, soit un mois plus tard, comme la loi l’exige\u00a0; si votre demande est complexe, ce délai peut être prolongé et nous vous en indiquerons les raisons avant cette date.")
	formsLinkExpired = i18n.New("This link has expired: links are valid for %s, after which we delete the unconfirmed request.",
		"Ce lien a expiré\u00a0: les liens sont valables %s, après quoi nous supprimons la demande non confirmée.")
	formsLinkBroken = i18n.New("This link is incomplete or has been changed. Please copy the whole link from the email, or send the form again.",
		"Ce lien est incomplet ou a été modifié. Copiez le lien entier depuis l’e-mail, ou envoyez à nouveau le formulaire.")
	formsFillAgain   = i18n.New("Fill in the form again", "Remplir à nouveau le formulaire")
	formsQuizAnswers = i18n.New("%s: your answers and your score", "%s\u00a0: vos réponses et votre score")
	formsConsentKept = i18n.New("Your answer to each consent box, with the date and the version of this policy",
		"Votre réponse à chaque case de consentement, avec la date et la version de la politique de confidentialité")
)

// What is wrong with a field, said from its declared limits.
var (
	problemChooseRequired = i18n.New("Please make a choice here: this field is required.", "Veuillez faire un choix\u00a0: ce champ est obligatoire.")
	problemFillRequired   = i18n.New("Please fill in this field: it is required.", "Veuillez remplir ce champ\u00a0: il est obligatoire.")
	problemTooLong        = i18n.New("Please shorten this to %d characters at most.", "Veuillez raccourcir ce texte à %d caractères au maximum.")
	problemBadText        = i18n.New("This contains invisible or control characters we cannot store. Please type it again.", "Ce texte contient des caractères invisibles ou de contrôle que nous ne pouvons pas enregistrer. Veuillez le saisir à nouveau.")
	problemOneLine        = i18n.New("Please write this on a single line.", "Veuillez écrire ce texte sur une seule ligne.")
	problemEmail          = i18n.New("Please enter an email address such as name@example.com.", "Veuillez saisir une adresse e-mail, par exemple nom@exemple.fr.")
	problemPhone          = i18n.New("Please enter a valid phone number, such as 06 12 34 56 78 or +33 6 12 34 56 78.", "Veuillez saisir un numéro de téléphone valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.")
	problemNumber         = i18n.New("Please enter a whole number.", "Veuillez saisir un nombre entier.")
	problemRange          = i18n.New("Please enter a number from %d to %d.", "Veuillez saisir un nombre entre %d et %d.")
	problemRangeAny       = i18n.New("Please enter a number in the allowed range.", "Veuillez saisir un nombre dans la plage autorisée.")
	problemChoice         = i18n.New("Please choose one of the options.", "Veuillez choisir l’une des options proposées.")
	problemDateTime       = i18n.New("Please enter a date and a time.", "Veuillez saisir une date et une heure.")
	problemPast           = i18n.New("Please choose a time in the future.", "Veuillez choisir un moment à venir.")
	problemTooFar         = i18n.New("Please choose a time within the next twelve months.", "Veuillez choisir un moment dans les douze prochains mois.")
	problemFileType       = i18n.New("This file is not a PDF, Word (.docx) or OpenDocument (.odt) document, whatever its name says. Please choose one of those.",
		"Ce fichier n’est pas un document PDF, Word (.docx) ou OpenDocument (.odt), quel que soit son nom. Veuillez choisir un fichier de l’un de ces formats.")
	problemFileTooLarge = i18n.New("This file is larger than %s. Please choose a smaller one.", "Ce fichier dépasse %s. Veuillez en choisir un plus léger.")
	problemFileArchive  = i18n.New("This document expands to far more data than a CV holds, so we cannot accept it. Please save it again or send a PDF.",
		"Une fois décompressé, ce document contient bien plus de données qu’un CV\u00a0: nous ne pouvons pas l’accepter. Enregistrez-le à nouveau ou envoyez un PDF.")
	problemFileEmpty      = i18n.New("This file is empty. Please choose another one.", "Ce fichier est vide. Veuillez en choisir un autre.")
	problemFileUnreadable = i18n.New("We could not read this file. Please save it again or send a PDF.", "Nous n’avons pas pu lire ce fichier. Enregistrez-le à nouveau ou envoyez un PDF.")
	problemFileInfected   = i18n.New("Our virus scanner found malicious content in this file, so we did not accept it. Please check your computer and send a clean copy.",
		"Notre antivirus a détecté un contenu malveillant dans ce fichier\u00a0: nous ne l’avons pas accepté. Vérifiez votre ordinateur et envoyez une copie saine.")
	problemFileUnscanned = i18n.New("We could not check this file for viruses just now, so we did not store it. Please choose it again and send the form in a few minutes.",
		"Nous n’avons pas pu analyser ce fichier à l’instant\u00a0: nous ne l’avons pas enregistré. Choisissez-le à nouveau et envoyez le formulaire dans quelques minutes.")
	problemConsentRequired = i18n.New("We need your agreement to this to handle your request. Please tick the box.",
		"Nous avons besoin de votre accord sur ce point pour traiter votre demande. Veuillez cocher la case.")
	problemOther        = i18n.New("Please check this field.", "Veuillez vérifier ce champ.")
	problemAnswer       = i18n.New("Please answer this question.", "Veuillez répondre à cette question.")
	problemAnswerChoice = i18n.New("Please choose one of the answers.", "Veuillez choisir l’une des réponses.")
	formsBytes          = i18n.New("%d bytes", "%d octets")
	formsMegabytes      = i18n.New("%d MB", "%d Mo")
)
