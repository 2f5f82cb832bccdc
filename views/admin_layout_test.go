package views

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/i18n"
)

// AdminLayout writes adminLayout's bytes exactly, in both languages, signed
// in or out, with any number of links, whatever the values hold: markup,
// quotes, unicode, or another hole's placeholder. Every field gets its own
// value, so a hole cut in the wrong place, or a frame in the wrong order,
// changes the page.
func TestAdminLayoutIsTheTemplate(t *testing.T) {
	hostile := func(field string) string {
		return field + ` <>&"' é’ 𝔘 ` + xss
	}
	link := func(i int) NavLink {
		return NavLink{Href: fmt.Sprintf(`/admin/%d?a="b"&c=<d>'`, i), Label: hostile(fmt.Sprint("link", i))}
	}
	signedIn := StaffPage{Title: hostile("title"), Path: hostile("/path"), CSRF: hostile("csrf"),
		StaffName: hostile("name"), RoleTitle: hostile("role")}
	cases := map[string]StaffPage{
		"signed out":                 {Title: hostile("title"), Path: "/admin/login", CSRF: "tok"},
		"signed out, nothing":        {},
		"signed out, links":          {Title: "t", Nav: []NavLink{link(1)}},
		"placeholders in the values": {Title: phStaff, Path: phCSRF, CSRF: phPath + phChildren, StaffName: phTitle, RoleTitle: phHref, Nav: []NavLink{{Href: phLabel, Label: phRole}}},
		"signed in, empty values":    {StaffName: "n"},
	}
	for n := range 4 {
		p := signedIn
		for i := range n {
			p.Nav = append(p.Nav, link(i))
		}
		cases[fmt.Sprintf("signed in, %d links", n)] = p
	}
	children := templ.Raw("<p>the page’s content</p>")
	for _, l := range i18n.All {
		for name, p := range cases {
			t.Run(string(l)+"/"+name, func(t *testing.T) {
				ctx := templ.WithChildren(i18n.WithLang(context.Background(), l), children)
				var got, want bytes.Buffer
				if err := AdminLayout(p).Render(ctx, &got); err != nil {
					t.Fatal(err)
				}
				if err := adminLayout(p).Render(ctx, &want); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("AdminLayout wrote\n%s\nthe template\n%s", got.String(), want.String())
				}
				if !strings.Contains(got.String(), "the page’s content</p></main>") {
					t.Error("the content is not inside <main>")
				}
			})
		}
	}
}

// A template whose placeholders are not where the cuts expect them, or
// come more or fewer times, is refused: the server then stops at start-up
// (mustAdminFrame panics) instead of writing a frame that is not the
// template's.
func TestAdminFrameRefusesMisplacedHoles(t *testing.T) {
	in := StaffPage{Title: phTitle, StaffName: phStaff, RoleTitle: phRole, CSRF: phCSRF, Path: phPath}
	for name, holes := range map[string][]string{
		"missing":             {phTitle, phChildren},
		"once, written twice": {phTitle, phStaff, phRole, phCSRF, phPath, phChildren},
		"out of order":        {phTitle, phRole, phStaff, phCSRF, phPath, phCSRF, phChildren},
	} {
		if _, err := cutAdminLayout(i18n.FR, in, holes...); err == nil {
			t.Errorf("%s: the cut was accepted", name)
		}
	}
	if _, err := cutAdminLayout(i18n.FR, in, phTitle, phStaff, phRole, phCSRF, phPath, phCSRF, phChildren); err != nil {
		t.Errorf("the template's own holes: %v", err)
	}
	for _, l := range i18n.All {
		if _, err := newAdminFrame(l); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
}

// The frame alone, cut up against the template it is cut from.
func BenchmarkAdminLayout(b *testing.B) {
	p := StaffPage{Title: "Journal d’accès", Path: "/admin/dpo/access-log", CSRF: "k1Vq8sYw3Zt6Lm0Hn4Rb7Xc2Jd5Pf9Ga",
		StaffName: "Ada Lovelace", RoleTitle: "DPO", Nav: []NavLink{{"/admin/records", "Fiches"}, {"/admin/dpo", "DPO"}, {"/admin/dpo/access-log", "Journal"}}}
	ctx := templ.WithChildren(i18n.WithLang(context.Background(), i18n.FR), templ.Raw("<p>x</p>"))
	for name, c := range map[string]templ.Component{"cut": AdminLayout(p), "template": adminLayout(p)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Render(ctx, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
