package testenv

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP relay in front of a service, to take it away and bring it
// back under a running platform (an outage without stopping the
// machine's server, which other tests share).
type Proxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]bool
}

// NewProxy relays a local port to upstream (host:port) until the test ends.
func NewProxy(t testing.TB, upstream string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.Cut() })
	return p
}

// Addr is the relay's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut breaks every open connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.relay(c)
	}
}

func (p *Proxy) relay(c net.Conn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) { _, _ = io.Copy(dst, src); done <- struct{}{} }
	go pipe(up, c)
	go pipe(c, up)
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// NewDBBehindProxy is NewDB on PostgreSQL through a Proxy, so a test can
// take the database away and bring it back. On SQLite it skips: there is
// no server to lose.
func NewDBBehindProxy(t testing.TB, opts ...Options) (*Env, *Proxy) {
	t.Helper()
	if Kind() != "postgres" {
		t.Skip("a database outage needs PostgreSQL (CIEN_TEST_DB=postgres)")
	}
	var proxy *Proxy
	db, err := newPostgresVia(t, func(u *url.URL) {
		proxy = NewProxy(t, u.Host)
		u.Host = proxy.Addr()
	})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	q := &Queries{}
	t.Cleanup(func() { db.Close() })
	return newOn(t, db, q, opts...), proxy
}
