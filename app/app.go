// Package app wires the platform together once, for the server, the CLI
// and the tests alike.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/graph"
	"github.com/cienerp/cienerp/internal/secretbox"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/policy/dbsync"
	"github.com/cienerp/cienerp/policy/entadapter"
	"github.com/cienerp/cienerp/policy/redissync"
	"github.com/cienerp/cienerp/portal"
	"github.com/cienerp/cienerp/ratelimit"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/requestlog"
	"github.com/cienerp/cienerp/rest"
	"github.com/cienerp/cienerp/service"
	"github.com/cienerp/cienerp/storage"
	"github.com/cienerp/cienerp/webhooks"
)

// Version is set at build time with -ldflags "-X github.com/cienerp/cienerp/app.Version=…".
var Version = "dev"

// Config is everything that can be configured, read from CIEN_* variables.
type Config struct {
	Addr        string // CIEN_ADDR, default :8080
	DataDir     string // CIEN_DATA_DIR, default ./data
	DatabaseURL string // CIEN_DATABASE_URL; empty = SQLite under DataDir
	JWTSecret   string // CIEN_JWT_SECRET; empty = a secret kept in DataDir
	// SecretsKey (CIEN_SECRETS_KEY) encrypts webhook signing secrets at
	// rest: 32-byte keys, hex or base64, comma-separated; the first seals,
	// all open. Empty = a key kept in DataDir.
	SecretsKey string
	// Passwords hashes new users' passwords (not from the environment: the
	// zero value is the production strength; the test suite lowers it).
	Passwords       auth.Passwords
	CacheTTL        time.Duration // CIEN_CACHE_TTL, default 30s
	AuditRetention  time.Duration // CIEN_AUDIT_RETENTION, default 8760h (a year); older events are deleted
	TokenRateLimit  int           // CIEN_TOKEN_RATE_LIMIT per minute per IP, default 20
	PublicRateLimit int           // CIEN_PUBLIC_RATE_LIMIT per minute per IP, default 300
	LogLevel        slog.Level    // CIEN_LOG_LEVEL: debug, info, warn, error
	TrustedProxies  []string      // CIEN_TRUSTED_PROXIES: comma-separated CIDRs allowed to set X-Forwarded-For
	RedisURL        string        // CIEN_REDIS_URL: shared rate limits and change notifications across instances
	Storage         string        // CIEN_STORAGE: fs (default, files under DataDir/objects) or s3
	S3              storage.S3Config
	DocumentLimits  service.DocumentLimits // CIEN_DOCUMENTS_MAX_BYTES (default 100 MiB), CIEN_DOCUMENTS_ALLOWED_TYPES
	// CIEN_GRAPHQL_MAX_COMPLEXITY (1000), CIEN_GRAPHQL_MAX_DEPTH (10),
	// CIEN_GRAPHQL_MAX_ROOT_FIELDS (30), CIEN_GRAPHQL_TIMEOUT (10s),
	// CIEN_GRAPHQL_INTROSPECTION (sandbox: the environments that may introspect)
	GraphQL graph.Limits
	// MemoryLimit is the soft memory limit of the process (CIEN_MEMORY_LIMIT
	// in MiB, default 512; GOMEMLIMIT wins when set): above it the garbage
	// collector works harder and gives memory back to the system.
	MemoryLimitMiB int
	// TLSCertFile and TLSKeyFile (CIEN_TLS_CERT_FILE, CIEN_TLS_KEY_FILE)
	// make serve speak HTTPS, reloading them when they change or on SIGHUP;
	// HTTPRedirectAddr (CIEN_HTTP_REDIRECT_ADDR) is a plain-HTTP listener
	// that answers 308 to the HTTPS URL.
	TLSCertFile, TLSKeyFile, HTTPRedirectAddr string
	// SandboxAllowHTTP (CIEN_SANDBOX_ALLOW_HTTP, default true) lets sandbox
	// credentials travel over plain HTTP; live ones never do, but from the
	// machine itself.
	SandboxAllowHTTP bool
	// PprofAddr (CIEN_PPROF_ADDR, off by default) serves Go's profiler on a
	// loopback address, to profile the server under load.
	PprofAddr string
	// EventRetention (CIEN_EVENT_RETENTION, default 720h = 30 days): older
	// events, webhook deliveries and their attempts are deleted.
	EventRetention time.Duration
	// RequestLogRetention (CIEN_REQUEST_LOG_RETENTION, default 336h = 14
	// days): older request log records are deleted; 0 turns the request
	// log off.
	RequestLogRetention time.Duration
	// WebhookAllowPrivate (CIEN_WEBHOOK_ALLOW_PRIVATE, default false) lets
	// webhook endpoints name loopback and private addresses: local
	// receivers on a developer's machine, tests.
	WebhookAllowPrivate bool
	// Webhooks tunes deliveries: CIEN_WEBHOOK_RETRIES is the comma-separated
	// waits between attempts (default 30s,2m,10m,1h,6h and 12h six times).
	Webhooks service.WebhookRules
	// WebhookWorkers (CIEN_WEBHOOK_WORKERS, default 50) is how many
	// deliveries one instance makes at once.
	WebhookWorkers int
	// Realtime tunes subscriptions: CIEN_SUBSCRIPTIONS_PER_CREDENTIAL
	// (default 20) open at once per key or user.
	Realtime realtime.Config
}

