// Package realtime fans the events feed out to open subscriptions (GraphQL
// subscriptions and server-sent events). Every instance reads the newly
// committed events of the tenants' environments its subscribers watch from
// the database (at once after its own commits, every Poll for others'), so
// an event committed through any instance reaches every subscriber on
// every instance, in sequence order, which is commit order
// (service/sequence.go). What a subscriber may see is decided per event,
// when it is handed over, from its current credential and permissions.
package realtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Config tunes the hub; zero values take the defaults.
type Config struct {
	Poll          time.Duration // how often watched environments are read (100 ms)
	Recheck       time.Duration // how often open credentials are re-checked (500 ms)
	PerCredential int           // open subscriptions per credential (20)
	Buffer        int           // events a subscriber may fall behind before it is cut off (256)
}

func (c Config) withDefaults() Config {
	if c.Poll <= 0 {
		c.Poll = 100 * time.Millisecond
	}
	if c.Recheck <= 0 {
		c.Recheck = 500 * time.Millisecond
	}
	if c.PerCredential <= 0 {
		c.PerCredential = 20
	}
	if c.Buffer <= 0 {
		c.Buffer = 256
	}
	return c
}

// ErrSlow ends a subscription whose reader fell Buffer events behind:
// it is cut off rather than buffered without bound.
var ErrSlow = service.Fail(service.KindConflict, "slow_consumer", "The subscriber fell too far behind and was disconnected; reconnect and resume from the last event received.")

// ErrClosed ends a subscription when the server stops.
var ErrClosed = service.Fail(service.KindUnavailable, "shutting_down", "The server is shutting down; reconnect and resume from the last event received.")

type watch struct {
	tenant uuid.UUID
	env    policy.Env
}

// feed is one watched environment: the last sequence handed to its
// subscribers, and them.
type feed struct {
	cursor int64
	subs   map[*Sub]struct{}
}

// Hub holds the open subscriptions of this instance.
type Hub struct {
	client *ent.Client
	cfg    Config
	fresh  func(context.Context)
	log    *slog.Logger

	wake chan struct{}

	mu      sync.Mutex
	feeds   map[watch]*feed
	perCred map[string]int
	stopped bool
}

// New returns a hub reading events through client; Run makes it work.
// fresh brings the credential and policy caches up to date with every
// change other processes counted so far, pushed or not (a read of the
// change counter): before each re-check, and before events read from the
// database are judged.
func New(client *ent.Client, cfg Config, fresh func(context.Context), log *slog.Logger) *Hub {
	return &Hub{client: client, cfg: cfg.withDefaults(), fresh: fresh, log: log, wake: make(chan struct{}, 1), feeds: map[watch]*feed{}, perCred: map[string]int{}}
}

// minGap spaces reads that commits on this instance ask for: under a
// burst of commits the hub reads at most this often, not once per commit.
const minGap = 10 * time.Millisecond

// Wake asks for a read now: events were committed on this instance (other
// instances' are found by the poll).
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default: // a read is already asked for
	}
}

// Filter narrows a subscription: event types (wildcards as in the feed)
// and one object.
type Filter struct {
	Types    []string
	ObjectID string
}

// Subscribe opens a subscription for the viewer in ctx. after >= 0
// resumes the feed after that sequence (0: from the oldest event still
// kept); after < 0 starts with the next event committed.
func (h *Hub) Subscribe(ctx context.Context, f Filter, after int64) (*Sub, error) {
	v := policy.FromContext(ctx)
	if v == nil || v.TenantID == uuid.Nil {
		return nil, policy.ErrNoViewer
	}
	if err := service.CheckSubscriptionTypes("types", f.Types); err != nil {
		return nil, err
	}
	if v.Recheck != nil { // a socket's viewer may be older than this subscription
		if err := v.Recheck(ctx); err != nil {
			return nil, err
		}
	}
	w := watch{v.TenantID, v.Env}
	s := &Sub{hub: h, watch: w, viewer: v, filter: f, live: make(chan *ent.Event, h.cfg.Buffer), done: make(chan struct{})}
	// A feed already watched has its cursor; a new one starts at the
	// environment's newest event, read outside the lock.
	var latest int64
	known := false
	h.mu.Lock()
	for h.feeds[w] == nil && !known {
		h.mu.Unlock()
		l, err := h.latest(ctx, w)
		if err != nil {
			return nil, err
		}
		latest, known = l, true
		h.mu.Lock()
	}
	defer h.mu.Unlock()
	if h.stopped {
		return nil, ErrClosed
	}
	if h.perCred[v.Credential()] >= h.cfg.PerCredential {
		return nil, service.Fail(service.KindRateLimited, "too_many_subscriptions",
			"This credential has %d open subscriptions, the most allowed: close one first.", h.cfg.PerCredential)
	}
	fd := h.feeds[w]
	if fd == nil {
		// Events committed after latest was read have a larger sequence:
		// the next read of the feed finds them.
		fd = &feed{cursor: latest, subs: map[*Sub]struct{}{}}
		h.feeds[w] = fd
	}
	fd.subs[s] = struct{}{}
	h.perCred[v.Credential()]++
	// Everything up to the feed's cursor comes from the database, after
	// the resume point; everything later comes live.
	s.last, s.backlogTo = fd.cursor, fd.cursor
	if after >= 0 && after < fd.cursor {
		s.last = after
	}
	return s, nil
}

