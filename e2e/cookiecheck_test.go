package e2e

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alegria/privacy-portal/policy"
)

// crawlPublic follows the same-origin links from / (the back-office and the
// static files aside) and returns every public page it reached, as the
// address bar shows it (/ leads to the browser's language).
func crawlPublic(t *testing.T, ctx context.Context, s site) []string {
	t.Helper()
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	for i := 0; i < len(queue) && i < 80; i++ {
		navigate(t, ctx, s, queue[i])
		if i == 0 { // where / led
			u, err := url.Parse(eval[string](t, ctx, `location.href`))
			must(t, err)
			seen[u.Path], queue[0] = true, u.Path
		}
		for _, href := range eval[[]string](t, ctx, `Array.from(document.querySelectorAll("a[href]"), a => a.href)`) {
			u, err := url.Parse(href)
			if err != nil || u.Host != strings.TrimPrefix(s.URL, "http://") {
				continue
			}
			p := u.Path
			if p == "" || seen[p] || strings.HasPrefix(p, "/admin") || strings.HasPrefix(p, "/static/") {
				continue
			}
			seen[p] = true
			queue = append(queue, p)
		}
	}
	slices.Sort(queue)
	return queue
}

// storageCheck is what one page left in the browser: cookies and the keys of
// localStorage and sessionStorage.
func storageItems(t *testing.T, ctx context.Context, s site) []string {
	t.Helper()
	var items []string
	for name := range cookies(t, ctx, s) {
		items = append(items, name)
	}
	items = append(items, eval[[]string](t, ctx, `Object.keys(localStorage).concat(Object.keys(sessionStorage))`)...)
	return items
}

// declaredCategory maps each cookie or storage item the registry declares
// to its category.
func declaredCategory(reg *policy.Registry) map[string]policy.CookieCategory {
	out := map[string]policy.CookieCategory{}
	for _, cat := range reg.Cookies {
		for _, c := range cat.Cookies {
			out[c.Name] = cat
		}
	}
	return out
}

// Every public page, in chromium with JavaScript on, under each banner
// choice (none, reject all, accept all, and each optional category alone):
// a cookie or storage item the registry does not declare fails, and so does
// one whose category the choice does not grant (set before its consent).
func TestCookieCheckEveryPageEveryChoice(t *testing.T) {
	s := startSite(t)
	declared := declaredCategory(s.Reg)
	pages := crawlPublic(t, browser(t, true, 1280), s)
	// Both languages: the language switcher links every page to the other.
	for _, want := range []string{"/", "/privacy", "/cookies", "/privacy/versions"} {
		for _, lang := range []string{"/fr", "/en"} {
			if !slices.Contains(pages, lang+want) {
				t.Fatalf("the crawl missed %s: %v", lang+want, pages)
			}
		}
	}

	type choice struct {
		name    string
		action  string   // "" : no choice at all
		granted []string // optional categories the choice grants
	}
	var all []string
	for _, c := range s.Reg.OptionalCategories() {
		all = append(all, c.Key)
	}
	choices := []choice{{"no choice", "", nil}, {"reject all", "reject_all", nil}, {"accept all", "accept_all", all}}
	for _, key := range all {
		choices = append(choices, choice{"custom " + key, "custom", []string{key}})
	}
	for _, ch := range choices {
		t.Run(ch.name, func(t *testing.T) {
			ctx := browser(t, true, 1280)
			navigate(t, ctx, s, "/")
			switch ch.action {
			case "reject_all", "accept_all":
				choose(t, ctx, true, `#consent-banner button[value="`+ch.action+`"]`)
			case "custom":
				must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#consent-banner [data-consent-customise]`))))
				waitFor(t, ctx, `!document.querySelector("#consent-customise").hidden`)
				must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#banner-`+ch.granted[0]))))
				choose(t, ctx, true, `#consent-customise button[value="custom"]`)
			}
			seen := map[string]bool{}
			for _, page := range pages {
				navigate(t, ctx, s, page)
				waitFor(t, ctx, `document.readyState === "complete"`)
				time.Sleep(150 * time.Millisecond) // scripts activated on load set their cookies now
				for _, item := range storageItems(t, ctx, s) {
					seen[item] = true
					cat, ok := declared[item]
					switch {
					case !ok:
						t.Errorf("%s: %q is set, and the registry does not declare it", page, item)
					case !cat.Necessary && !slices.Contains(ch.granted, cat.Key):
						t.Errorf("%s: %q (%s) is set without consent to that category", page, item, cat.Key)
					}
				}
			}
			// The check sees what consent allows: the audience cookie once granted.
			if slices.Contains(ch.granted, "audience") && !seen["pp_audience"] {
				t.Errorf("audience granted but pp_audience never appeared: the crawl does not see gated scripts (%v)", seen)
			}
		})
	}
}
