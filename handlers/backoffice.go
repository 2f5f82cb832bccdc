package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// The back-office is served by one handler per area: sign-in (authHandler),
// records (recordsHandler), staff accounts (staffAdminHandler) and the DPO's
// log review (dpoHandler). Each depends on the small interface of the stores
// it uses, and on the staffGate below for what every staff page needs. Every
// access to personal data is logged in the transaction that reads it.

// denialLog records refused requests.
type denialLog interface {
	LogDenied(ctx context.Context, a models.Actor, purpose string, record *uuid.UUID) error
}

// staffGate is what every back-office route shares: the session check, the
// form token, the role checks, the refusal log and the page layout.
type staffGate struct {
	reg     *policy.Registry
	now     func() time.Time
	baseURL *url.URL
	logger  *slog.Logger
	store   *pgStore
	denials denialLog
	// anonDenials bounds how many refusals of requests without a session one
	// address may add to the access log: each is evidence, but an endless
	// loop of them would only flood the hash-chained log. Staff denials are
	// always logged.
	anonDenials middleware.RateLimiterStore
	// methods tells routes from the groups' catch-alls.
	methods *allowedMethods
	// search seals searched email addresses for list URLs.
	search *searchTokens
	// navs are the navigations, by role and language (nav).
	navs map[navKey][]views.NavLink
	// inData are the routes whose store verifies the
	// session in the transaction that reads the data (models.SessionCheck):
	// they may run on a copy of the session row (pgStore.fromCopy).
	inData map[routeKey]bool
}

// checkSessionInData lets route run on a copy of the session row, verified
// by its store in the transaction that reads the data: one round trip
// fewer. Only for a handler that passes its actor to such a store before
// showing anything, and maps models.ErrSessionEnded through sessionEnded.
func (b *staffGate) checkSessionInData(r *echo.Route) {
	if b.inData == nil {
		b.inData = map[routeKey]bool{}
	}
	b.inData[routeKey{r.Method, r.Path}] = true
}

// session is the request's session: from the copy of its last load when
// the route verifies it in its data's transaction (deferred), else loaded.
func (b *staffGate) session(c echo.Context) (sess *sessions.Session, deferred bool, err error) {
	if b.inData[routeKey{c.Request().Method, c.Path()}] {
		if sess, ok := b.store.fromCopy(c.Request(), sessionCookie); ok {
			return sess, true, nil
		}
	}
	sess, err = b.store.Get(c.Request(), sessionCookie)
	return sess, false, err
}

// sessionEnded answers a request whose session failed the check in its
// data's transaction: the copy goes, and the request starts over with a
// full load, which sends a dead session to the sign-in page (logged) and
// takes a new role into account.
func (b *staffGate) sessionEnded(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		b.store.copies.drop(ck.Value)
	}
	return c.Redirect(http.StatusSeeOther, c.Request().URL.RequestURI())
}

// newStaffGate checks sessions kept by sessions and logs refusals to denials.
func newStaffGate(reg *policy.Registry, now func() time.Time, baseURL *url.URL, logger *slog.Logger,
	sessions *models.SessionStore, denials denialLog) *staffGate {
	return &staffGate{reg: reg, now: now, baseURL: baseURL, logger: logger, store: newPGStore(sessions, now), denials: denials,
		navs: buildNavs(reg),
		anonDenials: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Every(2 * time.Second), Burst: 30, ExpiresIn: 10 * time.Minute,
		})}
}

// staffMember is the signed-in staff member, put on the request context by
// requireStaff.
type staffMember struct {
	ID         uuid.UUID
	Name       string
	Role       *policy.Role
	MustChange bool
	// check, when set, is the session's verification the store runs in the
	// data's transaction (the session came from a copy).
	check *models.SessionCheck
}

type staffKey struct{}

// withStaff puts the member on the request's state, in place rather than on
// a copy of the request and a new context; on the context when the request
// has no state (outside the chain).
func withStaff(c echo.Context, s staffMember) {
	if st := peekState(c); st != nil {
		st.staff, st.hasStaff = s, true
		return
	}
	c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), staffKey{}, s)))
}

func currentStaff(c echo.Context) (staffMember, bool) {
	if st := peekState(c); st != nil && st.hasStaff {
		return st.staff, true
	}
	s, ok := c.Request().Context().Value(staffKey{}).(staffMember)
	return s, ok
}

// withLang sets the request's language, on its state when it has one.
func withLang(c echo.Context, l i18n.Lang) {
	if st := peekState(c); st != nil {
		st.lang = langValue(l)
		return
	}
	c.SetRequest(c.Request().WithContext(i18n.WithLang(c.Request().Context(), l)))
}

