// Package schedule runs CareCoord's time-driven work in the background:
// raising the tasks time has made due, refreshing the supervisors'
// snapshot, and whatever later features add. Pages only read; the
// scheduler writes. It runs inside every app process, and any number of
// replicas may run it against one database: each job runs once per tenant
// at a time, and once per interval (see job_runs in
// migrations/00012_schedule.sql).
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Job is work that time makes due, done for each active tenant.
type Job struct {
	// Name identifies the job in job_runs and the logs: "package.what".
	Name string
	// Every is how long after a run the job is due again.
	Every time.Duration
	// Run does the job for one tenant in tx, the tenant's transaction, as
	// CareCoord itself at the scheduler's clock reading. Its error rolls
	// back what it did and is recorded; the job is tried again after Every.
	Run func(ctx context.Context, tx pgx.Tx, a tenants.Actor) error
	// Timeout is the statement timeout of the job's transaction; zero is
	// DefaultJobTimeout. Pages get a few seconds (the app pool's
	// statement_timeout); a job that aggregates a year of history may
	// need longer, and is named here for it.
	Timeout time.Duration
}

// DefaultJobTimeout is the statement timeout of a job that names none.
const DefaultJobTimeout = time.Minute

// Scheduler runs jobs for every active tenant when they are due.
type Scheduler struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	now  calendar.Clock
	jobs []Job
}

// New is a scheduler of jobs on pool's database, by the clock now.
func New(pool *pgxpool.Pool, log *slog.Logger, now calendar.Clock, jobs []Job) *Scheduler {
	return &Scheduler{pool: pool, log: log, now: now, jobs: jobs}
}

// Run runs the due jobs every tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler: run due jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs, once, every job that is due for every active tenant, and
// returns how many ran. A job that fails is logged and recorded; the
// others still run.
func (s *Scheduler) RunDue(ctx context.Context) (int, error) { return s.run(ctx, false) }

// RunAll runs every job for every active tenant now, due or not (still
// one replica at a time): for tests where time has passed, and for an
// operator who wants the effect at once.
func (s *Scheduler) RunAll(ctx context.Context) (int, error) { return s.run(ctx, true) }

func (s *Scheduler) run(ctx context.Context, force bool) (int, error) {
	list, err := tenants.ListActive(ctx, s.pool)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	ran := 0
	for _, t := range list {
		for _, j := range s.jobs {
			ok, err := s.runIfDue(ctx, t, j, force)
			if err != nil {
				if ctx.Err() != nil {
					return ran, ctx.Err()
				}
				s.log.Error("scheduler: job failed", "job", j.Name, "tenant", t.Slug, "err", err)
			}
			if ok {
				ran++
			}
		}
	}
	return ran, nil
}

// errJobFailed marks a run whose job failed and was recorded as such.
var errJobFailed = errors.New("job failed")

// runIfDue runs j for t if it is due (or forced) and no other replica is
// running it, and records the run. ran is whether the job ran (even if it failed).
func (s *Scheduler) runIfDue(ctx context.Context, t tenants.Configured, j Job, force bool) (ran bool, err error) {
	now := s.now()
	var jobErr error
	timeout := j.Timeout
	if timeout == 0 {
		timeout = DefaultJobTimeout
	}
	err = db.InTenant(ctx, s.pool, t.ID, func(tx pgx.Tx) error {
		if err := db.SetLocalStatementTimeout(ctx, tx, timeout); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `insert into job_runs (tenant_id, job) values ($1, $2) on conflict do nothing`, t.ID, j.Name); err != nil {
			return err
		}
		var due bool
		err := tx.QueryRow(ctx, `
			select next_run_at <= $3 from job_runs where tenant_id = $1 and job = $2 for update skip locked`,
			t.ID, j.Name, now).Scan(&due)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !due && !force) {
			return nil // another replica holds it, or it is not due
		}
		if err != nil {
			return err
		}
		ran = true
		// A savepoint: a failed job's writes are undone, its failure kept.
		jobErr = pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			return j.Run(ctx, sp, tenants.System(t.ID, t.Settings, now))
		})
		return record(ctx, tx, t.ID, j, now, s.now(), jobErr)
	})
	if err == nil && jobErr != nil {
		err = fmt.Errorf("%w: %w", errJobFailed, jobErr)
	}
	return ran, err
}

// record notes a run of j that began at started and ended at finished.
func record(ctx context.Context, tx pgx.Tx, tenantID string, j Job, started, finished time.Time, jobErr error) error {
	msg := ""
	if jobErr != nil {
		msg = jobErr.Error()
		if len(msg) > 2000 {
			msg = strings.ToValidUTF8(msg[:2000], "")
		}
	}
	_, err := tx.Exec(ctx, `
		update job_runs set next_run_at = $3, last_started_at = $4, last_finished_at = $5, last_error = $6,
		       runs = runs + 1, failures = failures + case when $6 = '' then 0 else 1 end
		 where tenant_id = $1 and job = $2`,
		tenantID, j.Name, started.Add(j.Every), started, finished, msg)
	return err
}
