package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/cienerp/cienerp/internal/testenv"
)

// These tests wait on a socket's protocol in real time: they do not call
// t.Parallel, so that their deadlines measure the platform, not the load.

// rawSocket is a graphql-transport-ws connection spoken frame by frame.
type rawSocket struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

func dialRaw(t *testing.T, url, base, key string) *rawSocket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+base+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	s := &rawSocket{t: t, conn: conn, ctx: ctx}
	s.send(map[string]any{"type": "connection_init", "payload": map[string]any{"X-API-Key": key}})
	if m := s.read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	return s
}

func (s *rawSocket) send(m map[string]any) {
	s.t.Helper()
	if err := wsjson.Write(s.ctx, s.conn, m); err != nil {
		s.t.Fatal(err)
	}
}

func (s *rawSocket) subscribe(id, query string) {
	s.send(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": query}})
}

// read is the next message other than ping/pong.
func (s *rawSocket) read() map[string]any {
	s.t.Helper()
	for {
		var m map[string]any
		if err := wsjson.Read(s.ctx, s.conn, &m); err != nil {
			s.t.Fatalf("read: %v", err)
		}
		if m["type"] == "ping" || m["type"] == "pong" {
			continue
		}
		return m
	}
}

// closed waits for the server's close frame.
func (s *rawSocket) closed() (websocket.StatusCode, string) {
	s.t.Helper()
	for {
		var m map[string]any
		err := wsjson.Read(s.ctx, s.conn, &m)
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		if err != nil {
			s.t.Fatalf("read: %v, want a close frame", err)
		}
	}
}

func waitSubscribers(t *testing.T, e *testenv.Env, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.App.Realtime.Subscribers() != want {
		if time.Now().After(deadline) {
			t.Fatalf("hub holds %d subscriptions, want %d", e.App.Realtime.Subscribers(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const customerEvents = `subscription { events(types: ["customer.created"]) { id type } }`

// TestSocketOperationIDsFollowTheProtocol holds graphql-transport-ws's
// rules on operation ids, frame by frame: a subscribe under an id that is
// running closes the socket with 4409 "Subscriber for <id> already
// exists" (and frees both); a complete stops that operation, frees its
// hub slot and sends nothing more for it; the id may then be used again.
// Before, both copies ran, and the first kept streaming after complete.
func TestSocketOperationIDsFollowTheProtocol(t *testing.T) {
	e, _, key, url := realtimeEnv(t)
	s := dialRaw(t, url, "/api/sandbox", key)
	s.subscribe("a", customerEvents)
	waitSubscribers(t, e, 1)
	s.send(map[string]any{"type": "complete", "id": "a"})
	waitSubscribers(t, e, 0)
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "After complete"}, testenv.Key(key)), 201)
	s.subscribe("b", customerEvents) // a second operation shows what still streams
	waitSubscribers(t, e, 1)
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "Seen by b"}, testenv.Key(key)), 201)
	for {
		m := s.read()
		if m["id"] == "a" && m["type"] == "next" {
			t.Fatalf("a completed operation still streams: %v", m)
		}
		if m["id"] == "b" && m["type"] == "next" {
			break
		}
	}
	// The completed id may be used again.
	s.subscribe("a", customerEvents)
	waitSubscribers(t, e, 2)
	// A running id may not.
	s.subscribe("b", customerEvents)
	code, reason := s.closed()
	if code != 4409 || reason != "Subscriber for b already exists" {
		t.Fatalf("duplicate id closed %d %q, want 4409", code, reason)
	}
	waitSubscribers(t, e, 0)
}

// TestGraphQLWSClientOperationIDs: the same rules through the graphql-ws
// npm client: a client whose ids repeat is closed with 4409, and its
// unsubscribe (a complete) ends the subscription on the server.
func TestGraphQLWSClientOperationIDs(t *testing.T) {
	e, _, key, url := realtimeEnv(t)
	payload, _ := json.Marshal(map[string]any{"X-API-Key": key})
	ws := "ws" + strings.TrimPrefix(url, "http") + "/api/sandbox/graphql"

	lines, _, _ := testenv.NodeConversation(t, "graphql-ws-ops.mjs", ws, string(payload), customerEvents, "duplicate")
	c := &wsClient{t: t, lines: lines}
	if code, reason := c.closedWith(10 * time.Second); code != 4409 || reason != "Subscriber for op-1 already exists" {
		t.Fatalf("duplicate ids closed %d %q", code, reason)
	}
	waitSubscribers(t, e, 0)

	lines, send, _ := testenv.NodeConversation(t, "graphql-ws-ops.mjs", ws, string(payload), customerEvents, "complete")
	c = &wsClient{t: t, lines: lines}
	waitSubscribers(t, e, 1)
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "Before"}, testenv.Key(key)), 201)
	if m, ok := c.next(5 * time.Second); !ok || m["next"] == nil {
		t.Fatalf("no event before complete: %v", m)
	}
	send("complete")
	if m, ok := c.next(5 * time.Second); !ok || m["completed"] == nil {
		t.Fatalf("client did not unsubscribe: %v", m)
	}
	waitSubscribers(t, e, 0)
	e.Expect(e.Do("POST", "/api/sandbox/customers", map[string]any{"name": "After"}, testenv.Key(key)), 201)
	if m, ok := c.next(time.Second); ok && m["next"] != nil {
		t.Fatalf("an event after complete: %v", m)
	}
}
