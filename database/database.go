// Package database opens the ent client on SQLite (the no-config default,
// pure Go through modernc.org/sqlite) or PostgreSQL (pgx).
package database

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"

	"github.com/cienerp/cienerp/ent"
	_ "github.com/cienerp/cienerp/ent/runtime" // schema hooks and privacy policies
)

var register sync.Once

// DB is an open database.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// URL is what Open was given (PostgreSQL: where the change listener
	// connects).
	URL string
}

// SQLiteDSN is the DSN of a SQLite file with the options we rely on:
// foreign keys, WAL, a busy timeout, and transactions that take the write
// lock up front so that concurrent writers queue instead of failing.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate"
}

// Open connects to url: postgres:// or postgresql:// for PostgreSQL,
// anything else is a SQLite DSN. An empty url means SQLite under dataDir.
func Open(url, dataDir string) (*DB, error) {
	register.Do(func() { sql.Register("sqlite3", &sqlite.Driver{}) })
	var drv, dsn, dia string
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		drv, dsn, dia = "pgx", url, dialect.Postgres
	case url == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		drv, dsn, dia = "sqlite3", SQLiteDSN(filepath.Join(dataDir, "cienerp.db")), dialect.SQLite
	default:
		drv, dsn, dia = "sqlite3", url, dialect.SQLite
	}
	db, err := sql.Open(drv, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dia, err)
	}
	if dia == dialect.SQLite {
		// One writer at a time is SQLite's model; one connection avoids
		// "database is locked" between pooled connections.
		db.SetMaxOpenConns(1)
	} else {
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", dia, err)
	}
	client := ent.NewClient(ent.Driver(Driver(dia, db)))
	return &DB{Client: client, SQL: db, Dialect: dia, URL: url}, nil
}

// Close closes the client and the pool.
func (d *DB) Close() error { return d.Client.Close() }