// SQLitePath is the SQLite file the configuration opens when it names
// no database URL ("" otherwise).
func (c Config) SQLitePath() string {
	if c.DatabaseURL != "" {
		return ""
	}
	return filepath.Join(c.DataDir, "cienerp.db")
}

// DatabaseLabel says which database the configuration opens, without
// credentials: "SQLite data/cienerp.db" or "PostgreSQL host/db".
func (c Config) DatabaseLabel() string {
	if p := c.SQLitePath(); p != "" {
		return "SQLite " + p
	}
	if u, err := url.Parse(c.DatabaseURL); err == nil && u.Host != "" {
		return "PostgreSQL " + u.Host + u.Path
	}
	return "SQLite " + c.DatabaseURL
}

// Defaults is the configuration with nothing set.
func Defaults() Config {
	return Config{
		Addr: ":8080", DataDir: "data", Storage: "fs",
		S3:             storage.S3Config{Bucket: "cienerp", Region: "us-east-1", PathStyle: true},
		DocumentLimits: service.DocumentLimits{MaxBytes: 100 << 20, AllowedTypes: service.DefaultAllowedTypes},
		CacheTTL:       30 * time.Second, AuditRetention: 365 * 24 * time.Hour, EventRetention: 30 * 24 * time.Hour,
		RequestLogRetention: 14 * 24 * time.Hour,
		WebhookWorkers:      50, Realtime: realtime.Config{PerCredential: 20},
		TokenRateLimit: 20, PublicRateLimit: 300,
		GraphQL: graph.DefaultLimits, MemoryLimitMiB: 512, SandboxAllowHTTP: true,
	}
}

