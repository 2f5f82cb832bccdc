package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/static"
)

// consentPath receives the cookie banner's answers.
const consentPath = "/consent"

// unsubscribePath is the one-click unsubscribe of marketing emails.
const unsubscribePath = "/preferences/unsubscribe"

// routes registers every route in one place, grouped by who may call them.
func routes(e *echo.Echo, d Deps, methods *allowedMethods) {
	schema := newSchemaGate(d.DB, d.SchemaTarget, d.Now)
	uploads := d.Registry.UploadLimits()
	rightsPurpose, hasRights := d.Registry.RightsPurpose()
	if hasRights {
		// The identity document the DPO may ask for takes the forms' upload path.
		_, identityPath := rightsLinkPaths(rightsPurpose)
		uploads[identityPath] = d.Registry.IdentityDocument.MaxBytes
	}
	metrics := newMetrics(d.Metrics)

	// Public pages: /fr/… and /en/…, routed without the prefix.
	e.Pre(stripLanguage(d.BaseURL))
	// The site-wide chain, composed once (builtOnce): the only e.Use.
	e.Use(builtOnce(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID, Generator: newRequestID,
			// Every access event logged for this request carries its id.
			RequestIDHandler: func(c echo.Context, id string) { stateOf(c).requestID = id }}),
		securityHeaders(d.BaseURL),
		metrics.middleware,
		requestLog(d.Log),
		recoverer(d.Log), // inside the log and metrics, so a panic is counted as the 500 it becomes
		languageRedirect, // a bare public path goes to the visitor's language
		withRightsPath(d.Registry.RightsPath()),
		// Public bodies are small; the forms with file fields set their own limit.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K", Skipper: func(c echo.Context) bool {
			_, upload := uploads[c.Path()]
			return upload
		}}),
		// Cookie choices are tiny (validInput reads the body, so the limit
		// comes before it rather than on the route). The limit is the size
		// of readConsentPost's buffer, in bytes: Echo reads "4K" as 4,000.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.Itoa(consentBodyLimit), Skipper: func(c echo.Context) bool {
			return c.Path() != consentPath
		}}),
		validInput(uploads),
	))

	// Operations: always answer, even on a stale schema.
	ops := &opsHandler{db: d.DB, schema: schema, draining: d.Draining}
	e.GET("/healthz", ops.health)
	e.GET("/readyz", ops.ready)
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
	site.POST(consentPath, consent.saveChoice, sameOrigin(), consentRateLimit(ledgerWrites))

	// Public pages, rendered from the registry.
	pub := newPublicHandler(d.Registry, d.Log)
	site.GET("/", pub.showHome)
	site.GET("/privacy", pub.showPrivacy)
	site.GET("/cookies", pub.showCookies)
	history := newPolicyHistory(d.Registry, d.Log)
	site.GET("/privacy/versions", history.showVersions)
	site.GET("/privacy/versions/:version", history.showVersion)
	site.GET("/privacy/versions/:version/changes", history.showChanges)

	// Public forms, generated from the registry: every post is size-limited,
	// CSRF-checked and rate-limited per client address.
	formsH := &formsHandler{
		reg:     d.Registry,
		scanner: d.Scanner,
		forms:   models.NewFormStore(d.DB, d.Vault),
		linkKey: d.Secrets.Key("email-link"),
		idemKey: d.Secrets.Key("form-idempotency"),
		baseURL: strings.TrimSuffix(d.BaseURL.String(), "/"),
		now:     d.Now,
	}
	formsH.prefLinks = preferencesLinks{key: formsH.linkKey, baseURL: formsH.baseURL, vault: d.Vault}
	if rp, ok := d.Registry.RightsPurpose(); ok {
		formsH.rights = models.NewRightsStore(d.DB, d.Vault, rp)
	}
	formLimit, csrf := formRateLimit(d.FormRate), csrfProtection()
	formRoutes(site, formsH, formLimit, limitUploads(uploads), csrf)

	// The person's own consents, through a signed link every email carries.
	prefs := &preferencesHandler{reg: d.Registry, store: models.NewPreferenceStore(d.DB, d.Vault, d.Registry),
		links: formsH.prefLinks, now: d.Now, minWait: preferencesLinkFloor}
	site.GET("/preferences", prefs.showPreferences, csrf)
	site.POST("/preferences/link", prefs.requestLink, formLimit, csrf)
	site.POST("/preferences/withdraw", prefs.withdraw, formLimit, csrf)
	site.POST("/preferences/object", prefs.object, formLimit, csrf)
	// RFC 8058 one-click: the mail client has no form token; the URL is signed.
	site.POST(unsubscribePath, prefs.unsubscribe, formLimit)
	// ---- Staff back-office ----------------------------------------------
	// Everything under /admin: no-store, a form token on every POST, and a
	// live session of an active account, except the sign-in page. Each route
	// checks role × purpose again (deny by default, logged); row-level
	// security checks it a third time in PostgreSQL.
	sessions := models.NewSessionStore(d.DB)
	accessLog := models.NewAccessLog(d.DB, d.Vault, d.Secrets.Key(models.CheckpointKeyName))
	staffStore := models.NewStaffStore(d.DB, d.Vault).WithInvitationKey(d.Secrets.Key(models.InvitationKeyName))
	gate := newStaffGate(d.Registry, d.Now, d.BaseURL, d.Log, sessions, accessLog)
	gate.methods, gate.search = methods, newSearchTokens(d.Secrets)
	auth := newAuthHandler(gate, staffStore, sessions, accessLog)
	records := newRecordsHandler(gate, models.NewRecordStore(d.DB, d.Vault))
	staffAdmin := newStaffAdminHandler(gate, staffStore)
	dpo := newDPOHandler(gate, accessLog, staffStore)
	welcome := newWelcomeHandler(gate, staffStore)
	transparency := newTransparencyHandler(gate, accessLog, models.NewConsentStatsStore(d.DB))
	retentionStore := models.NewRetentionStore(d.DB, d.Vault, d.Secrets.Key(models.ErasureLogKeyName))
	var rightsDesk *rightsHandler
	if hasRights {
		rightsDesk = newRightsHandler(gate, models.NewRightsDesk(d.DB, d.Vault, rightsPurpose, retentionStore), rightsPurpose,
			d.Secrets.Key("email-link"), strings.TrimSuffix(d.BaseURL.String(), "/"), d.Scanner)
		// The rights desk's emailed links: signed, expiring, single use.
		download, identity := rightsLinkPaths(rightsPurpose)
		linkMW := []echo.MiddlewareFunc{limitUploads(uploads), csrfProtection()}
		site.GET(download, rightsDesk.showDownload, linkMW...)
		site.POST(download, rightsDesk.download, append([]echo.MiddlewareFunc{formRateLimit(d.FormRate)}, linkMW...)...)
		site.GET(identity, rightsDesk.showIdentityUpload, linkMW...)
		site.POST(identity, rightsDesk.uploadIdentity, append([]echo.MiddlewareFunc{formRateLimit(d.FormRate)}, linkMW...)...)
	}
	retention := newRetentionHandler(gate, retentionStore)
	records.eventEnds = retentionStore

	// Its own group, not the public site's: staff pages have no cookie banner.
	adm := e.Group("/admin", schema.middleware, noStore, gate.language)
	// Anyone: the sign-in page.
	signInCSRF := gate.csrf()
	adm.GET("/login", auth.showLogin, signInCSRF)
	adm.POST("/login", auth.login, signInCSRF)
	// Whoever holds an invitation link: setting up their own account.
	adm.GET("/welcome/:token", welcome.showWelcome, signInCSRF)
	adm.POST("/welcome/:token", welcome.enrol, signInCSRF)
	// Any signed-in staff member: their session and password, and the
	// records of their role's purposes. Their pages get the session's form
	// token from requireStaff.
	staff := adm.Group("", gate.csrfOnChanges(), gate.requireStaff)
	staff.POST("/logout", auth.logout)
	staff.GET("/password", auth.showPassword)
	staff.POST("/password", auth.changePassword)
	staff.POST("/language", auth.setLanguage)
	staff.GET("", records.showHome)
	staff.GET("/records/:purpose", records.listRecords)
	staff.GET("/records/:purpose/export", records.exportRecords)
	staff.POST("/records/:purpose/search", records.searchRecords)
	// The record view checks the session in the transaction that reads the
	// record: one round trip in all.
	gate.checkSessionInData(staff.GET("/records/:purpose/:id", records.showRecord))
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
	// The review checks the session in the batch that reads its page.
	gate.checkSessionInData(dpoGroup.GET("/access-log", dpo.showAccessLog))
	dpoGroup.GET("/access-log/export", dpo.exportAccessLog)
	dpoGroup.POST("/access-log/search", dpo.searchAccessLog)
	// The DPO: the record of processing (art. 30) and the consent statistics.
	dpoGroup.GET("/ropa", transparency.showROPA)
	dpoGroup.GET("/ropa/export", transparency.exportROPA)
	dpoGroup.GET("/consents", transparency.showConsentStats)
	// The DPO: rights requests, each right carried out from the request page.
	if rightsDesk != nil {
		r := dpoGroup.Group("/rights")
		r.GET("", rightsDesk.showQueue)
		r.GET("/:id", rightsDesk.showCase)
		r.POST("/:id/status", rightsDesk.action(rightsDesk.moveRequest))
		r.POST("/:id/extend", rightsDesk.action(rightsDesk.extendRequest))
		r.POST("/:id/package", rightsDesk.action(rightsDesk.sendPackage))
		r.POST("/:id/rectify", rightsDesk.action(rightsDesk.rectify))
		r.POST("/:id/erase", rightsDesk.action(rightsDesk.erase))
		r.POST("/:id/restrict", rightsDesk.action(rightsDesk.restrict))
		r.POST("/:id/object", rightsDesk.action(rightsDesk.object))
		r.POST("/:id/withdraw", rightsDesk.action(rightsDesk.withdraw))
		r.POST("/:id/directives", rightsDesk.action(rightsDesk.addDirective))
		r.POST("/:id/directives/:directive/revoke", rightsDesk.action(rightsDesk.revokeDirective))
		r.POST("/:id/cookie", rightsDesk.action(rightsDesk.linkCookie))
		r.POST("/:id/identity", rightsDesk.action(rightsDesk.askIdentity))
		r.POST("/:id/identity/checked", rightsDesk.action(rightsDesk.identityChecked))
		r.GET("/:id/identity/:doc", rightsDesk.identityFile)
		r.POST("/:id/identity/:doc/keep", rightsDesk.action(rightsDesk.keepIdentity))
	}
	// The DPO: retention (preview, legal holds, event ends).
	dpoGroup.GET("/retention", retention.showRetention)
	dpoGroup.POST("/retention/holds", retention.placeHold)
	dpoGroup.POST("/retention/holds/:id/lift", retention.liftHold)
	dpoGroup.POST("/retention/event-end", retention.setEventEnd)
	// The administrator: staff accounts.
	admin := staff.Group("/staff", gate.requireStaffAdmin)
	admin.GET("", staffAdmin.showStaff)
	admin.POST("", staffAdmin.createStaff)
	admin.POST("/:id/role", staffAdmin.setStaffRole)
	admin.POST("/:id/active", staffAdmin.setStaffActive)
	admin.POST("/:id/invite", staffAdmin.reinviteStaff)
	// ---- end of the staff back-office -----------------------------------
}
