package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The audience demo script marks the page when it runs, and sets pp_audience.
const (
	audienceRan    = `document.documentElement.getAttribute("data-audience") === "measured"`
	audienceActive = `script[src*="audience-demo.js"]:not([type])`
	audienceInert  = `script[type="text/plain"][data-category="audience"]`
	bannerOpen     = `#consent-banner:not([hidden])`
)

var modes = []struct {
	name string
	js   bool
}{{"js on", true}, {"js off", false}}

// choose clicks a banner button: with JavaScript the choice is posted in
// place, without it the form is posted and the browser follows the 303.
func choose(t *testing.T, ctx context.Context, js bool, selector string) {
	t.Helper()
	if js {
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector))))
		waitFor(t, ctx, `document.querySelector("#consent-banner").hidden`)
		return
	}
	submit(t, ctx, selector)
}

// expectNothingOptional checks that no gated script ran and no optional cookie exists.
func expectNothingOptional(t *testing.T, ctx context.Context, s site) {
	t.Helper()
	if eval[bool](t, ctx, audienceRan) {
		t.Error("the audience script ran without consent")
	}
	if _, ok := cookies(t, ctx, s)["pp_audience"]; ok {
		t.Error("pp_audience set without consent")
	}
	if present(t, ctx, audienceActive) || !present(t, ctx, audienceInert) {
		t.Error("the audience script is not rendered inert")
	}
}

// expectAudience checks the audience script runs (JS on) or is rendered
// active (JS off, where no script can run at all).
func expectAudience(t *testing.T, ctx context.Context, s site, js bool) {
	t.Helper()
	if js {
		waitFor(t, ctx, audienceRan)
		if !eventuallyCookie(t, ctx, s, "pp_audience") {
			t.Error("the audience script ran but pp_audience is missing")
		}
	}
	navigate(t, ctx, s, "/")
	if !present(t, ctx, audienceActive) {
		t.Error("after consent the audience script is not rendered active")
	}
	if js {
		waitFor(t, ctx, audienceRan)
	}
}

// eventuallyCookie waits up to five seconds for the browser to hold the
// cookie name: a script's document.cookie write reaches the cookie store
// the DevTools protocol reads a moment after the script has run.
func eventuallyCookie(t *testing.T, ctx context.Context, s site, name string) bool {
	t.Helper()
	for range 100 {
		if _, ok := cookies(t, ctx, s)[name]; ok {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func TestFirstVisitAndChoices(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Run("first visit", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/")
				if !present(t, ctx, bannerOpen) {
					t.Fatal("no banner on the first visit")
				}
				if c := cookies(t, ctx, s); len(c) != 0 {
					t.Errorf("cookies before any choice: %v", c)
				}
				expectNothingOptional(t, ctx, s)
				if len(ledgerActions(t, s)) != 0 {
					t.Error("ignoring the banner was recorded as a choice")
				}
			})
			t.Run("reject all", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/privacy")
				choose(t, ctx, m.js, `#consent-banner button[value="reject_all"]`)
				navigate(t, ctx, s, "/privacy")
				if present(t, ctx, bannerOpen) {
					t.Error("banner shown again after reject all")
				}
				expectNothingOptional(t, ctx, s)
				if got := ledgerActions(t, s); !slices.Equal(got, []string{"reject_all:"}) {
					t.Errorf("ledger %v", got)
				}
			})
			t.Run("accept all", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/")
				choose(t, ctx, m.js, `#consent-banner button[value="accept_all"]`)
				expectAudience(t, ctx, s, m.js)
				if got := ledgerActions(t, s); !slices.Equal(got, []string{"accept_all:audience,marketing"}) {
					t.Errorf("ledger %v", got)
				}
			})
			t.Run("customise one category", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/cookies")
				if m.js {
					must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#consent-banner [data-consent-customise]`))))
					waitFor(t, ctx, `!document.querySelector("#consent-customise").hidden`)
					must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#banner-audience`))))
					choose(t, ctx, true, `#consent-customise button[value="custom"]`)
				} else {
					submit(t, ctx, `#consent-banner [data-consent-customise]`) // opens the settings page
					must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#pref-audience`))))
					submit(t, ctx, `#cookie-settings-form button[value="custom"]`)
					if loc := eval[string](t, ctx, `location.pathname`); loc != "/en/cookies" {
						t.Errorf("after saving, back on %s, want /en/cookies", loc)
					}
				}
				expectAudience(t, ctx, s, m.js)
				if got := ledgerActions(t, s); !slices.Equal(got, []string{"custom:audience"}) {
					t.Errorf("ledger %v", got)
				}
			})
			t.Run("withdraw on the settings page", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/")
				choose(t, ctx, m.js, `#consent-banner button[value="accept_all"]`)
				expectAudience(t, ctx, s, m.js)
				navigate(t, ctx, s, "/cookies/preferences")
				submit(t, ctx, `button[value="withdraw"]`)
				if !strings.Contains(eval[string](t, ctx, `document.body.innerText`), "You withdrew your consent.") {
					t.Error("settings page does not show the withdrawal")
				}
				navigate(t, ctx, s, "/")
				if present(t, ctx, bannerOpen) {
					t.Error("a withdrawal is a choice: the banner should not nag")
				}
				expectNothingOptional(t, ctx, s)
				if got := ledgerActions(t, s); !slices.Equal(got, []string{"accept_all:audience,marketing", "withdraw:"}) {
					t.Errorf("ledger %v", got)
				}
			})
			t.Run("global privacy control", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
				must(t, err)
				_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Sec-GPC": "1"}})
				must(t, err)
				navigate(t, ctx, s, "/")
				if present(t, ctx, "#consent-banner") || !present(t, ctx, "#consent-notice") {
					t.Error("GPC: banner shown or notice missing")
				}
				expectNothingOptional(t, ctx, s)
				navigate(t, ctx, s, "/privacy")
				if present(t, ctx, "#consent-banner") {
					t.Error("GPC refusal not remembered")
				}
				// The visitor can still opt in explicitly.
				navigate(t, ctx, s, "/cookies/preferences")
				submit(t, ctx, `#cookie-settings-form button[value="accept_all"]`)
				expectAudience(t, ctx, s, m.js)
				if got := ledgerActions(t, s); !slices.Equal(got, []string{"gpc:", "accept_all:audience,marketing"}) {
					t.Errorf("ledger %v", got)
				}
			})
			t.Run("tampered cookie", func(t *testing.T) {
				s := startSite(t)
				ctx := browser(t, m.js, 1280)
				navigate(t, ctx, s, "/")
				choose(t, ctx, m.js, `#consent-banner button[value="accept_all"]`)
				// Let the activated script finish, or the pp_audience it sets
				// could arrive after the deletion below.
				expectAudience(t, ctx, s, m.js)
				value, httpOnly := cookies(t, ctx, s)["portal_consent"], true
				_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
					Name: "portal_consent", Value: value[:len(value)-6] + "AAAAAA", URL: s.URL + "/", HTTPOnly: &httpOnly,
				})
				must(t, err)
				_, err = chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "pp_audience", URL: s.URL + "/"})
				must(t, err)
				navigate(t, ctx, s, "/")
				if !present(t, ctx, bannerOpen) {
					t.Error("a tampered cookie did not bring the banner back")
				}
				expectNothingOptional(t, ctx, s)
			})
		})
	}
}

