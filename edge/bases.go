package edge

import (
	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/policy"
)

// Base is one base URL and the environment it serves.
type Base struct {
	Prefix string
	Env    policy.Env
}

// Bases are where every API route is served.
var Bases = []Base{
	{"/api", policy.Live},
	{"/api/v1", policy.Live},
	{"/api/sandbox", policy.Sandbox},
	{"/api/sandbox/v1", policy.Sandbox},
}

// PublicPrefix serves the public tools (the quote calculator) outside the
// environment bases, with sandbox rules.
const PublicPrefix = "/public"

// Public is the base of the public tools.
var Public = Base{PublicPrefix, policy.Sandbox}

const ctxEnv = "env"

func withEnv(env policy.Env) gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(ctxEnv, env); c.Next() }
}

// Env is the environment of the base URL the request came to (on
// authenticated routes also the viewer's).
func Env(c *gin.Context) policy.Env { return c.MustGet(ctxEnv).(policy.Env) }

// BaseURL is the prefix of env's base URL, for links in answers.
func BaseURL(env policy.Env) string {
	for _, b := range Bases {
		if b.Env == env {
			return b.Prefix
		}
	}
	return Bases[0].Prefix
}
