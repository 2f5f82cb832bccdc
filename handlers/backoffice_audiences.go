package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// audienceStore is what the marketing pages need.
type audienceStore interface {
	Count(ctx context.Context, a models.Actor, au models.Audience) (int64, error)
	Export(ctx context.Context, a models.Actor, au models.Audience, each func(models.AudienceRow) error) (int64, error)
	PartnerExport(ctx context.Context, a models.Actor, purpose, recipient string, each func(models.AudienceRow) error) (int64, error)
}

// audiencesHandler serves the lists a sales user draws from current
// consents only, and the partner transmission.
type audiencesHandler struct {
	*staffGate
	audiences audienceStore
}

func newAudiencesHandler(g *staffGate, a audienceStore) *audiencesHandler {
	return &audiencesHandler{staffGate: g, audiences: a}
}

// requireMarketer admits the roles the registry lets draw marketing lists.
func (b *staffGate) requireMarketer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s, ok := currentStaff(c); !ok || !s.Role.Markets {
			return b.deny(c, "", nil)
		}
		return next(c)
	}
}

// choices are the consent boxes opening a channel in the actor's scope.
func (b *audiencesHandler) choices(ctx context.Context, a models.Actor) []views.AudienceChoice {
	var out []views.AudienceChoice
	for _, pc := range b.reg.ChannelConsents() {
		if !b.reg.CanSee(a.Role, pc.Purpose.Key) {
			continue
		}
		out = append(out, views.AudienceChoice{Value: pc.Purpose.Key + "." + pc.Consent.Kind,
			Label: pc.Purpose.Title.In(ctx) + ", " + views.ChannelLabel(ctx, pc.Consent.Channel) + ": " + pc.Consent.Label.In(ctx)})
	}
	return out
}

func audienceOf(box string) models.Audience {
	purpose, kind, _ := strings.Cut(box, ".")
	return models.Audience{Purpose: purpose, Kind: kind}
}

// showAudiences counts a list before it is exported.
func (b *audiencesHandler) showAudiences(c echo.Context) error {
	a := b.actor(c)
	v := views.AudiencesView{Choices: b.choices(c.Request().Context(), a), Selected: c.QueryParam("box")}
	if v.Selected != "" {
		au := audienceOf(v.Selected)
		n, err := b.audiences.Count(c.Request().Context(), a, au)
		if errors.Is(err, models.ErrNoAudience) {
			return b.deny(c, "", nil)
		}
		if err != nil {
			return dataError(err)
		}
		box, _ := b.reg.ConsentBox(au.Purpose, au.Kind)
		v.Count, v.Counted, v.Criteria = n, true, au.Criteria(box.Consent.Channel)
	}
	return render(c, http.StatusOK, views.AdminAudiences(b.page(c, views.TitleAudiences), v))
}

// contactHeader is what a list carries: the record id and the fields that
// reach the person (email, phone) and their name, nothing else.
func contactFields(p *policy.Purpose) []policy.Field {
	var out []policy.Field
	if p.Form == nil {
		return nil
	}
	for _, f := range p.Form.Fields {
		if f.Identifies != "" || f.Autocomplete == "given-name" || f.Autocomplete == "family-name" || f.Autocomplete == "name" {
			out = append(out, f)
		}
	}
	return out
}

// sendList streams a list as CSV, formulas neutralised.
func (b *audiencesHandler) sendList(c echo.Context, purpose *policy.Purpose, name string,
	export func(each func(models.AudienceRow) error) (int64, error)) error {
	fields := contactFields(purpose)
	header := []string{"record"}
	for _, f := range fields {
		header = append(header, f.Name)
	}
	out := newCSVDownload(c, fmt.Sprintf("%s-%s.csv", name, b.now().Format("2006-01-02")), header)
	_, err := export(func(r models.AudienceRow) error {
		line := []string{r.RecordID.String()}
		for _, f := range fields {
			line = append(line, models.NeutraliseCSV(r.Fields[f.Name]))
		}
		return out.write(line)
	})
	return out.finish(err, func(err error) error {
		if errors.Is(err, models.ErrNoAudience) || errors.Is(err, models.ErrNoPartner) {
			return b.deny(c, "", nil)
		}
		return dataError(err)
	})
}

