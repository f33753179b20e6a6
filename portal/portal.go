// Package portal serves the developer portal: the docs, the permission
// catalog, an API testing console, the Settings console for tenant admins
// (both under one sandbox/live toggle in the header), and the API
// reference (Swagger UI from github.com/swaggo/files/v2). Everything is
// embedded in the binary; nothing is loaded from elsewhere.
package portal

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"sync"

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
		revalidate(c, portalTags(), c.Param("file"))
		assets.ServeHTTP(c.Writer, c.Request)
	})
	ref := http.StripPrefix("/docs/reference/", http.FileServer(http.FS(swaggerfiles.FS)))
	r.GET("/docs/reference/*file", func(c *gin.Context) {
		c.Header("X-Content-Type-Options", "nosniff")
		switch c.Param("file") {
		case "/swagger-initializer.js": // ours: point the reference at this server's document
			revalidate(c, portalTags(), "/reference-init.js")
			c.FileFromFS("/reference-init.js", http.FS(files))
			return
		case "/":
			// blob: lets a cancelled live write show its answer without a request (reference-init.js).
			c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' blob:")
		default:
			revalidate(c, referenceTags(), c.Param("file"))
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

// The embedded files carry no modification time, so without an ETag a
// browser fetches every asset whole on every page (GraphiQL alone is
// 3.5 MB). Each gets its content's hash as ETag and "no-cache": the
// browser asks again each time (a new binary's files are never stale) and
// an unchanged file is a 304 without a body.
var (
	portalTags = sync.OnceValue(func() map[string]string {
		files, _ := fs.Sub(static, "static")
		return contentTags(files)
	})
	referenceTags = sync.OnceValue(func() map[string]string { return contentTags(swaggerfiles.FS) })
)

// contentTags are the ETags of fsys's files by their path ("/app.js").
func contentTags(fsys fs.FS) map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out["/"+p] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	return out
}

// revalidate sets the ETag of the file at path (http.FileServer and
// FileFromFS then answer a matching If-None-Match with 304).
func revalidate(c *gin.Context, tags map[string]string, path string) {
	if tag, ok := tags[path]; ok {
		c.Header("ETag", tag)
		c.Header("Cache-Control", "no-cache")
	}
}
