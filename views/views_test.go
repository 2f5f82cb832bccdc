package views

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// defaultRegistry is the registry the portal ships with.
func defaultRegistry(t *testing.T) *policy.Registry {
	t.Helper()
	reg, err := policy.Default()
	if err != nil {
		t.Fatalf("policy.Default: %v", err)
	}
	return reg
}

// hostileRegistry is a small hand-built registry whose texts try to inject
// markup, to prove everything from the registry is escaped.
const xss = `<script>alert(1)</script>`

func hostileRegistry() *policy.Registry {
	return &policy.Registry{
		Version:    "test-1",
		Date:       "2026-01-02",
		Controller: policy.Controller{Name: "Acme " + xss, Site: "javascript:alert(1)"},
		DPO:        policy.DPO{Email: "dpo@example.test"},
		Authority:  policy.Authority{Name: "Authority", Short: "AUTH", ComplaintURL: "https://example.test/complain"},
		Services:   []policy.Text{tx("Service " + xss)},
		Purposes: []policy.Purpose{{
			Key:         "contact",
			Title:       tx("Contact " + xss),
			Description: tx("Answer " + xss),
			Bases:       []policy.LegalBasis{policy.BasisConsent},
			DataKinds:   []policy.Text{tx("email " + xss)},
			Form: &policy.Form{
				Path:     "javascript:alert(1)",
				Intro:    tx("Intro " + xss),
				Consents: []policy.Consent{{Kind: "partner_transfer", Label: tx("Share " + xss)}},
			},
			Retention: policy.Retention{Years: 1, From: policy.FromLastContact, DestroyOn: []string{"x" + xss}},
		}},
		Recipients: policy.Recipients{
			Processors: []string{"Proc " + xss},
			Partners:   policy.Partners{Description: tx("Partners " + xss), ConsentKind: "partner_transfer"},
		},
		Transfers:  policy.Transfers{OutsideEEA: true, Safeguards: []policy.Text{tx("SCC " + xss)}},
		Deployment: policy.Deployment{Processors: []policy.Processor{{Name: "Proc " + xss, Service: tx("Mail " + xss), Country: tx("US " + xss)}}},
		Rights:     []policy.Right{{Key: "access", Title: tx("Access " + xss), Conditions: []policy.Text{tx("When " + xss)}}},
		Cookies: []policy.CookieCategory{{
			Key: "necessary", Title: tx("Necessary " + xss), Necessary: true,
			Cookies: []policy.Cookie{{Name: "c_" + xss, Provider: tx("us"), Purpose: tx("p"), Lifetime: &policy.Period{Days: 1}}},
		}},
	}
}

// tx is a text written the same in both languages (tests only).
func tx(s string) policy.Text { return policy.T(s, s) }

// page is one rendered page, parsed.
type page struct {
	raw  string
	doc  *html.Node
	text string // all text, whitespace collapsed
}

// render renders c in English; renderIn in a given language.
func render(t *testing.T, c templ.Component) page {
	t.Helper()
	return renderIn(t, i18n.EN, c)
}

func renderIn(t *testing.T, l i18n.Lang, c templ.Component) page {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(i18n.WithLang(context.Background(), l), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var sb strings.Builder
	for n := range doc.Descendants() {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
			sb.WriteByte(' ')
		}
	}
	return page{raw: buf.String(), doc: doc, text: strings.Join(strings.Fields(sb.String()), " ")}
}

