package realtime

import (
	"context"
	"errors"
	"sync"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// Sub is one open subscription. Next hands over its events in order.
type Sub struct {
	hub    *Hub
	watch  watch
	viewer *policy.Viewer
	filter Filter
	live   chan *ent.Event
	done   chan struct{}

	once sync.Once
	err  error

	last      int64        // the sequence of the last event handed over (or skipped)
	backlogTo int64        // events up to here come from the database
	backlog   []*ent.Event // read ahead from the database
}

// Next waits for the next event the subscriber may see and returns it;
// it returns the reason when the subscription ends (ctx's error when the
// subscriber left).
func (s *Sub) Next(ctx context.Context) (*ent.Event, error) {
	for {
		ev, err := s.next(ctx)
		if err != nil {
			return nil, err
		}
		if ev.Seq <= s.last {
			continue
		}
		s.last = ev.Seq
		ok, err := s.visible(ctx, ev)
		if err != nil {
			return nil, err
		}
		if ok {
			return ev, nil
		}
	}
}

// next is the next event of the environment, from the backlog or live.
// Once the subscription has ended nothing more is handed over, not even
// what was already read: the end may be the credential's.
func (s *Sub) next(ctx context.Context) (*ent.Event, error) {
	select {
	case <-s.done:
		return nil, s.reason()
	default:
	}
	if s.last < s.backlogTo {
		if len(s.backlog) == 0 {
			evs, err := s.hub.events(s.watch).Where(event.SeqGT(s.last), event.SeqLTE(s.backlogTo)).
				Order(ent.Asc(event.FieldSeq)).Limit(100).All(schema.Bypass(ctx, "a resumed subscription reads the events it missed; each is checked against the subscriber's permissions"))
			if err != nil {
				return nil, err
			}
			if len(evs) == 0 { // pruned past retention: carry on live
				s.last = s.backlogTo
				return s.next(ctx)
			}
			s.backlog = evs
		}
		ev := s.backlog[0]
		s.backlog = s.backlog[1:]
		return ev, nil
	}
	select {
	case ev := <-s.live:
		return ev, nil
	case <-s.done:
		return nil, s.reason()
	case <-ctx.Done():
		s.Close()
		return nil, ctx.Err()
	}
}

// errUnsubscribed is what Next returns after the subscriber's own Close.
var errUnsubscribed = errors.New("realtime: the subscription was closed")

func (s *Sub) reason() error {
	if s.err == nil {
		return errUnsubscribed
	}
	return s.err
}

// visible applies the filter and the subscriber's current permission to
// see the event's object: the rule of the feed (policy.ObjectPermission,
// as ent/schema/event.go's privacy filter applies it).
// Under a row condition the event is asked of the database as the feed
// would show it (service.EventVisible).
func (s *Sub) visible(ctx context.Context, ev *ent.Event) (bool, error) {
	if s.filter.ObjectID != "" && ev.ObjectID != s.filter.ObjectID {
		return false, nil
	}
	if len(s.filter.Types) == 0 {
		if ev.Type == "ping" { // an endpoint's test, for that endpoint only
			return false, nil
		}
	} else if !service.Subscribed(s.filter.Types, ev.Type) {
		return false, nil
	}
	if !s.viewer.Can(policy.ObjectPermission(ev.ObjectType)) {
		return false, nil
	}
	return service.EventVisible(ctx, s.hub.client, s.viewer, ev)
}

// Done is closed when the subscription ends; Err says why.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended (nil while it is open, or when the
// subscriber closed it).
func (s *Sub) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Viewer is who subscribed.
func (s *Sub) Viewer() *policy.Viewer { return s.viewer }

// Close ends the subscription for the subscriber.
func (s *Sub) Close() { s.end(nil) }

func (s *Sub) end(err error) {
	s.once.Do(func() {
		s.err = err
		s.hub.remove(s)
		close(s.done)
	})
}
