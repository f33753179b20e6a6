package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/service"
)

// Meta accompanies lists.
type Meta struct {
	Limit      int    `json:"limit,omitempty"` // the page size asked for; absent on lists that are not paged
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// respond writes the success envelope.
func respond(c *gin.Context, status int, data any) {
	c.JSON(status, gin.H{"status": "success", "data": data})
}

// respondList writes a page with its meta.
func respondList(c *gin.Context, data any, meta Meta) {
	c.JSON(http.StatusOK, gin.H{"status": "success", "data": data, "meta": meta})
}

// render is REST's error body: the Laravel shape for invalid input,
// {"status":"error",…} for everything else.
func render(c *gin.Context, f edge.Failure) {
	if f.Kind == service.KindInvalid {
		c.JSON(f.Status, gin.H{"message": f.Message, "errors": f.Fields, "code": f.Code, "request_id": f.RequestID})
		return
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
	}
	c.JSON(f.Status, body)
}