// csrfContextKey is where Echo's CSRF middleware (public forms and
// back-office alike) leaves the request's token.
const csrfContextKey = "csrf"

// csrfToken is the form token of the request's page: the signed-in
// member's (bindCSRF), else the one Echo's CSRF middleware chose.
func csrfToken(c echo.Context) string {
	if st := peekState(c); st != nil && st.csrf != "" {
		return st.csrf
	}
	t, _ := c.Get(csrfContextKey).(string)
	return t
}

// noStore keeps back-office pages out of every cache (browser, proxy):
// they hold personal data.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h["Cache-Control"], h["Pragma"] = noStoreValue, noCacheValue // shared, never written to (see fixedHeaders)
		return next(c)
	}
}

var noStoreValue, noCacheValue = []string{"no-store"}, []string{"no-cache"}

// csrf checks a form token on every state-changing back-office request. The
// token is required whatever Sec-Fetch-Site says: Echo would accept
// same-origin posts without one, refuse cross-site ones before our error
// handler could log them, and on a cross-site GET (a link from webmail)
// render a placeholder instead of a token, failing the next sign-in. With
// the header removed, every request takes the token path; a missing or
// wrong token is a 403, logged as a denial.
//
// A method no back-office route serves (DELETE, TRACE…) skips the check: it
// reaches no handler, only the 405 that says which methods the path takes.
//
// Signed in, the token is the session's (issued at sign-in, kept server-side
// with the session): requireStaff refuses a post whose token is another.
func (b *staffGate) csrf() echo.MiddlewareFunc {
	mw := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + views.CSRFField,
		CookieName:     adminCSRFCookie,
		CookiePath:     "/",
		CookieMaxAge:   csrfCookieMaxAge,
		CookieHTTPOnly: true,
		CookieSecure:   true, // __Host-: see newPGStore
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     csrfContextKey,
		ErrorHandler: func(_ error, c echo.Context) error {
			b.logDenied(c, "", nil)
			return echo.NewHTTPError(http.StatusForbidden, "")
		},
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := mw(next)
		return func(c echo.Context) error {
			if !b.methods.isRoute(c.Request().Method, c.Path()) {
				return next(c)
			}
			c.Request().Header.Del(echo.HeaderSecFetchSite)
			return h(c)
		}
	}
}

// csrfOnChanges is csrf for the routes behind requireStaff: it checks every
// state-changing request as csrf does, and leaves the safe ones (GET, HEAD,
// OPTIONS, TRACE, which it would only give a token) to requireStaff, whose
// bindCSRF gives the page the session's own token and sets its cookie.
// Through the library, such a page was given a token, and a cookie, that
// bindCSRF then replaced on the same response. The cookie is no longer
// renewed on every page: set at sign-in for 24 hours, it outlives the
// session (12 hours at most), and a browser without it gets it back from
// bindCSRF on its next page.
func (b *staffGate) csrfOnChanges() echo.MiddlewareFunc {
	check := b.csrf()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				varyCookie(c.Response().Header()) // as the library says of every answer it passes
				return next(c)
			}
			return check(next)(c)
		}
	}
}

// varyLanguageCookie is the Vary of a back-office page, built once and
// shared (never written to: see fixedHeaders).
var varyLanguageCookie = []string{"Accept-Language", echo.HeaderCookie}

// varyCookie adds Cookie to the answer's Vary.
func varyCookie(h http.Header) {
	if v := h[echo.HeaderVary]; len(v) == 1 && v[0] == "Accept-Language" {
		h[echo.HeaderVary] = varyLanguageCookie
		return
	}
	h.Add(echo.HeaderVary, echo.HeaderCookie)
}

// adminCSRFCookie holds the back-office form token, as the registry declares
// it. __Host- pins it to this host and path "/", HTTPS only: a sibling
// subdomain cannot plant one.
const adminCSRFCookie = "__Host-admin_csrf"

// csrfCookieMaxAge is the form-token cookies' lifetime, as the registry
// declares them (24 hours).
const csrfCookieMaxAge = 24 * 60 * 60

// newCSRFToken is a fresh form token (128 random bits).
func newCSRFToken() string { return rand.Text() }

