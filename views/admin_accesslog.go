package views

import (
	"context"
	"encoding/hex"
	"html"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// accessRows writes the rows of the DPO's review in one pass into one
// buffer: the page shows fifty, and a templ expression per cell cost a
// fmt.Sprint, a component per time and a lookup of the language and the zone
// in the context each, most of the page's CPU. The markup is the one the
// template wrote, byte for byte; every stored value is HTML-escaped.
func accessRows(rows []models.AccessRow) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		l, loc := i18n.From(ctx), i18n.Zone(ctx)
		t := accessRowTexts[0]
		if l == i18n.EN {
			t = accessRowTexts[1]
		}
		return writeBuilt(w, func(b []byte) []byte {
			for i := range rows {
				b = appendAccessRow(b, t, l, loc, &rows[i])
			}
			return b
		})
	})
}

var rowBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// writeBuilt writes to w what build appends to a pooled buffer.
func writeBuilt(w io.Writer, build func(b []byte) []byte) error {
	bp := rowBuffers.Get().(*[]byte)
	b := build((*bp)[:0])
	_, err := w.Write(b)
	*bp = b
	rowBuffers.Put(bp)
	return err
}

// accessRowLabels are the words of the rows in one language, escaped once.
type accessRowLabels struct {
	actions, outcomes map[string]string
	restricted        string // the badge of a read of restricted data
}

// accessRowTexts are the rows' words in French and English.
var accessRowTexts = [2]accessRowLabels{newAccessRowLabels(i18n.FR), newAccessRowLabels(i18n.EN)}

func newAccessRowLabels(l i18n.Lang) accessRowLabels {
	escaped := func(labels map[string]i18n.Msg) map[string]string {
		m := make(map[string]string, len(labels))
		for code, msg := range labels {
			m[code] = html.EscapeString(msg.Get(l))
		}
		return m
	}
	return accessRowLabels{actions: escaped(actionLabels), outcomes: escaped(outcomeLabels),
		restricted: `<span class="badge badge-optional">` + html.EscapeString(txtRestricted.Get(l)) + `</span>`}
}

// panelsComputedAt says when the review's panels were computed: they may
// be up to a minute old (or older, while a refresh fails), and a page must
// not pass them off as the log as it is now.
func panelsComputedAt(t time.Time) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		l := i18n.From(ctx)
		var buf [512]byte
		b := appendEscaped(buf[:0], txtPanelsComputed.Get(l))
		b = append(b, ' ')
		b = appendAdminTime(b, l, i18n.Zone(ctx), t)
		b = append(b, ". "...)
		b = appendEscaped(b, txtPanelsRefresh.Get(l))
		_, err := w.Write(b)
		return err
	})
}

// adminTime shows a moment in the company's time zone, named (a reader must
// never take it for UTC), with the exact instant for machines:
// <time datetime="…">…</time>. Written in one buffer, as the log's rows
// write theirs: the back-office shows several per page.
func adminTime(t time.Time) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var buf [96]byte
		_, err := w.Write(appendAdminTime(buf[:0], i18n.From(ctx), i18n.Zone(ctx), t))
		return err
	})
}

// appendAdminTime appends t as adminTime writes it.
func appendAdminTime(b []byte, l i18n.Lang, loc *time.Location, t time.Time) []byte {
	b = append(b, `<time datetime="`...)
	b = i18n.AppendStamp(b, t)
	b = append(b, `">`...)
	var text [48]byte
	b = appendEscaped(b, i18n.AppendTime(text[:0], l, loc, t))
	return append(b, "</time>"...)
}

