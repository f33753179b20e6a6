package edge

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/service"
)

// preconditions hands a conditional write's If-Match to the service,
// which checks it inside the write's transaction against the object as
// it then is. A write that cannot honour If-Match refuses it rather than
// ignore it: a client that sends one relies on it. (If-None-Match on a
// GET is answered where the representation is known, by the transport.)
func preconditions(conditional bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("If-Match")
		if h == "" || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			c.Next()
			return
		}
		if !conditional {
			Fail(c, service.Fail(service.KindBadRequest, "precondition_unsupported",
				"If-Match is not supported on %s %s; send it on PATCH and DELETE of an object that has an ETag.", c.Request.Method, c.FullPath()))
			return
		}
		tags, ok := service.ParseETags(h)
		if !ok {
			Fail(c, service.BadPrecondition("If-Match"))
			return
		}
		c.Request = c.Request.WithContext(service.WithIfMatch(c.Request.Context(), tags))
		c.Next()
	}
}
