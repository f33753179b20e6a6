package edge

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// tokenRequest holds the form (RFC 6749) or JSON parameters of the token
// endpoint.
type tokenRequest struct {
	GrantType    string `json:"grant_type" form:"grant_type"`
	Username     string `json:"username" form:"username"`
	Password     string `json:"password" form:"password"`
	Tenant       string `json:"tenant" form:"tenant"`
	ClientID     string `json:"client_id" form:"client_id"`
	ClientSecret string `json:"client_secret" form:"client_secret"`
	RefreshToken string `json:"refresh_token" form:"refresh_token"`
}

// oauthError renders an RFC 6749 section 5.2 error.
func oauthError(c *gin.Context, status int, code, description string) error {
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(status, gin.H{"error": code, "error_description": description, "request_id": RequestID(c)})
	return nil
}

// invalidClient refuses the client's authentication as RFC 6749 section
// 5.2 says: a client that authenticated with the Authorization header gets
// 401 with the Basic challenge; one that sent client_secret in the body
// gets 400, with no challenge (a challenge makes browsers prompt for a
// login, over the page that sent the request).
func invalidClient(c *gin.Context, description string) error {
	if c.GetHeader("Authorization") != "" {
		c.Header("WWW-Authenticate", `Basic realm="cienerp"`)
		return oauthError(c, http.StatusUnauthorized, "invalid_client", description)
	}
	return oauthError(c, http.StatusBadRequest, "invalid_client", description)
}

func (s *server) token(c *gin.Context) error {
	var req tokenRequest
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "application/json":
		if err := json.NewDecoder(c.Request.Body).Decode(&req); err != nil {
			return oauthError(c, http.StatusBadRequest, "invalid_request", "The body is not valid JSON.")
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := c.ShouldBind(&req); err != nil {
			return oauthError(c, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		}
	default:
		return oauthError(c, http.StatusBadRequest, "invalid_request", "Send the parameters as application/x-www-form-urlencoded or application/json.")
	}
	if id, secret, ok := c.Request.BasicAuth(); ok {
		// RFC 6749 section 2.3.1: both are form-urlencoded before the Basic
		// encoding (an "_" may arrive as "%5F").
		var err1, err2 error
		req.ClientID, err1 = url.QueryUnescape(id)
		req.ClientSecret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return invalidClient(c, "The Basic credentials must be the form-urlencoded client_id and client_secret (RFC 6749 section 2.3.1).")
		}
	}
	for name, v := range map[string]string{"grant_type": req.GrantType, "username": req.Username, "password": req.Password,
		"tenant": req.Tenant, "client_id": req.ClientID, "client_secret": req.ClientSecret, "refresh_token": req.RefreshToken} {
		if strings.IndexByte(v, 0) >= 0 {
			return oauthError(c, http.StatusBadRequest, "invalid_request", service.NULMessage(name))
		}
	}
	ctx := c.Request.Context()
	switch req.GrantType {
	case "password":
		if req.Username == "" || req.Password == "" {
			return oauthError(c, http.StatusBadRequest, "invalid_request", "The password grant needs username and password.")
		}
		u, err := s.cfg.Service.Authenticate(ctx, req.Username, req.Password)
		if service.IsBadLogin(err) {
			return oauthError(c, http.StatusBadRequest, "invalid_grant", "The email or password is wrong, or the user is disabled.")
		}
		if err != nil {
			return err
		}
		return s.issueUserTokens(c, u.ID, req.Tenant)
	case "client_credentials":
		if req.ClientSecret == "" {
			return invalidClient(c, "The client_credentials grant needs client_secret: an integration key.")
		}
		k, err := s.cfg.Auth.CheckKey(ctx, req.ClientSecret)
		var aerr *auth.Error
		if errors.As(err, &aerr) {
			return invalidClient(c, aerr.Message)
		}
		if err != nil {
			return err
		}
		if req.ClientID != "" && req.ClientID != k.ID.String() {
			return invalidClient(c, "client_id does not match the key.")
		}
		access, err := s.cfg.Auth.Signer.Issue("access", policy.KeySubject(k.ID.String()), k.TenantID, k.Env, auth.AccessTTL)
		if err != nil {
			return err
		}
		return tokenResponse(c, gin.H{"access_token": access, "token_type": "Bearer", "expires_in": int(auth.AccessTTL.Seconds()), "tenant_id": k.TenantID, "environment": k.Env})
	case "refresh_token":
		claims, err := s.cfg.Auth.Signer.Parse(req.RefreshToken, "refresh")
		if err != nil {
			return oauthError(c, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or expired.")
		}
		uid, err := uuid.Parse(strings.TrimPrefix(claims.Subject, "user:"))
		if err != nil {
			return oauthError(c, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid.")
		}
		return s.issueUserTokens(c, uid, claims.Tenant)
	case "":
		return oauthError(c, http.StatusBadRequest, "invalid_request", "grant_type is required: password, client_credentials or refresh_token.")
	default:
		return oauthError(c, http.StatusBadRequest, "unsupported_grant_type", "Supported grants: password, client_credentials, refresh_token.")
	}
}

// issueUserTokens checks that the user is active (and a member of tenant,
// when one is asked for) and issues an access and a refresh token.
func (s *server) issueUserTokens(c *gin.Context, userID uuid.UUID, tenant string) error {
	ctx := c.Request.Context()
	u, found, err := s.cfg.Auth.Dir.User(ctx, userID)
	if err != nil {
		return err
	}
	if !found || !u.Active {
		return oauthError(c, http.StatusBadRequest, "invalid_grant", "The user is disabled or gone.")
	}
	tenantID := uuid.Nil
	if tenant != "" {
		t, found, err := s.cfg.Auth.Dir.Tenant(ctx, tenant)
		if err != nil {
			return err
		}
		if !found || !slices.Contains(u.Tenants, t.ID) {
			return oauthError(c, http.StatusBadRequest, "invalid_grant", "The user is not a member of that tenant.")
		}
		tenantID = t.ID
	}
	sub := policy.UserSubject(u.ID.String())
	access, err := s.cfg.Auth.Signer.Issue("access", sub, tenantID, "", auth.AccessTTL)
	if err != nil {
		return err
	}
	refresh, err := s.cfg.Auth.Signer.Issue("refresh", sub, tenantID, "", auth.RefreshTTL)
	if err != nil {
		return err
	}
	out := gin.H{"access_token": access, "token_type": "Bearer", "expires_in": int(auth.AccessTTL.Seconds()), "refresh_token": refresh}
	if tenantID != uuid.Nil {
		out["tenant_id"] = tenantID
		return tokenResponse(c, out)
	}
	// A token for no tenant in particular: say which tenants it may name in
	// X-Tenant-ID, so a client can offer the choice without another call.
	tenants := []gin.H{}
	for _, id := range u.Tenants {
		t, found, err := s.cfg.Auth.Dir.Tenant(ctx, id.String())
		if err != nil {
			return err
		}
		if found && t.Active {
			tenants = append(tenants, gin.H{"id": t.ID, "slug": t.Slug})
		}
	}
	out["tenants"] = tenants
	return tokenResponse(c, out)
}

func tokenResponse(c *gin.Context, body gin.H) error {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.JSON(http.StatusOK, body)
	return nil
}
