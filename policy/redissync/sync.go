// Package redissync keeps the caches of several instances in step through
// Redis: every committed change is published, every instance drops what it
// cached, and a generation counter lets each request notice a change it
// has not applied yet while this instance is not subscribed. It is the Casbin watcher of this platform (no
// watcher module is used): a policy change makes every instance reload.
package redissync

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cienerp/cienerp/policy"
)

const (
	channel = "cienerp:changes"
	genKey  = "cienerp:changes:gen"
	// epochKey names the life of genKey: set once (SET NX) by whichever
	// instance first finds it missing. A Redis restarted empty, flushed or
	// failed over without the keys has a new epoch, and every instance
	// that sees it resynchronises in full: a counter that starts again at
	// 1 says nothing about what the instances have seen.
	epochKey = "cienerp:changes:epoch"
)

// state is where the shared change counter stands.
type state struct {
	gen   int64
	epoch string
}

// Local is this instance's cache invalidation (service.Local).
type Local interface {
	Changed(ctx context.Context, c policy.Change)
	ResyncAll(ctx context.Context) error
}

type message struct {
	policy.Change
	Gen    int64     `json:"gen"`
	Origin string    `json:"origin"`
	SentAt time.Time `json:"sent_at"`
}

// Sync publishes this instance's changes and applies everyone else's.
type Sync struct {
	rdb    *redis.Client
	local  Local
	log    *slog.Logger
	origin string

	resyncing sync.Mutex // one resync at a time; the rest wait for it

	mu     sync.Mutex
	seen   int64  // the generation this instance is known to be up to date with
	epoch  string // the epoch seen counts in
	missed bool   // a change could not be announced; announce a resync when Redis is back

	pushed    atomic.Bool  // subscribed and caught up: requests need not read the counter
	downUntil atomic.Int64 // unix nanoseconds: skip per-request checks until then after a failure
	lastDelay atomic.Int64 // nanoseconds from publish to apply, last message
	warned    atomic.Int64 // unix seconds of the last "Redis unavailable" log

	generation *policy.Rounds[state] // the shared reads of Fresh
}

// New returns a Sync over rdb that applies changes through local.
func New(rdb *redis.Client, local Local, log *slog.Logger) *Sync {
	s := &Sync{rdb: rdb, local: local, log: log, origin: uuid.NewString()}
	s.generation = policy.NewRounds(func(ctx context.Context) (state, error) { return s.read(ctx, false) }, time.Second)
	return s
}

// read reads the counter and its epoch in one round trip, starting an
// epoch when there is none (SETNX then MGET: SET's NX and GET together
// need Redis 7). With incr it first counts a change, in the same round
// trip, and the state's gen is that change's number.
func (s *Sync) read(ctx context.Context, incr bool) (state, error) {
	var counted *redis.IntCmd
	var both *redis.SliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if incr {
			counted = p.Incr(ctx, genKey)
		}
		p.SetNX(ctx, epochKey, uuid.NewString(), 0)
		both = p.MGet(ctx, genKey, epochKey)
		return nil
	})
	if err != nil {
		return state{}, err
	}
	vals := both.Val()
	var st state
	if counted != nil {
		st.gen = counted.Val()
	} else if g, ok := vals[0].(string); ok {
		if st.gen, err = strconv.ParseInt(g, 10, 64); err != nil {
			return state{}, fmt.Errorf("%s is not a number: %q", genKey, g)
		}
	}
	st.epoch, _ = vals[1].(string)
	return st, nil
}

// catchUp resynchronises when st is ahead of what this instance has seen,
// or when the counter was reset: another epoch, or a counter that went
// back (its key alone evicted).
func (s *Sync) catchUp(ctx context.Context, st state) {
	s.mu.Lock()
	reset := st.epoch != s.epoch || st.gen < s.seen
	behind := st.gen > s.seen
	s.mu.Unlock()
	if reset || behind {
		s.resync(ctx, st, reset)
	}
}

// Changed applies c here and announces it to every other instance.
func (s *Sync) Changed(ctx context.Context, c policy.Change) {
	s.local.Changed(ctx, c)
	ctx = context.WithoutCancel(ctx)
	st, err := s.read(ctx, true)
	if err != nil {
		s.mu.Lock()
		s.missed = true
		s.mu.Unlock()
		s.warn("announce change", err)
		return
	}
	if st.epoch != s.currentEpoch() {
		s.resync(ctx, st, true) // Redis was reset: what others announced before is gone
	}
	gen := st.gen
	s.advance(gen)
	payload, _ := json.Marshal(message{Change: c, Gen: gen, Origin: s.origin, SentAt: time.Now()})
	if err := s.rdb.Publish(ctx, channel, payload).Err(); err != nil {
		s.warn("publish change", err) // the generation moved: others resync on their next request
	}
}

