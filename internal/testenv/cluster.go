package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisURL is the machine's Redis; tests use database 9.
const DefaultRedisURL = "redis://127.0.0.1:6379/9"

// RedisURL returns a Redis that answers, or skips (fails in CI).
func RedisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("CIEN_TEST_REDIS_URL")
	if url == "" {
		url = DefaultRedisURL
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("CIEN_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.Ping(context.Background()).Err(); err != nil {
		Unavailable(t, "Redis at %s does not answer: %v", url, err)
	}
	return url
}

// Cluster starts n instances on one database and one Redis, each with its
// own caches, limiter and background work, like separate processes behind
// a load balancer. With redisURL "" they share only the database (changes
// reach the others through its change counter).
func Cluster(t testing.TB, n int, redisURL string, opts ...Options) []*Env {
	t.Helper()
	db, q := NewDB(t)
	var out []*Env
	for i := 0; i < n; i++ {
		e := newOn(t, db, q, append([]Options{func(c *appConfig) { c.RedisURL = redisURL }}, opts...)...)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); e.App.Background(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		out = append(out, e)
	}
	// Wait until every instance listens for changes.
	for _, e := range out {
		e.WaitPushed()
		if redisURL != "" {
			e.WaitSubscribed()
		}
	}
	return out
}

// WaitPushed waits until other processes' changes are pushed to the
// instance (its database listener, or its SQLite poll, is up).
func (e *Env) WaitPushed() {
	e.T.Helper()
	for i := 0; i < 1000; i++ {
		if e.App.Changes.Pushed() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.T.Fatal("changes are never pushed to the instance")
}

// Settle waits until every instance has applied every change counted so
// far. Other instances apply a change when it is pushed to them (within
// 100 ms: rest/freshness_test.go holds that bound), not before their next
// request; a test asserting what another instance obeys settles first.
// It gives up after 2 s.
func Settle(t testing.TB, nodes ...*Env) {
	t.Helper()
	var gen int64
	if err := nodes[0].App.DB.SQL.QueryRow(`SELECT gen FROM cien_changes WHERE id = 1`).Scan(&gen); err != nil {
		t.Fatalf("read the change counter: %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, e := range nodes {
		for e.App.Changes.Seen() < gen {
			if time.Now().After(deadline) {
				t.Fatalf("an instance is at change %d of %d after 2 s", e.App.Changes.Seen(), gen)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// WaitSubscribed waits until the instance's change listener is subscribed.
func (e *Env) WaitSubscribed() {
	e.T.Helper()
	opts, _ := redis.ParseURL(e.App.RedisURL())
	c := redis.NewClient(opts)
	defer c.Close()
	for i := 0; i < 1000; i++ {
		n, err := c.PubSubNumSub(context.Background(), "cienerp:changes").Result()
		if err == nil && n["cienerp:changes"] > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.T.Fatal("change listener never subscribed")
}

// RedisServer is a redis-server of the test's own, to stop and restart.
type RedisServer struct {
	t    testing.TB
	Port int
	cmd  *exec.Cmd
}

// StartRedis runs a private redis-server on a free port.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		Unavailable(t, "redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &RedisServer{t: t, Port: port}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// URL is the server's address.
func (r *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.Port) }

// Start (re)starts the server and waits until it answers.
func (r *RedisServer) Start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", fmt.Sprint(r.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	opts, _ := redis.ParseURL(r.URL())
	c := redis.NewClient(opts)
	defer c.Close()
	for i := 0; i < 200; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on port %d never answered", r.Port)
}

// Stop kills the server.
func (r *RedisServer) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}