// setCSRFCookie gives the browser the session's form token, with the
// attributes of the CSRF middleware's own cookie.
func (b *staffGate) setCSRFCookie(c echo.Context, token string) {
	setCookie(c.Response().Header(), &http.Cookie{Name: adminCSRFCookie, Value: token, Path: "/", MaxAge: csrfCookieMaxAge,
		Expires: time.Now().Add(csrfCookieMaxAge * time.Second), Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	setCSRF(c, token)
}

// setCSRF makes token the form token of the request's page.
func setCSRF(c echo.Context, token string) {
	if st := peekState(c); st != nil {
		st.csrf = token
		return
	}
	c.Set(csrfContextKey, token)
}

// bindCSRF ties the form token to the session: the page is given the
// session's token (and the cookie set back to it), and a state-changing
// request that came with another token is refused, whatever the cookie.
func (b *staffGate) bindCSRF(c echo.Context, sess *sessions.Session) error {
	token, _ := sess.Values[sessCSRF].(string)
	if token == "" { // a session from before tokens were bound: bind one now
		token = newCSRFToken()
		sess.Values[sessCSRF] = token
		if err := sess.Save(c.Request(), c.Response()); err != nil {
			return fmt.Errorf("handlers: session: %w", err)
		}
	}
	setCSRF(c, token)
	ck, err := c.Cookie(adminCSRFCookie)
	if err == nil && subtle.ConstantTimeCompare([]byte(ck.Value), []byte(token)) == 1 {
		return nil
	}
	b.setCSRFCookie(c, token)
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	return b.deny(c, "", nil)
}

// language puts the back-office language on the request context: the
// browser's (Accept-Language) until requireStaff replaces it with the
// signed-in member's own choice. Pages outside a session (sign-in, an
// invitation) follow the browser.
func (b *staffGate) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if st := peekState(c); st != nil && st.lang != nil {
			// languageRedirect has matched the browser's language already
			// (every /admin path is language-neutral) and said Vary.
			return next(c)
		}
		r := c.Request()
		c.SetRequest(r.WithContext(i18n.WithLang(r.Context(), i18n.Match(r.Header.Get("Accept-Language")))))
		c.Response().Header().Add(echo.HeaderVary, "Accept-Language")
		return next(c)
	}
}

// requireStaff lets through only a live session of an active account: the
// idle timeout is checked in the store, the absolute one here. Anonymous
// requests go to the sign-in page (and are logged as denied).
//
// A path or method no route serves goes on to its 404 or 405.
func (b *staffGate) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !b.methods.isRoute(c.Request().Method, c.Path()) {
			return next(c)
		}
		sess, deferred, err := b.session(c)
		if err != nil {
			return fmt.Errorf("handlers: session: %w", err)
		}
		idStr, _ := sess.Values[sessStaffID].(string)
		id, idErr := uuid.Parse(idStr)
		authAt, _ := sess.Values[sessAuthAt].(int64)
		if sess.IsNew || idErr != nil || b.now().Sub(time.Unix(authAt, 0)) > models.SessionAbsolute {
			if !sess.IsNew { // past the absolute timeout: end it
				sess.Options.MaxAge = -1
				_ = sess.Save(c.Request(), c.Response())
			}
			b.logDenied(c, "", nil)
			return c.Redirect(http.StatusSeeOther, "/admin/login")
		}
		roleKey, _ := sess.Values[sessRole].(string)
		role, ok := b.reg.Role(roleKey)
		if !ok {
			return echo.NewHTTPError(http.StatusForbidden, "")
		}
		name, _ := sess.Values[sessName].(string)
		mustChange, _ := sess.Values[sessMustChange].(bool)
		s := staffMember{ID: id, Name: name, Role: role, MustChange: mustChange}
		if deferred {
			s.check = models.NewSessionCheck(sess.ID, id, role.Key, b.now())
		}
		withStaff(c, s)
		// The member's own language, over the browser's the group set.
		if l, ok := sess.Values[sessLang].(string); ok {
			if lang, ok := i18n.Parse(l); ok {
				withLang(c, lang)
			}
		}
		if err := b.bindCSRF(c, sess); err != nil {
			return err
		}
		// A password set by someone else is changed before anything else.
		if mustChange && c.Path() != "/admin/password" && c.Path() != "/admin/logout" && c.Path() != "/admin/language" {
			return c.Redirect(http.StatusSeeOther, "/admin/password")
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			// A change (language, password, role…) may alter what the copy
			// holds: the session's next request loads it afresh.
			defer b.store.copies.drop(sess.ID)
		}
		return next(c)
	}
}

