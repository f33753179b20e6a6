package rest

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
)

func (s *Server) ping(c *gin.Context) error {
	respond(c, http.StatusOK, gin.H{"object": "ping", "environment": envOf(c), "time": time.Now().UTC(), "version": s.cfg.Version})
	return nil
}

func (s *Server) openAPI(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.openapi)
	return nil
}

func (s *Server) permissions(c *gin.Context) error {
	cat := policy.Catalog()
	respondList(c, cat, Meta{})
	return nil
}
