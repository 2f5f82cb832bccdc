package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// Facts of the registry said in words, in both languages: the legal bases,
// the retention rules, the periods and the dates the policy pages show.

// basisTexts says each art. 6(1) ground in plain words.
var basisTexts = map[policy.LegalBasis]policy.Text{
	policy.BasisConsent:     policy.T("Your consent", "Votre consentement"),
	policy.BasisPreContract: policy.T("Steps before a contract, at your request", "Des mesures précontractuelles prises à votre demande"),
	policy.BasisContract:    policy.T("Performance of a contract with you", "L’exécution d’un contrat conclu avec vous"),
	policy.BasisLegal:       policy.T("A legal obligation", "Une obligation légale"),
	policy.BasisLegitimate:  policy.T("Our legitimate interests", "Notre intérêt légitime"),
}

// basisText is a legal basis in plain words. An unknown basis is shown as
// it is written in the registry rather than hidden.
func basisText(b policy.LegalBasis) policy.Text {
	if t, ok := basisTexts[b]; ok {
		return t
	}
	return policy.T(string(b), string(b))
}

// statusTexts names, in French, the statuses a retention rule may destroy a
// record on (destroy_on); the English is the key itself.
var statusTexts = map[string]string{"unsuccessful": "non retenu"}

// RetentionText is a retention rule in one sentence, composed from the rule
// itself (period, start, early end, destruction on a status, action), so the
// page says what the retention sweep does (art. 13(2)(a)).
func RetentionText(r policy.Retention) policy.Text {
	var en, fr []string
	for _, u := range []struct {
		n              int
		en, fr, frMany string
	}{{r.Years, "year", "an", "ans"}, {r.Months, "month", "mois", "mois"}, {r.Days, "day", "jour", "jours"}} {
		switch {
		case u.n == 1:
			en, fr = append(en, "1 "+u.en), append(fr, "1 "+u.fr)
		case u.n > 1:
			en, fr = append(en, fmt.Sprintf("%d %ss", u.n, u.en)), append(fr, fmt.Sprintf("%d %s", u.n, u.frMany))
		}
	}
	if len(en) == 0 {
		return policy.Text{}
	}
	e, f := joinAnd(en), joinWith(fr, " et ")
	switch r.From {
	case policy.FromLastContact:
		e += " from our last contact with you"
		f += " à compter de notre dernier contact avec vous"
	case policy.FromCreated:
		e += " from the day we receive it"
		f += " à compter de leur réception"
	case policy.FromEventEnd:
		e += " from the end of the event or from our last contact with you"
		f += " à compter de la fin de l’événement ou de notre dernier contact avec vous"
	}
	if r.UntilWithdrawn {
		e = "until you withdraw your consent, and at most " + e
		f = "jusqu’au retrait de votre consentement, et au plus " + f
	} else {
		e = "for " + e
		f = "pendant " + f
	}
	thenEN, thenFR := "we delete it", "nous les supprimons"
	if r.Action == "anonymise" {
		thenEN, thenFR = "we make it anonymous", "nous les anonymisons"
	}
	if len(r.DestroyOn) == 0 {
		return policy.T(fmt.Sprintf("We keep it %s, then %s.", e, thenEN),
			fmt.Sprintf("Nous les conservons %s, puis %s.", f, thenFR))
	}
	var stEN, stFR []string
	for _, st := range r.DestroyOn {
		stEN = append(stEN, strings.ReplaceAll(st, "_", " "))
		if s, ok := statusTexts[st]; ok {
			st = s
		}
		stFR = append(stFR, "«\u00a0"+strings.ReplaceAll(st, "_", " ")+"\u00a0»")
	}
	return policy.T(
		fmt.Sprintf("If it is marked %s, we delete it at once; otherwise we keep it %s, then %s.", strings.Join(stEN, " or "), e, thenEN),
		fmt.Sprintf("Nous les supprimons dès que le dossier passe au statut %s\u202f; sinon nous les conservons %s, puis %s.",
			strings.Join(stFR, " ou "), f, thenFR))
}

// joinWith joins words as a sentence does with the given last separator.
func joinWith(words []string, and string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + and + words[len(words)-1]
}

// policyDate writes a registry date (YYYY-MM-DD) in ctx's language, "1 Nov
// 2026" or "1 nov. 2026"; a date in any other form is shown as written.
func policyDate(ctx context.Context, s string) string {
	t, err := time.ParseInLocation(time.DateOnly, s, i18n.Zone(ctx))
	if err != nil {
		return s
	}
	return i18n.Date(ctx, t)
}

// texts gives each text of ts in ctx's language.
func texts(ctx context.Context, ts []policy.Text) []string { return policy.Texts(ts, i18n.From(ctx)) }

// yesNoText says a yes-or-no fact.
func yesNoText(b bool) i18n.Msg {
	if b {
		return msgYes
	}
	return msgNo
}

var (
	msgYes = i18n.New("Yes", "Oui")
	msgNo  = i18n.New("No", "Non")
)

// The sentences of the policy history pages.
var (
	msgVersionsLead = i18n.New("Each version of our privacy policy, when it took effect and what changed. A material change is one that affects what we do with your data: we then ask for your cookie choice again and tell the people whose data we hold by email.",
		"Chaque version de notre politique de confidentialité, sa date d’entrée en vigueur et ce qui a changé. Une modification substantielle est une modification qui touche à ce que nous faisons de vos données : nous vous redemandons alors vos choix en matière de cookies et en informons par e-mail les personnes dont nous détenons des données.")
	msgMaterial       = i18n.New("A material change.", "Une modification substantielle.")
	msgReadCurrent    = i18n.New("Read this version (the current one)", "Lire cette version (la version en vigueur)")
	msgReadThis       = i18n.New("Read this version", "Lire cette version")
	msgChangedFrom    = i18n.New("What changed from version %s", "Les modifications depuis la version %s")
	msgPastNotice     = i18n.New("This is version %s of our privacy policy, in force from", "Ceci est la version %s de notre politique de confidentialité, en vigueur à compter du")
	msgPastReplaced   = i18n.New("It has been replaced:", "Elle a été remplacée :")
	msgReadCurrentV   = i18n.New("read the current version (%s)", "lire la version en vigueur (%s)")
	msgSeeEvery       = i18n.New("see every version", "voir toutes les versions")
	msgFromTo         = i18n.New("From version %s", "De la version %s")
	msgToVersion      = i18n.New("to version %s", "à la version %s")
	msgNoFactChanged  = i18n.New("No fact of the policy changed: only its wording did.", "Aucun fait de la politique n’a changé : seule sa rédaction a évolué.")
	msgChanges        = i18n.New("Changes", "Modifications")
	msgColWhat        = i18n.New("What", "Objet")
	msgColWhich       = i18n.New("Which", "Élément")
	msgColBefore      = i18n.New("Before", "Avant")
	msgColNow         = i18n.New("Now", "Désormais")
	msgEveryVersionOf = i18n.New("Every version", "Toutes les versions")
)
