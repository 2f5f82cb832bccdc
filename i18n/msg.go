package i18n

import (
	"context"
	"fmt"
	"strings"
)

// Msg is one sentence (or label) in both languages.
type Msg struct {
	en, fr string
}

// New declares a sentence in English and French. An empty or blank
// translation panics when the package declaring it loads: a missing
// translation is a programming error, caught by any test of that package.
// Sentences with arguments use fmt verbs, the same ones in both languages.
func New(en, fr string) Msg {
	if strings.TrimSpace(en) == "" || strings.TrimSpace(fr) == "" {
		panic(fmt.Sprintf("i18n: %q / %q lacks a translation", en, fr))
	}
	if strings.Count(en, "%") != strings.Count(fr, "%") {
		panic(fmt.Sprintf("i18n: %q and %q take different arguments", en, fr))
	}
	return Msg{en: en, fr: fr}
}

// Get is the sentence in l.
func (m Msg) Get(l Lang) string {
	if l == EN {
		return m.en
	}
	return m.fr
}

// In is the sentence in ctx's language.
func (m Msg) In(ctx context.Context) string { return m.Get(From(ctx)) }

// F formats the sentence in ctx's language with args.
func (m Msg) F(ctx context.Context, args ...any) string {
	return fmt.Sprintf(m.In(ctx), args...)
}