// exportAudience sends a list as CSV, logged with its criteria and count.
func (b *audiencesHandler) exportAudience(c echo.Context) error {
	a := b.actor(c)
	au := audienceOf(c.QueryParam("box"))
	box, ok := b.reg.ConsentBox(au.Purpose, au.Kind)
	if !ok {
		return b.deny(c, "", nil)
	}
	return b.sendList(c, box.Purpose, au.Purpose+"-"+box.Consent.Channel, func(each func(models.AudienceRow) error) (int64, error) {
		return b.audiences.Export(c.Request().Context(), a, au, each)
	})
}

// showPartners is the partner transmission page.
func (b *audiencesHandler) showPartners(c echo.Context) error {
	a := b.actor(c)
	pt := b.reg.Recipients.Partners
	v := views.PartnerView{Agreement: pt.Agreement.In(c.Request().Context()), NoPartners: len(b.reg.Deployment.Partners) == 0}
	for _, key := range pt.Purposes {
		if p, ok := b.reg.Purpose(key); ok && b.reg.CanSee(a.Role, key) {
			v.Purposes = append(v.Purposes, views.AudienceChoice{Value: key, Label: p.Title.In(c.Request().Context())})
		}
	}
	for _, p := range b.reg.Deployment.Partners {
		v.Partners = append(v.Partners, p.Name)
	}
	return render(c, http.StatusOK, views.AdminPartners(b.page(c, views.TitlePartnerExport), v))
}

// exportPartners sends the transmission to a declared partner, logged as a
// transfer naming it.
func (b *audiencesHandler) exportPartners(c echo.Context) error {
	a := b.actor(c)
	p, ok := b.reg.Purpose(c.QueryParam("purpose"))
	if !ok {
		return b.deny(c, "", nil)
	}
	recipient := c.QueryParam("recipient")
	return b.sendList(c, p, p.Key+"-partner", func(each func(models.AudienceRow) error) (int64, error) {
		return b.audiences.PartnerExport(c.Request().Context(), a, p.Key, recipient, each)
	})
}

// callOptOut records an opt-out said during an automated call: a
// suppression for that channel, source "call" (the registry's
// automated_calls.opt_out).
func (b *recordsHandler) callOptOut(c echo.Context) error {
	p, err := b.purposeFor(c, true)
	if err != nil {
		return err
	}
	id, err := recordID(c)
	if err != nil {
		return err
	}
	if err := b.records.OptOut(c.Request().Context(), b.actor(c), p.Key, id, policy.ChannelAutomatedCalls, models.SuppressionFromCall); err != nil {
		return dataError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/records/"+p.Key+"/"+id.String()+"?saved=1")
}

// subjectConsentView is the record page's consent block.
func subjectConsentView(ctx context.Context, reg *policy.Registry, sc models.SubjectConsents, canCall bool) *views.SubjectConsentView {
	v := &views.SubjectConsentView{CanRecordCall: canCall}
	for _, s := range sc.States {
		box, ok := reg.ConsentBox(s.Purpose, s.Kind)
		if !ok || box.Consent.Channel == "" {
			continue
		}
		v.Rows = append(v.Rows, views.SubjectConsentRow{PurposeTitle: box.Purpose.Title.In(ctx), Label: box.Consent.Label.In(ctx),
			Channel: box.Consent.Channel, Granted: s.Granted, At: s.At})
	}
	for ch, at := range sc.Suppressed {
		if ch == models.SuppressAll {
			v.Objected, v.ObjectedAt = true, at
		} else {
			v.Suppressed = append(v.Suppressed, views.ChannelObjection{Channel: ch, At: at})
		}
	}
	return v
}
