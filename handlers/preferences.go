package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
	"github.com/alegria/privacy-portal/views"
)

// preferencesStore is what the person's own page needs.
type preferencesStore interface {
	PersonOf(email string) models.Person
	Of(ctx context.Context, p models.Person) (models.Preferences, error)
	Withdraw(ctx context.Context, p models.Person, purpose, kind, source string, now time.Time) error
	Object(ctx context.Context, p models.Person, channel string, now time.Time) error
	MailLink(ctx context.Context, p models.Person, e models.Email, now time.Time) error
}

// preferencesHandler serves /preferences: a person sees, per purpose and
// channel, what they agreed to and when, withdraws any of it or objects to
// marketing in one click each (art. 7(3), 21(2)). The page is reached only
// through a signed, expiring link mailed to the address.
type preferencesHandler struct {
	reg     *policy.Registry
	store   preferencesStore
	links   preferencesLinks
	now     func() time.Time
	minWait time.Duration // every link request takes at least this long: timing tells nothing
}

// preferencesLinks signs the links to a person's preferences that every
// email carries.
type preferencesLinks struct {
	key     []byte
	baseURL string
	vault   *vault.Vault
}

// personOf is the person an email address names.
func (l preferencesLinks) personOf(email string) models.Person {
	return models.PersonOf(l.vault, email)
}

// preferencesLinkFloor is the least time a link request takes, known
// address or not.
const preferencesLinkFloor = 50 * time.Millisecond

// page is the link to person's preferences page in lang, valid from now.
func (l preferencesLinks) page(lang i18n.Lang, person models.Person, now time.Time) string {
	return l.baseURL + views.PathIn(lang, "/preferences") + "?" + models.SignPreferencesLink(l.key, person, now.Add(models.PreferencesLinkValidity))
}

// signedQuery is the part of a request's query the signature covers, to
// carry into the page's buttons.
func signedQuery(q url.Values) string {
	return url.Values{"p": {q.Get("p")}, "exp": {q.Get("exp")}, "sig": {q.Get("sig")}}.Encode()
}

// person checks the signed link of the request; on failure it renders the
// page that asks for a new link.
func (h *preferencesHandler) person(c echo.Context) (models.Person, bool, error) {
	p, err := models.VerifyPreferencesLink(h.links.key, c.QueryParams(), h.now())
	if err == nil {
		return p, true, nil
	}
	status, problem := http.StatusBadRequest, tr(c, views.MsgPreferencesLinkBad)
	if errors.Is(err, models.ErrLinkExpired) {
		status, problem = http.StatusGone, tr(c, views.MsgPreferencesLinkExpired)
	}
	return nil, false, render(c, status, views.PreferencesRequestPage(describedPage(c, tr(c, views.TitlePreferencesLink), tr(c, views.DescPreferences)), csrfToken(c), problem))
}

