// Package testenv gives tests a real database and a fully wired platform.
//
// CIEN_TEST_DB selects the database: "sqlite" (default, a file in the
// test's temp dir) or "postgres" (a fresh database per test on
// CIEN_TEST_POSTGRES_URL, dropped afterwards). When PostgreSQL does not
// answer, tests skip with a one-line reason, except under CI=true, where
// they fail.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/ent"
)

// DefaultPostgresURL is the machine's PostgreSQL (trust auth).
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Kind is the database the tests run on.
func Kind() string {
	if os.Getenv("CIEN_TEST_DB") == "postgres" {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// Unavailable skips (or, in CI, fails) a test whose service is missing.
func Unavailable(t testing.TB, format string, a ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, a...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("required service missing in CI: %s", msg)
	}
	t.Skip(msg)
}

// Queries counts the statements a database runs.
type Queries struct{ n atomic.Int64 }

// Count returns the statements run so far.
func (q *Queries) Count() int64 { return q.n.Load() }

// NewDB opens a fresh, empty database of Kind() for t. Every statement
// the returned client runs is counted in q.
func NewDB(t testing.TB) (*database.DB, *Queries) {
	t.Helper()
	var db *database.DB
	var err error
	if Kind() == dialect.Postgres {
		db, err = newPostgres(t)
	} else {
		db, err = database.Open(database.SQLiteDSN(filepath.Join(t.TempDir(), "test.db")), "")
	}
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	q := &Queries{}
	counted := dialect.DebugWithContext(database.Driver(db.Dialect, db.SQL), func(context.Context, ...any) { q.n.Add(1) })
	db.Client = ent.NewClient(ent.Driver(counted))
	t.Cleanup(func() { db.Close() })
	return db, q
}

func newPostgres(t testing.TB) (*database.DB, error) { return newPostgresVia(t, nil) }

// newPostgresVia creates a fresh database and opens it at the URL that
// route (when set) rewrites.
func newPostgresVia(t testing.TB, route func(*url.URL)) (*database.DB, error) {
	admin := os.Getenv("CIEN_TEST_POSTGRES_URL")
	if admin == "" {
		admin = DefaultPostgresURL
	}
	adb, err := sql.Open("pgx", admin)
	if err == nil {
		err = adb.Ping()
	}
	if err != nil {
		Unavailable(t, "PostgreSQL at %s does not answer: %v", admin, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "cien_test_" + hex.EncodeToString(b)
	if _, err := adb.Exec("CREATE DATABASE " + name); err != nil {
		adb.Close()
		return nil, err
	}
	t.Cleanup(func() {
		_, _ = adb.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		adb.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	if route != nil {
		route(u)
	}
	return database.Open(u.String(), "")
}
