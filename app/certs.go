package app

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Certificate serves the TLS certificate of CIEN_TLS_CERT_FILE and
// CIEN_TLS_KEY_FILE and replaces it when the files change (checked every
// few seconds) or Reload is called (SIGHUP). Open connections keep theirs;
// new handshakes get the new one. A pair that does not load is logged and
// the previous certificate stays.
type Certificate struct {
	certFile, keyFile string
	log               *slog.Logger
	mu                sync.RWMutex
	cert              *tls.Certificate
	stamp             string // the files' sizes and modification times when loaded
}

// LoadCertificate loads the pair once; it fails when it cannot.
func LoadCertificate(certFile, keyFile string, log *slog.Logger) (*Certificate, error) {
	c := &Certificate{certFile: certFile, keyFile: keyFile, log: log}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

// GetCertificate is tls.Config.GetCertificate.
func (c *Certificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}

// Reload reads the files again.
func (c *Certificate) Reload() {
	if err := c.load(); err != nil {
		c.log.Error("reload TLS certificate: keeping the previous one", "error", err.Error())
		return
	}
	c.log.Info("TLS certificate loaded", "cert", c.certFile)
}

// Watch reloads when the files change, until done is closed.
func (c *Certificate) Watch(done <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			c.mu.RLock()
			changed := c.stamp != stampOf(c.certFile, c.keyFile)
			c.mu.RUnlock()
			if changed {
				c.Reload()
			}
		}
	}
}

func (c *Certificate) load() error {
	stamp := stampOf(c.certFile, c.keyFile)
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.mu.Lock()
		c.stamp = stamp // do not retry a broken pair until it changes again
		c.mu.Unlock()
		return err
	}
	c.mu.Lock()
	c.cert, c.stamp = &cert, stamp
	c.mu.Unlock()
	return nil
}

func stampOf(files ...string) string {
	var s string
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			s += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return s
}
