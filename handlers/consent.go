package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// consentHandler records cookie choices and shows the cookie settings page.
type consentHandler struct {
	reg     *policy.Registry
	ledger  *models.CookieLedger
	cookies *consentCookies
}

// saveChoice records a banner or settings-page choice: it appends the proof
// to the ledger first (no proof, no cookie), then sets the consent cookie and
// expires the cookies of refused categories. Browsers without JavaScript get
// a 303 back to the page they were on; consent.js asks for JSON.
func (h *consentHandler) saveChoice(c echo.Context) error {
	form, err := consentPostOf(c)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, views.MsgUnknownCookieAction)
	}
	action, err := models.ParseCookieAction(form.action)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, views.MsgUnknownCookieAction)
	}
	// The visitor keeps one consent id across changes of mind, so the
	// ledger shows their whole history.
	prev := consentOf(c)
	choice, err := models.NewCookieChoice(h.reg, prev.choice.ID, action, form.categories, h.cookies.now())
	if errors.Is(err, models.ErrUnknownCookieCategory) {
		return echo.NewHTTPError(http.StatusBadRequest, views.MsgUnknownCookieCategory)
	} else if err != nil {
		return err
	}
	// A retried post (its answer lost) carries its click's key again: it is
	// answered with the proof already stored, and nothing is written twice.
	key, err := consentIdemKey(form.idem)
	if err != nil {
		return errBadInput
	}
	row := models.NewCookieConsent(choice, c.RealIP(), c.Request().UserAgent()).WithIdempotencyKey(key)
	proof, err := h.ledger.Append(c.Request().Context(), row)
	if err != nil {
		return err
	}
	choice = proof.CookieChoice
	if err := h.cookies.write(c.Response(), choice); err != nil {
		return err
	}
	expireRefused(c.Response(), h.reg, choice)
	if c.Request().Header.Get(echo.HeaderAccept) == echo.MIMEApplicationJSON {
		return c.JSON(http.StatusOK, consentAnswer{Categories: choice.Categories, Proof: proofName(proof)})
	}
	return c.Redirect(http.StatusSeeOther, safeReturnPath(form.returnTo))
}

// consentAnswer is what consent.js reads: the categories now allowed, and
// the name of the ledger row that proves the choice (the same for a retry).
type consentAnswer struct {
	Categories []string `json:"categories"`
	Proof      string   `json:"proof,omitempty"`
}

// proofName names a stored proof by its key, which the visitor's own key
// derives, rather than by the ledger's sequential row id, which would tell
// anyone how many choices the site has recorded.
func proofName(p models.CookieConsent) string {
	if p.ProofID == 0 || p.IdemKey == uuid.Nil {
		return ""
	}
	return p.IdemKey.String()
}

// consentIdemKey is the posted idempotency key: a UUID (consent.js draws
// one per click with crypto.randomUUID, the banner's form carries one per
// rendering), or none from a page rendered before keys existed.
func consentIdemKey(s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	return uuid.Parse(s)
}

// showPreferences is the cookie settings page linked from every footer:
// the current choice, a form to change it, and a withdrawal button.
func (h *consentHandler) showPreferences(c echo.Context) error {
	back := safeReturnPath(c.QueryParam("return_to"))
	if c.QueryParam("return_to") == "" {
		back = localPath(c, "/cookies/preferences") + "?saved=1"
	}
	state := consentStateOf(c)
	state.ChoiceKey = uuid.NewString()
	return render(c, http.StatusOK, views.CookiePreferencesPage(describedPage(c, tr(c, views.TitleCookiePreferences), tr(c, views.DescCookiePreferences)),
		state, back, c.QueryParam("saved") == "1"))
}

// safeReturnPath accepts only a path on this site, so /consent cannot be used
// to bounce a visitor to another one (open redirect). Anything else is "/".
func safeReturnPath(s string) string {
	if len(s) > 512 || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") {
		return "/"
	}
	if plainPath(s) { // what url.Parse and RequestURI give back unchanged
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return u.RequestURI()
}

// plainPath reports whether s holds only unreserved characters (RFC 3986)
// and slashes.
func plainPath(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '/', c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// sameOrigin refuses cross-site posts. First-time visitors have no session
// to hang a CSRF token on, so /consent relies on what browsers send with
// every POST: Sec-Fetch-Site or, from older ones, Origin (Go's
// CrossOriginProtection), plus SameSite=Lax on the cookie it sets.
func sameOrigin() echo.MiddlewareFunc {
	cop := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := cop.Check(c.Request()); err != nil {
				return echo.NewHTTPError(http.StatusForbidden, views.MsgCrossOriginConsent)
			}
			return next(c)
		}
	}
}

// consentRateLimit bounds choices per client address. The store is in
// memory: with several app instances each keeps its own count, so the
// effective limit is per instance (a shared store would be needed for a
// global one). perSecond < 0 turns it off (benchmarks).
func consentRateLimit(store middleware.RateLimiterStore) echo.MiddlewareFunc {
	if store == nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(echo.Context, error) error {
			return echo.NewHTTPError(http.StatusForbidden)
		},
		DenyHandler: func(echo.Context, string, error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests)
		},
	})
}

// consentRateStore counts ledger writes per client address: banner choices
// and GPC refusals alike. nil (no limit) when perSecond < 0 (benchmarks).
func consentRateStore(perSecond float64) middleware.RateLimiterStore {
	if perSecond < 0 {
		return nil
	}
	if perSecond == 0 {
		perSecond = defaultConsentRate
	}
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perSecond), Burst: int(perSecond * 10), ExpiresIn: 3 * time.Minute,
	})
}

// defaultConsentRate is choices per second per address: far above what a
// person does, even behind an office NAT, far below what a flood needs.
const defaultConsentRate = 5