func (p page) all(match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range p.doc.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func (p page) tag(a atom.Atom) []*html.Node {
	return p.all(func(n *html.Node) bool { return n.DataAtom == a })
}

func (p page) byID(id string) *html.Node {
	nodes := p.all(func(n *html.Node) bool { return attr(n, "id") == id })
	if len(nodes) == 0 {
		return nil
	}
	return nodes[0]
}

// hasText reports whether want appears in the page text (whitespace collapsed).
func (p page) hasText(want string) bool {
	return strings.Contains(p.text, strings.Join(strings.Fields(want), " "))
}

func (p page) links() map[string]bool {
	out := map[string]bool{}
	for _, a := range p.tag(atom.A) {
		out[attr(a, "href")] = true
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var sb strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			sb.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

func inside(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

// focusable is a rough test for elements reachable with the Tab key.
func focusable(n *html.Node) bool {
	if hasAttr(n, "tabindex") {
		return !strings.HasPrefix(attr(n, "tabindex"), "-")
	}
	switch n.DataAtom {
	case atom.A:
		return hasAttr(n, "href")
	case atom.Button, atom.Input, atom.Select, atom.Textarea, atom.Summary:
		return true
	}
	return false
}

type pageCase struct {
	name string
	path string
	c    templ.Component
}

func allPages(t *testing.T, reg *policy.Registry) []pageCase {
	// The handlers fill RightsPath from the registry's rights_request purpose.
	mk := func(path, title string) Page {
		return Page{Title: title, Path: path, RightsPath: "/rights"}
	}
	return []pageCase{
		{"home", "/", HomePage(mk("/", "Home"), reg)},
		{"privacy", "/privacy", PrivacyPage(mk("/privacy", "Privacy policy"), reg)},
		{"cookies", "/cookies", CookiesPage(mk("/cookies", "Cookies"), reg)},
		{"not found", "/nope", ErrorPage(mk("/nope", "Page not found"), http.StatusNotFound, "")},
		{"server error", "/boom", ErrorPage(mk("/boom", "Error"), http.StatusInternalServerError, "")},
	}
}

// TestLayoutContract checks what every public page must have, whatever its
// content: structure, accessibility hooks and the CSP constraints.
func TestLayoutContract(t *testing.T) {
	for _, regCase := range []struct {
		name string
		reg  *policy.Registry
	}{{"default", defaultRegistry(t)}, {"hostile", hostileRegistry()}} {
		for _, pc := range allPages(t, regCase.reg) {
			t.Run(regCase.name+"/"+pc.name, func(t *testing.T) {
				p := render(t, pc.c)

				if !strings.HasPrefix(strings.ToLower(p.raw), "<!doctype html>") {
					t.Errorf("page does not start with <!doctype html>: %.40q", p.raw)
				}
				htmls := p.tag(atom.Html)
				if len(htmls) != 1 || attr(htmls[0], "lang") != "en" {
					t.Errorf("want <html lang=\"en\">")
				}
				if n := len(p.tag(atom.H1)); n != 1 {
					t.Errorf("got %d h1, want exactly 1", n)
				}
				if len(p.tag(atom.Title)) != 1 || !strings.Contains(textOf(p.tag(atom.Title)[0]), SiteName) {
					t.Errorf("missing <title> with the site name")
				}
				viewport := p.all(func(n *html.Node) bool { return n.DataAtom == atom.Meta && attr(n, "name") == "viewport" })
				if len(viewport) != 1 {
					t.Errorf("missing meta viewport")
				}
				css := p.all(func(n *html.Node) bool {
					return n.DataAtom == atom.Link && attr(n, "rel") == "stylesheet" && strings.HasPrefix(attr(n, "href"), "/static/css/app.css?v=")
				})
				if len(css) != 1 {
					t.Errorf("missing fingerprinted stylesheet link to /static/css/app.css")
				}

				// The skip link is the first focusable element and points at <main id="main">.
				first := p.all(focusable)
				if len(first) == 0 || attr(first[0], "href") != "#main" {
					t.Fatalf("first focusable element is not the skip link to #main")
				}
				if m := p.byID("main"); m == nil || m.DataAtom != atom.Main {
					t.Errorf("skip link target #main is not the <main> element")
				}
				if n := len(p.tag(atom.Main)); n != 1 {
					t.Errorf("got %d <main>, want 1", n)
				}

				// Footer links the law expects on every page.
				footers := p.tag(atom.Footer)
				if len(footers) != 1 {
					t.Fatalf("got %d footers, want 1", len(footers))
				}
				footerLinks := map[string]bool{}
				for _, a := range p.tag(atom.A) {
					if inside(a, atom.Footer) {
						footerLinks[attr(a, "href")] = true
					}
				}
				for _, href := range []string{"/en/privacy", "/en/cookies", "/en/cookies/preferences", "/en/rights", "/en/privacy#controller"} {
					if !footerLinks[href] {
						t.Errorf("footer has no link to %s", href)
					}
				}
				// Header navigation, with the current page marked.
				for _, href := range []string{"/en/", "/en/privacy", "/en/cookies", "/en/rights"} {
					navs := p.all(func(n *html.Node) bool {
						return n.DataAtom == atom.A && inside(n, atom.Header) && attr(n, "href") == href
					})
					if len(navs) == 0 {
						t.Errorf("header has no link to %s", href)
					}
				}
				for _, a := range p.all(func(n *html.Node) bool { return n.DataAtom == atom.A && hasAttr(n, "aria-current") }) {
					if attr(a, "href") != "/en"+pc.path || attr(a, "aria-current") != "page" {
						t.Errorf("aria-current on %q, current path is %q", attr(a, "href"), pc.path)
					}
				}

				// CSP: no inline style, no inline event handler, no script at all.
				for n := range p.doc.Descendants() {
					if n.Type != html.ElementNode {
						continue
					}
					for _, a := range n.Attr {
						if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
							t.Errorf("<%s %s=…> is blocked by the CSP", n.Data, a.Key)
						}
					}
				}
				if s := p.tag(atom.Script); len(s) != 0 {
					t.Errorf("page has %d <script> elements, want none", len(s))
				}
				if s := p.tag(atom.Style); len(s) != 0 {
					t.Errorf("page has %d <style> elements, want none", len(s))
				}

				// ids are unique; h2 have ids (anchors).
				seen := map[string]bool{}
				for _, n := range p.all(func(n *html.Node) bool { return hasAttr(n, "id") }) {
					if id := attr(n, "id"); seen[id] {
						t.Errorf("duplicate id %q", id)
					} else {
						seen[id] = true
					}
				}
				for _, h := range p.tag(atom.H2) {
					if attr(h, "id") == "" {
						t.Errorf("h2 %q has no id", textOf(h))
					}
				}
				// In-page links point at an existing id.
				for href := range p.links() {
					if id, ok := strings.CutPrefix(href, "#"); ok && !seen[id] {
						t.Errorf("link to %s: no such id", href)
					}
				}

				// Tables scroll inside a focusable, named region and have a caption.
				for _, table := range p.tag(atom.Table) {
					w := table.Parent
					if w == nil || attr(w, "role") != "region" || attr(w, "tabindex") != "0" || attr(w, "aria-label") == "" ||
						!strings.Contains(attr(w, "class"), "table-wrap") {
						t.Errorf("table is not wrapped in a focusable, labelled, scrolling region")
					}
					if table.FirstChild == nil || len(p.all(func(n *html.Node) bool { return n.DataAtom == atom.Caption && n.Parent == table })) != 1 {
						t.Errorf("table has no caption")
					}
				}
			})
		}
	}
}

func TestPrivacyPage(t *testing.T) {
	for _, l := range i18n.All {
		t.Run(string(l), func(t *testing.T) { testPrivacyPage(t, l) })
	}
}

func testPrivacyPage(t *testing.T, l i18n.Lang) {
	reg := defaultRegistry(t)
	p := renderIn(t, l, PrivacyPage(Page{Title: "Privacy policy", Path: "/privacy"}, reg))

	ctrl := p.byID("controller")
	if ctrl == nil || ctrl.DataAtom != atom.H2 {
		t.Fatalf("no h2#controller (the footer's legal notice link)")
	}
	c := reg.Controller
	for _, want := range []string{c.Name, c.LegalForm.Get(l), c.ShareCapital.Get(l), c.Registry + " " + c.RegNumber, c.Address, c.Site} {
		if !p.hasText(want) {
			t.Errorf("controller fact %q missing", want)
		}
	}
	links := p.links()
	for _, href := range []string{"mailto:" + reg.DPO.Email, PathIn(l, "/rights"), PathIn(l, "/cookies"), PathIn(l, "/cookies/preferences"), reg.Authority.ComplaintURL} {
		if !links[href] {
			t.Errorf("no link to %s", href)
		}
	}
	if !links[telURL(reg.Authority.Phone)] || !p.hasText(reg.Authority.Phone) || !p.hasText(reg.Authority.Address) {
		t.Errorf("authority phone or address missing")
	}

	// The purposes table: one row per purpose, with title, what for, basis and retention.
	var purposes *html.Node
	for _, tb := range p.tag(atom.Table) {
		if inside(tb, atom.Section) && strings.Contains(textOf(tb), msgColBasis.Get(l)) {
			purposes = tb
		}
	}
	if purposes == nil {
		t.Fatalf("no purposes table")
	}
	rows := map[string]string{}
	for _, tr := range p.all(func(n *html.Node) bool { return n.DataAtom == atom.Tr && inside(n, atom.Tbody) }) {
		var cells []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				cells = append(cells, textOf(c))
			}
		}
		if len(cells) > 0 {
			rows[cells[0]] = strings.Join(cells, " | ")
		}
	}
	for _, pu := range reg.Purposes {
		row, ok := rows[pu.Title.Get(l)]
		if !ok {
			t.Errorf("purpose %q has no row in the table", pu.Title.Get(l))
			continue
		}
		if sum := strings.Join(strings.Fields(RetentionText(pu.Retention).Get(l)), " "); sum == "" || !strings.Contains(row, sum) {
			t.Errorf("purpose %q: retention summary %q missing from its row", pu.Key, sum)
		}
		for _, b := range pu.Bases {
			if !strings.Contains(row, basisText(b).Get(l)) {
				t.Errorf("purpose %q: basis %q missing from its row", pu.Key, basisText(b).Get(l))
			}
		}
		if p.byID("purpose-"+pu.Key) == nil {
			t.Errorf("purpose %q has no details section", pu.Key)
		}
		for _, d := range pu.DataKinds {
			if !p.hasText(d.Get(l)) {
				t.Errorf("purpose %q: data kind %q missing", pu.Key, d.Get(l))
			}
		}
	}
	for _, k := range keptRecords(reg) {
		if !p.hasText(k.HowLong.Get(l)) || !p.hasText(k.What.Get(l)) {
			t.Errorf("connection data: %q missing", k.HowLong.Get(l))
		}
	}
	if !p.hasText(RetentionText(reg.ConnectionData.Retention).Get(l)) {
		t.Errorf("connection data retention missing")
	}
	for _, name := range reg.Recipients.Processors {
		if !p.hasText(name) {
			t.Errorf("processor %q missing", name)
		}
	}
	// The partner box is quoted, exactly as the form shows it.
	for _, b := range consentBoxes(reg, reg.Recipients.Partners.ConsentKind, reg.Recipients.Partners.Purposes) {
		if !p.hasText(b.Label.Get(l)) {
			t.Errorf("partner consent box %q not quoted", b.Label.Get(l))
		}
	}
	if len(consentBoxes(reg, reg.Recipients.Partners.ConsentKind, reg.Recipients.Partners.Purposes)) == 0 {
		t.Errorf("the default registry has no partner consent box to quote")
	}
	if !p.hasText(msgNeverSold.Get(l)) {
		t.Errorf("never-sold statement missing")
	}
	var texts []string
	texts = append(texts, policy.Texts(reg.Transfers.Safeguards, l)...)
	texts = append(texts, policy.Texts(reg.Security, l)...)
	texts = append(texts, policy.Texts(reg.Recipients.Authorities, l)...)
	texts = append(texts, policy.Texts(reg.AutomatedCalls.OptOut, l)...)
	texts = append(texts, reg.Storage.Get(l), reg.Identity.Get(l), reg.ThirdPartyLink.Get(l), reg.Changes.Get(l), reg.AutomatedCalls.Description.Get(l), reg.Version, policyDate(i18n.WithLang(context.Background(), l), reg.Date))
	for _, r := range reg.Rights {
		texts = append(texts, r.Title.Get(l), r.Description.Get(l))
		texts = append(texts, policy.Texts(r.Conditions, l)...)
	}
	for _, want := range texts {
		if !p.hasText(want) {
			t.Errorf("policy text missing: %q", want)
		}
	}
	for _, id := range []string{"purposes", "recipients", "transfers", "security", "storage", "rights", "complaint", "cookies", "changes"} {
		if n := p.byID(id); n == nil || n.DataAtom != atom.H2 {
			t.Errorf("no h2#%s", id)
		}
	}
}

func TestCookiesPage(t *testing.T) {
	for _, l := range i18n.All {
		t.Run(string(l), func(t *testing.T) { testCookiesPage(t, l) })
	}
}

func testCookiesPage(t *testing.T, l i18n.Lang) {
	reg := defaultRegistry(t)
	p := renderIn(t, l, CookiesPage(Page{Title: "Cookies", Path: "/cookies"}, reg))
	if !p.links()[PathIn(l, "/cookies/preferences")] || !p.hasText(msgChangeChoice.Get(l)) {
		t.Errorf("no “Change your choice” link to /cookies/preferences")
	}
	for _, cat := range reg.Cookies {
		if h := p.byID("category-" + cat.Key); h == nil || textOf(h) != cat.Title.Get(l) {
			t.Errorf("category %q has no h2", cat.Key)
		}
		if !p.hasText(cat.Description.Get(l)) {
			t.Errorf("category %q: description missing", cat.Key)
		}
		for _, c := range cat.Cookies {
			for _, want := range []string{c.Name, c.Provider.Get(l), c.Purpose.Get(l), c.LifetimeText().Get(l)} {
				if !p.hasText(want) {
					t.Errorf("cookie %q: %q missing", c.Name, want)
				}
			}
		}
	}
	if !p.hasText(msgAlwaysOn.Get(l)) || !p.hasText(msgOnlyWithConsent.Get(l)) {
		t.Errorf("necessity of the categories not shown")
	}
}

func TestHomePage(t *testing.T) {
	reg := defaultRegistry(t)
	p := render(t, HomePage(Page{Title: "Home", Path: "/"}, reg))
	links := p.links()
	for _, path := range []string{"/contact", "/quote", "/newsletter", "/appointment", "/training", "/apply", "/ai-challenge"} {
		if !links["/en"+path] {
			t.Errorf("no link to the form %s", path)
		}
	}
	for _, pu := range formPurposes(reg) {
		if !p.hasText(pu.Title.EN) {
			t.Errorf("form title %q missing", pu.Title.EN)
		}
	}
	for _, s := range reg.Services {
		if !p.hasText(s.EN) {
			t.Errorf("service %q missing", s.EN)
		}
	}
}

func TestErrorPage(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		message string
		want    []string
	}{
		{"404 default", http.StatusNotFound, "", []string{"Error 404", "Page not found", errorMsgNotFound.Get(i18n.EN)}},
		{"500 default", http.StatusInternalServerError, "", []string{"Error 500", "Something went wrong"}},
		{"custom message", http.StatusForbidden, "Staff only.", []string{"Access denied", "Staff only."}},
		{"escaped message", http.StatusBadRequest, xss, []string{xss}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := render(t, ErrorPage(Page{Title: "Error"}, tt.status, tt.message))
			for _, w := range tt.want {
				if !p.hasText(w) {
					t.Errorf("missing %q", w)
				}
			}
			if !p.links()["/en/"] {
				t.Errorf("no link home")
			}
			if len(p.tag(atom.Script)) != 0 {
				t.Errorf("message was not escaped")
			}
		})
	}
}

