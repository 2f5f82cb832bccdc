package i18n

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the zone must load on a host without tzdata
)

// DefaultZone is the company's time zone when the registry names none.
const DefaultZone = "Europe/Paris"

type zoneKey struct{}

// WithZone returns ctx carrying the zone in which times are shown.
func WithZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

var paris = mustZone(DefaultZone)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// companyZone is the zone of the company's registry, set once at start-up
// (SetCompanyZone): emails and CLI output, which carry no request, show
// their times in it too.
var companyZone atomic.Pointer[time.Location]

// SetCompanyZone makes loc the zone of every time shown without one of its
// own on the context. The portal calls it when it loads the registry.
func SetCompanyZone(loc *time.Location) {
	if loc != nil {
		companyZone.Store(loc)
	}
}

// Zone is the zone ctx carries, else the company's, else Europe/Paris.
func Zone(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok && loc != nil {
		return loc
	}
	if loc := companyZone.Load(); loc != nil {
		return loc
	}
	return paris
}

var months = [2][12]string{
	{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
}

func monthName(l Lang, m time.Month) string {
	if l == EN {
		return months[0][m-1]
	}
	return months[1][m-1]
}

// Date shows t's calendar day in ctx's zone and language: "29 Nov 2026",
// "29 nov. 2026".
func Date(ctx context.Context, t time.Time) string {
	t = t.In(Zone(ctx))
	return string(appendDate(make([]byte, 0, 16), From(ctx), t))
}

// appendDate appends t's day as Date shows it, in one buffer: the DPO's
// page shows fifty of them.
func appendDate(b []byte, l Lang, t time.Time) []byte {
	y, m, d := t.Date()
	return appendDay(b, l, y, m, d)
}

func appendDay(b []byte, l Lang, y int, m time.Month, d int) []byte {
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ' ')
	b = append(b, monthName(l, m)...)
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(y), 10)
}

// append2 appends n (0-99) in two digits.
func append2(b []byte, n int) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// Time shows t to the minute in ctx's zone, naming the zone so no reader
// takes it for UTC: "29 Nov 2026, 18:35 CET", "29 nov. 2026 à 18:35 CET".
func Time(ctx context.Context, t time.Time) string {
	return string(AppendTime(make([]byte, 0, 32), From(ctx), Zone(ctx), t))
}

// AppendTime appends t as Time shows it, in l and loc, for a page that
// shows many (the DPO's log: fifty a page) and looks its language and zone
// up once.
func AppendTime(b []byte, l Lang, loc *time.Location, t time.Time) []byte {
	t = t.In(loc)
	sep := ", "
	if l == FR {
		sep = " à "
	}
	// Written digit by digit (it was AppendFormat's "15:04 MST", which
	// parses its layout on every call): the same bytes.
	y, m, d := t.Date()
	b = appendDay(b, l, y, m, d)
	b = append(b, sep...)
	hh, mm, _ := t.Clock()
	b = append(append2(append(append2(b, hh), ':'), mm), ' ')
	if name, _ := t.Zone(); name != "" {
		return append(b, name...)
	}
	return t.AppendFormat(b, "MST") // a zone without abbreviation: its offset, as the layout writes it
}

// Stamp is the machine-readable form of t for a <time datetime> attribute.
func Stamp(t time.Time) string { return string(AppendStamp(make([]byte, 0, 20), t)) }

// AppendStamp appends Stamp(t): t in UTC as RFC 3339 to the second, written
// digit by digit (the same bytes as AppendFormat's).
func AppendStamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	hh, mm, ss := t.Clock()
	b = append2(append2(b, y/100), y%100)
	b = append2(append(b, '-'), int(m))
	b = append2(append(b, '-'), d)
	b = append2(append(b, 'T'), hh)
	b = append2(append(b, ':'), mm)
	b = append2(append(b, ':'), ss)
	return append(b, 'Z')
}
