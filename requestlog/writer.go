package requestlog

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/prometheus/client_golang/prometheus"

	entlog "github.com/cienerp/cienerp/ent/requestlog"
)

// Defaults of a Writer.
const (
	// QueueSize bounds the records waiting to be written (about 5 MB).
	QueueSize = 10_000
	// FlushEvery is how often queued records are written: a crash (kill -9)
	// loses at most this much of the log, plus one write in flight.
	FlushEvery = 200 * time.Millisecond
	batchSize  = 500
	// writeTimeout bounds one batch's write: a slow database makes the
	// queue fill and drop, it never makes a request wait.
	writeTimeout = 2 * time.Second
)

// Writer queues records and writes them in batches.
type Writer struct {
	db      *sql.DB
	dialect string
	log     *slog.Logger
	queue   chan Record
	writing sync.Mutex // one batch at a time (Run's and Flush's)

	dropped *prometheus.CounterVec
	written prometheus.Counter
	// lastWarn throttles the drop warnings to one per 10 s.
	lastWarn  atomic.Int64
	sinceWarn atomic.Int64
}

// NewWriter writes to db (the platform's database, of dialect).
func NewWriter(db *sql.DB, dialectName string, log *slog.Logger) *Writer {
	return &Writer{
		db: db, dialect: dialectName, log: log, queue: make(chan Record, QueueSize),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cienerp_request_log_dropped_total",
			Help: "Request log records dropped: queue_full (the writer fell behind) or write_failed (the database refused or did not answer).",
		}, []string{"reason"}),
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cienerp_request_log_written_total", Help: "Request log records written.",
		}),
	}
}

// Register adds the writer's counters to reg.
func (w *Writer) Register(reg *prometheus.Registry) {
	reg.MustRegister(w.dropped, w.written)
}

// Add queues r without waiting; a full queue drops it.
func (w *Writer) Add(r Record) {
	select {
	case w.queue <- r:
	default:
		w.drop("queue_full", 1, nil)
	}
}

// Run writes queued records every FlushEvery until ctx ends, then writes
// what is left.
func (w *Writer) Run(ctx context.Context) {
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = w.Flush(final)
			return
		case <-t.C:
			_ = w.Flush(ctx)
		}
	}
}

// Flush writes every queued record now; records whose write fails are
// dropped (and counted), and the first error is returned.
func (w *Writer) Flush(ctx context.Context) error {
	w.writing.Lock()
	defer w.writing.Unlock()
	var first error
	for {
		batch := w.take(batchSize)
		if len(batch) == 0 {
			return first
		}
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		err := w.write(wctx, batch)
		cancel()
		if err != nil {
			w.drop("write_failed", len(batch), err)
			if first == nil {
				first = err
			}
			continue
		}
		w.written.Add(float64(len(batch)))
	}
}

// take removes up to n queued records without waiting.
func (w *Writer) take(n int) []Record {
	var out []Record
	for len(out) < n {
		select {
		case r := <-w.queue:
			out = append(out, r)
		default:
			return out
		}
	}
	return out
}

func (w *Writer) drop(reason string, n int, err error) {
	w.dropped.WithLabelValues(reason).Add(float64(n))
	w.sinceWarn.Add(int64(n))
	now := time.Now().UnixNano()
	last := w.lastWarn.Load()
	if now-last < int64(10*time.Second) || !w.lastWarn.CompareAndSwap(last, now) {
		return
	}
	attrs := []any{"reason", reason, "dropped", w.sinceWarn.Swap(0)}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	w.log.Warn("request log records dropped", attrs...)
}

// write stores batch in one statement: COPY on PostgreSQL, a multi-row
// INSERT on SQLite.
func (w *Writer) write(ctx context.Context, batch []Record) error {
	if w.dialect == dialect.Postgres {
		return w.copy(ctx, batch)
	}
	return w.insert(ctx, batch)
}

func (w *Writer) copy(ctx context.Context, batch []Record) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// COPY's text format, written here: a third of the CPU of pgx's typed
	// encoding of the same rows.
	var buf bytes.Buffer
	for _, r := range batch {
		r.copyLine(&buf)
	}
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("request log: not a pgx connection (%T)", dc)
		}
		_, err := pc.Conn().PgConn().CopyFrom(ctx, &buf, copySQL)
		return err
	})
}

var copySQL = "COPY " + entlog.Table + " (" + strings.Join(columns, ",") + ") FROM STDIN"

// sqliteRows keeps one INSERT's parameters under SQLite's limit (32766).
const sqliteRows = 200

func (w *Writer) insert(ctx context.Context, batch []Record) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(columns)), ",") + ")"
	for len(batch) > 0 {
		n := min(len(batch), sqliteRows)
		var q strings.Builder
		q.WriteString("INSERT INTO " + entlog.Table + " (" + strings.Join(columns, ",") + ") VALUES ")
		args := make([]any, 0, n*len(columns))
		for i, r := range batch[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(row)
			args = append(args, r.values()...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return tx.Commit()
}
