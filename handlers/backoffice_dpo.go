package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// accessReview is what the DPO's review needs of the access log.
type accessReview interface {
	Review(ctx context.Context, a models.Actor, f models.AccessFilter) (models.AccessPage, error)
	Export(ctx context.Context, a models.Actor, f models.AccessFilter, limit int) ([]models.AccessRow, error)
	Anomalies(ctx context.Context, r models.AnomalyRules) ([]models.Anomaly, error)
	AccessesPerDay(ctx context.Context, since time.Time, tz string) ([]models.DayCount, error)
	Verify(ctx context.Context, tail int) (models.ChainReport, error)
}

// staffLister names the accounts (the review's staff filter).
type staffLister interface {
	List(ctx context.Context) ([]models.Staff, error)
}

// dpoHandler is the DPO's review of the access log.
type dpoHandler struct {
	*staffGate
	log    accessReview
	staff  staffLister
	panels *logPanels
}

func newDPOHandler(g *staffGate, log accessReview, staff staffLister) *dpoHandler {
	return &dpoHandler{staffGate: g, log: log, staff: staff, panels: &logPanels{}}
}

// chainTail is how many of the newest events per chain the page verifies on
// each view; `portal auditlog verify` checks the whole log.
const chainTail = 200

// logPanels are the parts of the review page that do not depend on the
// filter: the anomalies, the chart (drawn once, in each language), the chain
// status and the accounts of the staff filter. They scan days of events
// (about half a second on a million), so they are computed at most once a
// minute per server, and in the background: a page served while they are
// recomputed shows the previous ones, which say when they were computed.
// Only the very first page of a server waits for them.
type logPanels struct {
	first      sync.Mutex // held while the first panels are computed
	cur        atomic.Pointer[panelsView]
	refreshing atomic.Bool // a background refresh is running
}

const panelsTTL = time.Minute

// panelsTimeout bounds a background refresh: no request waits on it, so
// only a stuck database could hold it longer.
const panelsTimeout = 30 * time.Second

type panelsView struct {
	at        time.Time // when they were computed: the page says it
	anomalies templ.Component
	chart     templ.Component
	chain     models.ChainReport
	staff     []views.StaffAccount
}

// get returns the current panels, starting their refresh when they are
// older than panelsTTL (stale while revalidating: the page does not wait).
func (p *logPanels) get(c echo.Context, b *dpoHandler) (*panelsView, error) {
	cur := p.cur.Load()
	if cur == nil {
		p.first.Lock()
		defer p.first.Unlock()
		if cur = p.cur.Load(); cur == nil {
			v, err := b.computePanels(c.Request().Context())
			if err != nil {
				return nil, err
			}
			p.cur.Store(v)
			return v, nil
		}
	}
	now := b.now()
	if (now.Sub(cur.at) >= panelsTTL || now.Before(cur.at)) && p.refreshing.CompareAndSwap(false, true) {
		// Detached from the request, which may end before the refresh.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), panelsTimeout)
		go func() {
			defer cancel()
			defer p.refreshing.Store(false)
			v, err := b.computePanels(ctx)
			if err != nil {
				// The previous panels stay, with their time: the next
				// page tries again.
				b.logger.Error("access log panels refresh failed", "error", err.Error())
				return
			}
			p.cur.Store(v)
		}()
	}
	return cur, nil
}

// computePanels computes the panels from the log as it is now.
func (b *dpoHandler) computePanels(ctx context.Context) (*panelsView, error) {
	now := b.now()
	anomalies, err := b.log.Anomalies(ctx, models.DefaultAnomalyRules(now))
	if err != nil {
		return nil, err
	}
	const days = 28
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days+1)
	counts, err := b.log.AccessesPerDay(ctx, since, "UTC")
	if err != nil {
		return nil, err
	}
	chain, err := b.log.Verify(ctx, chainTail)
	if err != nil {
		return nil, err
	}
	staff, err := b.staff.List(ctx)
	if err != nil {
		return nil, err
	}
	// Laid out inside the render, so each language's copy says its own
	// legend and text alternative.
	chart, err := views.Freeze(templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return views.AccessChart(views.NewChart(ctx, counts, b.reg.Roles, days, now.UTC())).Render(ctx, w)
	}))
	if err != nil {
		return nil, err
	}
	// Up to eighty rows that change once a minute: drawn then, not per page.
	anomaliesPanel, err := views.Freeze(views.AccessAnomalies(anomalies))
	if err != nil {
		return nil, err
	}
	return &panelsView{at: now, anomalies: anomaliesPanel, chart: chart, chain: chain, staff: accountViews(staff)}, nil
}