// ConfigFromEnv reads the configuration over the defaults.
func ConfigFromEnv() (Config, error) {
	c := Defaults()
	c.Addr = env("CIEN_ADDR", c.Addr)
	c.DataDir = env("CIEN_DATA_DIR", c.DataDir)
	c.DatabaseURL = os.Getenv("CIEN_DATABASE_URL")
	c.JWTSecret = os.Getenv("CIEN_JWT_SECRET")
	c.SecretsKey = os.Getenv("CIEN_SECRETS_KEY")
	c.RedisURL = os.Getenv("CIEN_REDIS_URL")
	c.TLSCertFile, c.TLSKeyFile = os.Getenv("CIEN_TLS_CERT_FILE"), os.Getenv("CIEN_TLS_KEY_FILE")
	c.HTTPRedirectAddr = os.Getenv("CIEN_HTTP_REDIRECT_ADDR")
	c.PprofAddr = os.Getenv("CIEN_PPROF_ADDR")
	c.Storage = env("CIEN_STORAGE", c.Storage)
	c.S3 = storage.S3Config{
		Endpoint: os.Getenv("CIEN_S3_ENDPOINT"), AccessKey: os.Getenv("CIEN_S3_ACCESS_KEY"), SecretKey: os.Getenv("CIEN_S3_SECRET_KEY"),
		Bucket: env("CIEN_S3_BUCKET", c.S3.Bucket), Region: env("CIEN_S3_REGION", c.S3.Region),
		TLS: os.Getenv("CIEN_S3_TLS") == "true", PathStyle: os.Getenv("CIEN_S3_PATH_STYLE") != "false",
	}
	var errs []error
	for _, p := range strings.Split(os.Getenv("CIEN_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if v := os.Getenv("CIEN_CACHE_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("CIEN_CACHE_TTL=%q: want a positive duration such as 30s", v))
		}
		c.CacheTTL = d
	}
	if c.Storage != "fs" && c.Storage != "s3" {
		errs = append(errs, fmt.Errorf("CIEN_STORAGE=%q: want fs or s3", c.Storage))
	}
	if c.Storage == "s3" && (c.S3.Endpoint == "" || c.S3.AccessKey == "" || c.S3.SecretKey == "") {
		errs = append(errs, fmt.Errorf("CIEN_STORAGE=s3 needs CIEN_S3_ENDPOINT, CIEN_S3_ACCESS_KEY and CIEN_S3_SECRET_KEY"))
	}
	if v := os.Getenv("CIEN_DOCUMENTS_MAX_BYTES"); v != "" {
		if _, err := fmt.Sscanf(v, "%d", &c.DocumentLimits.MaxBytes); err != nil || c.DocumentLimits.MaxBytes <= 0 {
			errs = append(errs, fmt.Errorf("CIEN_DOCUMENTS_MAX_BYTES=%q: want a positive number of bytes", v))
		}
	}
	if v := os.Getenv("CIEN_DOCUMENTS_ALLOWED_TYPES"); v != "" {
		c.DocumentLimits.AllowedTypes = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.DocumentLimits.AllowedTypes = append(c.DocumentLimits.AllowedTypes, t)
			}
		}
	}
	if v := os.Getenv("CIEN_AUDIT_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			errs = append(errs, fmt.Errorf("CIEN_AUDIT_RETENTION=%q: want a duration of at least 1h, such as 2160h for 90 days", v))
		}
		c.AuditRetention = d
	}
	if v := os.Getenv("CIEN_EVENT_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour {
			errs = append(errs, fmt.Errorf("CIEN_EVENT_RETENTION=%q: want a duration of at least 1h, such as 720h for 30 days", v))
		}
		c.EventRetention = d
	}
	if v := os.Getenv("CIEN_REQUEST_LOG_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if v == "0" {
			d, err = 0, nil
		}
		if err != nil || (d != 0 && d < time.Hour) {
			errs = append(errs, fmt.Errorf("CIEN_REQUEST_LOG_RETENTION=%q: want a duration of at least 1h, such as 336h for 14 days, or 0 for no request log", v))
		}
		c.RequestLogRetention = d
	}
	if v := os.Getenv("CIEN_WEBHOOK_RETRIES"); v != "" {
		c.Webhooks.Retries = nil
		for _, p := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(p))
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Errorf("CIEN_WEBHOOK_RETRIES=%q: want comma-separated positive durations such as 30s,2m,10m", v))
				break
			}
			c.Webhooks.Retries = append(c.Webhooks.Retries, d)
		}
	}
	if v := os.Getenv("CIEN_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CIEN_WEBHOOK_ALLOW_PRIVATE=%q: want true or false", v))
		}
		c.WebhookAllowPrivate = allow
	}
	for name, dst := range map[string]*int{"CIEN_TOKEN_RATE_LIMIT": &c.TokenRateLimit, "CIEN_WEBHOOK_WORKERS": &c.WebhookWorkers, "CIEN_PUBLIC_RATE_LIMIT": &c.PublicRateLimit,
		"CIEN_SUBSCRIPTIONS_PER_CREDENTIAL": &c.Realtime.PerCredential,
		"CIEN_GRAPHQL_MAX_COMPLEXITY":       &c.GraphQL.MaxComplexity, "CIEN_GRAPHQL_MAX_DEPTH": &c.GraphQL.MaxDepth,
		"CIEN_GRAPHQL_MAX_ROOT_FIELDS": &c.GraphQL.MaxRootFields, "CIEN_MEMORY_LIMIT": &c.MemoryLimitMiB} {
		if v := os.Getenv(name); v != "" {
			if _, err := fmt.Sscanf(v, "%d", dst); err != nil || *dst <= 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", name, v))
			}
		}
	}
	if v := os.Getenv("CIEN_GRAPHQL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("CIEN_GRAPHQL_TIMEOUT=%q: want a positive duration such as 10s", v))
		}
		c.GraphQL.Timeout = d
	}
	if v, ok := os.LookupEnv("CIEN_GRAPHQL_INTROSPECTION"); ok {
		c.GraphQL.Introspection = nil
		for _, e := range strings.Split(v, ",") {
			switch e = strings.TrimSpace(e); e {
			case "", "none":
			case string(policy.Live), string(policy.Sandbox):
				c.GraphQL.Introspection = append(c.GraphQL.Introspection, policy.Env(e))
			default:
				errs = append(errs, fmt.Errorf("CIEN_GRAPHQL_INTROSPECTION=%q: want sandbox, live, both (sandbox,live) or none", v))
			}
		}
	}
	if v := os.Getenv("CIEN_SANDBOX_ALLOW_HTTP"); v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CIEN_SANDBOX_ALLOW_HTTP=%q: want true or false", v))
		}
		c.SandboxAllowHTTP = allow
	}
	if v := os.Getenv("CIEN_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("CIEN_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	errs = append(errs, c.check()...)
	return c, errors.Join(errs...)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// App is the wired platform.
type App struct {
	DB       *database.DB
	Service  *service.Service
	Enforcer *policy.Enforcer
	Auth     *auth.Authenticator
	Handler  http.Handler
	Log      *slog.Logger
	// Sync is set when Redis is configured.
	Sync *redissync.Sync
	// Changes pushes other processes' changes through the database
	// (Background runs it).
	Changes *dbsync.Sync
	// Webhooks delivers events; Background works its jobs.
	Webhooks *webhooks.Engine
	// Realtime holds the open subscriptions; Background feeds them.
	Realtime *realtime.Hub
	// RequestLog queues the request log's records; Background writes them
	// (nil when CIEN_REQUEST_LOG_RETENTION=0).
	RequestLog *requestlog.Writer
	cfg        Config
}

// New opens the database, migrates it, loads the policy and builds the
// HTTP handler.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	db, err := database.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, cfg, log, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// NewWithDB wires the platform on an open database (tests use it to count
// queries).
func NewWithDB(ctx context.Context, cfg Config, log *slog.Logger, db *database.DB) (*App, error) {
	return build(ctx, cfg, log, db)
}

// migrating makes one migration at a time per process: ent's writes the
// generated package's shared table descriptions (ent/migrate.Tables) as it
// runs, and a process (a test binary) may wire several instances at once.
var migrating sync.Mutex

func build(ctx context.Context, cfg Config, log *slog.Logger, db *database.DB) (*App, error) {
	migrating.Lock()
	err := db.Client.Schema.Create(ctx)
	migrating.Unlock()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := webhooks.Migrate(ctx, db); err != nil {
		return nil, err
	}
	if n, err := renameAuditActions(ctx, db); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("audit events renamed to their change's one name", "events", n)
	}
	enforcer, err := policy.NewEnforcer(entadapter.New(db.Client))
	if err != nil {
		return nil, err
	}
	secret, err := kept(cfg, cfg.JWTSecret, "jwt-secret")
	if err != nil {
		return nil, err
	}
	keys, err := kept(cfg, cfg.SecretsKey, "secrets-key")
	if err != nil {
		return nil, err
	}
	keyring, err := secretbox.Parse(keys)
	if err != nil {
		return nil, fmt.Errorf("CIEN_SECRETS_KEY: %w", err)
	}
	signer, err := auth.NewSigner([]byte(secret))
	if err != nil {
		return nil, err
	}
	dir := auth.NewDirectory(db.Client, cfg.CacheTTL)
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	local := service.Local{Dir: dir, Enforcer: enforcer, OnError: func(err error) { log.Error("reload policy", "error", err.Error()) }}
	svc := &service.Service{Client: db.Client, Enforcer: enforcer, Dir: dir, Dialect: db.Dialect, Sync: local,
		Store: store, Limits: cfg.DocumentLimits, Webhooks: cfg.Webhooks, Secrets: keyring, Passwords: cfg.Passwords}
	if n, err := svc.AddDefaultRoles(ctx); err != nil {
		return nil, fmt.Errorf("add default roles: %w", err)
	} else if n > 0 {
		log.Info("default roles added to existing tenants", "roles", n)
	}
	if n, err := svc.ResealSecrets(ctx); err != nil {
		return nil, fmt.Errorf("reseal webhook secrets: %w", err)
	} else if n > 0 {
		log.Info("webhook signing secrets sealed with the current key", "endpoints", n)
	}
	svc.Webhooks.AllowPrivate = cfg.WebhookAllowPrivate
	engine, err := webhooks.New(db, svc, webhooks.Config{AllowPrivate: cfg.WebhookAllowPrivate, Workers: cfg.WebhookWorkers}, log)
	if err != nil {
		return nil, err
	}
	svc.Deliveries = engine
	authn := &auth.Authenticator{Dir: dir, Signer: signer, Enforcer: enforcer}
	var limiter ratelimit.Limiter = ratelimit.NewMemory()
	var sync *redissync.Sync
	var fresh func(context.Context)
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("CIEN_REDIS_URL: %w", err)
		}
		// Fail fast: a request must not wait long on a Redis that is away.
		opts.MaxRetries, opts.DialerRetries = 1, 1
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
		redisLogOnce.Do(func() { redis.SetLogger(redisLog{log}) })
		rdb := redis.NewClient(opts)
		if err := rdb.Ping(ctx).Err(); err != nil {
			log.Warn("redis unavailable at start: limiting locally until it answers", "error", err.Error())
		}
		limiter = ratelimit.NewRedis(rdb, log)
		sync = redissync.New(rdb, local, log)
		svc.Sync = sync
		fresh = sync.Fresh
	}
	// Changes also bump a counter in the database, which reaches every
	// process on it, the CLI included: pushed (LISTEN/NOTIFY, or a 25 ms
	// poll on SQLite) while Background runs, read per request otherwise.
	dbs, err := dbsync.New(ctx, db.SQL, db.Dialect, db.URL, local, svc.Sync.Changed, log)
	if err != nil {
		return nil, fmt.Errorf("change counter: %w", err)
	}
	svc.Sync = dbs
	if fresh == nil {
		fresh = dbs.Fresh
	} else {
		redisFresh := fresh
		fresh = func(ctx context.Context) { dbs.Fresh(ctx); redisFresh(ctx) }
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	dbs.Register(reg)
	var reqlog *requestlog.Writer
	if cfg.RequestLogRetention > 0 {
		reqlog = requestlog.NewWriter(db.SQL, db.Dialect, log)
		reqlog.Register(reg)
	}
	hub := realtime.New(db.Client, cfg.Realtime, func(ctx context.Context) { dbs.Confirm(ctx) }, log)
	svc.EventsCommitted = hub.Wake
	gql, err := graph.Transport(db.Client, svc, cfg.GraphQL, portal.Explorer(), hub)
	if err != nil {
		return nil, err
	}
	api, err := rest.New(svc, hub)
	if err != nil {
		return nil, err
	}
	h, err := edge.New(edge.Config{
		Service: svc, Auth: authn, Limiter: limiter, Logger: log, Registry: reg, Fresh: fresh, Confirm: dbs.Confirm, RequestLog: reqlog,
		TokenLimit:  ratelimit.PerMinute(cfg.TokenRateLimit),
		PublicLimit: ratelimit.PerMinute(cfg.PublicRateLimit),
		Ready: func(ctx context.Context) error {
			if err := db.SQL.PingContext(ctx); err != nil {
				return err
			}
			return store.Health(ctx)
		},
		Version:        Version,
		TrustedProxies: cfg.TrustedProxies, SandboxAllowHTTP: cfg.SandboxAllowHTTP,
		Mount: portal.Register,
		REST:  api, GraphQL: gql,
	})
	if err != nil {
		return nil, err
	}
	return &App{DB: db, Service: svc, Enforcer: enforcer, Auth: authn, Handler: h, Log: log, Sync: sync, Changes: dbs, Webhooks: engine, Realtime: hub, RequestLog: reqlog, cfg: cfg}, nil
}