// events queries the watched environment's events.
func (h *Hub) events(w watch) *ent.EventQuery {
	return h.client.Event.Query().Where(event.TenantID(w.tenant), event.EnvEQ(w.env))
}

// latest is the environment's highest sequence so far.
func (h *Hub) latest(ctx context.Context, w watch) (int64, error) {
	ev, err := h.events(w).Order(ent.Desc(event.FieldSeq)).First(schema.Bypass(ctx, "the hub starts a feed at the environment's newest event"))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return ev.Seq, nil
}

// Subscribers counts the open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, fd := range h.feeds {
		n += len(fd.subs)
	}
	return n
}

// Run reads the watched environments and re-checks open credentials until
// ctx ends, then ends every subscription.
func (h *Hub) Run(ctx context.Context) {
	poll := time.NewTicker(h.cfg.Poll)
	recheck := time.NewTicker(h.cfg.Recheck)
	defer poll.Stop()
	defer recheck.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			h.stop()
			return
		case <-poll.C:
		case <-h.wake:
			time.Sleep(minGap - time.Since(last)) // negative: at once
		case <-recheck.C:
			h.recheck(ctx)
			continue
		}
		last = time.Now()
		h.read(ctx)
	}
}

func (h *Hub) stop() {
	h.mu.Lock()
	h.stopped = true
	h.mu.Unlock()
	for _, s := range h.all() {
		s.end(ErrClosed)
	}
}

// all is every open subscription, for work done outside the lock.
func (h *Hub) all() []*Sub {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*Sub
	for _, fd := range h.feeds {
		for s := range fd.subs {
			out = append(out, s)
		}
	}
	return out
}

// batch is how many events one read hands over: half a subscriber's
// buffer, so a reader that keeps up is never cut off by a burst (the rest
// comes with the next read).
func (h *Hub) batch() int { return max(1, h.cfg.Buffer/2) }

// read hands each watched environment's new events to its subscribers.
func (h *Hub) read(ctx context.Context) {
	h.mu.Lock()
	cursors := make(map[watch]int64, len(h.feeds))
	for w, fd := range h.feeds {
		cursors[w] = fd.cursor
	}
	h.mu.Unlock()
	caughtUp := false
	for w, cursor := range cursors {
		evs, err := h.events(w).Where(event.SeqGT(cursor)).Order(ent.Asc(event.FieldSeq)).Limit(h.batch()).All(schema.Bypass(ctx, "the hub reads a watched environment's new events; each subscriber sees only what it may view"))
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("realtime: read events", "error", err.Error())
			}
			continue
		}
		if len(evs) == 0 {
			continue
		}
		if !caughtUp && h.fresh != nil {
			// Judge the events on rules at least as new as they are: a
			// key or role another process changed before committing one
			// of them may not have been pushed here yet.
			h.fresh(ctx)
			caughtUp = true
		}
		var slow []*Sub
		h.mu.Lock()
		if fd := h.feeds[w]; fd != nil && fd.cursor == cursor {
		subs:
			for s := range fd.subs {
				for _, ev := range evs {
					select {
					case s.live <- ev:
					default:
						slow = append(slow, s)
						continue subs
					}
				}
			}
			fd.cursor = evs[len(evs)-1].Seq
		}
		h.mu.Unlock()
		for _, s := range slow {
			s.end(ErrSlow)
		}
	}
}

// recheck ends the subscriptions whose credential no longer holds: a
// revoked or expired key, a removed member, a disabled user or tenant.
// The checks read the credential caches that change notifications clear.
func (h *Hub) recheck(ctx context.Context) {
	all := h.all()
	if len(all) > 0 && h.fresh != nil {
		h.fresh(ctx)
	}
	for _, s := range all {
		if s.viewer.Recheck == nil {
			continue
		}
		if err := s.viewer.Recheck(ctx); err != nil && ctx.Err() == nil {
			switch service.ProblemOf(err).Kind {
			case service.KindUnavailable, service.KindUnexpected:
				continue // the check itself failed (a database hiccup): try again next time
			}
			s.end(err)
		}
	}
}

func (h *Hub) remove(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fd := h.feeds[s.watch]
	if fd == nil {
		return
	}
	if _, ok := fd.subs[s]; !ok {
		return
	}
	delete(fd.subs, s)
	if len(fd.subs) == 0 {
		delete(h.feeds, s.watch)
	}
	if h.perCred[s.viewer.Credential()]--; h.perCred[s.viewer.Credential()] <= 0 {
		delete(h.perCred, s.viewer.Credential())
	}
}
