// Package portal serves the developer portal: the docs, the permission
// catalog, an API testing console, the Settings console for tenant admins
// (both under one sandbox/live toggle in the header), and the API
// reference (Swagger UI from github.com/swaggo/files/v2). Everything is
// embedded in the binary; nothing is loaded from elsewhere.
package portal

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files/v2"
)

//go:embed static
var static embed.FS

// csp keeps the portal to its own origin: its scripts, styles and the API.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Register mounts the portal on r: / and /docs (the page), /settings (the
// tenant admins' console), /portal/ (their assets) and /docs/reference/
// (the API reference).
func Register(r *gin.Engine) {
	files, _ := fs.Sub(static, "static")
	page := func(c *gin.Context) {
		c.Header("Content-Security-Policy", csp)
		c.Header("X-Content-Type-Options", "nosniff")
		c.FileFromFS("/", http.FS(files))
	}
	r.GET("/", page)
	r.GET("/docs", page)
	r.GET("/settings", func(c *gin.Context) {
		c.Header("Content-Security-Policy", csp)
		c.Header("X-Content-Type-Options", "nosniff")
		c.FileFromFS("/settings.html", http.FS(files))
	})
	assets := http.StripPrefix("/portal/", http.FileServer(http.FS(files)))
	r.GET("/portal/*file", func(c *gin.Context) {
		c.Header("Content-Security-Policy", csp)
		c.Header("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(c.Writer, c.Request)
	})
	ref := http.StripPrefix("/docs/reference/", http.FileServer(http.FS(swaggerfiles.FS)))
	r.GET("/docs/reference/*file", func(c *gin.Context) {
		c.Header("X-Content-Type-Options", "nosniff")
		switch c.Param("file") {
		case "/swagger-initializer.js": // ours: point the reference at this server's document
			c.FileFromFS("/reference-init.js", http.FS(files))
			return
		case "/":
			// blob: lets a cancelled live write show its answer without a request (reference-init.js).
			c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' blob:")
		}
		ref.ServeHTTP(c.Writer, c.Request)
	})
}

// Explorer serves the GraphQL explorer page (GraphiQL, embedded). GraphiQL
// sets inline styles, hence the wider style-src.
func Explorer() http.Handler {
	files, _ := fs.Sub(static, "static")
	page, _ := fs.ReadFile(files, "explorer.html")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page)
	})
}
