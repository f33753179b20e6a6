package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/service"
)

// tailInterval is how often "logs tail" looks for new requests: the
// servers write the log every 200 ms.
const tailInterval = time.Second

// tailLookback is how far before the newest printed request each look
// starts: a record carries its request's start, and a request that ran
// long is written after shorter ones that started later.
const tailLookback = 10 * time.Second

// tailLog prints the request log of ctx's tenant and environment from
// since, oldest first, one line per request; with follow it keeps
// printing new ones until ctx ends.
func tailLog(ctx context.Context, svc *service.Service, out io.Writer, since time.Time, follow bool) error {
	seen := map[uuid.UUID]time.Time{} // printed, within the lookback
	newest := since.UTC()
	from := newest
	for {
		var fresh []*ent.RequestLog
		cursor := ""
		for { // every page since from, newest first
			page, err := svc.ListRequestLogs(ctx, service.RequestLogFilter{Since: from.Format(time.RFC3339Nano), Limit: service.MaxPageSize, Cursor: cursor})
			if err != nil {
				return err
			}
			fresh = append(fresh, page.Items...)
			if !page.HasMore {
				break
			}
			cursor = page.NextCursor
		}
		slices.Reverse(fresh)
		for _, r := range fresh {
			if _, ok := seen[r.ID]; ok {
				continue
			}
			seen[r.ID] = r.CreatedAt
			fmt.Fprintln(out, logLine(r))
			if r.CreatedAt.After(newest) {
				newest = r.CreatedAt
			}
		}
		if f := newest.Add(-tailLookback); f.After(from) {
			from = f
		}
		for id, at := range seen {
			if at.Before(from) {
				delete(seen, id)
			}
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(tailInterval):
		}
	}
}

// logLine is one request as the tail prints it.
func logLine(r *ent.RequestLog) string {
	who := r.Subject
	switch {
	case r.KeyName != "":
		who = fmt.Sprintf("key %q", r.KeyName)
	case r.UserEmail != "":
		who = r.UserEmail
	}
	route := r.Route
	if route == "" {
		route = r.Path
	}
	line := fmt.Sprintf("%s  %-6s %-32s %d", r.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), r.Method, route, r.Status)
	if r.ErrorCode != "" {
		line += " " + r.ErrorCode
	}
	line += fmt.Sprintf("  %.1fms  %s", float64(r.LatencyUs)/1000, who)
	if r.Permission != "" {
		line += "  " + r.Decision + " " + r.Permission
	}
	if r.Operation != "" {
		line += "  graphql " + r.Operation
	}
	return line + "  " + r.RequestID
}
