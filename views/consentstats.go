package views

import (
	"fmt"
	"time"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// TitleConsentStats is the consent statistics page's title.
const TitleConsentStats = "Consent statistics"

// UnknownFormat refuses a download format the page does not offer.
const UnknownFormat = "Unknown format: choose html, json or csv."

// ConsentStatsView is the DPO's consent statistics page.
type ConsentStatsView struct {
	Days    int
	Answers Chart // banner answers per day, stacked by answer
	Table   []models.CookieConsentDay
	Granted []CategoryRow
	Forms   []FormConsentRow
}

// CategoryRow is one optional cookie category's share of banner answers.
type CategoryRow struct {
	Title   string
	Granted int
	Rate    string
}

// FormConsentRow is one kind of consent box on the forms.
type FormConsentRow struct {
	Kind                         string
	Granted, Declined, Withdrawn int
}

// answerSeries are the banner's answers, in the order the chart stacks them.
var answerSeries = []ChartSeries{
	{Key: string(models.CookieAcceptAll), Label: "Accept all", Class: "fill-emerald-700"},
	{Key: string(models.CookieRejectAll), Label: "Reject all", Class: "fill-blue-700"},
	{Key: string(models.CookieCustom), Label: "Custom", Class: "fill-amber-600"},
	{Key: string(models.CookieGPC), Label: "Global Privacy Control", Class: "fill-purple-700"},
}

// NewConsentStatsView lays out the figures of the last days days ending today.
func NewConsentStatsView(st models.ConsentStats, reg *policy.Registry, days int, today time.Time) ConsentStatsView {
	v := ConsentStatsView{Days: days, Table: st.Days}
	byDay := map[string]map[string]int64{}
	var answers int
	for _, d := range st.Days {
		byDay[d.Day.Format(time.DateOnly)] = map[string]int64{
			answerSeries[0].Key: int64(d.Accept), answerSeries[1].Key: int64(d.Reject),
			answerSeries[2].Key: int64(d.Custom), answerSeries[3].Key: int64(d.GPC)}
		answers += d.Accept + d.Reject + d.Custom + d.GPC
	}
	var total int64
	v.Answers, total = stackedChart(byDay, answerSeries, days, today)
	v.Answers.Summary = fmt.Sprintf("%d banner answers over the last %d days; busiest day %d.", total, days, v.Answers.Max)
	granted := map[string]models.CategoryCount{}
	for _, c := range st.Categories {
		granted[c.Category] = c
	}
	for _, cat := range reg.OptionalCategories() {
		c := granted[cat.Key]
		v.Granted = append(v.Granted, CategoryRow{Title: cat.Title.EN, Granted: c.Granted,
			Rate: fmt.Sprintf("%.1f%%", 100*c.Rate())})
	}
	for _, f := range st.Forms {
		v.Forms = append(v.Forms, FormConsentRow(f))
	}
	return v
}

func percent(d models.CookieConsentDay, n int) string { return fmt.Sprintf("%.1f%%", 100*d.Rate(n)) }
