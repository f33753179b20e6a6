package edge

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/internal/jsoncheck"
	"github.com/cienerp/cienerp/service"
)

// ctxJSONBody holds the JSON body guardInput has read, for idempotency.
const ctxJSONBody = "json_body"

// guardInput refuses, before any handler or query sees them, the inputs
// that no field may hold: a NUL character in a path parameter, a query
// parameter or a JSON string (PostgreSQL cannot store it, SQLite compares
// it oddly), and JSON nested deeper than jsoncheck.MaxDepth. Each is a 422
// naming the field or parameter. Form and multipart fields reach the
// schema's text validators, which refuse NUL too.
func guardInput(c *gin.Context) {
	verr := &service.ValidationError{}
	for _, p := range c.Params {
		if strings.ContainsRune(p.Value, 0) {
			verr.Add(p.Key, "%s", service.NULMessage(p.Key))
		}
	}
	for k, vs := range c.Request.URL.Query() {
		for _, v := range vs {
			if strings.ContainsRune(k+v, 0) {
				name := strings.ReplaceAll(k, "\x00", `\u0000`)
				verr.Add(name, "%s", service.NULMessage("query parameter "+name))
				break
			}
		}
	}
	if err := verr.OrNil(); err != nil {
		Fail(c, err)
		return
	}
	if !isJSONBody(c.Request) {
		c.Next()
		return
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		Fail(c, BodyError(err))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	c.Set(ctxJSONBody, raw)
	switch p := jsoncheck.Scan(raw); {
	case p == nil:
	case p.TooDeep:
		Fail(c, service.Invalid("body", "The body nests objects and arrays deeper than %d levels; send a flatter body.", jsoncheck.MaxDepth))
		return
	case p.Path == "":
		Fail(c, service.Invalid("body", "%s", service.NULMessage("body")))
		return
	default:
		Fail(c, service.Invalid(p.Path, "%s", service.NULMessage(p.Path)))
		return
	}
	c.Next()
}

// JSONBody is the request body: as guardInput read it, or read now.
func JSONBody(c *gin.Context) ([]byte, error) {
	if raw, ok := c.Get(ctxJSONBody); ok {
		return raw.([]byte), nil
	}
	return io.ReadAll(c.Request.Body)
}

// isJSONBody: a body sent as JSON, or with no content type (which bindJSON
// reads as JSON).
func isJSONBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return r.ContentLength != 0
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// withBodyLimit caps request bodies at n bytes.
func withBodyLimit(n int64) gin.HandlerFunc { return withBodyLimitFor(n, "", n) }

// withBodyLimitFor is withBodyLimit with another limit for one media type.
func withBodyLimitFor(n int64, mediaType string, other int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := n
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == mediaType {
			limit = other
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// BodyError describes a failure to read the request body: over its limit
// (413) or cut off (400).
func BodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return service.Fail(service.KindTooLarge, "body_too_large", "The request body is larger than %d bytes.", tooBig.Limit)
	}
	return service.Fail(service.KindBadRequest, "unreadable_body", "The request body could not be read.")
}
