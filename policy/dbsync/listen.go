package dbsync

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	// channel is the PostgreSQL notification channel of changes.
	channel = "cien_changes"
	// checkEvery bounds how long the listener trusts a quiet connection:
	// after a second without a notification it reads the counter on it,
	// which proves the connection alive (a silently dropped one fails
	// within the next second and requests read the counter again) and
	// catches up on anything a lost notification would have carried.
	checkEvery = time.Second
	// ListenerName is the listener connection's application_name (in
	// pg_stat_activity).
	ListenerName = "cienerp changes"
)

// listen LISTENs until ctx ends, reconnecting with a backoff (100 ms to
// 1 s) whenever the connection fails.
func (s *Sync) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		heard, err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.down("listen", err)
		if heard {
			backoff = 100 * time.Millisecond // it was up: reconnect soon
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Second)
	}
}

// listenOnce connects, catches up with the counter, marks changes pushed
// and applies notifications until the connection fails. heard reports
// whether it got as far as listening.
func (s *Sync) listenOnce(ctx context.Context) (heard bool, err error) {
	cfg, err := pgx.ParseConfig(s.dsn)
	if err != nil {
		return false, err
	}
	cfg.RuntimeParams["application_name"] = ListenerName
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return false, err
	}
	// Listening from here on: whatever was counted before is in the counter.
	if err := s.check(ctx, conn); err != nil {
		return false, err
	}
	s.pushed.Store(true)
	defer s.pushed.Store(false)
	for {
		wctx, cancel := context.WithTimeout(ctx, checkEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			s.heard(ctx, n.Payload)
		case ctx.Err() != nil:
			return true, nil
		case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
			if err := s.check(ctx, conn); err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}

// check reads the counter on the listener's connection (within
// checkEvery) and catches up with it.
func (s *Sync) check(ctx context.Context, conn *pgx.Conn) error {
	cctx, cancel := context.WithTimeout(ctx, checkEvery)
	defer cancel()
	var gen, at int64
	if err := conn.QueryRow(cctx, readCounter).Scan(&gen, &at); err != nil {
		return err
	}
	return s.reached(ctx, gen, at)
}

// heard applies one notification, "<gen> <message>": the next change is
// applied as it says (unless it is this process's own), a gap or a
// message this version cannot read makes a full resync.
func (s *Sync) heard(ctx context.Context, payload string) {
	num, body, _ := strings.Cut(payload, " ")
	gen, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		s.log.Error("bad change notification", "payload", payload)
		return
	}
	var m message
	readable := json.Unmarshal([]byte(body), &m) == nil && m.Kind != ""
	seen := s.Seen()
	switch {
	case gen <= seen: // applied already: ours, or covered by a resync
		return
	case gen == seen+1 && readable:
		if m.Origin != s.origin {
			s.local.Changed(ctx, m.Change)
		}
		s.advance(gen)
	default:
		if s.catchUp(ctx, gen) != nil {
			return
		}
	}
	if m.Origin != s.origin {
		s.applied(m.At)
	}
}
