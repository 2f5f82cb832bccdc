package views

import (
	"context"
	"slices"
	"strings"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// Titles and sentences of the policy history pages.
var (
	TitlePolicyVersions = i18n.New("Versions of the privacy policy", "Versions de la politique de confidentialité")
	DescPolicyVersions  = i18n.New("Every version of Alegria.tech's privacy policy, when it took effect, and what changed from one to the next.",
		"Chaque version de la politique de confidentialité d’Alegria.tech, sa date d’entrée en vigueur et ce qui a changé d’une version à l’autre.")
	TitlePolicyChanges = i18n.New("What changed in the privacy policy", "Les modifications de la politique de confidentialité")
	notInVersion       = i18n.New("Not in this version", "Absent de cette version")
)

// PolicyChange is one fact of the policy that differs between two versions.
type PolicyChange struct {
	Area   policy.Text // what kind of fact: a purpose, a cookie, the recipients…
	What   policy.Text // which one: the purpose's title, the cookie's name…
	Field  policy.Text // which of its facts
	Before policy.Text // empty when the fact is new
	After  policy.Text // empty when the fact was removed
}

// PolicyVersionsView lists the published versions, newest first.
type PolicyVersionsView struct {
	Current  string
	Versions []policy.PolicyVersion
	Previous map[string]string // version → the one before it
}

// PolicyChangesView is the structured difference between two versions.
type PolicyChangesView struct {
	From, To policy.PolicyVersion
	Changes  []PolicyChange
}

// DiffPolicies lists the facts that differ from old to cur: purposes
// (description, legal basis, data, retention), recipients, transfers,
// security, the connection data's retention, the controller and DPO, and
// cookies. Sentences of the page that are not facts are not compared.
func DiffPolicies(old, cur *policy.Registry) []PolicyChange {
	var out []PolicyChange
	add := func(area, what, field, before, after policy.Text) {
		if before != after {
			out = append(out, PolicyChange{Area: area, What: what, Field: field, Before: before, After: after})
		}
	}
	same := func(s string) policy.Text { return policy.T(s, s) }
	list := func(ts []policy.Text) policy.Text {
		return policy.T(strings.Join(policy.Texts(ts, i18n.EN), "; "), strings.Join(policy.Texts(ts, i18n.FR), "\u202f; "))
	}
	names := func(s []string) policy.Text { return same(strings.Join(s, ", ")) }
	bases := func(p *policy.Purpose) policy.Text {
		var s []policy.Text
		for _, b := range p.Bases {
			s = append(s, basisText(b))
		}
		return list(s)
	}

	ctrl := same(old.Controller.Name)
	add(areaController, ctrl, fieldAddress, same(old.Controller.Address), same(cur.Controller.Address))
	add(areaController, ctrl, fieldName, same(old.Controller.Name), same(cur.Controller.Name))
	add(areaDPO, policy.Text{}, fieldEmail, same(old.DPO.Email), same(cur.DPO.Email))

	for _, p := range old.Purposes {
		if _, ok := cur.Purpose(p.Key); !ok {
			add(areaPurpose, p.Title, fieldPurpose, p.Description, policy.Text{})
		}
	}
	for i := range cur.Purposes {
		p := &cur.Purposes[i]
		o, ok := old.Purpose(p.Key)
		if !ok {
			add(areaPurpose, p.Title, fieldPurpose, policy.Text{}, p.Description)
			continue
		}
		add(areaPurpose, p.Title, fieldPurpose, o.Description, p.Description)
		add(areaPurpose, p.Title, fieldBasis, bases(o), bases(p))
		add(areaPurpose, p.Title, fieldData, list(o.DataKinds), list(p.DataKinds))
		add(areaRetention, p.Title, fieldHowLong, RetentionText(o.Retention), RetentionText(p.Retention))
	}
	add(areaRetention, whatConnection, fieldHowLong,
		RetentionText(old.ConnectionData.Retention), RetentionText(cur.ConnectionData.Retention))

	rc, oc := cur.Recipients, old.Recipients
	add(areaRecipients, whatInternal, fieldWhoSees, oc.Internal, rc.Internal)
	added, removed := setDiff(oc.Processors, rc.Processors)
	add(areaRecipients, whatProcessors, fieldAdded, policy.Text{}, names(added))
	add(areaRecipients, whatProcessors, fieldRemoved, names(removed), policy.Text{})
	add(areaRecipients, whatPartners, fieldPartnerForms,
		purposeTitles(old, oc.Partners.Purposes), purposeTitles(cur, rc.Partners.Purposes))
	add(areaRecipients, whatAuthorities, fieldWhen, list(oc.Authorities), list(rc.Authorities))
	add(areaTransfers, whatOutsideEEA, fieldSafeguards, transfers(old), transfers(cur))
	add(areaSecurity, policy.Text{}, fieldMeasures, list(old.Security), list(cur.Security))

	oldCookies, curCookies := cookiesByName(old), cookiesByName(cur)
	for _, name := range sortedKeys(oldCookies) {
		if _, ok := curCookies[name]; !ok {
			add(areaCookies, same(name), fieldCookie, oldCookies[name], policy.Text{})
		}
	}
	for _, name := range sortedKeys(curCookies) {
		add(areaCookies, same(name), fieldCookie, oldCookies[name], curCookies[name])
	}
	return out
}

// The names of the facts the diff compares, in both languages.
var (
	areaController    = policy.T("Controller", "Responsable du traitement")
	areaDPO           = policy.T("Data Protection Officer", "Délégué à la protection des données (DPO)")
	areaPurpose       = policy.T("Purpose", "Finalité")
	areaRetention     = policy.T("Retention", "Conservation")
	areaRecipients    = policy.T("Recipients", "Destinataires")
	areaTransfers     = policy.T("Transfers", "Transferts")
	areaSecurity      = policy.T("Security", "Sécurité")
	areaCookies       = policy.T("Cookies", "Cookies")
	fieldAddress      = policy.T("Address", "Adresse")
	fieldName         = policy.T("Name", "Nom")
	fieldEmail        = policy.T("Email", "E-mail")
	fieldPurpose      = policy.T("Purpose", "Finalité")
	fieldBasis        = policy.T("Legal basis", "Base légale")
	fieldData         = policy.T("Data collected", "Données collectées")
	fieldHowLong      = policy.T("How long we keep it", "Durée de conservation")
	fieldWhoSees      = policy.T("Who sees it", "Qui y a accès")
	fieldAdded        = policy.T("Added", "Ajoutés")
	fieldRemoved      = policy.T("Removed", "Retirés")
	fieldPartnerForms = policy.T("Forms whose data partners may receive", "Formulaires dont les données peuvent être transmises aux partenaires")
	fieldWhen         = policy.T("When", "Dans quels cas")
	fieldSafeguards   = policy.T("Safeguards", "Garanties")
	fieldMeasures     = policy.T("Measures", "Mesures")
	fieldCookie       = policy.T("Cookie", "Cookie")
	whatConnection    = policy.T("Connection data", "Données de connexion")
	whatInternal      = policy.T("Internal", "En interne")
	whatProcessors    = policy.T("Processors", "Sous-traitants")
	whatPartners      = policy.T("Partners", "Partenaires")
	whatAuthorities   = policy.T("Authorities", "Autorités")
	whatOutsideEEA    = policy.T("Outside the European Economic Area", "Hors de l’Espace économique européen")
)

func transfers(r *policy.Registry) policy.Text {
	if !r.Transfers.OutsideEEA {
		return msgNoTransfer
	}
	return policy.T(strings.Join(policy.Texts(r.Transfers.Safeguards, i18n.EN), " "), strings.Join(policy.Texts(r.Transfers.Safeguards, i18n.FR), " "))
}

func purposeTitles(r *policy.Registry, keys []string) policy.Text {
	var en, fr []string
	for _, k := range keys {
		if p, ok := r.Purpose(k); ok {
			en, fr = append(en, p.Title.EN), append(fr, p.Title.FR)
		}
	}
	return policy.T(strings.Join(en, "; "), strings.Join(fr, "\u202f; "))
}

// cookiesByName describes each cookie by its category, provider, purpose
// and lifetime: a change of any of them shows.
func cookiesByName(r *policy.Registry) map[string]policy.Text {
	out := map[string]policy.Text{}
	for _, cat := range r.Cookies {
		for _, c := range cat.Cookies {
			lt := c.LifetimeText()
			out[c.Name] = policy.T(cat.Title.EN+": "+c.Purpose.EN+" ("+c.Provider.EN+"; "+lt.EN+")",
				cat.Title.FR+"\u00a0: "+c.Purpose.FR+" ("+c.Provider.FR+"\u202f; "+lt.FR+")")
		}
	}
	return out
}

func sortedKeys(m map[string]policy.Text) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// setDiff says what is in b and not in a, and in a and not in b.
func setDiff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func orNotInVersion(ctx context.Context, t policy.Text) string {
	if t.IsZero() {
		return notInVersion.In(ctx)
	}
	return t.In(ctx)
}
