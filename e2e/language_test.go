package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// acceptLanguage makes the browser send header as its Accept-Language.
func acceptLanguage(t *testing.T, ctx context.Context, header string) {
	t.Helper()
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": header}})
	must(t, err)
}

// pathNow is the path the browser shows.
func pathNow(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := url.Parse(eval[string](t, ctx, `location.href`))
	must(t, err)
	return u.Path
}

// A first visit to / follows the browser's Accept-Language; every page names
// its language and its other-language twin (hreflang), and the switcher
// keeps the visitor on the same page in the other language.
func TestLanguageFollowsTheBrowserAndTheSwitcher(t *testing.T) {
	s := startSite(t)
	for _, c := range []struct{ header, want string }{
		{"fr-FR,fr;q=0.9,en;q=0.5", "/fr/"},
		{"en-GB,en;q=0.9", "/en/"},
		{"de-DE", "/fr/"}, // neither language: French, the company's
	} {
		t.Run(c.header, func(t *testing.T) {
			ctx := browser(t, false, 1280)
			acceptLanguage(t, ctx, c.header)
			navigate(t, ctx, s, "/")
			if got := pathNow(t, ctx); got != c.want {
				t.Fatalf("/ led to %s, want %s", got, c.want)
			}
			if lang := eval[string](t, ctx, `document.documentElement.lang`); "/"+lang+"/" != c.want {
				t.Errorf("<html lang=%q> on %s", lang, c.want)
			}
		})
	}

	ctx := browser(t, false, 1280)
	acceptLanguage(t, ctx, "fr-FR,fr")
	navigate(t, ctx, s, "/privacy")
	if got := pathNow(t, ctx); got != "/fr/privacy" {
		t.Fatalf("/privacy led to %s", got)
	}
	alternates := eval[map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll('link[rel=alternate][hreflang]'), l => [l.hreflang, new URL(l.href).pathname]))`)
	for lang, want := range map[string]string{"fr": "/fr/privacy", "en": "/en/privacy", "x-default": "/privacy"} {
		if alternates[lang] != want {
			t.Errorf("hreflang %s = %q, want %s (%v)", lang, alternates[lang], want, alternates)
		}
	}
	// The switcher is visible, named in the other language, and leads to
	// the same page in it; the way back too.
	for _, step := range []struct{ name, lang, path string }{{"English", "en", "/en/privacy"}, {"Français", "fr", "/fr/privacy"}} {
		if !eval[bool](t, ctx, `(() => { const a = document.querySelector("a[data-lang-switch]"); return !!a && a.offsetParent !== null && a.getBoundingClientRect().width > 0 })()`) {
			t.Fatal("no visible language switcher")
		}
		if name := eval[string](t, ctx, `document.querySelector("a[data-lang-switch]").textContent.trim()`); name != step.name {
			t.Errorf("switcher says %q, want %q", name, step.name)
		}
		submit(t, ctx, `a[data-lang-switch]`)
		waitFor(t, ctx, `location.pathname === "`+step.path+`"`)
		if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != step.lang {
			t.Errorf("after the switch: <html lang=%q>, want %s", lang, step.lang)
		}
	}
	// A French page says nothing in English: the banner and navigation.
	if text := eval[string](t, ctx, `document.querySelector("#consent-banner").innerText`); !containsAll(text, "Tout accepter", "Tout refuser", "Personnaliser") {
		t.Errorf("the French banner reads %q", text)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
