package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/schedule"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a database with two active tenants and a suspended one, and
// a clock the test moves.
type fixture struct {
	t       *testing.T
	d       dbtest.DB
	now     time.Time
	mu      sync.Mutex
	active  []string
	stopped string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, d: dbtest.New(t, ""), now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	for _, slug := range []string{"north", "river", "closed"} {
		var id string
		if err := f.d.Pool.QueryRow(context.Background(), "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if slug == "closed" {
			f.stopped = id
			continue
		}
		f.active = append(f.active, id)
	}
	if _, err := f.d.Pool.Exec(context.Background(), "update tenants set status = 'suspended' where id = $1", f.stopped); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) scheduler(jobs ...schedule.Job) *schedule.Scheduler {
	return schedule.New(f.d.Pool, slog.New(slog.NewTextHandler(io.Discard, nil)), f.clock, jobs)
}

func (f *fixture) runDue(s *schedule.Scheduler) int {
	f.t.Helper()
	n, err := s.RunDue(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// counter is a job that counts its runs per tenant.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
	at   map[string]time.Time
}

func (c *counter) job(name string, every time.Duration) schedule.Job {
	return schedule.Job{Name: name, Every: every, Run: func(_ context.Context, _ pgx.Tx, a tenants.Actor) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.runs == nil {
			c.runs, c.at = map[string]int{}, map[string]time.Time{}
		}
		c.runs[a.TenantID]++
		c.at[a.TenantID] = a.At
		return nil
	}}
}

func TestScheduler_RunsEachJobOncePerActiveTenantUntilItIsDueAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var c counter
	s := f.scheduler(c.job("test.count", 5*time.Minute))
	if n := f.runDue(s); n != 2 {
		t.Fatalf("first run: %d jobs ran, want 2 (one per active tenant)", n)
	}
	if c.runs[f.stopped] != 0 {
		t.Fatal("the job ran for a suspended tenant")
	}
	for _, id := range f.active {
		if c.runs[id] != 1 || !c.at[id].Equal(f.clock()) {
			t.Fatalf("tenant %s: %d runs at %v, want 1 at the scheduler's clock", id, c.runs[id], c.at[id])
		}
	}
	f.advance(4 * time.Minute)
	if n := f.runDue(s); n != 0 {
		t.Fatalf("four minutes later: %d ran, want none (due every five)", n)
	}
	f.advance(time.Minute)
	if n := f.runDue(s); n != 2 {
		t.Fatalf("five minutes later: %d ran, want 2", n)
	}
}

func TestScheduler_ReplicasRunningAtOnceRunEachJobOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var overlaps, runs atomic.Int32
	var running sync.Map // tenant → *atomic.Int32
	slow := schedule.Job{Name: "test.slow", Every: time.Hour, Run: func(_ context.Context, _ pgx.Tx, a tenants.Actor) error {
		n, _ := running.LoadOrStore(a.TenantID, new(atomic.Int32))
		if n.(*atomic.Int32).Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(50 * time.Millisecond)
		n.(*atomic.Int32).Add(-1)
		runs.Add(1)
		return nil
	}}
	replicas := []*schedule.Scheduler{f.scheduler(slow), f.scheduler(slow), f.scheduler(slow)}
	var wg sync.WaitGroup
	for _, s := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RunDue(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := runs.Load(); got != int32(len(f.active)) {
		t.Fatalf("three replicas ran the job %d times, want once per tenant (%d)", got, len(f.active))
	}
	if overlaps.Load() != 0 {
		t.Fatal("one tenant's job ran twice at the same time")
	}
}

func TestScheduler_AFailedJobIsUndoneRecordedAndTheOthersStillRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	broken := schedule.Job{Name: "test.broken", Every: time.Minute, Run: func(ctx context.Context, tx pgx.Tx, a tenants.Actor) error {
		if _, err := tx.Exec(ctx, "update tenants set name = 'changed' where id = $1", a.TenantID); err != nil {
			return err
		}
		return errors.New("the job broke")
	}}
	var c counter
	n, err := f.scheduler(broken, c.job("test.count", time.Minute)).RunDue(ctx)
	if err != nil || n != 4 {
		t.Fatalf("run: %d ran, err %v; want 4 runs and the failure only logged", n, err)
	}
	if len(c.runs) != 2 {
		t.Fatalf("the healthy job ran for %d tenants, want 2", len(c.runs))
	}
	for _, id := range f.active {
		var name, lastError string
		var failures int
		if err := f.d.Pool.QueryRow(ctx, "select name from tenants where id = $1", id).Scan(&name); err != nil || name == "changed" {
			t.Fatalf("the failed job's change was kept: name %q, err %v", name, err)
		}
		err := db.InTenant(ctx, f.d.Pool, id, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "select last_error, failures from job_runs where tenant_id = $1 and job = 'test.broken'", id).
				Scan(&lastError, &failures)
		})
		if err != nil || lastError != "the job broke" || failures != 1 {
			t.Fatalf("recorded failure: %q × %d, err %v", lastError, failures, err)
		}
	}
}

func TestScheduler_AJobRunsUnderItsOwnStatementTimeout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var mu sync.Mutex
	seen := map[string]string{}
	job := func(name string, timeout time.Duration) schedule.Job {
		return schedule.Job{Name: name, Every: time.Minute, Timeout: timeout, Run: func(ctx context.Context, tx pgx.Tx, _ tenants.Actor) error {
			var v string
			err := tx.QueryRow(ctx, "select current_setting('statement_timeout')").Scan(&v)
			mu.Lock()
			defer mu.Unlock()
			seen[name] = v
			return err
		}}
	}
	f.runDue(f.scheduler(job("test.default", 0), job("test.long", 5*time.Minute)))
	want := map[string]string{"test.default": "1min", "test.long": "5min"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("statement timeout inside each job (-want +got):\n%s", diff)
	}
}
