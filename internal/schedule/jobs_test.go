package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/schedule"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// inTenant runs sql in the tenant's transaction and scans its one row,
// if dst is given.
func (f *fixture) inTenant(tenantID, sql string, args []any, dst ...any) {
	f.t.Helper()
	err := db.InTenant(context.Background(), f.d.Pool, tenantID, func(tx pgx.Tx) error {
		if len(dst) == 0 {
			_, err := tx.Exec(context.Background(), sql, args...)
			return err
		}
		return tx.QueryRow(context.Background(), sql, args...).Scan(dst...)
	})
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// caseloadWorld gives the first active tenant a coordinator, Ann, with
// one active high-risk patient, and returns the tenant and Ann.
func (f *fixture) caseloadWorld() (tenant, ann string) {
	f.t.Helper()
	ctx := context.Background()
	tenant = f.active[0]
	if err := f.d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ('ann@x.test', 'Ann', 'x') returning id").Scan(&ann); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.d.Pool.Exec(ctx, "insert into memberships (tenant_id, user_id, role) values ($1, $2, 'coordinator')", tenant, ann); err != nil {
		f.t.Fatal(err)
	}
	f.patient(tenant, ann)
	return tenant, ann
}

// patient adds an active high-risk patient of coordinator's.
func (f *fixture) patient(tenant, coordinator string) {
	f.t.Helper()
	f.inTenant(tenant, `insert into patients (tenant_id, given_name, family_name, date_of_birth, status, risk_tier, assigned_coordinator_id)
		values ($1, 'Pat', 'One', '1950-01-01', 'active', 'high', $2)`, []any{tenant, coordinator})
}

// dashboard is the page's read of the tenant's dashboard at the clock.
func (f *fixture) dashboard(tenant string) caseload.Snapshot {
	f.t.Helper()
	a := tenants.Actor{TenantID: tenant, Settings: tenants.DefaultSettings(), At: f.clock()}
	snap, err := caseload.NewService(f.d.Pool).Dashboard(context.Background(), a)
	if err != nil {
		f.t.Fatal(err)
	}
	return snap
}

// storedAt is when the stored dashboard was computed (zero for none).
func (f *fixture) storedAt(tenant string) time.Time {
	f.t.Helper()
	var at *time.Time
	f.inTenant(tenant, "select (select computed_at from caseload_snapshots where tenant_id = $1)", []any{tenant}, &at)
	if at == nil {
		return time.Time{}
	}
	return *at
}

func TestCaseloadSnapshot_TheJobStoresTheDashboardAndThePageReadsIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tenant, ann := f.caseloadWorld()
	if snap := f.dashboard(tenant); snap.Total.High != 1 || !f.storedAt(tenant).IsZero() {
		t.Fatalf("before any run the page computes its own (%d high risk) and stores nothing (stored at %v)", snap.Total.High, f.storedAt(tenant))
	}
	ran := f.clock()
	f.runDue(f.scheduler(schedule.Jobs()...))
	if got := f.storedAt(tenant); !got.Equal(ran) {
		t.Fatalf("stored at %v, want the run's %v", got, ran)
	}
	// A change nobody marks waits for the next run: the page shows the
	// stored counts, with their time.
	f.patient(tenant, ann)
	f.advance(30 * time.Second)
	if snap := f.dashboard(tenant); snap.Total.High != 1 || !snap.At.Equal(ran) {
		t.Errorf("page: %d high risk as of %v, want the stored 1 as of %v", snap.Total.High, snap.At, ran)
	}
	f.advance(30 * time.Second)
	f.runDue(f.scheduler(schedule.Jobs()...))
	if snap := f.dashboard(tenant); snap.Total.High != 2 || !snap.At.Equal(f.clock()) {
		t.Errorf("a minute later: %d high risk as of %v, want 2 as of the new run", snap.Total.High, snap.At)
	}
}

func TestCaseloadSnapshot_AStaleMarkMakesThePageComputeAfreshWithoutStoring(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tenant, ann := f.caseloadWorld()
	ran := f.clock()
	f.runDue(f.scheduler(schedule.Jobs()...))
	f.patient(tenant, ann)
	f.inTenant(tenant, "select caseload_changed($1)", []any{tenant}) // what caseload.MarkStale does in a change's transaction
	f.advance(10 * time.Second)
	if snap := f.dashboard(tenant); snap.Total.High != 2 || !snap.At.Equal(f.clock()) {
		t.Errorf("stale: page shows %d high risk as of %v, want 2 counted now", snap.Total.High, snap.At)
	}
	if got := f.storedAt(tenant); !got.Equal(ran) {
		t.Errorf("the page stored its counts (stored at %v)", got)
	}
	// Long after the last run (a stopped scheduler), the page counts too.
	f.advance(caseload.MaxSnapshotAge)
	f.runDue(f.scheduler(schedule.Jobs()...))
	f.patient(tenant, ann)
	f.advance(caseload.MaxSnapshotAge)
	if snap := f.dashboard(tenant); snap.Total.High != 3 || !snap.At.Equal(f.clock()) {
		t.Errorf("stored %v ago: page shows %d high risk as of %v, want 3 counted now", caseload.MaxSnapshotAge, snap.Total.High, snap.At)
	}
}

func TestCaseloadSnapshot_ReplicasComputeItOncePerTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.caseloadWorld()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.scheduler(schedule.Jobs()...).RunDue(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, id := range f.active {
		var runs int
		f.inTenant(id, "select runs from job_runs where tenant_id = $1 and job = 'caseload.snapshot'", []any{id}, &runs)
		if runs != 1 || !f.storedAt(id).Equal(f.clock()) {
			t.Errorf("tenant %s: computed %d times, stored at %v; want once, now", id, runs, f.storedAt(id))
		}
	}
}
