// Package i18n holds the two languages the portal speaks and the few rules
// that go with them: which one a visitor gets, how a sentence is declared in
// both, and how a time is shown to a French company's staff and visitors.
//
// A sentence is declared once, in both languages, where it is used:
//
//	var saveLabel = i18n.New("Save", "Enregistrer")
//	…{ saveLabel.In(ctx) }…
//
// New refuses an empty translation when the package loads, so a page can never
// render a missing key in either language.
package i18n

import (
	"context"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language the portal speaks, as its BCP 47 tag.
type Lang string

const (
	FR Lang = "fr"
	EN Lang = "en"
)

// Default is the language of a visitor who states no preference we speak:
// the company and most of its visitors are French.
const Default = FR

// All lists the languages in the order the switcher shows them.
var All = []Lang{FR, EN}

// Parse reads a language tag from a URL segment, a form value or a stored
// preference. Only the languages in All are accepted.
func Parse(s string) (Lang, bool) {
	switch Lang(strings.ToLower(strings.TrimSpace(s))) {
	case FR:
		return FR, true
	case EN:
		return EN, true
	}
	return "", false
}

// Other is the language a switcher offers from l.
func (l Lang) Other() Lang {
	if l == EN {
		return FR
	}
	return EN
}

// Name is the language's name in itself, as a switcher shows it.
func (l Lang) Name() string {
	if l == EN {
		return "English"
	}
	return "Français"
}

func (l Lang) String() string { return string(l) }

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// Match picks the language for an Accept-Language header (RFC 9110 §12.5.4).
// A header we cannot read, or one naming neither language, gets Default.
func Match(acceptLanguage string) Lang {
	if len(acceptLanguage) > 512 { // a header that long is not a browser's
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return All[i]
}

type ctxKey struct{}

// WithLang returns ctx carrying l; views read it with From.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From is the language ctx carries, Default when none.
func From(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return Default
}

// ContextKey is the key From looks the language up by, for a context type
// that carries the language itself (one value per request instead of a
// context.WithValue for each).
func ContextKey() any { return ctxKey{} }