// requireReviewer admits only the role that reviews the log (the DPO).
func (b *staffGate) requireReviewer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s, ok := currentStaff(c); !ok || !s.Role.ReviewsLog {
			return b.deny(c, "", nil)
		}
		return next(c)
	}
}

// accessFilter reads the review's filter from the query string. A purpose
// the registry does not declare is refused (400): the filter's purpose is
// recorded in the log, which holds real values only.
func (b *dpoHandler) accessFilter(c echo.Context) (models.AccessFilter, views.AccessLogFilter, error) {
	vf := views.AccessLogFilter{Staff: c.QueryParam("staff"), Role: c.QueryParam("role"), Action: c.QueryParam("action"),
		Purpose: c.QueryParam("purpose"), Outcome: c.QueryParam("outcome"),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Search: c.QueryParam("q")}
	vf.Email = b.search.open(vf.Search)
	f := models.AccessFilter{Role: vf.Role, Action: vf.Action, Purpose: vf.Purpose, Email: vf.Email, Outcome: vf.Outcome,
		From: parseDay(vf.From)}
	if id, err := uuid.Parse(vf.Staff); err == nil {
		f.StaffID = &id
	}
	if to := parseDay(vf.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	f.Before, _ = strconv.ParseInt(c.QueryParam("before"), 10, 64)
	if _, ok := b.reg.Purpose(f.Purpose); f.Purpose != "" && !ok {
		return f, vf, echo.NewHTTPError(http.StatusBadRequest, views.UnknownPurpose.In(c.Request().Context()))
	}
	return f, vf, nil
}

func accessLogURL(path string, vf views.AccessLogFilter, before int64) string {
	// Written by hand, keys in the order url.Values.Encode sorts them
	// (the links stay what they were): the page builds two per request.
	b := make([]byte, 0, len(path)+160)
	b = append(b, path...)
	sep := byte('?')
	add := func(k, v string) {
		if v == "" {
			return
		}
		b = append(b, sep)
		sep = '&'
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, url.QueryEscape(v)...)
	}
	add("action", vf.Action)
	if before > 0 {
		add("before", strconv.FormatInt(before, 10))
	}
	add("from", vf.From)
	add("outcome", vf.Outcome)
	add("purpose", vf.Purpose)
	add("q", vf.Search)
	add("role", vf.Role)
	add("staff", vf.Staff)
	add("to", vf.To)
	return string(b)
}

// showAccessLog is the DPO's review. Reading the log is itself logged. Its
// session may come from a copy, checked in the read (checkSessionInData).
func (b *dpoHandler) showAccessLog(c echo.Context) error {
	ctx := c.Request().Context()
	f, vf, err := b.accessFilter(c)
	if err != nil {
		return err
	}
	page, err := b.log.Review(ctx, b.actor(c), f)
	if errors.Is(err, models.ErrSessionEnded) {
		return b.sessionEnded(c)
	}
	if err != nil {
		return dataError(err)
	}
	pan, err := b.panels.get(c, b)
	if err != nil {
		return err
	}
	v := views.AccessLogView{Rows: page.Rows, Filter: vf, PanelsAt: pan.at, Anomalies: pan.anomalies, Chain: pan.chain, ChainTail: chainTail,
		Chart: pan.chart, Staff: pan.staff,
		Roles: b.reg.Roles, Purposes: b.reg.Purposes, Actions: models.Actions,
		ExportURL: accessLogURL("/admin/dpo/access-log/export", vf, 0)}
	if page.Next > 0 {
		v.NextURL = accessLogURL("/admin/dpo/access-log", vf, page.Next)
	}
	return render(c, http.StatusOK, views.AdminAccessLog(b.page(c, views.TitleAccessLog), v))
}

// exportAccessLog sends the filtered log as CSV (ids, never personal data).
func (b *dpoHandler) exportAccessLog(c echo.Context) error {
	f, _, err := b.accessFilter(c)
	if err != nil {
		return err
	}
	rows, err := b.log.Export(c.Request().Context(), b.actor(c), f, 100000)
	if err != nil {
		return dataError(err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="access-log.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "at", "staff_id", "staff", "role", "action", "purpose", "record_id", "subject_id", "ip", "user_agent", "outcome", "restricted"})
	str := func(u *uuid.UUID) string {
		if u == nil {
			return ""
		}
		return u.String()
	}
	for _, r := range rows {
		_ = w.Write([]string{strconv.FormatInt(r.ID, 10), r.At.UTC().Format(time.RFC3339Nano), str(r.StaffID),
			models.NeutraliseCSV(r.StaffName), r.Role, r.Action, r.Purpose, str(r.RecordID), str(r.SubjectID), r.IP,
			models.NeutraliseCSV(r.UserAgent), r.Outcome, strconv.FormatBool(r.Restricted)})
	}
	w.Flush()
	return w.Error()
}
