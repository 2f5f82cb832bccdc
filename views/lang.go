package views

import (
	"context"

	"github.com/alegria/privacy-portal/i18n"
)

// LangPath is path (a public path as the registry and the router know it,
// without language) in ctx's language: "/privacy" → "/fr/privacy". Every
// link of a public page goes through it, so a visitor stays in the language
// they chose.
func LangPath(ctx context.Context, path string) string {
	return PathIn(i18n.From(ctx), path)
}

// PathIn is path under language l's prefix.
func PathIn(l i18n.Lang, path string) string {
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	return "/" + l.String() + path
}

// alternate is one <link rel="alternate" hreflang> of a page.
type alternate struct{ Hreflang, Href string }

// alternates are the page in every language, and x-default: the bare path,
// which sends each visitor to their browser's language.
func (p Page) alternates() []alternate {
	out := make([]alternate, 0, len(i18n.All)+1)
	for _, l := range i18n.All {
		out = append(out, alternate{l.String(), p.Base + PathIn(l, p.Path)})
	}
	return append(out, alternate{"x-default", p.Base + p.Path})
}

// switchTo is the same page (query included: a signed link keeps working)
// in language l.
func (p Page) switchTo(l i18n.Lang) string {
	s := PathIn(l, p.Path)
	if p.Query != "" {
		s += "?" + p.Query
	}
	return s
}
