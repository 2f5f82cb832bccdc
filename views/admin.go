package views

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// StaffPage is what the back-office layout needs. The back-office has its own
// layout: no cookie banner (staff cookies are strictly necessary), no public
// navigation.
type StaffPage struct {
	Title     string
	Path      string
	CSRF      string // the form token every back-office form carries
	StaffName string // empty when signed out
	RoleTitle string
	Nav       []NavLink
}

// NavLink is one back-office navigation entry.
type NavLink struct {
	Href  string
	Label string
}

// PurposeCard is one purpose on the back-office home page.
type PurposeCard struct {
	Key, Title string
	Count      int64
}

// RecordsFilter is the list filter as typed, re-rendered in the form.
type RecordsFilter struct {
	Status, From, To, Email string
	// Search is Email sealed for URLs (the address never goes in one).
	Search string
}

// RecordsView is a purpose's list page.
type RecordsView struct {
	Purpose   *policy.Purpose
	Columns   []string // labels of the masked fields
	Page      models.RecordPage
	Filter    RecordsFilter
	NextURL   string
	CanExport bool
}

// FieldRow is one labelled value on the record page.
type FieldRow struct {
	Label, Value string
}

// RecordInfo is one record as its page shows it: decrypted values only,
// never a stored ciphertext.
type RecordInfo struct {
	ID            uuid.UUID
	Status        string
	CreatedAt     time.Time
	LastContactAt time.Time
	ExpiresAt     time.Time
	Restricted    bool
	Note          string
	Attachments   []AttachmentLink
}

// AttachmentLink is one file of a record, without its content.
type AttachmentLink struct {
	ID       uuid.UUID
	Filename string
	Size     int64
}

// StaffAccount is an account as the staff pages show it: never its password
// hash or its TOTP secret.
type StaffAccount struct {
	ID      uuid.UUID
	Name    string
	Email   string
	Role    string
	Active  bool
	Invited bool // waiting for its owner to follow the invitation
}

// NewAccount is what an administrator is told after creating an account or
// sending a new invitation: never a credential, only where the link went.
type NewAccount struct {
	Email       string
	ExpiresAt   time.Time
	NotifiedDPO bool
}

// WelcomeView is the enrolment page an invitation opens: the new member
// chooses a password and enrols an authenticator (QR code rendered by the
// server, and the secret as text for manual entry), confirmed by a first code.
type WelcomeView struct {
	Token   string
	Email   string
	Name    string
	Secret  string
	QR      string // a data:image/png URI
	Error   string
	Invalid bool // the link is forged, expired or already used
	Done    bool // enrolled: sign in now
}

// RecordView is the full record page.
type RecordView struct {
	Purpose *policy.Purpose
	Record  RecordInfo
	Fields  []FieldRow
	CanEdit bool
	Saved   bool
	// Consents is the person's consent state per channel and objections;
	// nil when the record names no person.
	Consents *SubjectConsentView
}

// AccessLogFilter is the log filter as typed.
type AccessLogFilter struct {
	Staff, Role, Action, Purpose, Email, Outcome, From, To string
	// Search is Email sealed for URLs (the address never goes in one).
	Search string
}

// AccessLogView is the DPO's review page.
type AccessLogView struct {
	Rows      []models.AccessRow
	Filter    AccessLogFilter
	NextURL   string
	ExportURL string
	PanelsAt  time.Time       // when the chain status, anomalies and chart were computed
	Anomalies templ.Component // AccessAnomalies, drawn once a minute (views.Freeze)
	Chart     templ.Component // AccessChart, drawn once a minute (views.Freeze)
	Chain     models.ChainReport
	ChainTail int
	Staff     []StaffAccount
	Roles     []policy.Role
	Purposes  []policy.Purpose
	Actions   []string
}

// StaffAdminView is the admin's page.
type StaffAdminView struct {
	Staff   []StaffAccount
	Roles   []policy.Role
	Created *NewAccount
	Error   string
}

