// Command cienerp serves the Cien ERP API and administers it.
//
//	cienerp serve                      run the server (SQLite + ./data with no configuration)
//	cienerp migrate                    create or update the database schema
//	cienerp demo                       create the demo tenant and print its credentials
//	cienerp tenant create -name N -slug S [-rate-limit N]
//	cienerp tenant update -tenant S [-name N] [-status active|suspended] [-rate-limit N]
//	cienerp user create -email E -tenant S -role owner [-name N] [-password P]
//	cienerp key create -tenant S -env sandbox|live -role R [-name N]
//	cienerp audit prune | storage check
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cienerp/cienerp/app"
)

const usage = `usage: cienerp <command> [flags]

commands:
  serve            run the HTTP server
  migrate          create or update the database schema
  demo             create the demo tenant and print its credentials
  tenant create    -name N -slug S [-rate-limit N]
  tenant update    -tenant SLUG [-name N] [-status active|suspended] [-rate-limit N]
  user create      -email E -tenant SLUG -role ROLE [-name N] [-password P]
  key create       -tenant SLUG -env sandbox|live -role ROLE [-name N]
  audit prune      delete audit events older than CIEN_AUDIT_RETENTION
  storage check    report documents without bytes and stored bytes without documents

configuration (environment): CIEN_ADDR, CIEN_DATA_DIR, CIEN_DATABASE_URL, CIEN_JWT_SECRET,
CIEN_CACHE_TTL, CIEN_AUDIT_RETENTION, CIEN_REDIS_URL, CIEN_STORAGE, CIEN_S3_ENDPOINT, CIEN_S3_ACCESS_KEY,
CIEN_S3_SECRET_KEY, CIEN_S3_BUCKET, CIEN_S3_REGION, CIEN_S3_TLS, CIEN_S3_PATH_STYLE, CIEN_DOCUMENTS_MAX_BYTES,
CIEN_DOCUMENTS_ALLOWED_TYPES, CIEN_TOKEN_RATE_LIMIT, CIEN_PUBLIC_RATE_LIMIT,
CIEN_TRUSTED_PROXIES, CIEN_LOG_LEVEL
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cienerp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("no command given")
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	cmd := args[0]
	if len(args) > 1 && (cmd == "tenant" || cmd == "user" || cmd == "key" || cmd == "audit" || cmd == "storage") {
		cmd += " " + args[1]
		args = args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate", "demo", "tenant create", "tenant update", "user create", "key create", "audit prune", "storage check":
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		return admin(ctx, a, cmd, args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
