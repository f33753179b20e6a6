package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

// websocket is the subscriptions transport: graphql-transport-ws (and
// the older graphql-ws), authenticated in connection_init by the edge's
// Login. Origins are not checked: nothing ambient (no cookie) authenticates
// a socket, its connection_init does.
func websocket() transport.Websocket {
	return transport.Websocket{
		Implementation:        closingSockets{transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: []string{"*"}}}},
		InitFunc:              socketInit,
		InitTimeout:           10 * time.Second,
		PingPongInterval:      15 * time.Second, // graphql-transport-ws ping/pong: proxies see traffic
		KeepAlivePingInterval: 15 * time.Second, // the older protocol's keep-alive
	}
}

// socket is one connection's way to close itself with a code and reason
// (gqlgen closes a cancelled connection as 1000 "terminated").
type socket struct {
	mu     sync.Mutex
	code   int
	reason string
	cancel context.CancelFunc
}

type socketKey struct{}

func socketFrom(ctx context.Context) *socket {
	s, _ := ctx.Value(socketKey{}).(*socket)
	return s
}

// withSocket gives an upgrade request its socket before gqlgen accepts it.
func withSocket(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), socketKey{}, &socket{}))
}

// end closes the connection with err's code and message.
func (s *socket) end(err error) {
	p := service.ProblemOf(err)
	s.mu.Lock()
	s.code, s.reason = closeCode(p), closeReason(p)
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// closeCode maps a problem to graphql-ws's close codes (RFC 6455's 1013,
// try again later, for a slow reader or a server going away).
func closeCode(p service.Problem) int {
	switch p.Kind {
	case service.KindUnauthenticated:
		return 4401
	case service.KindForbidden:
		return 4403
	case service.KindRateLimited:
		return 4429
	case service.KindBadRequest, service.KindInvalid:
		return 4400
	case service.KindConflict, service.KindUnavailable:
		return 1013
	}
	return 4500
}

// closeReason is the problem's message within a close frame's 123 bytes.
func closeReason(p service.Problem) string {
	if p.Unexpected() {
		return "internal error"
	}
	return closeFrameReason(p.Message)
}

// closeFrameReason is msg within a close frame's 123 bytes.
func closeFrameReason(msg string) string {
	for len(msg) > 123 { // whole characters off the end
		_, size := utf8.DecodeLastRuneInString(msg)
		msg = msg[:len(msg)-size]
	}
	return msg
}

// closingSockets wraps each accepted connection so that its close frame
// carries the socket's code and reason when it has one.
type closingSockets struct {
	transport.CoderWebsocketImplementation
}

func (c closingSockets) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := c.CoderWebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return &closingConn{WebsocketConn: conn, sock: socketFrom(r.Context()), ops: map[string]bool{}}, nil
}

// closingConn is an accepted socket as gqlgen sees it. It also keeps
// graphql-transport-ws's rule on operation ids, which gqlgen does not: an
// id in use may not start another operation (close 4409, "Subscriber for
// <id> already exists"; gqlgen would run both and lose the first one's
// stop). An id is in use from the client's subscribe until its complete,
// or until the server's complete or error for it.
type closingConn struct {
	transport.WebsocketConn
	sock *socket

	mu  sync.Mutex
	ops map[string]bool // ids of running operations
}

// frame is what an operation message says of itself, in both protocols.
type frame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// NextReader reads the client's next message whole (within the
// transport's read limit), notes which operation it starts or stops, and
// refuses an id that is in use.
func (c *closingConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil {
		return typ, r, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, err
	}
	var f frame
	if json.Unmarshal(b, &f) == nil && f.ID != "" {
		c.mu.Lock()
		inUse := c.ops[f.ID]
		switch f.Type {
		case "subscribe", "start": // graphql-transport-ws, graphql-ws
			c.ops[f.ID] = true
		case "complete", "stop":
			delete(c.ops, f.ID)
		}
		c.mu.Unlock()
		if inUse && (f.Type == "subscribe" || f.Type == "start") && c.sock != nil {
			c.sock.mu.Lock()
			c.sock.code, c.sock.reason = 4409, closeFrameReason("Subscriber for "+f.ID+" already exists")
			c.sock.mu.Unlock()
			return typ, nil, transport.ErrWebsocketClosed // gqlgen closes the socket, with the code above
		}
	}
	return typ, bytes.NewReader(b), nil
}

