package views

import (
	"bytes"
	"context"
	"html"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
)

// The log's rows are written by hand (accessRows), not by templ: every
// stored value a request could have put there (a staff member's name, an
// address, a user agent, an unknown code) must still reach the page as text,
// never as markup.
func TestAccessLogPageEscapesEveryStoredValue(t *testing.T) {
	at := time.Date(2026, 11, 29, 17, 35, 0, 0, time.UTC)
	staff := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	rec := uuid.MustParse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	rows := []models.AccessRow{
		{ID: 42, At: at, StaffID: &staff, StaffName: "Ada " + xss, Role: "sales" + xss, Action: models.ActionView,
			Purpose: "contact" + xss, RecordID: &rec, IP: `"><img src=x onerror=alert(1)>`, UserAgent: xss,
			Outcome: models.OutcomeOK, Restricted: true},
		{ID: 41, At: at, Action: "odd" + xss, Outcome: "odd'" + xss},
	}
	anomalies, err := Freeze(AccessAnomalies([]models.Anomaly{{Kind: "odd" + xss, StaffName: "Bob " + xss, Period: at, Count: 51}}))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.All {
		t.Run(string(l), func(t *testing.T) {
			v := AccessLogView{Rows: rows, Anomalies: anomalies, Chart: AccessChart(Chart{}),
				Staff: []StaffAccount{{ID: staff, Name: "Eve " + xss}}, Actions: models.Actions,
				Filter: AccessLogFilter{Staff: staff.String(), Action: models.ActionView}}
			p := renderIn(t, l, AdminAccessLog(StaffPage{Title: "log"}, v))
			if n := len(p.tag(atom.Script)); n != 0 {
				t.Fatalf("stored values injected %d <script> elements", n)
			}
			if n := len(p.tag(atom.Img)); n != 0 {
				t.Fatalf("an address injected %d <img> elements", n)
			}
			for _, want := range []string{"Ada " + xss, "sales" + xss, "contact" + xss, `"><img src=x onerror=alert(1)>`,
				"odd" + xss, "odd'" + xss, "Bob " + xss, "Eve " + xss} {
				if !p.hasText(want) {
					t.Errorf("%q is not shown as text", want)
				}
			}
			// The first row, cell by cell, as the template wrote it.
			when, restricted, viewed, ok := "29 Nov 2026, 18:35 CET", "restricted", "view", "ok"
			if l == i18n.FR {
				when, restricted, viewed, ok = "29 nov. 2026 à 18:35 CET", "limité", "consultation", "réussi"
			}
			row := `<tr><td>42</td><td><time datetime="2026-11-29T17:35:00Z">` + when + `</time></td>` +
				`<td>Ada &lt;script&gt;alert(1)&lt;/script&gt;</td><td>sales&lt;script&gt;alert(1)&lt;/script&gt;</td>` +
				`<td>` + viewed + ` <span class="badge badge-optional">` + restricted + `</span></td>` +
				`<td>contact&lt;script&gt;alert(1)&lt;/script&gt;</td>` +
				`<td class="font-mono text-xs">0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b</td><td class="font-mono text-xs">—</td>` +
				`<td>` + ok + `</td><td>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</td></tr>`
			if !strings.Contains(p.raw, row) {
				t.Errorf("first row not written as expected; want %s in\n%s", row, p.raw)
			}
			if strings.Count(p.raw, "alert(1)") != 9 {
				t.Errorf("the page shows %d injected values, want 9 (the user agent is not shown)", strings.Count(p.raw, "alert(1)"))
			}
			// The filter keeps what was chosen.
			for _, want := range []string{`<option value="` + staff.String() + `" selected>Eve &lt;script&gt;`, `<option value="view" selected>`} {
				if !strings.Contains(p.raw, want) {
					t.Errorf("the filter does not keep %s", want)
				}
			}
		})
	}
}

// The rows' escaping is html.EscapeString's, byte for byte.
func TestAppendEscapedIsEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", xss, `a&b<c>d"e'f`, "&&", "<", "é’\u00a0<ü>", "tail&", "'lead", "\x00\xff<"} {
		if got, want := string(appendEscaped(nil, s)), html.EscapeString(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
		if got, want := string(appendEscaped([]byte("x"), []byte(s))), "x"+html.EscapeString(s); got != want {
			t.Errorf("%q as bytes: %q, want %q", s, got, want)
		}
	}
}