// actor is the signed-in staff member as the models and the log see them.
func (b *staffGate) actor(c echo.Context) models.Actor {
	a := models.Actor{IP: c.RealIP(), UserAgent: c.Request().UserAgent(), Now: b.now()}
	if s, ok := currentStaff(c); ok {
		a.StaffID, a.Role = s.ID, s.Role.Key
		a.Scope = models.Scope{Purposes: b.reg.PurposesFor(s.Role.Key), SeesRestricted: s.Role.SeesRestricted}
		a.Session = s.check
	}
	return a
}

// logDenied records a refusal. If even that fails the refusal stands.
func (b *staffGate) logDenied(c echo.Context, purpose string, record *uuid.UUID) {
	if _, signedIn := currentStaff(c); !signedIn {
		if ok, _ := b.anonDenials.Allow(c.RealIP()); !ok {
			return
		}
	}
	if err := b.denials.LogDenied(c.Request().Context(), b.actor(c), purpose, record); err != nil {
		b.logger.Error("access log write failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "error", err.Error())
	}
}

// deny refuses a request and logs it (deny by default).
func (b *staffGate) deny(c echo.Context, purpose string, record *uuid.UUID) error {
	b.logDenied(c, purpose, record)
	return echo.NewHTTPError(http.StatusForbidden, "")
}

// dataError maps a models error to a response: a failed log write is a 503
// (no log, no data), a record out of scope a 404.
func dataError(err error) error {
	switch {
	case errors.Is(err, models.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, "")
	case errors.Is(err, models.ErrLogUnavailable):
		return echo.NewHTTPError(http.StatusServiceUnavailable, "").SetInternal(err)
	}
	return err
}

// page is the layout data of a back-office page, its title in the
// member's language (args fill the title's verbs).
func (b *staffGate) page(c echo.Context, title i18n.Msg, args ...any) views.StaffPage {
	p := views.StaffPage{Title: title.F(c.Request().Context(), args...), Path: c.Request().URL.Path, CSRF: csrfToken(c)}
	s, ok := currentStaff(c)
	if !ok {
		return p
	}
	p.StaffName, p.RoleTitle = s.Name, s.Role.Title.In(c.Request().Context())
	if s.MustChange {
		return p
	}
	p.Nav = b.nav(c.Request().Context(), s.Role)
	return p
}

// navKey names one navigation: a role's, in a language.
type navKey struct {
	role string
	lang i18n.Lang
}

// nav is the navigation of role's pages in ctx's language, built with the
// gate (buildNavs) and shared by every page, which only reads it.
func (b *staffGate) nav(ctx context.Context, role *policy.Role) []views.NavLink {
	return b.navs[navKey{role.Key, i18n.From(ctx)}]
}

// buildNavs is every role's navigation in every language. The registry
// does not change while the server runs.
func buildNavs(reg *policy.Registry) map[navKey][]views.NavLink {
	navs := map[navKey][]views.NavLink{}
	for i := range reg.Roles {
		for _, l := range i18n.All {
			navs[navKey{reg.Roles[i].Key, l}] = buildNav(i18n.WithLang(context.Background(), l), reg, &reg.Roles[i])
		}
	}
	return navs
}

// buildNav is the navigation of role's pages: its purposes' records, then
// the areas its role opens.
func buildNav(ctx context.Context, reg *policy.Registry, role *policy.Role) []views.NavLink {
	var nav []views.NavLink
	for _, key := range reg.PurposesFor(role.Key) {
		if pu, ok := reg.Purpose(key); ok && pu.Form != nil {
			nav = append(nav, views.NavLink{Href: "/admin/records/" + key, Label: pu.Title.In(ctx)})
		}
	}
	if role.Markets {
		nav = append(nav, views.NavLink{Href: "/admin/audiences", Label: views.TitleAudiences.In(ctx)},
			views.NavLink{Href: "/admin/partners", Label: views.TitlePartnerExport.In(ctx)})
	}
	if role.ReviewsLog {
		nav = append(nav, views.NavLink{Href: "/admin/dpo/access-log", Label: views.TitleAccessLog.In(ctx)},
			views.NavLink{Href: "/admin/dpo/rights", Label: views.TitleRightsQueue.In(ctx)},
			views.NavLink{Href: "/admin/dpo/ropa", Label: views.TitleROPA.In(ctx)},
			views.NavLink{Href: "/admin/dpo/consents", Label: views.TitleConsentStats.In(ctx)},
			views.NavLink{Href: "/admin/dpo/retention", Label: views.TitleRetention.In(ctx)})
	}
	if role.ManagesStaff {
		nav = append(nav, views.NavLink{Href: "/admin/staff", Label: views.TitleStaffAdmin.In(ctx)})
	}
	return slices.Clip(nav) // a page appending to it gets its own copy
}
