package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/cienerp/cienerp/app"
)

// shutdownGrace bounds how long in-flight requests may finish on shutdown.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, cfg app.Config, log *slog.Logger) error {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.MemoryLimitMiB > 0 {
		// Soft: after a burst of large requests the heap shrinks back and
		// the runtime returns the pages instead of keeping the peak.
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMiB) << 20)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	demo, err := a.EnsureDemo(ctx)
	if err != nil {
		return fmt.Errorf("create demo tenant: %w", err)
	}

	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	background := make(chan struct{})
	go func() { defer close(background); a.Background(bgCtx) }()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		stopBackground()
		<-background
		return err
	}
	if demo != nil {
		printDemo(demo, "http://"+displayAddr(ln.Addr()))
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	base := "http://" + displayAddr(ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "version", app.Version, "database", cfg.DatabaseLabel(),
		"portal", base+"/", "openapi", base+"/api/openapi.json")

	select {
	case err := <-errc:
		stopBackground()
		<-background
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopBackground()
	<-background
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func displayAddr(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func printDemo(d *app.Demo, base string) {
	fmt.Printf(`
Demo tenant created (shown once; keep these):
  tenant:       demo (%s)
  admin login:  %s / %s
  admin id:     %s   (a ticket's requester_id; GET /api/sandbox/admin/members lists every member)
  sandbox key:  %s

Developer portal:  %s/   (paste the sandbox key into its console)
More keys:         cienerp key create -tenant demo -env sandbox -role it-agent

Try:  curl -H "X-API-Key: %s" %s/api/sandbox/me

`, d.TenantID, d.AdminEmail, d.Password, d.AdminID, d.SandboxKey, base, d.SandboxKey, base)
}
