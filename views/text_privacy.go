package views

import (
	"context"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// The sentences of the privacy policy page (GDPR art. 13 and 14), in both
// languages. The facts come from the registry; these are the words around them.

// policySection is one h2 section of the privacy page: its anchor and heading.
type policySection struct {
	id    string
	title i18n.Msg
}

func (s policySection) in(ctx context.Context) tocEntry {
	return tocEntry{ID: s.id, Title: s.title.In(ctx)}
}

// The sections of the privacy policy, in page order.
var (
	secController = policySection{"controller", i18n.New("Who we are", "Qui sommes-nous ?")}
	secPurposes   = policySection{"purposes", i18n.New("What we collect and why", "Ce que nous collectons et pourquoi")}
	secData       = policySection{"data", i18n.New("The data each purpose uses", "Les données utilisées pour chaque finalité")}
	secConnection = policySection{"connection-data", i18n.New("When you visit the site", "Lorsque vous visitez le site")}
	secRecipients = policySection{"recipients", i18n.New("Who receives your data", "Les destinataires de vos données")}
	secTransfers  = policySection{"transfers", i18n.New("Transfers outside the EEA", "Les transferts hors de l’EEE")}
	secSecurity   = policySection{"security", i18n.New("How we protect your data", "Comment nous protégeons vos données")}
	secStorage    = policySection{"storage", i18n.New("How long we keep your data", "Durée de conservation de vos données")}
	secAutoCalls  = policySection{"automated-calls", i18n.New("Automated phone calls", "Les appels automatisés")}
	secRights     = policySection{"rights", i18n.New("Your rights", "Vos droits")}
	secExercise   = policySection{"exercise", i18n.New("How to exercise your rights", "Comment exercer vos droits")}
	secIdentity   = policySection{"identity", i18n.New("Checking your identity", "La vérification de votre identité")}
	secComplaint  = policySection{"complaint", i18n.New("Making a complaint", "Introduire une réclamation")}
	secThirdParty = policySection{"third-party-links", i18n.New("Links to other sites", "Les liens vers d’autres sites")}
	secCookies    = policySection{"cookies", i18n.New("Cookies", "Les cookies")}
	secChanges    = policySection{"changes", i18n.New("Changes to this policy", "Les modifications de cette politique")}
)

func privacySections(ctx context.Context, reg *policy.Registry) []tocEntry {
	secs := []policySection{secController, secPurposes, secData, secConnection, secRecipients, secTransfers, secSecurity, secStorage}
	if !reg.AutomatedCalls.Description.IsZero() {
		secs = append(secs, secAutoCalls)
	}
	secs = append(secs, secRights, secExercise, secIdentity, secComplaint)
	if !reg.ThirdPartyLink.IsZero() {
		secs = append(secs, secThirdParty)
	}
	secs = append(secs, secCookies, secChanges)
	out := make([]tocEntry, len(secs))
	for i, s := range secs {
		out[i] = s.in(ctx)
	}
	return out
}

var (
	msgPrivacyTitle = i18n.New("Privacy policy", "Politique de confidentialité")
	msgPrivacyLead  = i18n.New("How %s handles your personal data: what we collect, why, for how long, who sees it, and how you stay in control of it.",
		"Comment %s traite vos données personnelles : ce que nous collectons, pourquoi, pour combien de temps, qui y a accès, et comment vous en gardez la maîtrise.")
	msgControllerIntro = i18n.New("The data controller, who decides why and how your data is processed, is:",
		"Le responsable du traitement, qui détermine les finalités et les moyens du traitement de vos données, est :")
	msgCompany      = i18n.New("Company", "Société")
	msgLegalForm    = i18n.New("Legal form", "Forme juridique")
	msgShareCapital = i18n.New("Share capital", "Capital social")
	msgRegistration = i18n.New("Registration", "Immatriculation")
	msgOffice       = i18n.New("Registered office", "Siège social")
	msgWebsite      = i18n.New("Website", "Site internet")
	msgDPO          = i18n.New("Data protection officer", "Délégué à la protection des données (DPO)")
	msgWriteDPO     = i18n.New("Write to our data protection officer about anything in this policy or about your data.",
		"Écrivez à notre délégué à la protection des données pour toute question sur cette politique ou sur vos données.")
	msgMinimal = i18n.New("We collect only what each purpose needs. In our forms, fields marked with an asterisk (*) are required to handle your request; the others are up to you.",
		"Nous ne collectons que ce dont chaque finalité a besoin. Dans nos formulaires, les champs marqués d’un astérisque (*) sont nécessaires au traitement de votre demande ; les autres sont facultatifs.")
	msgPurposesTable = i18n.New("Purposes of processing", "Finalités des traitements")
	msgColPurpose    = i18n.New("Purpose", "Finalité")
	msgColWhatFor    = i18n.New("What for", "Objet")
	msgColBasis      = i18n.New("Legal basis", "Base légale")
	msgColRetention  = i18n.New("How long we keep it", "Durée de conservation")
	msgDataWeProcess = i18n.New("Data we process:", "Données traitées :")
	msgBasisLabel    = i18n.New("Legal basis:", "Base légale :")
	msgGoToForm      = i18n.New("Go to the %s form", "Accéder au formulaire « %s »")
	msgConnIntro     = i18n.New("Besides what you send us through a form, this is everything the site keeps about your visits and our contacts with you, and for how long:",
		"Outre ce que vous nous envoyez par un formulaire, voici tout ce que le site conserve de vos visites et de nos échanges, et pour combien de temps :")
	msgOutsideList = i18n.New("Some of our processors handle data outside the European Economic Area (EEA):",
		"Certains de nos sous-traitants traitent des données hors de l’Espace économique européen (EEE) :")
	msgOutsideMaybe = i18n.New("Some of your data may be processed outside the European Economic Area (EEA).",
		"Certaines de vos données peuvent être traitées hors de l’Espace économique européen (EEE).")
	msgSafeguardsIntro = i18n.New("These transfers keep your data protected as it is in the EEA, through:",
		"Ces transferts garantissent à vos données une protection équivalente à celle de l’EEE, grâce aux garanties suivantes :")
	msgInsideEEA       = i18n.New("Your data stays within the European Economic Area (EEA).", "Vos données restent au sein de l’Espace économique européen (EEE).")
	msgSecurityIntro   = i18n.New("We protect your data with technical and organisational measures suited to the risk, including:", "Nous protégeons vos données par des mesures techniques et organisationnelles adaptées au risque, notamment :")
	msgStorageBefore   = i18n.New("The period for each purpose is given in the", "La durée applicable à chaque finalité figure dans le")
	msgStorageTable    = i18n.New("table of purposes", "tableau des finalités")
	msgStorageMiddle   = i18n.New(", and the one for connection data under", ", et celle des données de connexion dans la partie")
	msgStorageConn     = i18n.New("when you visit the site", "« Lorsque vous visitez le site »")
	msgRightsIntro     = i18n.New("You have the following rights over your data. Exercising them is free; see", "Vous disposez des droits suivants sur vos données. Leur exercice est gratuit ; voir")
	msgRightsHow       = i18n.New("how to exercise your rights", "comment exercer vos droits")
	msgConditions      = i18n.New("%s: conditions", "%s : conditions")
	msgExerciseIntro   = i18n.New("You can exercise any of these rights, or ask a question about your data:", "Vous pouvez exercer chacun de ces droits, ou poser une question sur vos données :")
	msgExerciseForm1   = i18n.New("with our", "par notre")
	msgExerciseForm2   = i18n.New("rights request form", "formulaire de demande d’exercice de vos droits")
	msgExerciseEmail   = i18n.New("by email to our data protection officer at", "par e-mail à notre délégué à la protection des données, à l’adresse")
	msgExerciseHelp    = i18n.New("To help us find your data quickly, tell us what your request is about and in what context you gave us your data (a form, an event, an application…).", "Pour nous aider à retrouver rapidement vos données, précisez l’objet de votre demande et le contexte dans lequel vous nous les avez confiées (un formulaire, un événement, une candidature…).")
	msgExerciseDelay   = i18n.New("We answer within one month. If your request is complex, or if we receive many, this can be extended by two more months; we will then tell you why within the first month.", "Nous vous répondons dans un délai d’un mois. Si votre demande est complexe, ou si nous en recevons un grand nombre, ce délai peut être prolongé de deux mois ; nous vous en indiquerons alors les raisons dans le premier mois.")
	msgComplaintIntro  = i18n.New("If you think your data is not handled as it should be, you can complain to the %s (%s), the French data protection authority:", "Si vous estimez que vos données ne sont pas traitées comme elles le devraient, vous pouvez introduire une réclamation auprès de la %s (%s), l’autorité française de protection des données :")
	msgComplaintForm   = i18n.New("online complaint form of the %s", "formulaire de plainte en ligne de la %s")
	msgByPost          = i18n.New("by post:", "par courrier :")
	msgByPhone         = i18n.New("by phone:", "par téléphone :")
	msgCookiesBefore   = i18n.New("Our", "Notre")
	msgCookiesPolicy   = i18n.New("cookie policy", "politique relative aux cookies")
	msgCookiesMiddle   = i18n.New("lists every cookie the site uses, who sets it, why and for how long. You can", "recense chaque cookie utilisé par le site, qui le dépose, pourquoi et pour combien de temps. Vous pouvez")
	msgCookiesChange   = i18n.New("change your cookie choice", "modifier vos choix en matière de cookies")
	msgCookiesAfter    = i18n.New("at any time.", "à tout moment.")
	msgVersionLine     = i18n.New("Version %s, in force since", "Version %s, en vigueur depuis le")
	msgEveryVersion    = i18n.New("Every version and what changed", "Toutes les versions et leurs modifications")
	msgProcessors      = i18n.New("Our processors", "Nos sous-traitants")
	msgProcessorsText  = i18n.New("These service providers process data on our behalf, only on our instructions and under a contract that binds them to protect it (GDPR article 28).", "Ces prestataires traitent des données pour notre compte, uniquement sur nos instructions et dans le cadre d’un contrat qui les oblige à les protéger (article 28 du RGPD).")
	msgProcessorsTable = i18n.New("Processors", "Sous-traitants")
	msgColProcessor    = i18n.New("Processor", "Sous-traitant")
	msgColService      = i18n.New("Service", "Prestation")
	msgColCountry      = i18n.New("Country", "Pays")
	msgColInsideEEA    = i18n.New("Inside the EEA", "Au sein de l’EEE")
	msgPartners        = i18n.New("Training partners", "Partenaires de formation")
	msgBoxOnForm       = i18n.New("on the %s form", "dans le formulaire « %s »")
	msgPartnersOnly    = i18n.New("We pass your data to them only with your specific consent, given by a separate box.", "Nous ne leur transmettons vos données qu’avec votre consentement spécifique, donné par une case distincte.")
	msgAuthorities     = i18n.New("Authorities and legal requests", "Autorités et réquisitions légales")
	msgAuthIntro       = i18n.New("We may also have to disclose your data to others, such as public or judicial authorities, in these cases:", "Nous pouvons également être tenus de communiquer vos données à des tiers, comme des autorités publiques ou judiciaires, dans les cas suivants :")
	msgNeverSold       = i18n.New("We never sell your personal data.", "Nous ne vendons jamais vos données personnelles.")
	msgStopCalls       = i18n.New("To stop automated calls:", "Pour ne plus recevoir d’appels automatisés :")
	msgBoxReads        = i18n.New("The box, never ticked in advance, reads:", "La case, jamais cochée par avance, est libellée ainsi :")
	msgBoxesRead       = i18n.New("The boxes, never ticked in advance, read:", "Les cases, jamais cochées par avance, sont libellées ainsi :")
	msgQuoteOpen       = i18n.New("“", "«\u00a0")
	msgQuoteClose      = i18n.New("”", "\u00a0»")
)

// kept is one kind of record the software keeps beside the forms' own data.
type kept struct{ What, HowLong policy.Text }

// keptRecords lists exactly what the software keeps about visits and
// contacts, each with the period the code enforces (policy.Durations, the
// registry's connection_data).
func keptRecords(reg *policy.Registry) []kept {
	d := policy.Durations
	return []kept{
		{policy.T("Your cookie choices: when you made each one, what you chose, the version of this policy, your IP address with its last part removed, and a one-way fingerprint (hash) of your browser's identifier. This is our proof of your choice; your IP address is never stored whole.",
			"Vos choix en matière de cookies : la date de chacun, ce que vous avez choisi, la version de cette politique, votre adresse IP tronquée de sa dernière partie et une empreinte irréversible (hachage) de l’identifiant de votre navigateur. C’est la preuve de votre choix ; votre adresse IP n’est jamais conservée en entier."),
			RetentionText(reg.ConnectionData.Retention)},
		{policy.T("Your cookie choice itself, in a cookie on your device.", "Votre choix lui-même, dans un cookie déposé sur votre appareil."),
			policy.T("It expires "+d.ConsentChoice.Text().EN+" after you make the choice; then we ask again.",
				"Il expire "+d.ConsentChoice.Text().FR+" après votre choix ; nous vous le redemandons alors.")},
		{policy.T("Each consent box of our forms, ticked or not, with a fingerprint of its exact wording, the version of this policy and the date, and each withdrawal: our proof of what you agreed to (GDPR article 7(1)).",
			"Chaque case de consentement de nos formulaires, cochée ou non, avec une empreinte de son libellé exact, la version de cette politique et la date, ainsi que chaque retrait : la preuve de ce que vous avez accepté (article 7(1) du RGPD)."),
			policy.T("We keep this proof with no set end date: it holds no name, email address or phone number, only a pseudonymous link to you.",
				"Nous conservons cette preuve sans date de fin déterminée : elle ne contient ni nom, ni adresse e-mail, ni numéro de téléphone, seulement un lien pseudonyme vers vous.")},
		{policy.T("The emails we send you (receipts, confirmation links).", "Les e-mails que nous vous envoyons (accusés de réception, liens de confirmation)."),
			policy.T("Deleted "+d.SentEmailRetention.Text().EN+" after they are sent, or "+d.FailedEmailRetention.Text().EN+" after we stop trying when they cannot be delivered.",
				"Supprimés "+d.SentEmailRetention.Text().FR+" après leur envoi, ou "+d.FailedEmailRetention.Text().FR+" après notre dernière tentative lorsqu’ils ne peuvent être remis.")},
		{policy.T("A log of every time a member of our staff reads, exports, changes or deletes your data: who, when, what and from which network address.",
			"Un journal de chaque consultation, export, modification ou suppression de vos données par un membre de notre personnel : qui, quand, quoi et depuis quelle adresse réseau."),
			policy.T("Kept for "+d.AccessLogRetention.Text().EN+", so our Data Protection Officer can check that your data is only used as this policy says.",
				"Conservé "+d.AccessLogRetention.Text().FR+", afin que notre délégué à la protection des données puisse vérifier que vos données ne sont utilisées que comme le prévoit cette politique.")},
		{policy.T("Confirmation links we email you.", "Les liens de confirmation que nous vous envoyons par e-mail."),
			policy.T("They work for "+d.LinkValidity.Text().EN+"; a request or subscription nobody confirms in that time is deleted.",
				"Ils sont valables "+d.LinkValidity.Text().FR+" ; une demande ou un abonnement non confirmé dans ce délai est supprimé.")},
	}
}