// appendAccessRow appends one event as a table row.
func appendAccessRow(b []byte, t accessRowLabels, l i18n.Lang, loc *time.Location, r *models.AccessRow) []byte {
	b = append(b, "<tr><td>"...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, "</td><td>"...)
	b = appendAdminTime(b, l, loc, r.At)
	b = append(b, "</td><td>"...)
	b = appendOrDash(b, r.StaffName)
	b = append(b, "</td><td>"...)
	b = appendOrDash(b, r.Role)
	b = append(b, "</td><td>"...)
	b = appendLabel(b, t.actions, r.Action)
	b = append(b, ' ')
	if r.Restricted {
		b = append(b, t.restricted...)
	}
	b = append(b, "</td><td>"...)
	b = appendOrDash(b, r.Purpose)
	b = append(b, `</td><td class="font-mono text-xs">`...)
	b = appendID(b, r.RecordID)
	b = append(b, `</td><td class="font-mono text-xs">`...)
	b = appendID(b, r.SubjectID)
	b = append(b, "</td><td>"...)
	b = appendLabel(b, t.outcomes, r.Outcome)
	b = append(b, "</td><td>"...)
	b = appendOrDash(b, r.IP)
	return append(b, "</td></tr>"...)
}

// appendLabel appends code's label, or the code itself (escaped) when the
// table lacks it, as labelIn says it.
func appendLabel(b []byte, labels map[string]string, code string) []byte {
	if s, ok := labels[code]; ok {
		return append(b, s...)
	}
	return appendEscaped(b, code)
}

// appendOrDash appends s escaped, or a dash for nothing (orDash).
func appendOrDash(b []byte, s string) []byte {
	if s == "" {
		return append(b, "—"...)
	}
	return appendEscaped(b, s)
}

// appendEscaped appends s escaped as html.EscapeString escapes it, without
// the string it makes (its Replacer took a twentieth of the page's
// rendering).
func appendEscaped[S ~string | ~[]byte](b []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;" // shorter than "&apos;" and apos was not in HTML until HTML5
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;" // shorter than "&quot;"
		default:
			continue
		}
		b = append(append(b, s[:i]...), esc...)
		s, i = s[i+1:], -1 // what follows, from its start
	}
	return append(b, s...)
}

// appendID appends an id in its canonical form, or a dash for none.
func appendID(b []byte, id *uuid.UUID) []byte {
	if id == nil {
		return append(b, "—"...)
	}
	u := id[:]
	b = hex.AppendEncode(b, u[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, u[10:16])
}

// The filter's choices, written the same way as the rows: a select of the
// log's form lists every role, purpose and action, two templ expressions
// (a fmt.Sprint and its copies) per choice.

// accessOutcomes are the outcomes the filter offers.
var accessOutcomes = []string{"ok", "denied", "failed"}

func roleOptions(roles []policy.Role, selected string) templ.Component {
	return options(len(roles), func(i int, l i18n.Lang) (string, string) { return roles[i].Key, roles[i].Title.Get(l) }, selected)
}

func purposeOptions(purposes []policy.Purpose, selected string) templ.Component {
	return options(len(purposes), func(i int, l i18n.Lang) (string, string) { return purposes[i].Key, purposes[i].Title.Get(l) }, selected)
}

func staffOptions(staff []StaffAccount, selected string) templ.Component {
	return options(len(staff), func(i int, _ i18n.Lang) (string, string) { return staff[i].ID.String(), staff[i].Name }, selected)
}

// codeOptions are stored codes (actions, outcomes) said by labels, as
// labelIn says them.
func codeOptions(codes []string, labels map[string]i18n.Msg, selected string) templ.Component {
	return options(len(codes), func(i int, l i18n.Lang) (string, string) {
		if m, ok := labels[codes[i]]; ok {
			return codes[i], m.Get(l)
		}
		return codes[i], codes[i]
	}, selected)
}

// options writes n <option> elements, the i-th's value and label (in l)
// given by at, the one whose value is selected marked so; both escaped.
func options(n int, at func(i int, l i18n.Lang) (value, label string), selected string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		l := i18n.From(ctx)
		return writeBuilt(w, func(b []byte) []byte {
			// The space the template wrote after the "any" choice before.
			b = append(b, ' ')
			for i := range n {
				value, label := at(i, l)
				b = append(b, `<option value="`...)
				b = appendEscaped(b, value)
				b = append(b, '"')
				if value == selected {
					b = append(b, " selected"...)
				}
				b = append(b, '>')
				b = appendEscaped(b, label)
				b = append(b, "</option>"...)
			}
			return b
		})
	})
}
