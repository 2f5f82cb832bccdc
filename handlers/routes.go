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

	// Cookie consent: the consent middleware comes before every
	// site route, so every page knows the visitor's choice. POST /consent:
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
	formsH.prefLinks = preferencesLinks{key: formsH.linkKey, baseURL: formsH.baseURL, vault: d.Vault}
	if rp, ok := d.Registry.RightsPurpose(); ok {
		formsH.rights = models.NewRightsStore(d.DB, d.Vault, rp)
	}
	formLimit, csrf := formRateLimit(d.FormRate), csrfProtection(d.BaseURL.Scheme == "https")
	formRoutes(site, formsH, formLimit, limitUploads(uploads), csrf)

	// The person's own consents, through a signed link every email carries.
	prefs := &preferencesHandler{reg: d.Registry, store: models.NewPreferenceStore(d.DB, d.Vault, d.Registry),
		links: formsH.prefLinks, now: d.Now, minWait: preferencesLinkFloor}
	site.GET("/preferences", prefs.showPreferences, csrf)
	site.POST("/preferences/link", prefs.requestLink, formLimit, csrf)
	site.POST("/preferences/withdraw", prefs.withdraw, formLimit, csrf)
	site.POST("/preferences/object", prefs.object, formLimit, csrf)
	// RFC 8058 one-click: the mail client has no form token; the URL is signed.
	site.POST("/preferences/unsubscribe", prefs.unsubscribe, formLimit)
	// ---- Staff back-office ----------------------------------------------
	// Everything under /admin: no-store, a form token on every POST, and a
	// live session of an active account, except the sign-in page. Each route
	// checks role × purpose again (deny by default, logged); row-level
	// security checks it a third time in PostgreSQL.
	sessions := models.NewSessionStore(d.DB)
	accessLog := models.NewAccessLog(d.DB, d.Vault, d.Secrets.Key(models.CheckpointKeyName))
	staffStore := models.NewStaffStore(d.DB, d.Vault)
	gate := newStaffGate(d.Registry, d.Now, d.BaseURL, d.Log, sessions, accessLog)
	auth := newAuthHandler(gate, staffStore, sessions, accessLog)
	records := newRecordsHandler(gate, models.NewRecordStore(d.DB, d.Vault))
	staffAdmin := newStaffAdminHandler(gate, staffStore)
	dpo := newDPOHandler(gate, accessLog, staffStore)

	// Its own group, not the public site's: staff pages have no cookie banner.
	adm := e.Group("/admin", schema.middleware, noStore, gate.csrf())
	// Anyone: the sign-in page.
	adm.GET("/login", auth.showLogin)
	adm.POST("/login", auth.login)
	// Any signed-in staff member: their session and password, and the
	// records of their role's purposes.
	staff := adm.Group("", gate.requireStaff)
	staff.POST("/logout", auth.logout)
	staff.GET("/password", auth.showPassword)
	staff.POST("/password", auth.changePassword)
	staff.GET("", records.showHome)
	staff.GET("/records/:purpose", records.listRecords)
	staff.GET("/records/:purpose/export", records.exportRecords)
	staff.GET("/records/:purpose/:id", records.showRecord)
	staff.POST("/records/:purpose/:id", records.updateRecord)
	staff.GET("/records/:purpose/:id/files/:file", records.downloadFile)
	staff.POST("/records/:purpose/:id/call-opt-out", records.callOptOut)
	// Sales: marketing lists drawn from current consents only, and the
	// partner transmission.
	audiences := newAudiencesHandler(gate, models.NewAudienceStore(d.DB, d.Vault, d.Registry))
	staff.GET("/audiences", audiences.showAudiences, gate.requireMarketer)
	staff.GET("/audiences/export", audiences.exportAudience, gate.requireMarketer)
	staff.GET("/partners", audiences.showPartners, gate.requireMarketer)
	staff.GET("/partners/export", audiences.exportPartners, gate.requireMarketer)
	// The DPO: the access log.
	dpoGroup := staff.Group("/dpo", gate.requireReviewer)
	dpoGroup.GET("/access-log", dpo.showAccessLog)
	dpoGroup.GET("/access-log/export", dpo.exportAccessLog)
	// The administrator: staff accounts.
	admin := staff.Group("/staff", gate.requireStaffAdmin)
	admin.GET("", staffAdmin.showStaff)
	admin.POST("", staffAdmin.createStaff)
	admin.POST("/:id/role", staffAdmin.setStaffRole)
	admin.POST("/:id/active", staffAdmin.setStaffActive)
	// ---- end of the staff back-office -----------------------------------
}
