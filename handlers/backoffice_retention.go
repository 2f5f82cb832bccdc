package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// retentionStore is what the DPO's retention page needs.
type retentionStore interface {
	Sweep(ctx context.Context, reg *policy.Registry, opts models.SweepOptions) (models.RetentionReport, error)
	Runs(ctx context.Context, limit int) ([]models.RetentionReport, error)
	Holds(ctx context.Context, now time.Time) ([]models.LegalHold, error)
	PlaceHold(ctx context.Context, reg *policy.Registry, a models.Actor, t models.HoldTarget, reason string, endsAt time.Time) (uuid.UUID, error)
	LiftHold(ctx context.Context, a models.Actor, id uuid.UUID) error
	SetEventEnd(ctx context.Context, a models.Actor, p *policy.Purpose, end time.Time) error
	EventEnd(ctx context.Context, p *policy.Purpose) (*time.Time, error)
}

// retentionHandler is the DPO's view of retention: what the next 30 days
// will delete, the legal holds, the last runs and a dry-run preview.
type retentionHandler struct {
	*staffGate
	store retentionStore
}

func newRetentionHandler(g *staffGate, store retentionStore) *retentionHandler {
	return &retentionHandler{staffGate: g, store: store}
}

func (b *retentionHandler) showRetention(c echo.Context) error {
	return b.renderRetention(c, http.StatusOK, views.RetentionForm{})
}

func (b *retentionHandler) renderRetention(c echo.Context, status int, form views.RetentionForm) error {
	ctx := c.Request().Context()
	now := b.now()
	preview, err := b.store.Sweep(ctx, b.reg, models.SweepOptions{AsOf: now, DryRun: true})
	if err != nil {
		return err
	}
	ahead, err := b.store.Sweep(ctx, b.reg, models.SweepOptions{AsOf: now.AddDate(0, 0, 30), DryRun: true})
	if err != nil {
		return err
	}
	v := views.RetentionView{Form: form, Saved: c.QueryParam("saved")}
	for i, cnt := range preview.Counts {
		row := views.RetentionRow{Name: cnt.Key, DueNow: cnt.Due, Held: cnt.Held}
		if i < len(ahead.Counts) && ahead.Counts[i].Key == cnt.Key {
			row.Next30 = ahead.Counts[i].Due - cnt.Due
		}
		if p, ok := b.reg.Purpose(cnt.Key); ok {
			row.Name, row.Rule = p.Title.In(c.Request().Context()), views.RetentionText(p.Retention).In(ctx)
		} else {
			row.Name, row.Rule = views.RetentionDataName(ctx, cnt.Key, b.reg)
		}
		v.Rows = append(v.Rows, row)
	}
	holds, err := b.store.Holds(ctx, now)
	if err != nil {
		return err
	}
	for _, h := range holds {
		hr := views.HoldRow{ID: h.ID, Reason: h.Reason, EndsAt: h.EndsAt, PlacedAt: h.PlacedAt}
		if h.RecordID != nil {
			hr.Target = "record " + h.RecordID.String()
		} else if h.SubjectID != nil {
			hr.Target = "person " + h.SubjectID.String()
		}
		v.Holds = append(v.Holds, hr)
	}
	runs, err := b.store.Runs(ctx, 10)
	if err != nil {
		return err
	}
	for _, r := range runs {
		t := r.Totals()
		v.Runs = append(v.Runs, views.RunRow{ID: r.ID, Started: r.StartedAt, Ended: r.EndedAt, Trigger: r.Trigger,
			Deleted: t.Deleted, Anonymised: t.Anonymised, Held: t.Held, Errors: len(r.Errors)})
	}
	for i := range b.reg.Purposes {
		p := &b.reg.Purposes[i]
		if p.Retention.From != policy.FromEventEnd {
			continue
		}
		ev := views.EventEndRow{Key: p.Key, Title: p.Title.In(c.Request().Context())}
		end, err := b.store.EventEnd(ctx, p)
		if err != nil {
			return err
		}
		if end != nil {
			ev.Date = end.Format(time.DateOnly)
		}
		v.EventEnds = append(v.EventEnds, ev)
	}
	return render(c, status, views.AdminRetention(b.page(c, views.TitleRetention), v))
}

// placeHold keeps a record, or everything of one person, from the sweep.
func (b *retentionHandler) placeHold(c echo.Context) error {
	form := views.RetentionForm{Record: c.FormValue("record"), Email: c.FormValue("email"),
		Reason: c.FormValue("reason"), Ends: c.FormValue("ends")}
	var t models.HoldTarget
	switch {
	case form.Record != "" && form.Email == "":
		id, err := uuid.Parse(form.Record)
		if err != nil {
			form.Errors = map[string]i18n.Msg{"record": views.MsgHoldTarget}
			return b.renderRetention(c, http.StatusUnprocessableEntity, form)
		}
		t.RecordID = &id
	case form.Email != "" && form.Record == "" && len(form.Email) <= 254:
		t.Email = form.Email
	default:
		form.Errors = map[string]i18n.Msg{"record": views.MsgHoldTarget}
		return b.renderRetention(c, http.StatusUnprocessableEntity, form)
	}
	ends, err := time.Parse(time.DateOnly, form.Ends)
	if err != nil {
		form.Errors = map[string]i18n.Msg{"ends": views.MsgHoldEnd}
		return b.renderRetention(c, http.StatusUnprocessableEntity, form)
	}
	_, err = b.store.PlaceHold(c.Request().Context(), b.reg, b.actor(c), t, form.Reason, ends)
	switch {
	case errors.Is(err, models.ErrHoldReason):
		form.Errors = map[string]i18n.Msg{"reason": views.MsgHoldReason}
	case errors.Is(err, models.ErrHoldEnd):
		form.Errors = map[string]i18n.Msg{"ends": views.MsgHoldEnd}
	case errors.Is(err, models.ErrHoldTarget):
		form.Errors = map[string]i18n.Msg{"record": views.MsgHoldTarget}
	case err != nil:
		return dataError(err)
	default:
		return c.Redirect(http.StatusSeeOther, "/admin/dpo/retention?saved=hold")
	}
	return b.renderRetention(c, http.StatusUnprocessableEntity, form)
}

// liftHold ends a hold now.
func (b *retentionHandler) liftHold(c echo.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	if err := b.store.LiftHold(c.Request().Context(), b.actor(c), id); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/dpo/retention?saved=lifted")
}

// setEventEnd sets the end of an event a purpose's retention counts from.
func (b *retentionHandler) setEventEnd(c echo.Context) error {
	p, ok := b.reg.Purpose(c.FormValue("purpose"))
	end, err := time.Parse(time.DateOnly, c.FormValue("date"))
	if !ok || p.Retention.From != policy.FromEventEnd || err != nil {
		form := views.RetentionForm{Errors: map[string]i18n.Msg{"event_end": views.MsgEventEnd}}
		return b.renderRetention(c, http.StatusUnprocessableEntity, form)
	}
	// the whole last day counts
	if err := b.store.SetEventEnd(c.Request().Context(), b.actor(c), p, end.AddDate(0, 0, 1)); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/dpo/retention?saved=event")
}
