package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/cienerp/cienerp/app"
	"github.com/cienerp/cienerp/edge"
)

// shutdownGrace bounds how long in-flight requests may finish on shutdown.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, cfg app.Config, log *slog.Logger) error {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.MemoryLimitMiB > 0 {
		// Soft: after a burst of large requests the heap shrinks back and
		// the runtime returns the pages instead of keeping the peak.
		debug.SetMemoryLimit(int64(cfg.MemoryLimitMiB) << 20)
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		// The heap may grow to three times what is live (Go's default: two)
		// before a collection: under the list load the collector's share of
		// the CPU halves while the anonymous memory stays about 70 MiB, and
		// the memory limit above remains the ceiling (near it the collector
		// runs as often as it must).
		debug.SetGCPercent(200)
	}
	var cert *app.Certificate
	if cfg.TLSCertFile != "" {
		var err error
		if cert, err = app.LoadCertificate(cfg.TLSCertFile, cfg.TLSKeyFile, log); err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
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

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	var redirect net.Listener
	if cert != nil && cfg.HTTPRedirectAddr != "" {
		if redirect, err = net.Listen("tcp", cfg.HTTPRedirectAddr); err != nil {
			ln.Close()
			return err
		}
	}
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	background := make(chan struct{})
	go func() { defer close(background); a.Background(bgCtx) }()
	defer func() { stopBackground(); <-background }()

	scheme := "http"
	if cert != nil {
		scheme = "https"
	}
	base := scheme + "://" + displayAddr(ln.Addr())
	if demo != nil {
		printDemo(demo, base)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	if cert != nil {
		// TLS 1.2 and up; HTTP/2 is offered by net/http itself. New
		// handshakes get a reloaded certificate, open connections stay.
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cert.GetCertificate}
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
		go cert.Watch(bgCtx.Done(), 2*time.Second)
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-bgCtx.Done():
					return
				case <-hup:
					cert.Reload()
				}
			}
		}()
	} else {
		go func() { errc <- srv.Serve(edge.Listener(ln)) }()
	}
	if redirect != nil {
		rsrv := &http.Server{Handler: toHTTPS(ln.Addr()), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, rsrv)
		go func() { errc <- rsrv.Serve(redirect) }()
		log.Info("redirecting plain HTTP to HTTPS", "addr", redirect.Addr().String())
	}
	if cfg.PprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		psrv := &http.Server{Addr: cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, psrv)
		go func() {
			if err := psrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("profiler", "error", err.Error())
			}
		}()
		log.Info("profiler listening", "addr", cfg.PprofAddr)
	}
	log.Info("listening", "addr", ln.Addr().String(), "version", app.Version, "database", cfg.DatabaseLabel(),
		"portal", base+"/", "openapi", base+"/api/openapi.json")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "grace", shutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	log.Info("stopped")
	return nil
}

// toHTTPS answers every plain-HTTP request with 308 to the same URL on the
// HTTPS listener at addr (the method and body are kept by 308).
func toHTTPS(addr net.Addr) http.Handler {
	_, port, _ := net.SplitHostPort(addr.String())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		if port != "443" {
			host = net.JoinHostPort(host, port)
		}
		target := "https://" + host + r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusPermanentRedirect)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "code": "https_required", "message": "Use HTTPS: " + target})
	})
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
Settings:          %s/settings   (sign in with the admin login: keys, roles, members, audit and request logs, webhooks)
More keys:         cienerp key create -tenant demo -env sandbox -role it-agent

Try:  curl -H "X-API-Key: %s" %s/api/sandbox/me

`, d.TenantID, d.AdminEmail, d.Password, d.AdminID, d.SandboxKey, base, base, d.SandboxKey, base)
}