// openStore opens the configured document store.
func openStore(ctx context.Context, cfg Config) (storage.Store, error) {
	if cfg.Storage == "s3" {
		s, err := storage.NewS3(ctx, cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("document storage: %w", err)
		}
		return s, nil
	}
	return storage.NewFS(filepath.Join(cfg.DataDir, "objects"))
}

// kept is a secret's setting, or when it is empty a random one created
// once in the data directory under name: the token secret (jwt-secret)
// and the key sealing webhook secrets (secrets-key). Fine for one
// instance; several instances must share the settings (CIEN_JWT_SECRET,
// CIEN_SECRETS_KEY).
func kept(cfg Config, setting, name string) (string, error) {
	if setting != "" {
		return setting, nil
	}
	path := filepath.Join(cfg.DataDir, name)
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	secret := secretbox.NewKey()
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		return "", fmt.Errorf("keep %s: %w", name, err)
	}
	return secret, nil
}

// Background runs the instance's periodic work until ctx ends: listening
// for other processes' changes (the database's notifications or poll, and
// Redis's channel), working webhook deliveries, feeding realtime
// subscriptions,
// writing the request log every 200 ms (and what is queued at the end),
// writing keys' last-used times every minute (and once more at the end),
// pruning the audit trail, the request log and past-retention events
// hourly.
func (a *App) Background(ctx context.Context) {
	var wg sync.WaitGroup
	if err := a.Webhooks.Start(ctx); err != nil {
		a.Log.Error("start webhook deliveries", "error", err.Error())
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ctx.Done()
			// Deliveries in flight get their 10 s; the rest wait in the queue.
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
			defer cancel()
			if err := a.Webhooks.Stop(stop); err != nil {
				a.Log.Warn("stop webhook deliveries", "error", err.Error())
			}
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); a.Changes.Run(ctx) }()
	if a.Sync != nil {
		wg.Add(1)
		go func() { defer wg.Done(); a.Sync.Run(ctx) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); a.Realtime.Run(ctx) }()
	if a.RequestLog != nil {
		wg.Add(1)
		go func() { defer wg.Done(); a.RequestLog.Run(ctx) }()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.Auth.Dir.RunFlusher(ctx, time.Minute, func(err error) { a.Log.Error("flush key last-used times", "error", err.Error()) })
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := a.PruneAudit(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("prune audit events", "error", err.Error())
			} else if n > 0 {
				a.Log.Info("pruned audit events past retention", "deleted", n)
			}
			if n, err := a.PruneRequestLog(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("prune the request log", "error", err.Error())
			} else if n > 0 {
				a.Log.Info("pruned request log records past retention", "deleted", n)
			}
			if n, err := a.Service.PruneEvents(ctx, time.Now().Add(-a.cfg.EventRetention)); err != nil && ctx.Err() == nil {
				a.Log.Error("prune events", "error", err.Error())
			} else if n > 0 {
				a.Log.Info("pruned events past retention", "deleted", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	wg.Wait()
}

// RedisURL is the configured Redis, if any.
func (a *App) RedisURL() string { return a.cfg.RedisURL }

// PruneAudit deletes audit events older than the retention period.
func (a *App) PruneAudit(ctx context.Context) (int, error) {
	return a.Service.PruneAudit(ctx, time.Now().Add(-a.cfg.AuditRetention))
}

// PruneRequestLog deletes request log records older than the retention
// period.
func (a *App) PruneRequestLog(ctx context.Context) (int, error) {
	if a.cfg.RequestLogRetention <= 0 {
		return 0, nil
	}
	return a.Service.PruneRequestLog(ctx, time.Now().Add(-a.cfg.RequestLogRetention))
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// redisLogOnce sets go-redis's process-wide logger once, for the first
// instance (a test binary builds several, concurrently).
var redisLogOnce sync.Once

// redisLog sends go-redis's own messages to our log at debug level: outages
// are reported once, in our words, by the limiter and redissync.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
