package rest

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/service"
)

// pathID reads :id; a malformed id is simply not found.
func pathID(c *gin.Context, entity string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, &service.NotFoundError{Entity: entity}
	}
	return id, nil
}

func (s *Server) listKeys(c *gin.Context) error {
	keys, err := s.svc.ListKeys(c.Request.Context())
	if err != nil {
		return err
	}
	respondList(c, mapSlice(keys, keyView), Meta{})
	return nil
}

func (s *Server) createKey(c *gin.Context) error {
	var in service.CreateKeyInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.CreateKey(c.Request.Context(), in)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, keyView(k))
	return nil
}

func (s *Server) revokeKey(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	k, err := s.svc.RevokeKey(c.Request.Context(), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, keyView(k))
	return nil
}

type rollKeyInput struct {
	ExpiresInHours int `json:"expires_in_hours"`
}

func (s *Server) rollKey(c *gin.Context) error {
	id, err := pathID(c, "integration key")
	if err != nil {
		return err
	}
	var in rollKeyInput
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := s.svc.RollKey(c.Request.Context(), id, time.Duration(in.ExpiresInHours)*time.Hour)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, keyView(k))
	return nil
}