// The back-office frame is written from cut-up markup too: the member's name, role
// and links, the title, the form token and the path come back as text and
// attribute values, never as markup, in both languages; a signed-out page
// has no navigation.
func TestAdminLayoutEscapesItsValues(t *testing.T) {
	p := StaffPage{Title: "T" + xss, Path: `/admin/x"><b>`, CSRF: `tok"` + xss, StaffName: "Ada " + xss, RoleTitle: "DPO " + xss,
		Nav: []NavLink{{Href: `/admin/a?b="c"&d`, Label: "L" + xss}}}
	body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error { _, err := io.WriteString(w, "<p>content</p>"); return err })
	for _, l := range i18n.All {
		t.Run(string(l), func(t *testing.T) {
			pg := renderIn(t, l, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
				return AdminLayout(p).Render(templ.WithChildren(ctx, body), w)
			}))
			if n := len(pg.tag(atom.Script)); n != 0 || len(pg.tag(atom.B)) != 0 {
				t.Fatalf("values injected markup: %d <script>", n)
			}
			for _, want := range []string{"T" + xss, "Ada " + xss + " · DPO " + xss, "L" + xss, "content"} {
				if !strings.Contains(pg.text, want) {
					t.Errorf("the page does not show %q as text", want)
				}
			}
			values := map[string][]string{}
			for _, in := range pg.tag(atom.Input) {
				values[attr(in, "name")] = append(values[attr(in, "name")], attr(in, "value"))
			}
			if got := values["_csrf"]; len(got) != 2 || got[0] != p.CSRF || got[1] != p.CSRF {
				t.Errorf("form tokens %q, want the language and sign-out forms' %q", got, p.CSRF)
			}
			if got := values["next"]; len(got) != 1 || got[0] != p.Path {
				t.Errorf("next %q, want %q", got, p.Path)
			}
			if got := values["lang"]; len(got) != 1 || got[0] != l.Other().String() {
				t.Errorf("the switch offers %q", got)
			}
			if a := pg.tag(atom.A); len(a) < 3 || attr(a[2], "href") != p.Nav[0].Href {
				t.Errorf("the link's href is not %q", p.Nav[0].Href)
			}
			if h := pg.tag(atom.Html); len(h) != 1 || attr(h[0], "lang") != l.String() {
				t.Errorf("<html lang> is not %q", l)
			}
		})
	}
	signedOut := renderIn(t, i18n.EN, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return AdminLayout(StaffPage{Title: "Sign in"}).Render(templ.WithChildren(ctx, body), w)
	}))
	if len(signedOut.tag(atom.Nav)) != 0 || !strings.Contains(signedOut.text, "content") {
		t.Error("a signed-out page shows the navigation, or not its content")
	}
}

// BenchmarkAccessLogPageRender is the review's page as make bench reads it
// (fifty views by one member, the panels frozen), without the database.
func BenchmarkAccessLogPageRender(b *testing.B) {
	at := time.Date(2026, 11, 29, 17, 35, 0, 0, time.UTC)
	staff := uuid.MustParse("11111111-2222-4333-8444-555555555555")
	rows := make([]models.AccessRow, 50)
	recs := make([]uuid.UUID, len(rows))
	for i := range rows {
		recs[i] = uuid.New()
		rows[i] = models.AccessRow{ID: int64(1000 - i), At: at.Add(-time.Duration(i) * time.Second), StaffID: &staff,
			StaffName: "Sophie Commerciale", Role: "sales", Action: models.ActionView, Purpose: "contact", RecordID: &recs[i],
			IP: "127.0.0.1", Outcome: models.OutcomeOK}
	}
	var counts []models.DayCount
	for d := range 28 {
		for _, r := range []string{"admin", "dpo", "recruitment", "sales", "training"} {
			counts = append(counts, models.DayCount{Day: at.AddDate(0, 0, -d), Role: r, Count: 548})
		}
	}
	ctx := i18n.WithLang(context.Background(), i18n.FR)
	chart, err := Freeze(templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return AccessChart(NewChart(ctx, counts, nil, 28, at)).Render(ctx, w)
	}))
	if err != nil {
		b.Fatal(err)
	}
	anomalies, err := Freeze(AccessAnomalies(nil))
	if err != nil {
		b.Fatal(err)
	}
	v := AccessLogView{Rows: rows, Anomalies: anomalies, Chart: chart, PanelsAt: at, ChainTail: 200,
		Staff: []StaffAccount{{ID: staff, Name: "Sophie Commerciale"}}, Actions: models.Actions,
		Filter: AccessLogFilter{Staff: staff.String(), Action: models.ActionView}, ExportURL: "/admin/dpo/access-log/export?x", NextURL: "/admin/dpo/access-log?y"}
	p := StaffPage{Title: "Journal des accès", Path: "/admin/dpo/access-log", CSRF: "k1Vq8sYw3Zt6Lm0Hn4Rb7Xc2Jd5Pf9Ga",
		StaffName: "Denis Délégué", RoleTitle: "DPO", Nav: []NavLink{{"/admin/records", "Fiches"}, {"/admin/dpo/access-log", "Journal"}}}
	var buf bytes.Buffer // reused, as the server's pooled buffers are
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := AdminAccessLog(p, v).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
