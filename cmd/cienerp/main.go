// Command cienerp serves the Cien ERP API and administers it. Every
// command and subcommand prints its usage with -h (see commands.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cienerp/cienerp/app"
)

const configHelp = `configuration (environment; the README's table says what each does):
  server:     CIEN_ADDR, CIEN_DATA_DIR, CIEN_LOG_LEVEL, CIEN_MEMORY_LIMIT, CIEN_PPROF_ADDR, CIEN_TRUSTED_PROXIES
  data:       CIEN_DATABASE_URL, CIEN_REDIS_URL, CIEN_CACHE_TTL, CIEN_AUDIT_RETENTION, CIEN_EVENT_RETENTION,
              CIEN_REQUEST_LOG_RETENTION
  secrets:    CIEN_JWT_SECRET, CIEN_SECRETS_KEY
  documents:  CIEN_STORAGE, CIEN_S3_ENDPOINT, CIEN_S3_ACCESS_KEY, CIEN_S3_SECRET_KEY, CIEN_S3_BUCKET, CIEN_S3_REGION,
              CIEN_S3_TLS, CIEN_S3_PATH_STYLE, CIEN_DOCUMENTS_MAX_BYTES, CIEN_DOCUMENTS_ALLOWED_TYPES
  limits:     CIEN_TOKEN_RATE_LIMIT, CIEN_PUBLIC_RATE_LIMIT, CIEN_SUBSCRIPTIONS_PER_CREDENTIAL
  graphql:    CIEN_GRAPHQL_MAX_COMPLEXITY, CIEN_GRAPHQL_MAX_DEPTH, CIEN_GRAPHQL_MAX_ROOT_FIELDS, CIEN_GRAPHQL_TIMEOUT,
              CIEN_GRAPHQL_INTROSPECTION
  webhooks:   CIEN_WEBHOOK_ALLOW_PRIVATE (local receivers), CIEN_WEBHOOK_RETRIES, CIEN_WEBHOOK_WORKERS
  https:      CIEN_TLS_CERT_FILE, CIEN_TLS_KEY_FILE, CIEN_HTTP_REDIRECT_ADDR, CIEN_SANDBOX_ALLOW_HTTP
`

// errUsage ends a run whose usage was printed because it was asked for.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err == nil || errors.Is(err, errUsage) {
		return
	}
	fmt.Fprintln(os.Stderr, "cienerp:", err)
	var bad *badUsage
	if errors.As(err, &bad) {
		os.Exit(2)
	}
	os.Exit(1)
}

// badUsage is a command line that names no command or a flag that does not
// exist: the usage was printed too, and the exit code is 2.
type badUsage struct{ msg string }

func (e *badUsage) Error() string { return e.msg }

// usage prints every command, or those of one group ("tenant").
func usage(w io.Writer, group string) {
	fmt.Fprintln(w, "usage: cienerp <command> [flags]   (cienerp <command> -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		if group == "" || strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
		}
	}
	if group == "" {
		fmt.Fprint(w, "\n"+configHelp)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr, "")
		return &badUsage{"no command given"}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout, "")
		return errUsage
	}
	c, rest := find(args)
	if c == nil {
		if isGroup(args[0]) {
			if len(args) > 1 && isHelp(args[1]) {
				usage(stdout, args[0])
				return errUsage
			}
			usage(stderr, args[0])
			if len(args) == 1 {
				return &badUsage{fmt.Sprintf("%s needs a subcommand", args[0])}
			}
			return &badUsage{fmt.Sprintf("unknown command %q", args[0]+" "+args[1])}
		}
		usage(stderr, "")
		return &badUsage{fmt.Sprintf("unknown command %q", args[0])}
	}
	fs := flag.NewFlagSet("cienerp "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	runner := c.setup(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommand(stdout, c, fs)
			return errUsage
		}
		printCommand(stderr, c, fs)
		return &badUsage{err.Error()}
	}
	if fs.NArg() > 0 {
		printCommand(stderr, c, fs)
		return &badUsage{fmt.Sprintf("unexpected argument %q: give values as flags, e.g. -name %q", fs.Arg(0), fs.Arg(0))}
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	// The log (a line per request) is buffered: flushed every 100 ms,
	// when run returns and on a crash signal (logbuffer.go).
	logs := newLogBuffer(stderr)
	stopLogs, logsDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(logsDone); logs.run(stopLogs) }()
	defer func() { close(stopLogs); <-logsDone }()
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	switch c.name {
	case "serve":
		return serve(ctx, cfg, log)
	case "config check":
		for _, line := range cfg.Describe() {
			fmt.Fprintln(stdout, line)
		}
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	if !c.createsDatabase {
		if path := cfg.SQLitePath(); path != "" {
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no database at %s: run this where the server runs, or set CIEN_DATA_DIR or CIEN_DATABASE_URL to its database (cienerp migrate creates a new one)", path)
			}
		}
	}
	fmt.Fprintf(stderr, "database: %s\n", cfg.DatabaseLabel())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return runner(ctx, a, stdout)
}

// find picks the command named by the first one or two arguments.
func find(args []string) (*command, []string) {
	for i := range commands {
		c := &commands[i]
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):]
		}
	}
	return nil, nil
}

func isGroup(word string) bool {
	for _, c := range commands {
		if strings.HasPrefix(c.name, word+" ") {
			return true
		}
	}
	return false
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// printCommand prints one command's usage and flags.
func printCommand(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: cienerp %s %s\n\n%s\n", c.name, c.synopsis, c.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}
