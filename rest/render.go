package rest

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Meta accompanies lists.
type Meta struct {
	Limit      int    `json:"limit,omitempty"` // the page size asked for; absent on lists that are not paged
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// envelope is the success body. Its fields encode in this order, so
// that the data's JSON stands between envelopeHead and the meta or the
// tail: the ETag is taken over it in place.
type envelope struct {
	Data   any    `json:"data"`
	Meta   *Meta  `json:"meta,omitempty"`
	Status string `json:"status"`
}

const (
	envelopeHead = `{"data":`
	envelopeTail = `,"status":"success"}`
)

// respond writes the success envelope. The ETag of a GET's object is the
// digest of its data, the tag service.ETagOf gives the object, so that the
// tag read here is the one a PATCH's If-Match is checked against.
func respond(c *gin.Context, status int, data any) { send(c, status, data, nil) }

// respondList writes a page with its meta; its ETag covers both.
func respondList(c *gin.Context, data any, meta Meta) { send(c, http.StatusOK, data, &meta) }

// send encodes the envelope in one piece (or, when expand or fields
// reshape the data, around the reshaped data) and writes it.
func send(c *gin.Context, status int, data any, meta *Meta) {
	enc, err := jsonwire.Encode(envelope{Data: data, Meta: meta, Status: "success"})
	if err != nil {
		edge.Fail(c, err)
		return
	}
	defer enc.Free() // written by then: net/http and the idempotency capture copy it
	body := enc.Bytes()
	if shaped(c) {
		if body, err = reshape(c, body, meta); err != nil {
			edge.Fail(c, err)
			return
		}
	}
	// Field rules: what the caller may not see leaves the answer here, on
	// every route (objects, lists, expand, events, audit entries).
	if body, err = service.Redact(policy.FromContext(c.Request.Context()), body); err != nil {
		edge.Fail(c, err)
		return
	}
	write(c, status, body)
}

// reshape applies expand and fields to the data of an encoded envelope.
func reshape(c *gin.Context, body []byte, meta *Meta) ([]byte, error) {
	data := body[len(envelopeHead) : len(body)-len(envelopeTail)]
	var m []byte
	if meta != nil {
		var err error
		if m, err = jsonwire.Marshal(meta); err != nil {
			return nil, err
		}
		data = data[:len(data)-len(`,"meta":`)-len(m)]
	}
	d, err := shape(c, data)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(d)+len(m)+len(envelopeHead)+len(envelopeTail)+8)
	out = append(append(out, envelopeHead...), d...)
	if meta != nil {
		out = append(append(out, `,"meta":`...), m...)
	}
	return append(out, envelopeTail...), nil
}

// write sends an encoded envelope with its length, so that a page goes
// out in one piece rather than chunked. A GET's answer carries an ETag
// (of what stands between the head and the tail: an object's data, a
// page's data and meta); when it matches If-None-Match the answer is a
// 304 with no body, which is given back to the rate limit.
func write(c *gin.Context, status int, body []byte) {
	if status == http.StatusOK && (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) {
		tag := service.ETag(body[len(envelopeHead) : len(body)-len(envelopeTail)])
		c.Header("ETag", tag)
		if tags, ok := service.ParseETags(c.GetHeader("If-None-Match")); ok && service.ETagMatches(tags, tag) {
			_, _, _ = edge.Charge(c.Request.Context(), -1)
			c.Status(http.StatusNotModified)
			return
		}
	}
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(status, "application/json; charset=utf-8", body)
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