// Fresh runs before every request. While this instance is subscribed,
// changes are pushed and it does nothing; otherwise, when another
// instance made a change that has not reached this one yet, it resyncs
// now, so the request is decided on the new policy. Without Redis it does
// nothing and serves.
func (s *Sync) Fresh(ctx context.Context) {
	if s.pushed.Load() {
		return
	}
	if time.Now().UnixNano() < s.downUntil.Load() {
		return // Redis failed a moment ago: do not make every request wait on it
	}
	st, err := s.generation.Read(ctx) // shared with the requests that arrived with this one
	if err != nil {
		if ctx.Err() == nil { // Redis, not the request, failed
			s.downUntil.Store(time.Now().Add(time.Second).UnixNano())
			s.warn("check for changes", err)
		}
		return
	}
	s.announceMissed(ctx)
	s.catchUp(ctx, st)
}

// announceMissed makes every other instance resync when changes made
// while Redis was away were never announced (the database's change
// counter carried them meanwhile).
func (s *Sync) announceMissed(ctx context.Context) {
	s.mu.Lock()
	missed := s.missed
	s.missed = false
	s.mu.Unlock()
	if !missed {
		return
	}
	if _, err := s.rdb.Incr(ctx, genKey).Result(); err != nil {
		s.mu.Lock()
		s.missed = true
		s.mu.Unlock()
	}
}

// Run listens for other instances' changes until ctx ends. After every
// (re)subscription it resyncs fully, since changes may have been missed
// while the connection was down; while subscribed, requests do not read
// the counter.
func (s *Sync) Run(ctx context.Context) {
	defer s.pushed.Store(false)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		ps := s.rdb.Subscribe(ctx, channel)
		if _, err := ps.Receive(ctx); err != nil {
			ps.Close()
			s.warn("subscribe", err)
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		// ReceiveMessage does not return on cancellation by itself.
		stop := context.AfterFunc(ctx, func() { ps.Close() })
		// Whatever was published while unsubscribed is lost: resync in
		// full, and count from where the counter stands now.
		if st, err := s.read(ctx, false); err == nil {
			s.announceMissed(ctx)
			s.resync(ctx, st, true)
			s.pushed.Store(true)
		}
		for {
			msg, err := ps.ReceiveMessage(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.warn("receive changes", err)
				}
				break
			}
			s.apply(ctx, msg.Payload)
		}
		s.pushed.Store(false)
		stop()
		ps.Close()
	}
}

func (s *Sync) apply(ctx context.Context, payload string) {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		s.log.Error("bad change message", "error", err.Error())
		return
	}
	if m.Origin != s.origin {
		s.local.Changed(ctx, m.Change)
		s.lastDelay.Store(int64(time.Since(m.SentAt)))
	}
	s.advance(m.Gen)
}

// resync reloads every cache and records st as seen. Callers that
// waited for another resync skip theirs when that one covered st; after a
// reset the counter starts again from st whatever was seen before.
func (s *Sync) resync(ctx context.Context, st state, reset bool) {
	s.resyncing.Lock()
	defer s.resyncing.Unlock()
	s.mu.Lock()
	done := !reset && st.epoch == s.epoch && st.gen <= s.seen
	s.mu.Unlock()
	if done {
		return // another request resynced while this one waited
	}
	if err := s.local.ResyncAll(ctx); err != nil {
		s.log.Error("resync caches", "error", err.Error())
		return
	}
	s.mu.Lock()
	if reset || st.gen > s.seen {
		s.seen, s.epoch = st.gen, st.epoch
	}
	s.mu.Unlock()
}

func (s *Sync) currentEpoch() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

func (s *Sync) advance(gen int64) {
	s.mu.Lock()
	if gen == s.seen+1 {
		s.seen = gen
	}
	s.mu.Unlock()
}

// LastDelay is how long the last change from another instance took from
// publish to apply here.
func (s *Sync) LastDelay() time.Duration { return time.Duration(s.lastDelay.Load()) }

// warn logs Redis trouble at most every 10 seconds.
func (s *Sync) warn(what string, err error) {
	now := time.Now().Unix()
	if last := s.warned.Load(); now-last >= 10 && s.warned.CompareAndSwap(last, now) {
		s.log.Warn("redis unavailable: serving with local caches", "op", what, "error", err.Error())
	}
}
