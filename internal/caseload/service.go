package caseload

import (
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the supervisor's caseload: the reads behind the dashboard,
// the patient lists, the measures and their exports, and moving patients
// between coordinators. Each takes the acting tenants.Actor and runs in
// the tenant's transaction, with its audit event where it has one.
type Service struct {
	pool *pgxpool.Pool
	// trends keeps each tenant's month-by-month measures (see Measures).
	trends *Snapshots[[]TrendMonth]
	// periods keeps the measures of the periods asked for (see Measures).
	periods *Snapshots[[]Measure]
	// computing coalesces concurrent computations of a tenant's dashboard.
	computing singleflight.Group
}

// NewService is the caseload's use cases over pool.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, trends: NewSnapshots[[]TrendMonth](10*time.Minute, time.Hour),
		periods: NewSnapshots[[]Measure](10*time.Minute, time.Hour)}
}
