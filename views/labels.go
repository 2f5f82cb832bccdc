package views

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

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
// roles, in ctx's language: "the Sales team, the Training team and the Data
// Protection Officer"; in French the titles are listed after a colon, where
// no article is needed.
func readers(ctx context.Context, reg *policy.Registry, pu *policy.Purpose) string {
	l := i18n.From(ctx)
	var names []string
	for _, ro := range reg.Roles {
		if slices.Contains(reg.PurposesFor(ro.Key), pu.Key) {
			if l == i18n.EN {
				names = append(names, "the "+ro.Title.EN)
			} else {
				names = append(names, ro.Title.FR)
			}
		}
	}
	if l == i18n.EN {
		return joinAnd(names)
	}
	return joinWith(names, " et ")
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
