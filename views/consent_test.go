package views

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// scripts are the page's script elements by src prefix.
func scripts(p page, src string) []*html.Node {
	return p.all(func(n *html.Node) bool {
		return n.DataAtom == atom.Script && (strings.HasPrefix(attr(n, "src"), src) || strings.HasPrefix(attr(n, "data-src"), src))
	})
}

func TestConsentScriptsAreGated(t *testing.T) {
	reg := defaultRegistry(t)
	cases := []struct {
		name   string
		state  ConsentState
		active bool
		banner bool
	}{
		{"no choice", ConsentState{Registry: reg}, false, true},
		{"refused", ConsentState{Registry: reg, Decided: true, Granted: []string{}}, false, false},
		{"other category", ConsentState{Registry: reg, Decided: true, Granted: []string{"marketing"}}, false, false},
		{"audience granted", ConsentState{Registry: reg, Decided: true, Granted: []string{"audience"}}, true, false},
		{"granted but undecided is not consent", ConsentState{Registry: reg, Granted: []string{"audience"}}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pg := Page{Title: "x", Consent: c.state}
			if c.state.ShowBanner() {
				pg.Banner = ConsentBanner(c.state)
			}
			p := render(t, ErrorPage(pg, http.StatusNotFound, ""))
			demo := scripts(p, "/static/js/audience-demo.js")
			if len(demo) != 1 {
				t.Fatalf("%d audience scripts, want 1", len(demo))
			}
			inert := attr(demo[0], "type") == "text/plain"
			if inert && hasAttr(demo[0], "src") {
				t.Errorf("inert script %v has a src, which HTML forbids on a data block", demo[0].Attr)
			}
			if inert == c.active || attr(demo[0], "data-category") != "audience" || !hasAttr(demo[0], "nonce") {
				t.Errorf("audience script %v: active want %v, with category and nonce", demo[0].Attr, c.active)
			}
			if got := p.byID("consent-banner") != nil; got != c.banner {
				t.Errorf("banner = %v, want %v", got, c.banner)
			}
			if got := len(scripts(p, "/static/js/consent.js")) == 1; got != c.banner {
				t.Errorf("consent.js loaded = %v, want only with the banner", got)
			}
			if len(scripts(p, "/static/js/consent-mode.js")) != 0 {
				t.Error("Consent Mode signals emitted with no Google tag declared")
			}
		})
	}
	p := render(t, ErrorPage(Page{Title: "x"}, http.StatusNotFound, ""))
	if len(p.tag(atom.Script)) != 0 {
		t.Error("a page outside the consent middleware renders scripts")
	}
}

func TestBannerChoicesAreEqual(t *testing.T) {
	reg := defaultRegistry(t)
	p := render(t, ConsentBanner(ConsentState{Registry: reg, ReturnTo: "/privacy"}))
	b := p.byID("consent-banner")
	if b == nil || attr(b, "aria-labelledby") != "consent-title" || p.byID("consent-title") == nil {
		t.Fatal("banner is not a labelled region")
	}
	forms := p.tag(atom.Form)
	if len(forms) != 1 || attr(forms[0], "method") != "post" || attr(forms[0], "action") != "/consent" {
		t.Fatal("banner is not a POST form to /consent")
	}
	var labels []string
	classes := map[string]bool{}
	for _, btn := range p.all(func(n *html.Node) bool {
		return n.DataAtom == atom.Button && n.Parent != nil && attr(n.Parent, "class") == "consent-actions"
	}) {
		labels = append(labels, strings.TrimSpace(btn.FirstChild.Data))
		classes[attr(btn, "class")] = true
	}
	if strings.Join(labels, "|") != "Accept all|Reject all|Customise" || len(classes) != 1 {
		t.Errorf("choices %v with classes %v: want three with one class", labels, classes)
	}
	for _, c := range reg.OptionalCategories() {
		sw := p.byID("banner-" + c.Key)
		if sw == nil || attr(sw, "role") != "switch" || hasAttr(sw, "checked") || attr(sw, "name") != "category" {
			t.Errorf("category %s: want an unticked switch", c.Key)
		}
	}
	if nec := p.byID("banner-necessary"); nec == nil || !hasAttr(nec, "checked") || !hasAttr(nec, "disabled") || hasAttr(nec, "name") {
		t.Error("strictly necessary is not shown as always on")
	}
	if !p.hasText("pp_audience") || !p.links()["/en/cookies"] {
		t.Error("the banner does not name the cookies or link the cookie policy")
	}
}

