package views

import (
	"slices"
	"strings"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// Titles and sentences of the policy history pages.
const (
	TitlePolicyVersions = "Versions of the privacy policy"
	DescPolicyVersions  = "Every version of Alegria.tech's privacy policy, when it took effect, and what changed from one to the next."
	TitlePolicyChanges  = "What changed in the privacy policy"
	notInVersion        = "Not in this version"
)

// PolicyChange is one fact of the policy that differs between two versions.
type PolicyChange struct {
	Area   string // what kind of fact: a purpose, a cookie, the recipients…
	What   string // which one: the purpose's title, the cookie's name…
	Field  string // which of its facts
	Before string // "" when the fact is new
	After  string // "" when the fact was removed
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
	add := func(area, what, field, before, after string) {
		if before != after {
			out = append(out, PolicyChange{Area: area, What: what, Field: field, Before: before, After: after})
		}
	}
	list := func(s []string) string { return strings.Join(s, "; ") }
	texts := func(ts []policy.Text) string { return list(policy.Texts(ts, i18n.EN)) }
	bases := func(p *policy.Purpose) string {
		var s []string
		for _, b := range p.Bases {
			s = append(s, BasisLabel(b))
		}
		return list(s)
	}

	add("Controller", old.Controller.Name, "Address", old.Controller.Address, cur.Controller.Address)
	add("Controller", old.Controller.Name, "Name", old.Controller.Name, cur.Controller.Name)
	add("Data Protection Officer", "", "Email", old.DPO.Email, cur.DPO.Email)

	for _, p := range old.Purposes {
		if _, ok := cur.Purpose(p.Key); !ok {
			add("Purpose", p.Title.EN, "Purpose", p.Description.EN, "")
		}
	}
	for i := range cur.Purposes {
		p := &cur.Purposes[i]
		o, ok := old.Purpose(p.Key)
		if !ok {
			add("Purpose", p.Title.EN, "Purpose", "", p.Description.EN)
			continue
		}
		add("Purpose", p.Title.EN, "Purpose", o.Description.EN, p.Description.EN)
		add("Purpose", p.Title.EN, "Legal basis", bases(o), bases(p))
		add("Purpose", p.Title.EN, "Data collected", texts(o.DataKinds), texts(p.DataKinds))
		add("Retention", p.Title.EN, "How long we keep it", RetentionText(o.Retention), RetentionText(p.Retention))
	}
	add("Retention", "Connection data", "How long we keep it",
		RetentionText(old.ConnectionData.Retention), RetentionText(cur.ConnectionData.Retention))

	rc, oc := cur.Recipients, old.Recipients
	add("Recipients", "Internal", "Who sees it", oc.Internal.EN, rc.Internal.EN)
	added, removed := setDiff(oc.Processors, rc.Processors)
	add("Recipients", "Processors", "Added", "", list(added))
	add("Recipients", "Processors", "Removed", list(removed), "")
	add("Recipients", "Partners", "Forms whose data partners may receive",
		purposeTitles(old, oc.Partners.Purposes), purposeTitles(cur, rc.Partners.Purposes))
	add("Recipients", "Authorities", "When", texts(oc.Authorities), texts(rc.Authorities))
	add("Transfers", "Outside the European Economic Area", "Safeguards", transfers(old), transfers(cur))
	add("Security", "", "Measures", texts(old.Security), texts(cur.Security))

	oldCookies, curCookies := cookiesByName(old), cookiesByName(cur)
	for _, name := range sortedKeys(oldCookies) {
		if _, ok := curCookies[name]; !ok {
			add("Cookies", name, "Cookie", oldCookies[name], "")
		}
	}
	for _, name := range sortedKeys(curCookies) {
		add("Cookies", name, "Cookie", oldCookies[name], curCookies[name])
	}
	return out
}

func transfers(r *policy.Registry) string {
	if !r.Transfers.OutsideEEA {
		return noTransfer
	}
	return strings.Join(policy.Texts(r.Transfers.Safeguards, i18n.EN), " ")
}

func purposeTitles(r *policy.Registry, keys []string) string {
	var s []string
	for _, k := range keys {
		if p, ok := r.Purpose(k); ok {
			s = append(s, p.Title.EN)
		}
	}
	return strings.Join(s, "; ")
}

// cookiesByName describes each cookie by its category, provider, purpose
// and lifetime: a change of any of them shows.
func cookiesByName(r *policy.Registry) map[string]string {
	out := map[string]string{}
	for _, cat := range r.Cookies {
		for _, c := range cat.Cookies {
			out[c.Name] = cat.Title.EN + ": " + c.Purpose.EN + " (" + c.Provider.EN + "; " + c.LifetimeText().EN + ")"
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
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

func orNotInVersion(s string) string {
	if s == "" {
		return notInVersion
	}
	return s
}