// TestRegistryTextIsEscaped proves registry text cannot inject markup: it
// shows up as text, never as an element, and unsafe URLs are neutralised.
func TestRegistryTextIsEscaped(t *testing.T) {
	reg := hostileRegistry()
	for _, pc := range allPages(t, reg)[:3] {
		t.Run(pc.name, func(t *testing.T) {
			p := render(t, pc.c)
			if n := len(p.tag(atom.Script)); n != 0 {
				t.Fatalf("registry text injected %d <script> elements", n)
			}
			if !strings.Contains(p.raw, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("escaped registry text not found")
			}
			if !p.hasText(xss) {
				t.Errorf("registry text not shown as text")
			}
			for href := range p.links() {
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(href)), "javascript:") {
					t.Errorf("unsafe link %q rendered", href)
				}
			}
		})
	}
}

func TestBanner(t *testing.T) {
	banner := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<div id="cookie-banner" role="dialog" aria-label="Cookies"><button type="button">OK</button></div>`)
		return err
	})
	p := render(t, ErrorPage(Page{Title: "x", Banner: banner}, http.StatusNotFound, ""))
	b := p.byID("cookie-banner")
	if b == nil || b.Parent.DataAtom != atom.Body {
		t.Fatalf("banner not rendered directly inside <body>")
	}
	if f := p.all(focusable); len(f) < 2 || attr(f[0], "href") != "#main" || f[1].DataAtom != atom.Button {
		t.Errorf("want the skip link first, then the banner")
	}
	p = render(t, ErrorPage(Page{Title: "x"}, http.StatusNotFound, ""))
	if p.byID("cookie-banner") != nil {
		t.Errorf("banner rendered without one")
	}
}

func TestBasisLabel(t *testing.T) {
	tests := []struct {
		b    policy.LegalBasis
		want string
	}{
		{policy.BasisConsent, "Your consent"},
		{policy.BasisPreContract, "Steps before a contract, at your request"},
		{policy.BasisContract, "Performance of a contract with you"},
		{policy.BasisLegal, "A legal obligation"},
		{policy.BasisLegitimate, "Our legitimate interests"},
		{"vital_interest", "vital_interest"},
	}
	for _, tt := range tests {
		t.Run(string(tt.b), func(t *testing.T) {
			if got := basisText(tt.b).EN; got != tt.want {
				t.Errorf("basisText(%q).EN = %q, want %q", tt.b, got, tt.want)
			}
		})
	}
}

func TestRetentionText(t *testing.T) {
	tests := []struct {
		name string
		r    policy.Retention
		want string
	}{
		{"composed", policy.Retention{Years: 1, Months: 2, From: policy.FromLastContact, Action: "delete"},
			"We keep it for 1 year and 2 months from our last contact with you, then we delete it."},
		{"withdrawal", policy.Retention{Months: 13, From: policy.FromCreated, UntilWithdrawn: true, Action: "delete"},
			"We keep it until you withdraw your consent, and at most 13 months from the day we receive it, then we delete it."},
		{"destroyed on a status", policy.Retention{Years: 2, From: policy.FromLastContact, DestroyOn: []string{"unsuccessful"}, Action: "delete"},
			"If it is marked unsuccessful, we delete it at once; otherwise we keep it for 2 years from our last contact with you, then we delete it."},
		{"anonymised", policy.Retention{Years: 3, From: policy.FromEventEnd, Action: "anonymise"},
			"We keep it for 3 years from the end of the event or from our last contact with you, then we make it anonymous."},
		{"empty", policy.Retention{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RetentionText(tt.r).EN; got != tt.want {
				t.Errorf("retentionText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLongDate(t *testing.T) {
	if got := longDate("2026-11-01"); got != "1 November 2026" {
		t.Errorf("longDate = %q", got)
	}
	if got := longDate("soon"); got != "soon" {
		t.Errorf("longDate(invalid) = %q", got)
	}
}

// Deployment facts (a processor's service and country) are not the
// published policy's: the page shows them only when the registry's
// deployment section states them.
func TestDeploymentFactsOnlyWhenFilled(t *testing.T) {
	reg := defaultRegistry(t)
	p := render(t, PrivacyPage(Page{Title: "Privacy policy", Path: "/privacy"}, reg))
	if len(p.tag(atom.Caption)) > 0 && strings.Contains(p.raw, "<caption>Processors</caption>") {
		t.Error("a processors table is shown with an empty deployment section")
	}
	if strings.Contains(p.raw, "United States") || strings.Contains(p.raw, "Inside the EEA") {
		t.Error("the page states processor countries the registry does not declare")
	}
	filled := *reg
	filled.Deployment.Processors = []policy.Processor{{Name: "Brevo", Service: tx("Sending of emails"), Country: tx("France"), EEA: true}}
	p = render(t, PrivacyPage(Page{Title: "Privacy policy", Path: "/privacy"}, &filled))
	for _, want := range []string{"<caption>Processors</caption>", "Sending of emails", "France"} {
		if !strings.Contains(p.raw, want) {
			t.Errorf("filled deployment section: %q missing", want)
		}
	}
}

// A duration the software enforces is declared once, in policy.Durations:
// changing it there changes what the pages and emails say.
func TestDurationsAreSaidFromOneDeclaration(t *testing.T) {
	saved := policy.Durations
	t.Cleanup(func() { policy.Durations = saved })
	policy.Durations.AccessLogRetention = policy.Period{Months: 18}
	policy.Durations.LinkValidity = policy.Period{Days: 3}
	reg := defaultRegistry(t)
	p := render(t, PrivacyPage(Page{Title: "Privacy policy", Path: "/privacy"}, reg))
	if !p.hasText("Kept for 18 months") {
		t.Error("the privacy page does not say the access log's new retention")
	}
	if !p.hasText("They work for 3 days") {
		t.Error("the privacy page does not say the links' new validity")
	}
	pu, _ := reg.Purpose("newsletter")
	sent := render(t, FormSentPage(Page{Title: TitleFormSent.Get(i18n.EN)}, reg, pu))
	if !sent.hasText("within 3 days") {
		t.Error("the form's confirmation page does not say the links' new validity")
	}
	if _, body := ConfirmEmail(i18n.EN, reg, pu, "https://x/confirm"); !strings.Contains(body, "valid for 3 days") {
		t.Error("the confirmation email does not say the links' new validity")
	}
}

// The confirmation page names who can read what was stored, from the
// registry's roles: the teams that handle the purpose and the DPO.
func TestFormSentPageSaysWhoCanRead(t *testing.T) {
	reg := defaultRegistry(t)
	for key, want := range map[string]string{
		"ai_challenge": "the Sales team, the Training team and the Data Protection Officer",
		"recruitment":  "the Recruitment team and the Data Protection Officer",
		"rights":       "the Data Protection Officer",
	} {
		pu, _ := reg.Purpose(key)
		p := render(t, FormSentPage(Page{Title: TitleFormSent.Get(i18n.EN), RightsPath: "/rights"}, reg, pu))
		if !p.hasText("Only these people can read it: " + want + ".") {
			t.Errorf("%s: the page does not say %q", key, want)
		}
	}
}
