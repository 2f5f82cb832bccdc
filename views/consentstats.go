package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

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
	Rate    float64 // share of answers, 0…1
}

// FormConsentRow is one kind of consent box on the forms.
type FormConsentRow struct {
	Kind                         string
	Granted, Declined, Withdrawn int
}

// answerSeries are the banner's answers, in the order the chart stacks them.
func answerSeries(ctx context.Context) []ChartSeries {
	return []ChartSeries{
		{Key: string(models.CookieAcceptAll), Label: txtAcceptAll.In(ctx), Class: "fill-emerald-700"},
		{Key: string(models.CookieRejectAll), Label: txtRejectAll.In(ctx), Class: "fill-blue-700"},
		{Key: string(models.CookieCustom), Label: txtCustom.In(ctx), Class: "fill-amber-600"},
		{Key: string(models.CookieGPC), Label: "Global Privacy Control", Class: "fill-purple-700"},
	}
}

// NewConsentStatsView lays out the figures of the last days days ending
// today, in ctx's language.
func NewConsentStatsView(ctx context.Context, st models.ConsentStats, reg *policy.Registry, days int, today time.Time) ConsentStatsView {
	v := ConsentStatsView{Days: days, Table: st.Days}
	answerSeries := answerSeries(ctx)
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
	v.Answers.Summary = txtBannerSummary.F(ctx, total, days, v.Answers.Max)
	granted := map[string]models.CategoryCount{}
	for _, c := range st.Categories {
		granted[c.Category] = c
	}
	for _, cat := range reg.OptionalCategories() {
		c := granted[cat.Key]
		v.Granted = append(v.Granted, CategoryRow{Title: cat.Title.In(ctx), Granted: c.Granted, Rate: c.Rate()})
	}
	for _, f := range st.Forms {
		v.Forms = append(v.Forms, FormConsentRow(f))
	}
	return v
}

// percent says a share (0…1) to one decimal, as each language writes it:
// "12.5%", "12,5 %".
func percent(ctx context.Context, share float64) string {
	s := strconv.FormatFloat(100*share, 'f', 1, 64)
	if i18n.From(ctx) == i18n.FR {
		return strings.Replace(s, ".", ",", 1) + "\u00a0%"
	}
	return s + "%"
}
