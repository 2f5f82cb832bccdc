package views

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// ConsentState is the visitor's cookie choice as the views need it: whether
// to show the banner, which gated scripts may run, what the settings page
// says. Handlers fill it from the verified consent cookie.
type ConsentState struct {
	// Registry is nil on pages outside the consent middleware: no banner,
	// no gated script at all there.
	Registry      *policy.Registry
	Decided       bool     // the visitor has a current choice
	Granted       []string // optional categories the choice covers
	Action        string   // accept_all, reject_all, custom, withdraw, gpc
	At            time.Time
	PolicyVersion string
	ConsentID     string
	GPCHonoured   bool   // a Global Privacy Control refusal was recorded on this request
	ReturnTo      string // path the banner's form comes back to
	ChoiceKey     string // idempotency key of this rendering's choice forms (a UUID)
}

// ShowBanner: the banner is shown while the visitor has no current choice.
// Ignoring it is no consent (CNIL guidelines 2020, art. 2 § 30): until then
// nothing optional runs.
func (s ConsentState) ShowBanner() bool { return s.Registry != nil && !s.Decided }

// Allows reports whether the choice covers category key.
func (s ConsentState) Allows(key string) bool { return s.Decided && slices.Contains(s.Granted, key) }

// choiceLabel says how the current choice was made.
func choiceLabel(ctx context.Context, action string) string {
	return labelIn(ctx, choiceLabels, action)
}

var choiceLabels = map[string]i18n.Msg{
	"accept_all": choiceAcceptAll,
	"reject_all": choiceRejectAll,
	"custom":     choiceCustom,
	"withdraw":   choiceWithdraw,
	"gpc":        choiceGPC,
}

// grantedTitles lists the titles of the categories a choice covers.
func grantedTitles(ctx context.Context, s ConsentState) string {
	var titles []string
	for _, c := range s.Registry.OptionalCategories() {
		if s.Allows(c.Key) {
			titles = append(titles, c.Title.In(ctx))
		}
	}
	if len(titles) == 0 {
		return consentOnlyNeeded.In(ctx)
	}
	return sentence(titles)
}

// cookieNames lists a category's cookies for the switch that covers them.
func cookieNames(c policy.CookieCategory) string {
	names := make([]string, len(c.Cookies))
	for i, ck := range c.Cookies {
		names[i] = ck.Name
	}
	return strings.Join(names, ", ")
}

// googleConsent is the Consent Mode v2 mapping of the registry, as the JSON
// static/js/consent-mode.js reads from its data attribute: consent type →
// category. Empty when no declared script is a Google tag, in which case no
// signal is emitted at all.
func googleConsent(reg *policy.Registry) string {
	if !slices.ContainsFunc(reg.Scripts, func(s policy.Script) bool { return s.GoogleTag }) {
		return ""
	}
	m := map[string]string{}
	for _, c := range reg.OptionalCategories() {
		for _, g := range c.GoogleConsent {
			m[g] = c.Key
		}
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}