// showPreferences is the page of a signed link, or the form asking for one.
func (h *preferencesHandler) showPreferences(c echo.Context) error {
	if !c.QueryParams().Has("sig") {
		return render(c, http.StatusOK, views.PreferencesRequestPage(describedPage(c, tr(c, views.TitlePreferencesLink), tr(c, views.DescPreferences)), csrfToken(c), ""))
	}
	person, ok, err := h.person(c)
	if !ok {
		return err
	}
	prefs, err := h.store.Of(c.Request().Context(), person)
	if err != nil {
		return err
	}
	v := views.PreferencesView{Query: signedQuery(c.QueryParams()), CSRF: csrfToken(c), Done: c.QueryParam("done")}
	if v.Done != views.DoneWithdrawn && v.Done != views.DoneObjected {
		v.Done = ""
	}
	states := map[string]models.ConsentState{}
	for _, s := range prefs.States {
		states[s.Purpose+"."+s.Kind] = s
	}
	for _, pc := range h.reg.ChannelConsents() {
		s, answered := states[pc.Purpose.Key+"."+pc.Consent.Kind]
		if !answered {
			continue // a box of a form this person never sent
		}
		v.Boxes = append(v.Boxes, views.PreferenceBox{Purpose: pc.Purpose.Key, PurposeTitle: pc.Purpose.Title.In(c.Request().Context()), Kind: pc.Consent.Kind,
			Label: pc.Consent.Label.In(c.Request().Context()), Channel: pc.Consent.Channel, Granted: s.Granted, Answered: true, At: s.At})
	}
	for ch, at := range prefs.Suppressed {
		if ch == models.SuppressAll {
			v.Objected, v.ObjectedAt = true, at
		} else {
			v.Channels = append(v.Channels, views.ChannelObjection{Channel: ch, At: at})
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set("Referrer-Policy", "no-referrer") // the link is a credential
	return render(c, http.StatusOK, views.PreferencesPage(describedPage(c, tr(c, views.TitlePreferences), tr(c, views.DescPreferences)), v))
}

// requestLink mails a link to the address typed, if we hold anything about
// it. The answer is the same either way, and so is its timing (one
// statement, then a floor): the page never tells whether an address is known.
func (h *preferencesHandler) requestLink(c echo.Context) error {
	start := time.Now()
	page := describedPage(c, tr(c, views.TitlePreferencesLink), tr(c, views.DescPreferences))
	email, problem := policy.CheckEmail(strings.TrimSpace(c.FormValue("email")))
	if problem != "" {
		return render(c, http.StatusUnprocessableEntity, views.PreferencesRequestPage(page, csrfToken(c), tr(c, views.MsgPreferencesEmail)))
	}
	now := h.now()
	person := h.store.PersonOf(email)
	lang := i18n.From(c.Request().Context())
	subject, body := views.PreferencesLinkEmail(lang, h.reg, h.links.page(lang, person, now))
	if err := h.store.MailLink(c.Request().Context(), person, models.Email{To: email, Subject: subject, Body: body, Lang: lang.String()}, now); err != nil {
		return err
	}
	if wait := h.minWait - time.Since(start); wait > 0 {
		time.Sleep(wait)
	}
	return render(c, http.StatusOK, views.PreferencesSentPage(describedPage(c, tr(c, views.TitlePreferencesSent), tr(c, views.DescPreferences))))
}

// withdraw appends the withdrawal of one box to the ledger.
func (h *preferencesHandler) withdraw(c echo.Context) error {
	person, ok, err := h.person(c)
	if !ok {
		return err
	}
	err = h.store.Withdraw(c.Request().Context(), person, c.FormValue("purpose"), c.FormValue("kind"), "preferences", h.now())
	if err != nil && !errors.Is(err, models.ErrNothingToWithdraw) {
		return err
	}
	return c.Redirect(http.StatusSeeOther, localPath(c, "/preferences")+"?"+signedQuery(c.QueryParams())+"&done="+views.DoneWithdrawn)
}

// object puts the person on the objection list for all prospecting.
func (h *preferencesHandler) object(c echo.Context) error {
	person, ok, err := h.person(c)
	if !ok {
		return err
	}
	if err := h.store.Object(c.Request().Context(), person, models.SuppressAll, h.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, localPath(c, "/preferences")+"?"+signedQuery(c.QueryParams())+"&done="+views.DoneObjected)
}

// unsubscribe is the one-click unsubscribe of RFC 8058: a POST from the
// mail client, with no form token (the client has none) but a signed URL
// naming the box. It withdraws that consent at once. A GET (a mail
// scanner following links) changes nothing.
func (h *preferencesHandler) unsubscribe(c echo.Context) error {
	person, err := models.VerifyPreferencesLink(h.links.key, c.QueryParams(), h.now())
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, tr(c, views.MsgPreferencesLinkBad))
	}
	purpose, kind, _ := strings.Cut(c.QueryParam("box"), ".")
	err = h.store.Withdraw(c.Request().Context(), person, purpose, kind, "unsubscribe", h.now())
	if err != nil && !errors.Is(err, models.ErrNothingToWithdraw) {
		return err
	}
	return c.String(http.StatusOK, tr(c, views.MsgUnsubscribed))
}
