package views

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/i18n"
)

// AdminLayout is the shell of every back-office page: adminLayout's bytes,
// written from its markup cut up at start-up (adminFrames). Every admin
// page renders it, and rendering the template per request (a templ
// expression and its escaping per unchanging word) was up to a sixth of the
// server's time on the busiest pages. The markup lives only in
// admin_layout.templ.
func AdminLayout(p StaffPage) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		f := &adminFrames[0]
		if i18n.From(ctx) == i18n.EN {
			f = &adminFrames[1]
		}
		err := writeBuilt(w, func(b []byte) []byte {
			b = append(b, f.head...)
			b = appendEscaped(b, p.Title)
			if p.StaffName == "" {
				return append(b, f.signedOut...)
			}
			b = append(b, f.nav...)
			for _, l := range p.Nav {
				b = append(b, f.linkHref...)
				b = appendEscaped(b, l.Href)
				b = append(b, f.linkLabel...)
				b = appendEscaped(b, l.Label)
				b = append(b, f.linkEnd...)
			}
			b = append(b, f.staff...)
			b = appendEscaped(b, p.StaffName)
			b = append(b, f.role...)
			b = appendEscaped(b, p.RoleTitle)
			b = append(b, f.switchCSRF...)
			b = appendEscaped(b, p.CSRF)
			b = append(b, f.path...)
			b = appendEscaped(b, p.Path)
			b = append(b, f.signOutCSRF...)
			b = appendEscaped(b, p.CSRF)
			return append(b, f.signedIn...)
		})
		if err != nil {
			return err
		}
		if err := templ.GetChildren(ctx).Render(templ.ClearChildren(ctx), w); err != nil {
			return err
		}
		_, err = io.WriteString(w, f.tail)
		return err
	})
}

// The placeholders adminLayout is rendered with at start-up: letters and
// digits only, so templ writes them unescaped and unchanged, and nothing a
// page says.
const (
	phTitle    = "AdminTitlePlaceholder3Kd8Vw"
	phStaff    = "AdminStaffPlaceholder7Rm2Qx"
	phRole     = "AdminRolePlaceholder5Tz9Lc"
	phCSRF     = "AdminCsrfPlaceholder1Hy6Np"
	phPath     = "AdminPathPlaceholder8Bw4Js"
	phHref     = "AdminHrefPlaceholder2Gv7Fe"
	phLabel    = "AdminLabelPlaceholder6Xq3Wa"
	phChildren = "AdminChildrenPlaceholder9Pk5Ou"
)

// adminFrame is adminLayout in one language, cut where a request's values
// go. A page is head, the title, then either signedOut, or nav, each link
// (linkHref, its href, linkLabel, its label, linkEnd), staff, the name,
// role, the role's title, switchCSRF, the token, path, the path,
// signOutCSRF, the token, signedIn; then the page's content and tail.
type adminFrame struct {
	head, signedOut                   string
	nav, linkHref, linkLabel, linkEnd string
	staff, role, switchCSRF, path     string
	signOutCSRF, signedIn, tail       string
}

// adminFrames is adminLayout cut up in French and English. A template that
// no longer matches the cuts stops the server at start-up rather than
// serving a frame that is not the template's.
var adminFrames = [2]adminFrame{mustAdminFrame(i18n.FR), mustAdminFrame(i18n.EN)}

func mustAdminFrame(l i18n.Lang) adminFrame {
	f, err := newAdminFrame(l)
	if err != nil {
		panic(err)
	}
	return f
}

// newAdminFrame renders adminLayout signed out, and signed in with no, one
// and two links, and cuts each at its placeholders, which must come exactly
// where and as often as expected. The link's markup is what one link adds
// to none; the second link checks that it repeats.
func newAdminFrame(l i18n.Lang) (adminFrame, error) {
	var f adminFrame
	page := func(p StaffPage) StaffPage {
		p.Title, p.CSRF, p.Path, p.RoleTitle = phTitle, phCSRF, phPath, phRole
		return p
	}
	link := NavLink{Href: phHref, Label: phLabel}
	out, err := cutAdminLayout(l, page(StaffPage{}), phTitle, phChildren)
	if err != nil {
		return f, err
	}
	signedIn := []string{phStaff, phRole, phCSRF, phPath, phCSRF, phChildren}
	in0, err := cutAdminLayout(l, page(StaffPage{StaffName: phStaff}), append([]string{phTitle}, signedIn...)...)
	if err != nil {
		return f, err
	}
	in2, err := cutAdminLayout(l, page(StaffPage{StaffName: phStaff, Nav: []NavLink{link, link}}),
		append([]string{phTitle, phHref, phLabel, phHref, phLabel}, signedIn...)...)
	if err != nil {
		return f, err
	}
	// out: head, signedOut, tail. in0: head, nav+staff, role, … tail.
	// in2: head, nav+linkHref, linkLabel, linkEnd+linkHref, linkLabel,
	// linkEnd+staff, role, … tail.
	if out[0] != in0[0] || out[2] != in0[7] || in2[0] != in0[0] || !slices.Equal(in2[6:], in0[2:]) || in2[2] != in2[4] {
		return f, fmt.Errorf("views: AdminLayout (%s) signed out, or with links, differs from signed in beyond the links", l)
	}
	// Where nav ends and the link begins is any point both renderings share.
	n := commonPrefix(in2[1], in0[1])
	f.head, f.signedOut, f.tail = out[0], out[1], out[2]
	f.nav, f.linkHref, f.linkLabel, f.staff = in0[1][:n], in2[1][n:], in2[2], in0[1][n:]
	f.linkEnd, _ = strings.CutSuffix(in2[5], f.staff)
	if f.linkEnd+f.staff != in2[5] || f.linkEnd+f.linkHref != in2[3] {
		return f, fmt.Errorf("views: AdminLayout (%s): the navigation's links do not repeat", l)
	}
	f.role, f.switchCSRF, f.path, f.signOutCSRF, f.signedIn = in0[2], in0[3], in0[4], in0[5], in0[6]
	return f, nil
}

// cutAdminLayout renders adminLayout(p) in l around phChildren and cuts it
// at holes, in that order; each placeholder must occur exactly as often as
// holes names it.
func cutAdminLayout(l i18n.Lang, p StaffPage, holes ...string) ([]string, error) {
	var buf bytes.Buffer
	ctx := templ.WithChildren(i18n.WithLang(context.Background(), l), templ.Raw(phChildren))
	if err := adminLayout(p).Render(ctx, &buf); err != nil {
		return nil, err
	}
	s := buf.String()
	for _, ph := range []string{phTitle, phStaff, phRole, phCSRF, phPath, phHref, phLabel, phChildren} {
		want := 0
		for _, h := range holes {
			if h == ph {
				want++
			}
		}
		if got := strings.Count(s, ph); got != want {
			return nil, fmt.Errorf("views: AdminLayout (%s) writes %s %d times, want %d", l, ph, got, want)
		}
	}
	parts := make([]string, 0, len(holes)+1)
	for _, h := range holes {
		before, after, ok := strings.Cut(s, h)
		if !ok {
			return nil, fmt.Errorf("views: AdminLayout (%s) writes %s out of order", l, h)
		}
		parts, s = append(parts, before), after
	}
	return append(parts, s), nil
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
