package rest

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/service"
)

// Meta accompanies lists.
type Meta struct {
	Limit      int    `json:"limit,omitempty"` // the page size asked for; absent on lists that are not paged
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// respond writes the success envelope. The ETag of a GET's object is the
// digest of its data, the tag service.ETagOf gives the object, so that the
// tag read here is the one a PATCH's If-Match is checked against.
func respond(c *gin.Context, status int, data any) {
	d, err := jsonwire.Marshal(data)
	if err == nil {
		d, err = shape(c, d)
	}
	if err != nil {
		edge.Fail(c, err)
		return
	}
	write(c, status, d, nil)
}

// respondList writes a page with its meta; its ETag covers both.
func respondList(c *gin.Context, data any, meta Meta) {
	d, err := jsonwire.Marshal(data)
	if err == nil {
		d, err = shape(c, d)
	}
	if err == nil {
		var m []byte
		if m, err = jsonwire.Marshal(meta); err == nil {
			write(c, http.StatusOK, d, m)
			return
		}
	}
	edge.Fail(c, err)
}

// write sends the envelope around data (and meta) with its length, so
// that a page goes out in one piece rather than chunked (the keys in
// encoding/json's order). A GET's answer carries an ETag; when it matches
// If-None-Match the answer is a 304 with no body, which is given back to
// the rate limit.
func write(c *gin.Context, status int, data, meta []byte) {
	if status == http.StatusOK && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
		tag := service.ETag(data)
		if meta != nil {
			tag = service.ETag(data, []byte{','}, meta)
		}
		c.Header("ETag", tag)
		if tags, ok := service.ParseETags(c.GetHeader("If-None-Match")); ok && service.ETagMatches(tags, tag) {
			_, _, _ = edge.Charge(c.Request.Context(), -1)
			c.Status(http.StatusNotModified)
			return
		}
	}
	b := make([]byte, 0, len(data)+len(meta)+40)
	b = append(append(b, `{"data":`...), data...)
	if meta != nil {
		b = append(append(b, `,"meta":`...), meta...)
	}
	b = append(b, `,"status":"success"}`...)
	c.Header("Content-Length", strconv.Itoa(len(b)))
	c.Data(status, "application/json; charset=utf-8", b)
}

// render is REST's error body: the Laravel shape for invalid input,
// {"status":"error",…} for everything else.
func render(c *gin.Context, f edge.Failure) {
	c.JSON(f.Status, errorBody(f))
}

// errorBody is f in REST's words: the body of an error answer, or of a
// stream's closing error event.
func errorBody(f edge.Failure) gin.H {
	if f.Kind == service.KindInvalid {
		return gin.H{"message": f.Message, "errors": f.Fields, "code": f.Code, "request_id": f.RequestID}
	}
	body := gin.H{"status": "error", "message": f.Message, "code": f.Code, "request_id": f.RequestID}
	switch {
	case f.Fields != nil:
		body["errors"] = f.Fields
	case f.Permission != "":
		body["permission"] = f.Permission
	case f.MaxBytes != 0:
		body["max_bytes"] = f.MaxBytes
	case f.AllowedTypes != nil:
		body["allowed_types"] = f.AllowedTypes
	case f.RetryAfter != 0:
		body["retry_after"] = f.RetryAfter
	case f.ETag != "":
		body["etag"] = f.ETag
	}
	return body
}
