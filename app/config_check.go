package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/cienerp/cienerp/internal/secretbox"
)

// minSecretBytes is the shortest token signing secret accepted.
const minSecretBytes = 32

// check finds what would fail later, so that serve refuses to start with
// one message per problem instead of failing at the first request.
func (c Config) check() []error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch {
	case (c.TLSCertFile == "") != (c.TLSKeyFile == ""):
		add("CIEN_TLS_CERT_FILE and CIEN_TLS_KEY_FILE go together: set both, or neither for plain HTTP")
	case c.TLSCertFile != "":
		if _, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile); err != nil {
			add("CIEN_TLS_CERT_FILE and CIEN_TLS_KEY_FILE do not load as a certificate and its key: %v", err)
		}
	}
	if c.HTTPRedirectAddr != "" && c.TLSCertFile == "" {
		add("CIEN_HTTP_REDIRECT_ADDR=%q redirects to HTTPS, which needs CIEN_TLS_CERT_FILE and CIEN_TLS_KEY_FILE", c.HTTPRedirectAddr)
	}
	for name, addr := range map[string]string{"CIEN_ADDR": c.Addr, "CIEN_HTTP_REDIRECT_ADDR": c.HTTPRedirectAddr} {
		if addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			add("%s=%q: want host:port or :port, e.g. :8443", name, addr)
		}
	}
	if c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			add("CIEN_PPROF_ADDR=%q: the profiler listens on loopback only, e.g. 127.0.0.1:6060", c.PprofAddr)
		}
	}
	if c.DatabaseURL != "" && (strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")) {
		if u, err := url.Parse(c.DatabaseURL); err != nil || u.Host == "" {
			add("CIEN_DATABASE_URL is not a valid URL: want postgres://user:password@host:5432/db")
		}
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			add("CIEN_REDIS_URL is not a valid Redis URL (want redis://host:6379/0): %v", err)
		}
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < minSecretBytes {
		add("CIEN_JWT_SECRET is %d bytes: it must be at least %d (e.g. openssl rand -hex 32)", len(c.JWTSecret), minSecretBytes)
	}
	if c.SecretsKey != "" {
		if _, err := secretbox.Parse(c.SecretsKey); err != nil {
			add("CIEN_SECRETS_KEY: %v (e.g. openssl rand -hex 32)", err)
		}
	}
	if c.Storage == "s3" && c.S3.Endpoint != "" {
		if _, _, err := net.SplitHostPort(c.S3.Endpoint); err != nil {
			add("CIEN_S3_ENDPOINT=%q: want host:port, without a scheme (CIEN_S3_TLS=true for HTTPS)", c.S3.Endpoint)
		}
	}
	return errs
}

// Describe lists the effective configuration, one "name: value" line per
// field, with secrets (and passwords inside URLs) masked.
func (c Config) Describe() []string {
	var out []string
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f, val := v.Type().Field(i), v.Field(i)
			name := prefix + f.Name
			if f.Type.Kind() == reflect.Struct && f.Type.String() != "time.Duration" {
				walk(name+".", val)
				continue
			}
			text := fmt.Sprint(val.Interface())
			switch {
			case strings.Contains(f.Name, "Secret") || strings.Contains(f.Name, "Password"):
				if text != "" {
					text = "****"
				}
			case strings.HasSuffix(f.Name, "URL"):
				if u, err := url.Parse(text); err == nil && u.User != nil {
					if _, has := u.User.Password(); has {
						u.User = url.UserPassword(u.User.Username(), "****")
						text = strings.Replace(u.String(), "%2A%2A%2A%2A", "****", 1)
					}
				}
			}
			out = append(out, name+": "+text)
		}
	}
	walk("", reflect.ValueOf(c))
	return out
}
