package rest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/internal/jsonwire"
	"github.com/cienerp/cienerp/openapi"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

// heartbeat keeps proxies from closing an idle stream.
const heartbeat = 15 * time.Second

func init() {
	register(part{routes: (*Server).streamRoutes})
}

func (s *Server) streamRoutes() []edge.Route {
	return []edge.Route{
		{Method: http.MethodGet, Path: "/events/stream", Handle: s.streamEvents,
			Doc: openapi.Doc{Tag: "Events & Webhooks", Summary: "The events feed as server-sent events", Description: "Stays open and sends each event of this environment as it commits, in sequence order, that the caller may view at that moment (checked per event). " +
				"Each message's id is the event's sequence: a reconnect with Last-Event-ID (or ?last_event_id=) first gets every event after it that is still within retention, then live ones. " +
				"A revoked or expired credential, a removed member or a disabled user ends the stream within a second with an event named error giving the reason; a reader that falls 256 events behind is disconnected. " +
				"A comment line every 15 s keeps proxies from closing it. Open subscriptions per credential are limited (CIEN_SUBSCRIPTIONS_PER_CREDENTIAL, 20).",
				Params: []openapi.Param{
					openapi.Query("type", "Comma-separated event types; wildcards such as invoice.* work.", openapi.StrSchema("")),
					openapi.Query("object_id", "Only events about this object.", openapi.StrSchema("")),
					openapi.Query("last_event_id", "Resume after this sequence, 0 for every event still kept (the Last-Event-ID header wins).", obj{"type": "integer", "minimum": 0}),
				}, Status: 200, Raw: "EventStream"}},
	}
}

func (s *Server) streamEvents(c *gin.Context) error {
	after, err := resumePoint(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	sub, err := s.hub.Subscribe(ctx, realtime.Filter{Types: splitList(c.Query("type")), ObjectID: c.Query("object_id")}, after)
	if err != nil {
		return err
	}
	defer sub.Close()
	// The server's write deadline is for requests that end; this one does not.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	c.Status(http.StatusOK)
	if _, err := fmt.Fprint(c.Writer, ": connected\nretry: 2000\n\n"); err != nil {
		return nil
	}
	_ = rc.Flush()

	type next struct {
		ev  *ent.Event
		err error
	}
	events := make(chan next)
	go func() {
		for {
			ev, err := sub.Next(ctx)
			select {
			case events <- next{ev, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case n := <-events:
			if n.err != nil {
				if ctx.Err() == nil {
					writeStreamError(c, n.err)
					_ = rc.Flush()
				}
				return nil
			}
			b, err := jsonwire.Marshal(service.EventObject(n.ev))
			if err == nil {
				b, err = service.Redact(sub.Viewer(), b) // field rules, as the feed answers
			}
			if err != nil {
				return nil
			}
			if _, err := fmt.Fprintf(c.Writer, "id: %d\nevent: %s\ndata: %s\n\n", n.ev.Seq, n.ev.Type, b); err != nil {
				return nil
			}
			_ = rc.Flush()
		case <-beat.C:
			if _, err := fmt.Fprint(c.Writer, ": heartbeat\n\n"); err != nil {
				return nil
			}
			_ = rc.Flush()
		case <-ctx.Done():
			return nil
		}
	}
}

// resumePoint reads Last-Event-ID (or ?last_event_id=): a sequence; -1
// when neither is sent (start with the next event).
func resumePoint(c *gin.Context) (int64, error) {
	name, v := "Last-Event-ID", c.GetHeader("Last-Event-ID")
	if v == "" {
		name, v = "last_event_id", c.Query("last_event_id")
	}
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, service.Invalid(name, "%s must be the id (a sequence number) of an event this stream sent.", name)
	}
	return n, nil
}

// writeStreamError ends a stream with an event named error carrying the
// reason in the API's error shape.
func writeStreamError(c *gin.Context, err error) {
	b, _ := jsonwire.Marshal(errorBody(edge.FailureOf(c, err)))
	_, _ = fmt.Fprintf(c.Writer, "event: error\ndata: %s\n\n", b)
}
