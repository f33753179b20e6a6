// Package webhooks delivers events to tenants' endpoints: River jobs on
// the platform's own database (enqueued in the change's transaction, run
// once across instances, surviving restarts), signed per Standard
// Webhooks, sent only to public addresses. What to send and what comes
// after an attempt are the service's rules (PrepareDelivery,
// FinishAttempt); this package moves the bytes.
package webhooks

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/cienerp/cienerp/database"
	"github.com/cienerp/cienerp/service"
)

// queue is River's queue for deliveries.
const queue = "webhooks"

// Config tunes the engine.
type Config struct {
	AllowPrivate bool          // CIEN_WEBHOOK_ALLOW_PRIVATE
	Workers      int           // concurrent deliveries per instance; 0 means 50
	Poll         time.Duration // how often idle instances look for due jobs; 0 means 100 ms
}

// Engine is the River client of one instance.
type Engine struct {
	client *river.Client[*sql.Tx]
	svc    *service.Service
}

func driver(db *database.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == dialect.Postgres {
		return riverdatabasesql.New(db.SQL)
	}
	return riversqlite.New(db.SQL)
}

// Migrate creates or upgrades River's tables.
func Migrate(ctx context.Context, db *database.DB) error {
	m, err := rivermigrate.New(driver(db), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	return nil
}

// warnings passes on River's warnings and errors only.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{w.Handler.WithAttrs(as)} }

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }

// New builds the engine; Start works jobs, and without it the engine
// still enqueues (the CLI).
func New(db *database.DB, svc *service.Service, cfg Config, log *slog.Logger) (*Engine, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 50
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &deliveryWorker{svc: svc, http: newHTTPClient(cfg.AllowPrivate)})
	client, err := river.NewClient(driver(db), &river.Config{
		Queues:            map[string]river.QueueConfig{queue: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		FetchPollInterval: cfg.Poll,
		// No LISTEN/NOTIFY: database/sql has none, and a SQLite listener
		// would hold the pool's one connection.
		PollOnly:      true,
		FetchCooldown: 10 * time.Millisecond,
		JobTimeout:    20 * time.Second, // an attempt is at most 10 s of HTTP and a few writes
		// A job left running by a killed instance is worked again after this
		// (River's rescuer looks every 30 s, so 30 to 60 s after the kill).
		RescueStuckJobsAfter: 30 * time.Second,
		Logger:               slog.New(warnings{log.Handler()}).With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Engine{client: client, svc: svc}, nil
}

// Start works deliveries until Stop.
func (e *Engine) Start(ctx context.Context) error { return e.client.Start(ctx) }

// Stop lets running deliveries finish (until ctx ends) and stops.
func (e *Engine) Stop(ctx context.Context) error { return e.client.Stop(ctx) }

// deliveryArgs is the job: one delivery's round.
type deliveryArgs service.DeliveryJob

func (deliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts: one live job per delivery and round.
func (deliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queue, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{
		ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled},
	}}
}

// Enqueue inserts the deliveries' jobs in tx (service.Deliveries).
func (e *Engine) Enqueue(ctx context.Context, tx *sql.Tx, jobs []service.DeliveryJob) error {
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: deliveryArgs(j)}
	}
	_, err := e.client.InsertManyTx(ctx, tx, params)
	return err
}

// deliveryWorker makes one attempt per run; retries are snoozes, counted
// and scheduled by the service (River's own retries are for errors of
// ours, such as a database that is away).
type deliveryWorker struct {
	river.WorkerDefaults[deliveryArgs]
	svc  *service.Service
	http *http.Client
}

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[deliveryArgs]) error {
	m, err := w.svc.PrepareDelivery(ctx, service.DeliveryJob(job.Args))
	if err != nil || m == nil {
		return err
	}
	res := send(ctx, w.http, m)
	retry, err := w.svc.FinishAttempt(ctx, m, res)
	if err != nil {
		return err
	}
	if retry > 0 {
		return river.JobSnooze(retry)
	}
	return nil
}