func TestGoogleConsentMode(t *testing.T) {
	reg := *defaultRegistry(t)
	reg.Scripts = append(append([]policy.Script{}, reg.Scripts...),
		policy.Script{Key: "gtag", Src: "https://www.googletagmanager.com/gtag/js?id=G-TEST", Category: "audience", GoogleTag: true})
	for _, c := range []struct {
		name    string
		state   ConsentState
		granted string
		decided bool
	}{
		{"before a choice", ConsentState{Registry: &reg}, "", false},
		{"after accepting audience", ConsentState{Registry: &reg, Decided: true, Granted: []string{"audience"}}, "audience", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := render(t, ErrorPage(Page{Title: "x", Consent: c.state}, http.StatusNotFound, ""))
			cm := scripts(p, "/static/js/consent-mode.js")
			tag := scripts(p, "https://www.googletagmanager.com/")
			if len(cm) != 1 || len(tag) != 1 {
				t.Fatalf("consent-mode %d, gtag %d", len(cm), len(tag))
			}
			var types map[string]string
			if err := json.Unmarshal([]byte(attr(cm[0], "data-types")), &types); err != nil {
				t.Fatal(err)
			}
			if types["analytics_storage"] != "audience" || types["ad_storage"] != "marketing" || types["ad_user_data"] != "marketing" || types["ad_personalization"] != "marketing" {
				t.Errorf("consent types %v", types)
			}
			if attr(cm[0], "data-granted") != c.granted || hasAttr(cm[0], "data-decided") != c.decided {
				t.Errorf("consent-mode attributes %v", cm[0].Attr)
			}
			// The defaults must be set before the tag loads: it comes first.
			if p.raw != "" && strings.Index(p.raw, "consent-mode.js") > strings.Index(p.raw, "googletagmanager") {
				t.Error("Consent Mode defaults come after the Google tag")
			}
			if (attr(tag[0], "type") == "text/plain") == c.decided {
				t.Errorf("Google tag gating wrong: %v", tag[0].Attr)
			}
		})
	}
}

func TestPreferencesPage(t *testing.T) {
	reg := defaultRegistry(t)
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	t.Run("undecided", func(t *testing.T) {
		p := render(t, CookiePreferencesPage(Page{Title: TitleCookiePreferences.Get(i18n.EN)}, ConsentState{Registry: reg}, "/", false))
		if !p.hasText("You have not made a choice yet") || p.byID("withdraw") != nil {
			t.Error("undecided visitor: wrong current choice or a withdraw button")
		}
	})
	t.Run("accepted", func(t *testing.T) {
		s := ConsentState{Registry: reg, Decided: true, Granted: []string{"audience", "marketing"}, Action: "accept_all",
			At: at, PolicyVersion: reg.Version, ConsentID: "0190-id"}
		p := render(t, CookiePreferencesPage(Page{Title: TitleCookiePreferences.Get(i18n.EN)}, s, "/privacy?x=<b>", true))
		for _, want := range []string{"Audience measurement, Marketing.", "You accepted all optional cookies.", "2 Nov 2026, 10:30 CET", "0190-id", "Your choice is saved."} {
			if !p.hasText(want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if p.byID("withdraw") == nil || !hasAttr(p.byID("pref-audience"), "checked") {
			t.Error("no withdraw section, or the switches do not show the choice")
		}
		if strings.Contains(p.raw, "<b>") {
			t.Error("return path not escaped")
		}
	})
}
