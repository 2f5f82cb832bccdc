package handlers

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// documentLog records that the DPO consulted a document (no log, no
// document: the review of who read what must be complete).
type documentLog interface {
	LogDocument(ctx context.Context, a models.Actor, action string) error
}

// transparencyHandler serves the DPO's transparency documents: the record
// of processing activities (art. 30) and the consent statistics.
type transparencyHandler struct {
	*staffGate
	log   documentLog
	stats consentStatsReader
}

func newTransparencyHandler(g *staffGate, log documentLog, stats consentStatsReader) *transparencyHandler {
	return &transparencyHandler{staffGate: g, log: log, stats: stats}
}

// showROPA is the record of processing activities, from the registry.
func (h *transparencyHandler) showROPA(c echo.Context) error {
	if err := h.log.LogDocument(c.Request().Context(), h.actor(c), models.ActionReadROPA); err != nil {
		return dataError(err)
	}
	return render(c, http.StatusOK, views.AdminROPA(h.page(c, views.TitleROPA), views.NewROPA(h.reg, ropaLang(c))))
}

// ropaLang is the language the DPO asks the record in (?lang=fr|en), else
// the back-office's: the record handed to the CNIL is usually in French.
func ropaLang(c echo.Context) i18n.Lang {
	if l, ok := i18n.Parse(c.QueryParam("lang")); ok {
		return l
	}
	return i18n.From(c.Request().Context())
}

// exportROPA downloads the record as HTML, JSON or CSV.
func (h *transparencyHandler) exportROPA(c echo.Context) error {
	r := views.NewROPA(h.reg, ropaLang(c))
	var (
		buf   bytes.Buffer
		ctype string
		err   error
	)
	format := c.QueryParam("format")
	switch format {
	case "html":
		ctype, err = echo.MIMETextHTMLCharsetUTF8, views.ROPADocument(r).Render(c.Request().Context(), &buf)
	case "json":
		ctype, err = echo.MIMEApplicationJSON, r.WriteJSON(&buf)
	case "csv":
		ctype, err = "text/csv; charset=utf-8", r.WriteCSV(&buf)
	default:
		return echo.NewHTTPError(http.StatusBadRequest, views.UnknownFormat.In(c.Request().Context()))
	}
	if err != nil {
		return err
	}
	if err := h.log.LogDocument(c.Request().Context(), h.actor(c), models.ActionReadROPA); err != nil {
		return dataError(err)
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="record-of-processing-`+r.PolicyVersion+`.`+format+`"`)
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}

// consentStatsReader reads the consent figures and logs the reading.
type consentStatsReader interface {
	Review(ctx context.Context, a models.Actor, since time.Time) (models.ConsentStats, error)
}

// consentStatsDays is the period the page shows.
const consentStatsDays = 28

// showConsentStats is the DPO's consent statistics.
func (h *transparencyHandler) showConsentStats(c echo.Context) error {
	today := h.now().UTC().Truncate(24 * time.Hour)
	st, err := h.stats.Review(c.Request().Context(), h.actor(c), today.AddDate(0, 0, 1-consentStatsDays))
	if err != nil {
		return dataError(err)
	}
	v := views.NewConsentStatsView(c.Request().Context(), st, h.reg, consentStatsDays, today)
	return render(c, http.StatusOK, views.AdminConsentStats(h.page(c, views.TitleConsentStats), v))
}
