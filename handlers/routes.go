package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/alegria/privacy-portal/static"
)

// routes registers every route in one place, grouped by who may call them.
func routes(e *echo.Echo, d Deps) {
	schema := newSchemaGate(d.DB, d.SchemaTarget, d.Now)
	metrics := newMetrics(d.Metrics)

	e.Use(
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{TargetHeader: echo.HeaderXRequestID}),
		securityHeaders(d.BaseURL),
		metrics.middleware,
		requestLog(d.Log),
		recoverer(d.Log), // inside the log and metrics, so a panic is counted as the 500 it becomes
		// Public bodies are small; routes that take uploads set their own limit.
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "64K", Skipper: isUploadRoute}),
	)

	// Operations: always answer, even on a stale schema.
	ops := &opsHandler{db: d.DB, schema: schema, metrics: metrics}
	e.GET("/healthz", ops.health)
	e.GET("/readyz", ops.ready)
	e.GET("/metrics", ops.prometheus)
	e.Match([]string{http.MethodGet, http.MethodHead}, "/static/*", echo.WrapHandler(static.Handler()))

	// Everything else needs the schema this binary was built for.
	site := e.Group("", schema.middleware)

	// Public pages, rendered from the registry.
	pub := &publicHandler{reg: d.Registry}
	site.GET("/", pub.showHome)
	site.GET("/privacy", pub.showPrivacy)
	site.GET("/cookies", pub.showCookies)

	// ---- Staff back-office (issue 5) ------------------------------------
	// Everything under /admin: no-store, a form token on every POST, and a
	// live session of an active account, except the sign-in page. Each route
	// checks role × purpose again (deny by default, logged); row-level
	// security checks it a third time in PostgreSQL.
	bo := newBackoffice(d)
	adm := site.Group("/admin", noStore, bo.csrf())
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

// uploadRoutes take bodies larger than the default limit and enforce their own.
var uploadRoutes = map[string]bool{}

func isUploadRoute(c echo.Context) bool { return uploadRoutes[c.Path()] }
