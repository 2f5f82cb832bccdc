package views

import (
	"context"
	"fmt"
	"strings"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// The back-office's titles and messages, in English and French. Each
// staff member reads the back-office in the language of their preference
// (staff.lang); the sign-in page follows the browser.

// adminTexts is every sentence the back-office declares, for the test that
// a page in one language shows none of the other's.
var adminTexts []i18n.Msg

func adminMsg(en, fr string) i18n.Msg {
	m := i18n.New(en, fr)
	adminTexts = append(adminTexts, m)
	return m
}

// BackOfficeTexts is every sentence the back-office pages declare, in both
// languages.
func BackOfficeTexts() []i18n.Msg { return adminTexts }

// Back-office page titles.
var (
	TitleStaffLogin    = adminMsg("Staff sign-in", "Connexion du personnel")
	TitleStaffPassword = adminMsg("Choose a new password", "Choisissez un nouveau mot de passe")
	TitleStaffHome     = adminMsg("Back-office", "Espace interne")
	TitleStaffAdmin    = adminMsg("Staff accounts", "Comptes du personnel")
	TitleAccessLog     = adminMsg("Access log", "Journal des accès")
	TitleRecords       = adminMsg("Records: %s", "Dossiers\u00a0: %s")
	TitleRecordDetail  = adminMsg("Record", "Dossier")
	TitleWelcome       = adminMsg("Set up your account", "Activez votre compte")
	TitleAudiences     = adminMsg("Audiences", "Audiences")
	TitlePartnerExport = adminMsg("Partner transmission", "Transmission aux partenaires")
	TitleRightsQueue   = adminMsg("Rights requests", "Demandes d’exercice des droits")
	TitleRightsCase    = adminMsg("Rights request", "Demande d’exercice des droits")
	TitleRetention     = adminMsg("Retention", "Durées de conservation")
	TitleConsentStats  = adminMsg("Consent statistics", "Statistiques des consentements")
)

// Back-office messages.
var (
	StaffFormIncomplete = adminMsg("Give an email address, a name and a role.",
		"Indiquez une adresse e-mail, un nom et un rôle.")
	StaffEmailTaken = adminMsg("An account with this email address already exists.",
		"Un compte existe déjà avec cette adresse e-mail.")
	WelcomeCodeMismatch = adminMsg("The code does not match: add the key to your authenticator app, then type the 6-digit code it shows now.",
		"Le code ne correspond pas\u00a0: ajoutez la clé à votre application d’authentification, puis saisissez le code à 6 chiffres qu’elle affiche maintenant.")
	StaffAlreadyEnrolled = adminMsg("This account is already set up: it needs no invitation.",
		"Ce compte est déjà activé\u00a0: il n’a pas besoin d’invitation.")
	StaffSelfChange = adminMsg("You cannot change the role of your own account or deactivate it: ask another administrator.",
		"Vous ne pouvez ni changer le rôle de votre propre compte ni le désactiver\u00a0: demandez-le à un autre administrateur.")
	UnknownPurpose = adminMsg("Unknown purpose: choose one from the list.",
		"Finalité inconnue\u00a0: choisissez-en une dans la liste.")
	MsgNoteTooLong = adminMsg("The note is too long: 2,000 characters at most. Nothing was saved.",
		"La note est trop longue\u00a0: 2 000 caractères au plus. Rien n’a été enregistré.")
	UnknownFormat = adminMsg("Unknown format: choose html, json or csv.",
		"Format inconnu\u00a0: choisissez html, json ou csv.")
	MsgBadLanguage = adminMsg("Unknown language: choose French or English.",
		"Langue inconnue\u00a0: choisissez le français ou l’anglais.")

	MsgReasonRequired = adminMsg("Give a reason: it is kept on the timeline and, where the law requires, sent to the person.",
		"Indiquez un motif\u00a0: il est conservé dans l’historique et, lorsque la loi l’exige, communiqué à la personne.")
	MsgBadMove = adminMsg("This status cannot follow the current one.",
		"Ce statut ne peut pas suivre le statut actuel.")
	MsgExtendTooLate = adminMsg("Too late to extend: the person must be told before the first month ends (art. 12(3) GDPR).",
		"Trop tard pour prolonger\u00a0: la personne doit en être informée avant la fin du premier mois (art. 12(3) du RGPD).")
	MsgAlreadyExtended = adminMsg("The deadline was already extended once: the law allows no second extension.",
		"Le délai a déjà été prolongé une fois\u00a0: la loi n’autorise pas de seconde prolongation.")
	MsgClosed = adminMsg("This request is already answered.",
		"Cette demande a déjà reçu une réponse.")
	MsgRectifyProblems = adminMsg("Some values were refused: nothing was changed.",
		"Certaines valeurs ont été refusées\u00a0: rien n’a été modifié.")
	MsgHeld = adminMsg("A legal hold keeps this person's data (art. 17(3)(e) GDPR): nothing was erased. Lift the hold first, or refuse the erasure with its reason.",
		"Un gel légal conserve les données de cette personne (art. 17(3)(e) du RGPD)\u00a0: rien n’a été effacé. Levez d’abord le gel, ou refusez l’effacement en indiquant le motif.")

	MsgHoldTarget = adminMsg("Give either a record id or the email address of a person we hold data about.",
		"Indiquez soit l’identifiant d’un dossier, soit l’adresse e-mail d’une personne dont nous détenons des données.")
	MsgHoldReason = adminMsg("Give the reason for the hold (at most 500 characters).",
		"Indiquez le motif du gel (500 caractères au plus).")
	MsgHoldEnd = adminMsg("Give an end date in the future (YYYY-MM-DD).",
		"Indiquez une date de fin à venir (AAAA-MM-JJ).")
	MsgEventEnd = adminMsg("Choose a purpose that counts from the end of an event, and a date (YYYY-MM-DD).",
		"Choisissez une finalité dont la durée court à compter de la fin d’un événement, et une date (AAAA-MM-JJ).")
)

var (
	loginRefused = adminMsg("Sign-in refused: check your email, password and code. After %d failures, each new try on an account from your address has to wait longer (%s, then twice as long each time, up to %s).",
		"Connexion refusée\u00a0: vérifiez votre adresse e-mail, votre mot de passe et votre code. Après %d échecs, chaque nouvel essai sur un compte depuis votre adresse doit attendre plus longtemps (%s, puis deux fois plus à chaque fois, jusqu’à %s).")
	loginTooMany = adminMsg("Too many failed sign-ins from your network. Please wait %s and try again.",
		"Trop de connexions échouées depuis votre réseau. Veuillez patienter %s avant de réessayer.")
	passwordRefused = adminMsg("Your current password is wrong, or the new one is shorter than %d characters or the same as the current one. Wrong current passwords count like failed sign-ins.",
		"Votre mot de passe actuel est erroné, ou le nouveau compte moins de %d caractères ou est identique à l’actuel. Un mot de passe actuel erroné compte comme une connexion échouée.")
	welcomeWeakPassword = adminMsg("Choose a password of at least %d characters (and at most 128).",
		"Choisissez un mot de passe d’au moins %d caractères (et d’au plus 128).")
	passwordTooMany = adminMsg("Too many wrong passwords from your address: wait up to %s before trying again.",
		"Trop de mots de passe erronés depuis votre adresse\u00a0: patientez jusqu’à %s avant de réessayer.")
)

// Sign-in messages: the numbers come from the policy the code enforces.

// LoginRefused is the one message of every refused sign-in.
func LoginRefused(ctx context.Context) string {
	return loginRefused.F(ctx, policy.Limits.LoginFreeFailures, PeriodText(ctx, policy.Durations.LoginBackoff),
		PeriodText(ctx, policy.Durations.Lockout))
}

// LoginTooMany refuses an address past the per-address limit.
func LoginTooMany(ctx context.Context) string {
	return loginTooMany.F(ctx, PeriodText(ctx, policy.Durations.Lockout))
}

// PasswordRefused refuses a password change.
func PasswordRefused(ctx context.Context) string {
	return passwordRefused.F(ctx, policy.Limits.MinPasswordLength)
}

// WelcomeWeakPassword refuses a first password outside the policy.
func WelcomeWeakPassword(ctx context.Context) string {
	return welcomeWeakPassword.F(ctx, policy.Limits.MinPasswordLength)
}

// PasswordTooMany refuses a password change from an address that must wait.
func PasswordTooMany(ctx context.Context) string {
	return passwordTooMany.F(ctx, PeriodText(ctx, policy.Durations.Lockout))
}

var periodUnits = [2][4][2]string{
	{{"month", "months"}, {"day", "days"}, {"hour", "hours"}, {"minute", "minutes"}},
	{{"mois", "mois"}, {"jour", "jours"}, {"heure", "heures"}, {"minute", "minutes"}},
}

// PeriodText says a period in words in ctx's language: "15 minutes",
// "6 mois et 2 jours".
func PeriodText(ctx context.Context, p policy.Period) string {
	l, and := 0, " and "
	if i18n.From(ctx) == i18n.FR {
		l, and = 1, " et "
	}
	var parts []string
	for i, n := range []int{p.Months, p.Days, p.Hours, p.Minutes} {
		switch {
		case n == 1:
			parts = append(parts, "1\u00a0"+periodUnits[l][i][0])
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d\u00a0%s", n, periodUnits[l][i][1]))
		}
	}
	return strings.Join(parts, and)
}

// Layout and shared back-office words.
var (
	txtBackOffice     = adminMsg("%s back-office", "Espace interne %s")
	txtSkipToMain     = adminMsg("Skip to main content", "Aller au contenu principal")
	txtNavBackOffice  = adminMsg("Back-office", "Espace interne")
	txtSignOut        = adminMsg("Sign out", "Se déconnecter")
	txtLanguage       = adminMsg("Language of the back-office", "Langue de l’espace interne")
	txtError          = adminMsg("Error %d", "Erreur %d")
	txtBackOfficeHome = adminMsg("Back-office home", "Accueil de l’espace interne")
)

// Sign-in, password and invitation pages.
var (
	txtEmailAddress      = adminMsg("Email address", "Adresse e-mail")
	txtPassword          = adminMsg("Password", "Mot de passe")
	txtAuthCode          = adminMsg("Code from your authenticator app", "Code de votre application d’authentification")
	txtSignIn            = adminMsg("Sign in", "Se connecter")
	txtChooseNewPassword = adminMsg("Choose a new password: at least %d characters.", "Choisissez un nouveau mot de passe\u00a0: %d caractères au moins.")
	txtCurrentPassword   = adminMsg("Current password", "Mot de passe actuel")
	txtNewPassword       = adminMsg("New password", "Nouveau mot de passe")
	txtSavePassword      = adminMsg("Save my password", "Enregistrer mon mot de passe")
	txtInvitationInvalid = adminMsg("This invitation link is not valid: it has expired, was already used or was replaced by a newer one. Ask an administrator to send you a new invitation.",
		"Ce lien d’invitation n’est pas valable\u00a0: il a expiré, a déjà servi ou a été remplacé par un plus récent. Demandez à un administrateur de vous envoyer une nouvelle invitation.")
	txtAccountReady = adminMsg("Your account is ready.", "Votre compte est prêt.")
	txtWelcomeIntro = adminMsg("Welcome, %s (%s). Choose your password and add the account to your authenticator app; this link works once.",
		"Bienvenue, %s (%s). Choisissez votre mot de passe et ajoutez le compte à votre application d’authentification\u00a0; ce lien ne fonctionne qu’une fois.")
	txtYourPassword      = adminMsg("Your password (at least %d characters)", "Votre mot de passe (%d caractères au moins)")
	txtYourAuthenticator = adminMsg("Your authenticator", "Votre application d’authentification")
	txtScanCode          = adminMsg("Scan this code with your authenticator app, or type the key below into it.",
		"Scannez ce code avec votre application d’authentification, ou saisissez-y la clé ci-dessous.")
	txtQRAlt        = adminMsg("QR code to add the account to an authenticator app", "QR code pour ajouter le compte à une application d’authentification")
	txtManualKey    = adminMsg("Key for manual entry:", "Clé à saisir manuellement\u00a0:")
	txtCodeNow      = adminMsg("The code your app now shows", "Le code qu’affiche maintenant votre application")
	txtSetUpAccount = adminMsg("Set up my account", "Activer mon compte")
)

// Home, records list and record page.
var (
	txtYourPurposes     = adminMsg("Your purposes", "Vos finalités")
	txtNRecords         = adminMsg("%d records", "%d dossiers")
	txtReviewLog        = adminMsg("Review the access log", "Consulter le journal des accès")
	txtManageStaff      = adminMsg("Manage staff accounts", "Gérer les comptes du personnel")
	txtNoRecordsForRole = adminMsg("Your role gives access to no records.", "Votre rôle ne donne accès à aucun dossier.")
	txtStatus           = adminMsg("Status", "Statut")
	txtAny              = adminMsg("Any", "Tous")
	txtReceivedFrom     = adminMsg("Received from", "Reçu à partir du")
	txtReceivedUntil    = adminMsg("Received until", "Reçu jusqu’au")
	txtExactEmail       = adminMsg("Exact email", "Adresse e-mail exacte")
	txtFilter           = adminMsg("Filter", "Filtrer")
	txtExportCSV        = adminMsg("Export CSV", "Exporter en CSV")
	txtRecordsCaption   = adminMsg("Records, newest first (values masked)", "Dossiers, du plus récent au plus ancien (valeurs masquées)")
	txtReceived         = adminMsg("Received", "Reçu le")
	txtOpen             = adminMsg("Open", "Ouvrir")
	txtRestricted       = adminMsg("restricted", "limité")
	txtNoRecordMatches  = adminMsg("No record matches.", "Aucun dossier ne correspond.")
	txtOlderRecords     = adminMsg("Older records", "Dossiers plus anciens")
	txtSaved            = adminMsg("Saved.", "Enregistré.")
	txtRestrictedRecord = adminMsg("Processing of this record is restricted (GDPR art. 18): it may be stored, not used.",
		"Le traitement de ce dossier est limité (art. 18 du RGPD)\u00a0: il peut être conservé, mais pas utilisé.")
	txtLastContact   = adminMsg("Last contact", "Dernier contact")
	txtDeletedOn     = adminMsg("Deleted on", "Supprimé le")
	txtNote          = adminMsg("Note", "Note")
	txtFiles         = adminMsg("Files", "Fichiers")
	txtBytes         = adminMsg("%d bytes", "%d octets")
	txtDestroyOn     = adminMsg("Choosing %s destroys the record and its files at once.", "Choisir %s détruit immédiatement le dossier et ses fichiers.")
	txtChangeStatus  = adminMsg("Change status", "Changer le statut")
	txtSaveNote      = adminMsg("Save the note", "Enregistrer la note")
	txtContactedHelp = adminMsg("Record that we were in touch today; the retention period counts from the last contact.",
		"Indiquer que nous avons été en contact aujourd’hui\u00a0; la durée de conservation court à compter du dernier contact.")
	txtMarkContacted = adminMsg("Mark contacted", "Marquer comme contacté")
)

// The access log.
var (
	txtChainStatus = adminMsg("Chain status", "État de la chaîne")
	// The panels are recomputed in the background: the page says how old
	// they may be.
	txtPanelsComputed = adminMsg("The chain status, the anomalies and the chart were computed on",
		"L’état de la chaîne, les anomalies et le graphique ont été calculés le")
	txtPanelsRefresh = adminMsg("They are recomputed in the background, at most once a minute.",
		"Ils sont recalculés en arrière-plan, au plus une fois par minute.")
	txtChainIntact = adminMsg("Intact: the last %d events of each chain verify (%d checked). Run",
		"Intacte\u00a0: les %d derniers événements de chaque chaîne sont vérifiés (%d contrôlés). Lancez")
	txtChainWhole     = adminMsg("for the whole log.", "pour vérifier tout le journal.")
	txtChainBroken    = adminMsg("Broken link in chain %d at event %d: %s.", "Maillon rompu dans la chaîne %d à l’événement %d\u00a0: %s.")
	txtAnomalies7     = adminMsg("Anomalies, last 7 days", "Anomalies des 7 derniers jours")
	txtAnomalies      = adminMsg("Anomalies", "Anomalies")
	txtNothingUnusual = adminMsg("Nothing unusual.", "Rien d’inhabituel.")
	txtWhat           = adminMsg("What", "Quoi")
	txtWho            = adminMsg("Who", "Qui")
	txtWhen           = adminMsg("When", "Quand")
	txtHowMany        = adminMsg("How many", "Combien")
	txtAccessesPerDay = adminMsg("Accesses per day and role, last 28 days", "Accès par jour et par rôle, sur les 28 derniers jours")
	txtEvents         = adminMsg("Events", "Événements")
	txtStaff          = adminMsg("Staff", "Membre du personnel")
	txtAnyone         = adminMsg("Anyone", "Tous")
	txtRole           = adminMsg("Role", "Rôle")
	txtAction         = adminMsg("Action", "Action")
	txtPurpose        = adminMsg("Purpose", "Finalité")
	txtSubjectEmail   = adminMsg("Subject email", "Adresse e-mail de la personne concernée")
	txtOutcome        = adminMsg("Outcome", "Résultat")
	txtFrom           = adminMsg("From", "Du")
	txtUntil          = adminMsg("Until", "Au")
	txtAccessEvents   = adminMsg("Access events", "Événements d’accès")
	txtNewestFirst    = adminMsg("Newest first", "Du plus récent au plus ancien")
	txtSubject        = adminMsg("Subject", "Personne concernée")
	txtIP             = adminMsg("IP", "IP")
	txtNoEventMatches = adminMsg("No event matches.", "Aucun événement ne correspond.")
	txtOlderEvents    = adminMsg("Older events", "Événements plus anciens")
	txtChartSummary   = adminMsg("%d accesses over the last %d days; busiest day %d.", "%d accès sur les %d derniers jours\u00a0; %d au plus fort d’une journée.")
)

var anomalyLabels = map[string]i18n.Msg{
	models.AnomalyBulkViews:       adminMsg("Many records viewed in one hour", "Nombreux dossiers consultés en une heure"),
	models.AnomalyOutOfHours:      adminMsg("Access outside 07:00–20:00", "Accès en dehors de 7 h – 20 h"),
	models.AnomalyDenied:          adminMsg("Denied attempts", "Tentatives refusées"),
	models.AnomalyRestrictedReads: adminMsg("Reads of restricted records", "Consultations de dossiers limités"),
}

var outcomeLabels = map[string]i18n.Msg{
	models.OutcomeOK:     adminMsg("ok", "réussi"),
	models.OutcomeDenied: adminMsg("denied", "refusé"),
	models.OutcomeFailed: adminMsg("failed", "échoué"),
}

// Staff accounts.
var (
	txtInvitationSent = adminMsg("Invitation emailed to %s, valid until %s. Its owner chooses their own password and enrols their authenticator with it; nobody else ever sees them.",
		"Invitation envoyée par e-mail à %s, valable jusqu’au %s. Son destinataire y choisit lui-même son mot de passe et enregistre son application d’authentification\u00a0; personne d’autre ne les voit jamais.")
	txtDPOTold           = adminMsg("This role sees personal data: the DPO has been told.", "Ce rôle donne accès à des données personnelles\u00a0: le DPO en a été informé.")
	txtName              = adminMsg("Name", "Nom")
	txtEmail             = adminMsg("Email", "E-mail")
	txtState             = adminMsg("State", "État")
	txtActions           = adminMsg("Actions", "Actions")
	txtDeactivated       = adminMsg("deactivated", "désactivé")
	txtInvited           = adminMsg("invited", "invité")
	txtActive            = adminMsg("active", "actif")
	txtRoleOf            = adminMsg("Role of %s", "Rôle de %s")
	txtChangeRole        = adminMsg("Change role", "Changer le rôle")
	txtSendNewInvitation = adminMsg("Send a new invitation", "Envoyer une nouvelle invitation")
	txtDeactivate        = adminMsg("Deactivate", "Désactiver")
	txtReactivate        = adminMsg("Reactivate", "Réactiver")
	txtNewAccount        = adminMsg("New account", "Nouveau compte")
	txtNewAccountHelp    = adminMsg("The new member receives an invitation by email and sets their own password and authenticator. Creating or re-roling an account that sees personal data is logged and notified to the DPO.",
		"Le nouveau membre reçoit une invitation par e-mail et choisit lui-même son mot de passe et son application d’authentification. La création d’un compte ou le changement de rôle qui donne accès à des données personnelles est journalisé et notifié au DPO.")
	txtCreate = adminMsg("Create", "Créer")
)

// Consent statistics.
var (
	txtStatsLead = adminMsg("Counts from the consent ledgers over the last %d days (UTC days). The same figures as",
		"Décomptes tirés des registres de consentement sur les %d derniers jours (jours UTC). Les mêmes chiffres que")
	txtBannerPerDay      = adminMsg("Cookie banner answers per day", "Réponses au bandeau cookies par jour")
	txtDay               = adminMsg("Day", "Jour")
	txtAnswers           = adminMsg("Answers", "Réponses")
	txtAcceptAll         = adminMsg("Accept all", "Tout accepter")
	txtRejectAll         = adminMsg("Reject all", "Tout refuser")
	txtCustom            = adminMsg("Custom", "Personnalisé")
	txtWithdrawals       = adminMsg("Withdrawals", "Retraits")
	txtNoCookieChoices   = adminMsg("No cookie choices in this period.", "Aucun choix de cookies sur cette période.")
	txtCategoriesGranted = adminMsg("Optional cookie categories granted", "Catégories de cookies facultatifs acceptées")
	txtCategory          = adminMsg("Category", "Catégorie")
	txtAnswersGranting   = adminMsg("Answers granting it", "Réponses qui l’acceptent")
	txtShareOfAnswers    = adminMsg("Share of answers", "Part des réponses")
	txtFormBoxes         = adminMsg("Consent boxes on the forms", "Cases de consentement des formulaires")
	txtNoFormConsents    = adminMsg("No form consents in this period.", "Aucun consentement recueilli par formulaire sur cette période.")
	txtKind              = adminMsg("Kind", "Type")
	txtTicked            = adminMsg("Ticked", "Cochées")
	txtUnticked          = adminMsg("Left unticked", "Laissées décochées")
	txtWithdrawnLater    = adminMsg("Withdrawn later", "Retirées ensuite")
	txtBannerSummary     = adminMsg("%d banner answers over the last %d days; busiest day %d.",
		"%d réponses au bandeau sur les %d derniers jours\u00a0; %d au plus fort d’une journée.")
)

// Retention.
var (
	txtHoldPlaced          = adminMsg("The hold is placed: the sweep skips what it names until its end date.", "Le gel est en place\u00a0: la purge épargne ce qu’il désigne jusqu’à sa date de fin.")
	txtHoldLifted          = adminMsg("The hold is lifted: the next run applies the retention rules again.", "Le gel est levé\u00a0: la prochaine purge applique de nouveau les règles de conservation.")
	txtEventSaved          = adminMsg("The end date is saved: the next run counts from it.", "La date de fin est enregistrée\u00a0: la prochaine purge compte à partir d’elle.")
	txtWhatRulesDelete     = adminMsg("What the rules delete", "Ce que les règles suppriment")
	txtDryRunLead          = adminMsg("A dry run as of now (nothing is deleted by this page). The daily run deletes what is due;", "Une simulation à l’instant présent (cette page ne supprime rien). La purge quotidienne supprime ce qui est échu\u00a0;")
	txtPreviewsAnyDay      = adminMsg("previews any day.", "simule n’importe quel jour.")
	txtRetentionPerPurpose = adminMsg("Retention per purpose", "Conservation par finalité")
	txtData                = adminMsg("Data", "Données")
	txtKept                = adminMsg("Kept", "Conservées")
	txtDueNow              = adminMsg("Due now", "Échues")
	txtDue30               = adminMsg("Due in the next 30 days", "Échues dans les 30 prochains jours")
	txtHeld                = adminMsg("Held", "Gelées")
	txtLegalHolds          = adminMsg("Legal holds", "Gels pour motif légal")
	txtNoHold              = adminMsg("No hold in force.", "Aucun gel en vigueur.")
	txtKeeps               = adminMsg("Keeps", "Conserve")
	txtReason              = adminMsg("Reason", "Motif")
	txtPlaced              = adminMsg("Placed", "Posé le")
	txtUntilCol            = adminMsg("Until", "Jusqu’au")
	txtLift                = adminMsg("Lift", "Lever")
	txtPlaceAHold          = adminMsg("Place a hold", "Poser un gel")
	txtRecordID            = adminMsg("Record id", "Identifiant du dossier")
	txtOrPersonEmail       = adminMsg("or the person's email address", "ou l’adresse e-mail de la personne")
	txtPlaceTheHold        = adminMsg("Place the hold", "Poser le gel")
	txtEndOfEvents         = adminMsg("End of events", "Fin des événements")
	txtLastDay             = adminMsg("%s: last day", "%s\u00a0: dernier jour")
	txtSave                = adminMsg("Save", "Enregistrer")
	txtLastRuns            = adminMsg("Last runs", "Dernières purges")
	txtNoRunYet            = adminMsg("No run yet.", "Aucune purge pour l’instant.")
	txtRun                 = adminMsg("Run", "Purge")
	txtStarted             = adminMsg("Started", "Début")
	txtEnded               = adminMsg("Ended", "Fin")
	txtBy                  = adminMsg("By", "Par")
	txtDeleted             = adminMsg("Deleted", "Supprimés")
	txtAnonymised          = adminMsg("Anonymised", "Anonymisés")
	txtErrors              = adminMsg("Errors", "Erreurs")
	txtRunsChained         = adminMsg("Each run is hash-chained to the previous one;", "Chaque purge est chaînée par empreinte à la précédente\u00a0;")
	txtChecksChain         = adminMsg("checks the chain.", "vérifie la chaîne.")
	txtUnconfirmed         = adminMsg("Unconfirmed sign-ups and requests", "Inscriptions et demandes non confirmées")
	txtUnconfirmedRule     = adminMsg("after the link's validity (%s)", "à l’expiration du lien (%s)")
	txtCookieProofs        = adminMsg("Proofs of cookie choices (connection data)", "Preuves des choix de cookies (données de connexion)")
	txtSentEmails          = adminMsg("Sent emails", "E-mails envoyés")
	txtSentEmailsRule      = adminMsg("sent: after %s; failed: after %s", "envoyés\u00a0: au bout de %s\u00a0; en échec\u00a0: au bout de %s")
	txtAccessLogRule       = adminMsg("after %s, leaving a signed checkpoint", "au bout de %s, en laissant un point de contrôle signé")
)

// Audiences, partner transmission and a person's consents.
var (
	txtAudienceLead = adminMsg("A list holds only the people whose consent to the box is current and who have not objected. Each export is logged with its criteria and count.",
		"Une liste ne comprend que les personnes dont le consentement à cette case est en cours et qui ne se sont pas opposées. Chaque export est journalisé avec ses critères et son effectif.")
	txtConsentBox  = adminMsg("Consent box", "Case de consentement")
	txtCount       = adminMsg("Count", "Compter")
	txtNPeople     = adminMsg("%d people: %s.", "%d personnes\u00a0: %s.")
	txtPartnerLead = adminMsg("Only the people whose consent to sharing with partners is current, and who have not objected. Each transmission is logged, naming its recipient.",
		"Seules les personnes dont le consentement à la transmission aux partenaires est en cours, et qui ne se sont pas opposées. Chaque transmission est journalisée et nomme son destinataire.")
	txtNoPartner = adminMsg("No partner is declared in the registry (deployment.partners): nothing can be transmitted.",
		"Aucun partenaire n’est déclaré dans le registre (deployment.partners)\u00a0: rien ne peut être transmis.")
	txtPartner            = adminMsg("Partner", "Partenaire")
	txtConsentsObjections = adminMsg("Consents and objections", "Consentements et oppositions")
	txtObjectedAll        = adminMsg("This person objected to all marketing on %s: they are left out of every list and export.",
		"Cette personne s’est opposée à toute prospection le %s\u00a0: elle est exclue de toutes les listes et de tous les exports.")
	txtNoChannelSince    = adminMsg("No %s since %s.", "Plus de %s depuis le %s.")
	txtConsentPerChannel = adminMsg("Current consent per channel", "Consentement en cours par canal")
	txtChannel           = adminMsg("Channel", "Canal")
	txtSince             = adminMsg("Since", "Depuis le")
	txtGiven             = adminMsg("given", "donné")
	txtNotGiven          = adminMsg("not given or withdrawn", "non donné ou retiré")
	txtNoConsentAny      = adminMsg("No consent to any channel.", "Aucun consentement, quel que soit le canal.")
	txtCallOptOutHelp    = adminMsg("The person said during a call that they want no more automated calls.",
		"La personne a indiqué lors d’un appel qu’elle ne veut plus recevoir d’appels automatisés.")
	txtRecordCallOptOut = adminMsg("Record the opt-out from automated calls", "Enregistrer le refus des appels automatisés")
)

// Rights requests.
var (
	txtRight              = adminMsg("Right", "Droit")
	txtOverdueOnly        = adminMsg("Overdue only", "En retard uniquement")
	txtNoRequestMatches   = adminMsg("No request matches.", "Aucune demande ne correspond.")
	txtDue                = adminMsg("Due", "Échéance")
	txtDaysLeft           = adminMsg("Days left", "Jours restants")
	txtNextPage           = adminMsg("Next page", "Page suivante")
	txtExtended           = adminMsg("extended", "prolongé")
	txtRightsCaseHeading  = adminMsg("Rights request: %s", "Demande d’exercice des droits\u00a0: %s")
	txtFromPerson         = adminMsg("From", "De")
	txtDetails            = adminMsg("Details", "Précisions")
	txtObjectionList      = adminMsg("Objection list", "Liste d’opposition")
	txtOnListSince        = adminMsg("On the list since %s", "Sur la liste depuis le %s")
	txtNotOnList          = adminMsg("Not on the list", "Absent de la liste")
	txtActOnRequest       = adminMsg("Act on the request", "Traiter la demande")
	txtNewStatus          = adminMsg("New status", "Nouveau statut")
	txtMessageToPerson    = adminMsg("Message to the person (answer)", "Message à la personne (réponse)")
	txtExtendTwoMonths    = adminMsg("Extend by two months", "Prolonger de deux mois")
	txtSendPackage        = adminMsg("Send the data package (access, portability)", "Envoyer le dossier de données (accès, portabilité)")
	txtEraseAll           = adminMsg("Erase every record and file", "Effacer tous les dossiers et fichiers")
	txtRestrictProcessing = adminMsg("Restrict processing", "Limiter le traitement")
	txtAddToObjectionList = adminMsg("Add to the objection list", "Inscrire sur la liste d’opposition")
	txtWithdrawChosen     = adminMsg("Withdraw the chosen consents", "Retirer les consentements choisis")
	txtConsentsGiven      = adminMsg("Consents given", "Consentements donnés")
	txtRecordDirective    = adminMsg("Record the directive", "Enregistrer la directive")
	txtPersonDesignated   = adminMsg("Person designated", "Personne désignée")
	txtInstructions       = adminMsg("Instructions", "Instructions")
	txtAskIdentity        = adminMsg("Ask for an identity document", "Demander un justificatif d’identité")
	txtLinkCookieProofs   = adminMsg("Link cookie-choice proofs", "Rattacher les preuves de choix de cookies")
	txtConsentIDLabel     = adminMsg("Consent id from the person's cookie preferences", "Identifiant de consentement tiré des préférences cookies de la personne")
	txtRecordsN           = adminMsg("Records (%d)", "Dossiers (%d)")
	txtRecordFacts        = adminMsg("From %s; created %s; last contact %s; kept until %s; status %s.",
		"Provenance\u00a0: %s\u00a0; créé le %s\u00a0; dernier contact le %s\u00a0; conservé jusqu’au %s\u00a0; statut\u00a0: %s.")
	txtRestrictedDot       = adminMsg("Restricted.", "Traitement limité.")
	txtObjectedProspecting = adminMsg("Objected to prospecting.", "Opposée à la prospection.")
	txtFilesList           = adminMsg("Files: %s", "Fichiers\u00a0: %s")
	txtLiftRestriction     = adminMsg("Lift the restriction", "Lever la limitation")
	txtRectify             = adminMsg("Rectify", "Rectifier")
	txtSaveCorrections     = adminMsg("Save the corrections", "Enregistrer les corrections")
	txtConsentHistory      = adminMsg("Consent history", "Historique des consentements")
	txtPolicyVersion       = adminMsg("policy %s", "politique %s")
	txtCookieChoiceProofs  = adminMsg("Cookie-choice proofs", "Preuves des choix de cookies")
	txtDirectives          = adminMsg("Post-mortem directives", "Directives post mortem")
	txtDesignated          = adminMsg("designated %s: %s", "personne désignée\u00a0: %s\u00a0; %s")
	txtRevokedOn           = adminMsg("Revoked %s.", "Révoquée le %s.")
	txtRevoke              = adminMsg("Revoke", "Révoquer")
	txtIdentityDocs        = adminMsg("Identity documents", "Justificatifs d’identité")
	txtAskedOn             = adminMsg("Asked %s.", "Demandé le %s.")
	txtReceivedDoc         = adminMsg("Received %s (%s, %d bytes).", "Reçu le %s (%s, %d octets).")
	txtDestroyedOn         = adminMsg("Destroyed %s.", "Détruit le %s.")
	txtKeptSince           = adminMsg("Kept as evidence since %s.", "Conservé comme preuve depuis le %s.")
	txtOpenDocument        = adminMsg("Open the document", "Ouvrir le document")
	txtIdentityChecked     = adminMsg("Identity checked: resume", "Identité vérifiée\u00a0: reprendre")
	txtKeepEvidence        = adminMsg("Keep one copy as evidence", "Conserver une copie comme preuve")
	txtEarlierRequests     = adminMsg("Earlier requests", "Demandes antérieures")
	txtReceivedOnStatus    = adminMsg("received %s: %s", "reçue le %s\u00a0: %s")
	txtTimeline            = adminMsg("Timeline", "Historique")
	txtWithdrawnOrRefused  = adminMsg("withdrawn or refused", "retiré ou refusé")
	txtClockStopped        = adminMsg("clock stopped", "délai suspendu")
	txtOverdueBy           = adminMsg("overdue by %d days", "en retard de %d jours")
	txtNDays               = adminMsg("%d days", "%d jours")
)

var rightsStatusLabels = map[string]i18n.Msg{
	policy.RightsReceived:         adminMsg("Received", "Reçue"),
	policy.RightsInProgress:       adminMsg("In progress", "En cours"),
	policy.RightsWaitingForPerson: adminMsg("Waiting for the person (clock stopped)", "En attente de la personne (délai suspendu)"),
	policy.RightsDone:             adminMsg("Answered", "Traitée"),
	policy.RightsRefused:          adminMsg("Refused", "Refusée"),
}

var actionLabels = map[string]i18n.Msg{
	models.ActionList:             adminMsg("list", "liste"),
	models.ActionView:             adminMsg("view", "consultation"),
	models.ActionDownload:         adminMsg("download", "téléchargement"),
	models.ActionExport:           adminMsg("export", "export"),
	models.ActionUpdate:           adminMsg("update", "modification"),
	models.ActionErase:            adminMsg("erase", "effacement"),
	models.ActionLogin:            adminMsg("sign-in", "connexion"),
	models.ActionLoginFailed:      adminMsg("failed sign-in", "connexion échouée"),
	models.ActionLogout:           adminMsg("sign-out", "déconnexion"),
	models.ActionDenied:           adminMsg("denied", "refusé"),
	models.ActionReadLog:          adminMsg("log read", "lecture du journal"),
	models.ActionStaffAdmin:       adminMsg("staff account change", "modification de compte"),
	models.ActionReadROPA:         adminMsg("record of processing read", "lecture du registre"),
	models.ActionReadConsentStats: adminMsg("consent statistics read", "lecture des statistiques"),
	models.ActionPolicyNotice:     adminMsg("policy change notice", "avis de modification de la politique"),
	models.ActionContacted:        adminMsg("contact recorded", "contact enregistré"),
	models.ActionHold:             adminMsg("hold placed", "gel posé"),
	models.ActionLiftHold:         adminMsg("hold lifted", "gel levé"),
	models.ActionTransfer:         adminMsg("partner transmission", "transmission à un partenaire"),
}

// rightsEventLabels name the steps of a rights request's timeline.
var rightsEventLabels = map[string]i18n.Msg{
	models.EventMoved:          adminMsg("status changed", "statut modifié"),
	models.EventExtended:       adminMsg("deadline extended", "délai prolongé"),
	models.EventViewed:         adminMsg("request viewed", "demande consultée"),
	models.EventPackageSent:    adminMsg("data package sent", "dossier de données envoyé"),
	models.EventRectified:      adminMsg("data corrected", "données rectifiées"),
	models.EventErased:         adminMsg("data erased", "données effacées"),
	models.EventRestricted:     adminMsg("use restricted", "utilisation limitée"),
	models.EventRestrictLifted: adminMsg("restriction lifted", "limitation levée"),
	models.EventObjected:       adminMsg("objection recorded", "opposition enregistrée"),
	models.EventWithdrawn:      adminMsg("consent withdrawn", "consentement retiré"),
	models.EventDirective:      adminMsg("post-mortem directive recorded", "directive post-mortem enregistrée"),
	models.EventDirectiveEnd:   adminMsg("post-mortem directive revoked", "directive post-mortem révoquée"),
	models.EventIDAsked:        adminMsg("identity document asked for", "justificatif d’identité demandé"),
	models.EventIDReceived:     adminMsg("identity document received", "justificatif d’identité reçu"),
	models.EventIDChecked:      adminMsg("identity checked", "identité vérifiée"),
	models.EventIDDestroyed:    adminMsg("identity document destroyed", "justificatif d’identité détruit"),
	models.EventIDKept:         adminMsg("identity document kept as evidence", "justificatif d’identité conservé comme preuve"),
	models.EventPackageUsed:    adminMsg("data package downloaded", "dossier de données téléchargé"),
	models.EventCookieLinked:   adminMsg("cookie-choice proof linked", "preuve de choix de cookies rattachée"),
	models.EventAnswered:       adminMsg("answer sent", "réponse envoyée"),
}

// EventLabel is the DPO's wording of a timeline step; an unknown step shows
// its code rather than nothing.
func EventLabel(ctx context.Context, kind string) string {
	return labelIn(ctx, rightsEventLabels, kind)
}
