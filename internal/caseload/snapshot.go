package caseload

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Snapshot is what the supervisor's dashboard shows, as of At.
type Snapshot struct {
	Rows  []Row
	Total Row
	// Weeks are the team's successful contacts in each of the last twelve
	// weeks.
	Weeks []WeekCount
	// At is the moment the counts were taken.
	At time.Time
}

// Counting the flags of a large organisation reads every open patient (a
// few hundred milliseconds at 100,000), while supervisors open the
// dashboard often. So the scheduler computes each tenant's dashboard every
// minute (RefreshSnapshot) and stores it in caseload_snapshots, and the
// page reads it: every replica shows the same counts, and no page writes.
// A change a supervisor makes that moves the counts (MarkStale) makes the
// page compute its own, unstored, until the next run.

// MaxSnapshotAge is how old a stored dashboard may be and still be shown:
// older means the scheduler has stopped or fallen behind, and the page
// computes its own rather than show counts that old.
const MaxSnapshotAge = 5 * time.Minute

// RefreshSnapshot computes the tenant's dashboard and stores it: the
// scheduler's job caseload.snapshot. The changes already made are read
// before counting, so a change that commits while the job counts leaves
// the stored dashboard stale rather than marked current.
func RefreshSnapshot(ctx context.Context, q db.DBTX, a tenants.Actor) error {
	var seen int64
	err := q.QueryRow(ctx, `
		select coalesce((select changes from caseload_snapshots where tenant_id = $1), 0)`, a.TenantID).Scan(&seen)
	if err != nil {
		return err
	}
	snap, err := computeSnapshot(ctx, q, a)
	if err != nil {
		return err
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		insert into caseload_snapshots (tenant_id, computed_at, dashboard, seen) values ($1, $2, $3, $4)
		on conflict (tenant_id) do update set computed_at = excluded.computed_at, dashboard = excluded.dashboard, seen = excluded.seen`,
		a.TenantID, snap.At, data, seen)
	return err
}

// MarkStale records, in the transaction of a change a supervisor makes,
// that the stored dashboard no longer shows it. (A plan's stage is marked
// by the database itself: see migrations/00013_caseload_snapshots.sql.)
func MarkStale(ctx context.Context, q db.DBTX, tenantID string) error {
	_, err := q.Exec(ctx, `select caseload_changed($1)`, tenantID)
	return err
}

// Dashboard is the tenant's dashboard as the scheduler last stored it or,
// when there is none yet, it is stale or too old, as computed now; a page
// only reads, so what is computed here is not stored. Supervisors who
// arrive together at a dashboard that must be computed (the first look of
// the morning, just after a reassignment) share one computation.
func (s *Service) Dashboard(ctx context.Context, a tenants.Actor) (Snapshot, error) {
	var snap Snapshot
	var ok bool
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		snap, ok, err = storedDashboard(ctx, tx, a)
		return err
	})
	if err != nil || ok {
		return snap, err
	}
	v, err, _ := s.computing.Do(a.TenantID, func() (any, error) {
		var snap Snapshot
		// Every waiting supervisor is served by this computation, so the
		// first one leaving must not cancel it.
		ctx := context.WithoutCancel(ctx)
		err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
			snap, err = computeSnapshot(ctx, tx, a)
			return err
		})
		return snap, err
	})
	if err != nil {
		return Snapshot{}, err
	}
	return v.(Snapshot), nil
}

// ExportDashboard is the dashboard as a table for a spreadsheet, its
// download recorded in the audit log.
func (s *Service) ExportDashboard(ctx context.Context, a tenants.Actor) ([][]string, error) {
	var records [][]string
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		snap, err := dashboard(ctx, tx, a)
		if err != nil {
			return err
		}
		records = dashboardRecords(snap)
		return a.Audit(ctx, tx, audit.Event{Action: "caseload.exported", EntityType: "tenant", EntityID: a.TenantID})
	})
	return records, err
}

func dashboard(ctx context.Context, q db.DBTX, a tenants.Actor) (Snapshot, error) {
	snap, ok, err := storedDashboard(ctx, q, a)
	if err != nil || ok {
		return snap, err
	}
	return computeSnapshot(ctx, q, a)
}

// storedDashboard is the dashboard the scheduler stored, ok false when
// there is none, it is stale or too old.
func storedDashboard(ctx context.Context, q db.DBTX, a tenants.Actor) (snap Snapshot, ok bool, err error) {
	var data []byte
	var stale bool
	err = q.QueryRow(ctx, `
		select dashboard, changes > seen from caseload_snapshots where tenant_id = $1 and dashboard is not null`,
		a.TenantID).Scan(&data, &stale)
	if errors.Is(err, pgx.ErrNoRows) {
		return snap, false, nil
	}
	if err != nil {
		return snap, false, err
	}
	// A dashboard stored by an older version that no longer decodes is
	// as good as none: the next run replaces it.
	ok = !stale && json.Unmarshal(data, &snap) == nil && a.At.Sub(snap.At) < MaxSnapshotAge
	return snap, ok, nil
}

// computeSnapshot counts the dashboard at a.At by the tenant's rules. It
// counts the tasks as they are: raising those time has made due is the
// scheduler's job (referrals.raise_due, run before this one), so the
// dashboard and the lists behind it read the same tasks.
func computeSnapshot(ctx context.Context, q db.DBTX, a tenants.Actor) (Snapshot, error) {
	snap := Snapshot{At: a.At}
	var err error
	rules, err := rulesOf(ctx, q, a)
	if err != nil {
		return snap, err
	}
	snap.Rows, snap.Total, err = Dashboard(ctx, q, a.TenantID, rules)
	if err != nil {
		return snap, err
	}
	snap.Weeks, err = SuccessfulContactsByWeek(ctx, q, a.TenantID, a.Today(), 12)
	return snap, err
}