// The three choices render at the same size, from a 320 px phone to a desktop.
func TestBannerButtonsAreEqual(t *testing.T) {
	s := startSite(t)
	for _, m := range modes {
		for _, width := range []int64{320, 768, 1280} {
			t.Run(fmt.Sprintf("%s %dpx", m.name, width), func(t *testing.T) {
				ctx := browser(t, m.js, width)
				navigate(t, ctx, s, "/")
				sizes := eval[[][2]float64](t, ctx, `[...document.querySelectorAll("#consent-banner .consent-actions > *")].map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height] })`)
				if len(sizes) != 3 {
					t.Fatalf("%d banner buttons, want 3", len(sizes))
				}
				for _, sz := range sizes[1:] {
					if abs(sz[0]-sizes[0][0]) > 0.5 || abs(sz[1]-sizes[0][1]) > 0.5 || sz[0] < 44 || sz[1] < 24 {
						t.Errorf("button sizes %v differ (or are too small)", sizes)
					}
				}
				if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); over {
					t.Error("the page scrolls sideways")
				}
				// First in keyboard order after the skip link, and not a trap.
				if m.js {
					order := eval[[]string](t, ctx, `(() => { const f = [...document.querySelectorAll("a[href], button, input:not([type=hidden]):not([disabled])")].filter(e => e.offsetParent !== null || e.classList.contains("skip-link")); return f.slice(0, 3).map(e => e.textContent.trim()) })()`)
					if len(order) < 3 || order[0] != "Skip to main content" || order[1] != "Read our cookie policy" {
						t.Errorf("keyboard order starts %v", order)
					}
				}
			})
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// consent.js posts each click with a key of its own (not the rendering's),
// and the same click posted again, as its form fallback or a retry sends
// it, is answered with the stored proof: one ledger row per click.
func TestConsentClickIsStoredOnce(t *testing.T) {
	s := startSite(t)
	ctx := browser(t, true, 1280)
	navigate(t, ctx, s, "/")
	const field = `document.querySelector('#consent-banner [name="_idem"]').value`
	rendered := eval[string](t, ctx, field)
	choose(t, ctx, true, `#consent-banner button[value="accept_all"]`)
	key := eval[string](t, ctx, field)
	if key == rendered || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(key) {
		t.Fatalf("the click was posted with key %q (the page's was %q): want a fresh random UUID", key, rendered)
	}
	eval[bool](t, ctx, `(() => {
		const again = () => fetch("/consent", {method: "POST", credentials: "same-origin", headers: {Accept: "application/json"},
			body: new URLSearchParams({action: "accept_all", _idem: `+field+`})}).then(r => r.json());
		again().then(j => { window.p1 = j.proof; return again(); }).then(j => { window.p2 = j.proof; });
		return true;
	})()`)
	waitFor(t, ctx, `window.p2 !== undefined`)
	if p1, p2 := eval[string](t, ctx, `window.p1`), eval[string](t, ctx, `window.p2`); p1 != p2 || p1 == "" {
		t.Errorf("two retries answered proofs %v and %v, want the same stored one", p1, p2)
	}
	if got := ledgerActions(t, s); !slices.Equal(got, []string{"accept_all:audience,marketing"}) {
		t.Errorf("ledger %v: one click, one proof", got)
	}
}