func roleTitle(ctx context.Context, roles []policy.Role, key string) string {
	for _, r := range roles {
		if r.Key == key {
			return r.Title.In(ctx)
		}
	}
	return key
}

func anomalyLabel(ctx context.Context, kind string) string { return labelIn(ctx, anomalyLabels, kind) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Chart is an inline SVG bar chart of accesses per day, stacked by role.
type Chart struct {
	Width, Height int
	Bars          []ChartBar
	Legend        []ChartLegend
	Labels        []ChartLabel
	Max           int64
	Summary       string // text alternative
}

// ChartBar is one rectangle.
type ChartBar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

// ChartLegend names a role's colour.
type ChartLegend struct{ Class, Label string }

// ChartLabel is a day under the axis.
type ChartLabel struct {
	X    int
	Text string
}

var roleFill = map[string]string{
	"sales": "fill-blue-700", "training": "fill-emerald-700", "recruitment": "fill-amber-600",
	"dpo": "fill-purple-700", "admin": "fill-gray-500",
}

func fillFor(role string) string {
	if c, ok := roleFill[role]; ok {
		return c
	}
	return "fill-gray-400"
}

// NewChart lays out counts over days days ending today, its text
// alternative in ctx's language.
func NewChart(ctx context.Context, counts []models.DayCount, roles []policy.Role, days int, today time.Time) Chart {
	byDay := map[string]map[string]int64{}
	for _, c := range counts {
		d := c.Day.Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = map[string]int64{}
		}
		byDay[d][c.Role] += c.Count
	}
	series := make([]ChartSeries, 0, len(roles))
	for _, r := range roles {
		series = append(series, ChartSeries{Key: r.Key, Label: r.Title.In(ctx), Class: fillFor(r.Key)})
	}
	ch, total := stackedChart(byDay, series, days, today)
	ch.Summary = txtChartSummary.F(ctx, total, days, ch.Max)
	return ch
}

// ChartSeries is one stacked series: its key in the counts, its legend and colour.
type ChartSeries struct{ Key, Label, Class string }

// stackedChart draws days bars ending today, each stacking the day's counts
// per series (a key no series names is drawn grey, in key order), and
// returns the sum of every count.
func stackedChart(byDay map[string]map[string]int64, series []ChartSeries, days int, today time.Time) (Chart, int64) {
	const w, h, pad = 720, 200, 24
	ch := Chart{Width: w, Height: h + pad}
	label := map[string]ChartSeries{}
	for _, s := range series {
		label[s.Key] = s
		ch.Legend = append(ch.Legend, ChartLegend{Class: s.Class, Label: s.Label})
	}
	var total int64
	for _, counts := range byDay {
		var t int64
		for _, n := range counts {
			t += n
		}
		ch.Max, total = max(ch.Max, t), total+t
	}
	if ch.Max == 0 {
		ch.Max = 1
	}
	bw := w / days
	start := today.AddDate(0, 0, -days+1)
	for i := 0; i < days; i++ {
		day := start.AddDate(0, 0, i).Format(time.DateOnly)
		y := h
		keys := make([]string, 0, len(byDay[day]))
		for k := range byDay[day] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n := byDay[day][k]
			bh := int(n * int64(h-10) / ch.Max)
			if bh == 0 && n > 0 {
				bh = 1
			}
			y -= bh
			s, ok := label[k]
			if !ok {
				s = ChartSeries{Key: k, Label: k, Class: "fill-gray-400"}
			}
			ch.Bars = append(ch.Bars, ChartBar{X: i*bw + 2, Y: y, W: bw - 4, H: bh, Class: s.Class,
				Title: day + " · " + s.Label + ": " + strconv.FormatInt(n, 10)})
		}
		if i%7 == 0 || i == days-1 {
			ch.Labels = append(ch.Labels, ChartLabel{X: i * bw, Text: day[5:]})
		}
	}
	return ch, total
}