// WriteJSON frees an operation's id when the server ends it.
func (c *closingConn) WriteJSON(v any) error {
	if f, ok := outgoing(v); ok && (f.Type == "complete" || f.Type == "error") {
		c.mu.Lock()
		delete(c.ops, f.ID)
		c.mu.Unlock()
	}
	return c.WebsocketConn.WriteJSON(v)
}

// outgoing reads the type and id of a message gqlgen writes (its message
// structs are unexported; both protocols' have string fields Type and ID).
func outgoing(v any) (frame, bool) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return frame{}, false
	}
	t, id := rv.FieldByName("Type"), rv.FieldByName("ID")
	if t.Kind() != reflect.String || id.Kind() != reflect.String {
		return frame{}, false
	}
	return frame{Type: t.String(), ID: id.String()}, true
}

func (c *closingConn) WriteClose(code int, message string) error {
	if c.sock != nil {
		c.sock.mu.Lock()
		if c.sock.code != 0 {
			code, message = c.sock.code, c.sock.reason
		}
		c.sock.mu.Unlock()
	}
	return c.WebsocketConn.WriteClose(code, message)
}

// The transport's optional interfaces, passed through.
func (c *closingConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *closingConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// admitOnSocket lets an operation start inside a socket: subscriptions
// only (queries and mutations go over HTTP, where every request is checked,
// logged and limited), each charged to the credential's rate budget.
func admitOnSocket(ctx context.Context) error {
	if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Subscription {
		return service.Fail(service.KindBadRequest, "subscriptions_only", "Only subscriptions are served over the socket: send queries and mutations with POST /graphql.")
	}
	_, _, err := edge.Charge(ctx, 1)
	return err
}

// socketInit authenticates connection_init's payload as the edge
// authenticates headers; a refusal closes the socket with its reason.
func socketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	login := edge.LoginFrom(ctx)
	sock := socketFrom(ctx)
	if login == nil || sock == nil {
		return ctx, nil, service.Fail(service.KindBadRequest, "bad_request", "Subscriptions are served at /graphql of a base URL.")
	}
	in, err := login(ctx, payload)
	if err != nil {
		p := service.ProblemOf(err)
		return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeCode(p)), closeReason(p)), nil, err
	}
	in, cancel := context.WithCancel(in)
	sock.mu.Lock()
	sock.cancel = cancel
	sock.mu.Unlock()
	return in, nil, nil
}

// stream subscribes the viewer in ctx to the feed and sends what load
// makes of each event it may see (skipping those load declines) until the
// subscriber leaves. A subscription the hub ends (the credential stopped
// holding, a slow reader) closes the socket with the reason, rather than
// completing as if it had ended normally.
func stream[T any](ctx context.Context, hub *realtime.Hub, f realtime.Filter, load func(context.Context, *ent.Event) (T, bool)) (<-chan T, error) {
	sub, err := hub.Subscribe(ctx, f, -1)
	if err != nil {
		return nil, err
	}
	out := make(chan T)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			ev, err := sub.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					if s := socketFrom(ctx); s != nil {
						s.end(err)
					}
					<-ctx.Done()
				}
				return
			}
			v, ok := load(ctx, ev)
			if !ok {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// objectID is the id of the event's object, or for a comment its
// ticket's (the comment event carries the comment).
func objectID(ev *ent.Event, field string) (uuid.UUID, bool) {
	if field == "" {
		id, err := uuid.Parse(ev.ObjectID)
		return id, err == nil
	}
	var data struct {
		Object map[string]any `json:"object"`
	}
	if json.Unmarshal([]byte(ev.Data), &data) != nil {
		return uuid.Nil, false
	}
	s, _ := data.Object[field].(string)
	id, err := uuid.Parse(s)
	return id, err == nil
}
