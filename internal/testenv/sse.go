package testenv

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// SSE reads a server-sent events stream the way a raw client does: line
// by line, one event per blank line.
type SSE struct {
	Status int
	Header http.Header
	events chan SSEEvent
	cancel context.CancelFunc
}

// SSEEvent is one event of a stream (comments are skipped).
type SSEEvent struct {
	ID, Event, Data string
}

// OpenSSE opens url with headers; a non-200 answer leaves the stream empty
// (Status says what came).
func OpenSSE(t testing.TB, url string, headers H) *SSE {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open %s: %v", url, err)
	}
	s := &SSE{Status: res.StatusCode, Header: res.Header, events: make(chan SSEEvent, 1024), cancel: cancel}
	t.Cleanup(s.Close)
	go func() {
		defer close(s.events)
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return
		}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var ev SSEEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if ev.ID != "" || ev.Event != "" || len(data) > 0 {
					ev.Data = strings.Join(data, "\n")
					s.events <- ev
				}
				ev, data = SSEEvent{}, nil
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID = value
			case "event":
				ev.Event = value
			case "data":
				data = append(data, value)
			}
		}
	}()
	return s
}

// Next waits up to timeout for the next event; ok is false when none came
// or the stream ended (Ended tells which).
func (s *SSE) Next(timeout time.Duration) (ev SSEEvent, ok bool) {
	select {
	case ev, ok = <-s.events:
		return ev, ok
	case <-time.After(timeout):
		return SSEEvent{}, false
	}
}

// Ended waits up to timeout for the stream to end (the server closed it).
func (s *SSE) Ended(timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// Close hangs up.
func (s *SSE) Close() { s.cancel() }
