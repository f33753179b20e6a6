package service

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"
)

// Paging shared by every list: a Page, its opaque cursor (the keyset
// position, bound to its sort). Lists ordered by creation (created_at,
// id), newest or oldest first, also share their keyset pagination: a filter for the rows after a cursor, and
// the cut of limit+1 rows into a page with the next cursor.

// afterNewest selects the rows that come after c in newest-first order.
func afterNewest(c cursor) func(*sql.Selector) {
	return func(s *sql.Selector) {
		col, id := s.C("created_at"), s.C("id")
		s.Where(sql.Or(sql.LT(col, c.Time), sql.And(sql.EQ(col, c.Time), sql.LT(id, c.ID))))
	}
}

// afterOldest selects the rows that come after c in oldest-first order.
func afterOldest(c cursor) func(*sql.Selector) {
	return func(s *sql.Selector) {
		col, id := s.C("created_at"), s.C("id")
		s.Where(sql.Or(sql.GT(col, c.Time), sql.And(sql.EQ(col, c.Time), sql.GT(id, c.ID))))
	}
}

// pageOf cuts rows (limit+1 fetched) into a page; sort names the list
// so that its cursors are refused by other lists.
func pageOf[T any](rows []T, limit int, sort string, pos func(T) (time.Time, uuid.UUID)) *Page[T] {
	page := &Page[T]{Items: rows}
	if len(rows) > limit {
		page.Items, page.HasMore = rows[:limit], true
		t, id := pos(page.Items[limit-1])
		page.NextCursor = encodeCursor(cursor{Sort: sort, Time: t, ID: id})
	}
	return page
}

// pageArgs checks a page's limit and decodes its cursor.
func pageArgs(limit int, cur, sort string) (*cursor, error) {
	verr := &ValidationError{}
	if limit < 1 || limit > MaxPageSize {
		verr.Add("limit", "Limit must be between 1 and %d.", MaxPageSize)
	}
	var after *cursor
	if cur != "" {
		c, ok := decodeCursor(cur, sort)
		if !ok {
			verr.Add("cursor", "Cursor is invalid; use next_cursor from the previous page.")
		}
		after = &c
	}
	return after, verr.OrNil()
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	HasMore    bool
	NextCursor string
}

// cursor is the keyset position after the last item of a page. It carries
// its sort so that a cursor cannot be replayed under another order.
type cursor struct {
	Sort string    `json:"s"`
	Time time.Time `json:"t,omitempty"`
	Num  int       `json:"n,omitempty"`
	ID   uuid.UUID `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string) (cursor, bool) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Sort != sort {
		return cursor{}, false
	}
	return c, true
}
