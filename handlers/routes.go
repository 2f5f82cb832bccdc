package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/static"
)

// routes registers every route in one place, grouped by who may call them.
func routes(e *echo.Echo, d Deps) {
	schema := newSchemaGate(d.DB, d.SchemaTarget, d.Now)
	uploads := d.Registry.UploadLimits()
	metrics := newMetrics(d.Metrics)

	e.Use(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}),
		securityHeaders(d.BaseURL),
		metrics.middleware,
		requestLog(d.Log),
		recoverer(d.Log), // inside the log and metrics, so a panic is counted as the 500 it becomes
		withRightsPath(d.Registry.RightsPath()),
		// Public bodies are small; the forms with file fields set their own limit.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K", Skipper: func(c echo.Context) bool {
			_, upload := uploads[c.Path()]
			return upload
		}}),
	)

	// Operations: always answer, even on a stale schema.
	ops := &opsHandler{db: d.DB, schema: schema, metrics: metrics}
	e.GET("/healthz", ops.health)
	e.GET("/readyz", ops.ready)
	e.GET("/metrics", ops.prometheus)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/static/*", echo.WrapHandler(static.Handler()))
	e.Match([]string{http.MethodGet, http.MethodHead}, "/favicon.ico", echo.WrapHandler(static.Favicon()))

	// Everything else needs the schema this binary was built for.
	site := e.Group("", schema.middleware)

	// Cookie consent: the consent middleware comes before every site route, so every page knows the visitor's choice. POST /consent:
	// small bodies, same-origin only, rate-limited per address.
	consent := &consentHandler{reg: d.Registry, ledger: models.NewCookieLedger(d.DB),
		cookies: newConsentCookies(d.Secrets.Key("consent-cookie"), d.BaseURL, d.Now)}
	ledgerWrites := consentRateStore(d.ConsentRate)
	site.Use(consentContext(d.Registry, consent.cookies, consent.ledger, d.Log, ledgerWrites))
	site.GET("/cookies/preferences", consent.showPreferences)
	site.POST("/consent", consent.saveChoice, sameOrigin(), consentRateLimit(ledgerWrites),
		middleware.BodyLimit("4K"))

	// Public pages, rendered from the registry.
	pub := newPublicHandler(d.Registry, d.Log)
	site.GET("/", pub.showHome)
	site.GET("/privacy", pub.showPrivacy)
	site.GET("/cookies", pub.showCookies)

	// Public forms, generated from the registry: every post is size-limited,
	// CSRF-checked and rate-limited per client address.
	formsH := &formsHandler{
		reg:     d.Registry,
		forms:   models.NewFormStore(d.DB, d.Vault),
		linkKey: d.Secrets.Key("email-link"),
		baseURL: strings.TrimSuffix(d.BaseURL.String(), "/"),
		now:     d.Now,
	}
	if rp, ok := d.Registry.RightsPurpose(); ok {
		formsH.rights = models.NewRightsStore(d.DB, d.Vault, rp)
	}
	formRoutes(site, formsH, formRateLimit(d.FormRate),
		limitUploads(uploads), csrfProtection(d.BaseURL.Scheme == "https"))
	// ---- Staff back-office ----------------------------------------------
	// Everything under /admin: no-store, a form token on every POST, and a
	// live session of an active account, except the sign-in page. Each route
	// checks role × purpose again (deny by default, logged); row-level
	// security checks it a third time in PostgreSQL.
	bo := newBackoffice(d)
	// Its own group, not the public site's: staff pages have no cookie banner.
	adm := e.Group("/admin", schema.middleware, noStore, bo.csrf())
	adm.GET("/login", bo.showLogin)
	adm.POST("/login", bo.login)
	staff := adm.Group("", bo.requireStaff)
	staff.POST("/logout", bo.logout)
	staff.GET("/password", bo.showPassword)
	staff.POST("/password", bo.changePassword)
	staff.GET("", bo.showHome)
	staff.GET("/records/:purpose", bo.listRecords)
	staff.GET("/records/:purpose/export", bo.exportRecords)
	staff.GET("/records/:purpose/:id", bo.showRecord)
	staff.POST("/records/:purpose/:id", bo.updateRecord)
	staff.GET("/records/:purpose/:id/files/:file", bo.downloadFile)
	dpo := staff.Group("/dpo", bo.requireReviewer)
	dpo.GET("/access-log", bo.showAccessLog)
	dpo.GET("/access-log/export", bo.exportAccessLog)
	admin := staff.Group("/staff", bo.requireStaffAdmin)
	admin.GET("", bo.showStaff)
	admin.POST("", bo.createStaff)
	admin.POST("/:id/role", bo.setStaffRole)
	admin.POST("/:id/active", bo.setStaffActive)
	// ---- end of the staff back-office -----------------------------------
}
