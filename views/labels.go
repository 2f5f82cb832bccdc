package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/policy"
)

// basisLabels says each art. 6(1) ground in plain words.
var basisLabels = map[policy.LegalBasis]string{
	policy.BasisConsent:     "Your consent",
	policy.BasisPreContract: "Steps before a contract, at your request",
	policy.BasisContract:    "Performance of a contract with you",
	policy.BasisLegal:       "A legal obligation",
	policy.BasisLegitimate:  "Our legitimate interests",
}

// BasisLabel is the plain-words label of a legal basis. An unknown basis is
// shown as it is written in the registry rather than hidden.
func BasisLabel(b policy.LegalBasis) string {
	if l, ok := basisLabels[b]; ok {
		return l
	}
	return string(b)
}

// RetentionText is a retention rule in one sentence, composed from the rule
// itself (period, start, early end, destruction on a status, action), so the
// page says what the retention sweep does.
func RetentionText(r policy.Retention) string {
	var parts []string
	for _, u := range []struct {
		n    int
		unit string
	}{{r.Years, "year"}, {r.Months, "month"}, {r.Days, "day"}} {
		switch {
		case u.n == 1:
			parts = append(parts, "1 "+u.unit)
		case u.n > 1:
			parts = append(parts, fmt.Sprintf("%d %ss", u.n, u.unit))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := joinAnd(parts)
	switch r.From {
	case policy.FromLastContact:
		s += " from our last contact with you"
	case policy.FromCreated:
		s += " from the day we receive it"
	case policy.FromEventEnd:
		s += " from the end of the event or from our last contact with you"
	}
	if r.UntilWithdrawn {
		s = "until you withdraw your consent, and at most " + s
	} else {
		s = "for " + s
	}
	var statuses []string
	for _, st := range r.DestroyOn {
		statuses = append(statuses, strings.ReplaceAll(st, "_", " "))
	}
	then := "we delete it"
	if r.Action == "anonymise" {
		then = "we make it anonymous"
	}
	if len(statuses) > 0 {
		return fmt.Sprintf("If it is marked %s, we delete it at once; otherwise we keep it %s, then %s.", strings.Join(statuses, " or "), s, then)
	}
	return fmt.Sprintf("We keep it %s, then %s.", s, then)
}

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
			names = append(names, "the "+ro.Title)
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

// kept is one kind of record the software keeps beside the forms' own data.
type kept struct{ What, HowLong string }

// keptRecords lists exactly what the software keeps about visits and
// contacts, each with the period the code enforces (policy.Durations, the
// registry's connection_data).
func keptRecords(reg *policy.Registry) []kept {
	d := policy.Durations
	return []kept{
		{"Your cookie choices: when you made each one, what you chose, the version of this policy, your IP address with its last part removed, and a one-way fingerprint (hash) of your browser's identifier. This is our proof of your choice; your IP address is never stored whole.",
			RetentionText(reg.ConnectionData.Retention)},
		{"Your cookie choice itself, in a cookie on your device.",
			"It expires " + d.ConsentChoice.String() + " after you make the choice; then we ask again."},
		{"Each consent box of our forms, ticked or not, with a fingerprint of its exact wording, the version of this policy and the date, and each withdrawal: our proof of what you agreed to (GDPR article 7(1)).",
			"We keep this proof with no set end date: it holds no name, email address or phone number, only a pseudonymous link to you."},
		{"The emails we send you (receipts, confirmation links).",
			"Deleted " + d.SentEmailRetention.String() + " after they are sent, or " + d.FailedEmailRetention.String() + " after we stop trying when they cannot be delivered."},
		{"A log of every time a member of our staff reads, exports, changes or deletes your data: who, when, what and from which network address.",
			"Kept for " + d.AccessLogRetention.String() + ", so our Data Protection Officer can check that your data is only used as this policy says."},
		{"Confirmation links we email you.",
			"They work for " + d.LinkValidity.String() + "; a request or subscription nobody confirms in that time is deleted."},
	}
}

// consentBox is one consent box of one form, as the policy quotes it.
type consentBox struct {
	Label     string
	FormTitle string
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

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
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
