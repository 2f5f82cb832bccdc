package views

import (
	"slices"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/policy"
)

// BasisLabel is the plain-words label of a legal basis, in English (see
// basisText for both languages).
func BasisLabel(b policy.LegalBasis) string { return basisText(b).EN }

// RetentionText is a retention rule in one English sentence (see
// retentionText for both languages).
func RetentionText(r policy.Retention) string { return retentionText(r).EN }

// formPurposes are the purposes a visitor can start from a public form,
// the rights form excepted: it is linked from the navigation and the policy.
func formPurposes(reg *policy.Registry) []policy.Purpose {
	var out []policy.Purpose
	for _, p := range reg.Purposes {
		if p.Form != nil && p.Form.Path != "" && p.Kind != policy.KindRightsRequest {
			out = append(out, p)
		}
	}
	return out
}

// readers names who may read a purpose's records, from the registry's
// roles: "the Sales team, the Training team and the Data Protection Officer".
func readers(reg *policy.Registry, pu *policy.Purpose) string {
	var names []string
	for _, ro := range reg.Roles {
		if slices.Contains(reg.PurposesFor(ro.Key), pu.Key) {
			names = append(names, "the "+ro.Title.EN)
		}
	}
	return joinAnd(names)
}

// joinAnd joins words as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// consentBox is one consent box of one form, as the policy quotes it.
type consentBox struct {
	Label     policy.Text
	FormTitle policy.Text
	FormPath  string
}

// consentBoxes finds the boxes of the given kind, limited to the purposes
// named in only when it is not empty: the policy quotes the exact wording
// the visitor ticks.
func consentBoxes(reg *policy.Registry, kind string, only []string) []consentBox {
	if kind == "" {
		return nil
	}
	var out []consentBox
	for _, p := range reg.Purposes {
		if p.Form == nil || (len(only) > 0 && !slices.Contains(only, p.Key)) {
			continue
		}
		for _, c := range p.Form.Consents {
			if c.Kind == kind {
				out = append(out, consentBox{Label: c.Label, FormTitle: p.Title, FormPath: p.Form.Path})
			}
		}
	}
	return out
}

// outsideEEA are the processors whose processing is a transfer (art. 44).
func outsideEEA(reg *policy.Registry) []policy.Processor {
	var out []policy.Processor
	for _, p := range reg.Deployment.Processors {
		if !p.EEA {
			out = append(out, p)
		}
	}
	return out
}

// telURL turns a phone number as printed ("01 53 73 22 22") into a tel: link.
func telURL(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r == '+' || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return "tel:" + b.String()
}

// longDate writes a registry date (YYYY-MM-DD) as "1 November 2026"; a date
// in any other form is shown as written.
func longDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

// sentence lists items inline: "a, b, c.".
func sentence(items []string) string {
	return strings.Join(items, ", ") + "."
}
