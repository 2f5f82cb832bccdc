package views

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/static"
)

// AdminLayout is the shell of every back-office page: no cookie banner (its
// cookies are strictly necessary), no public navigation, and a sign-out
// button that posts with the form token.
//
// It is written by hand around the parts that never change, each escaped
// once per language at start-up (adminFrames): what changes per request is
// the title, the member's name, role and links, the form token and the
// path, each escaped as templ escaped it. The markup is the one the
// template wrote, byte for byte.
func AdminLayout(p StaffPage) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		l := i18n.From(ctx)
		f := &adminFrames[0]
		if l == i18n.EN {
			f = &adminFrames[1]
		}
		err := writeBuilt(w, func(b []byte) []byte {
			b = append(b, f.head...)
			b = appendEscaped(b, p.Title)
			b = append(b, f.header...)
			if p.StaffName != "" {
				b = append(b, f.navOpen...)
				for _, link := range p.Nav {
					b = append(b, `<li><a href="`...)
					b = appendEscaped(b, link.Href)
					b = append(b, `" class="nav-link">`...)
					b = appendEscaped(b, link.Label)
					b = append(b, "</a></li>"...)
				}
				b = append(b, `<li class="text-gray-700">`...)
				b = appendEscaped(b, p.StaffName)
				b = append(b, " · "...)
				b = appendEscaped(b, p.RoleTitle)
				b = append(b, `</li><li><form method="post" action="/admin/language"><input type="hidden" name="_csrf" value="`...)
				b = appendEscaped(b, p.CSRF)
				b = append(b, f.switchLang...)
				b = appendEscaped(b, p.Path)
				b = append(b, f.switchButton...)
				b = appendEscaped(b, p.CSRF)
				b = append(b, f.signOut...)
			}
			return append(b, f.main...)
		})
		if err != nil {
			return err
		}
		if err := templ.GetChildren(ctx).Render(templ.ClearChildren(ctx), w); err != nil {
			return err
		}
		_, err = io.WriteString(w, "</main></body></html>")
		return err
	})
}

// adminFrame is the unchanging markup of the back-office layout in one language,
// escaped, cut where the request's values go.
type adminFrame struct {
	head         string // up to the title
	header       string // from after the title to the navigation
	navOpen      string // the navigation, up to its first link
	switchLang   string // from after the language form's token to its path
	switchButton string // from after that path to the sign-out form's token
	signOut      string // from after that token to the end of the navigation
	main         string // from the end of the header to the page's content
}

// adminFrames are the layout's unchanging parts in French and English.
var adminFrames = [2]adminFrame{newAdminFrame(i18n.FR), newAdminFrame(i18n.EN)}

func newAdminFrame(l i18n.Lang) adminFrame {
	esc := func(s string) string { return string(appendEscaped(nil, s)) }
	backOffice := esc(fmtMsg(txtBackOffice, l, SiteName))
	other := esc(l.Other().String())
	return adminFrame{
		head: `<!doctype html><html lang="` + esc(l.String()) + `"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>`,
		header: " · " + backOffice + `</title><link rel="stylesheet" href="` + esc(string(templ.URL(static.URL("/static/css/app.css")))) +
			`"></head><body class="flex min-h-screen flex-col bg-gray-50 text-gray-900 antialiased"><a href="#main" class="skip-link">` +
			esc(txtSkipToMain.Get(l)) + `</a><header class="border-b border-gray-300 bg-white"><div class="container-wide flex flex-wrap items-center justify-between gap-x-6 gap-y-2 py-3"><a href="/admin" class="text-lg font-bold text-gray-900 no-underline hover:underline">` +
			backOffice + "</a> ",
		navOpen:    `<nav aria-label="` + esc(txtNavBackOffice.Get(l)) + `"><ul class="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">`,
		switchLang: `"><input type="hidden" name="lang" value="` + other + `"> <input type="hidden" name="next" value="`,
		switchButton: `"> <button type="submit" class="btn btn-secondary py-1 text-sm" lang="` + other + `" title="` + esc(txtLanguage.Get(l)) + `">` +
			esc(l.Other().Name()) + `</button></form></li><li><form method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="`,
		signOut: `"> <button type="submit" class="btn btn-secondary py-1 text-sm">` + esc(txtSignOut.Get(l)) + "</button></form></li></ul></nav>",
		main:    `</div></header><main id="main" tabindex="-1" class="container-wide flex-1 py-6 focus:outline-none">`,
	}
}

// fmtMsg is m in l formatted with args, as Msg.F formats it in a request.
func fmtMsg(m i18n.Msg, l i18n.Lang, args ...any) string {
	return m.F(i18n.WithLang(context.Background(), l), args...)
}
