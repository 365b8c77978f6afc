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
	// computing coalesces concurrent computations of a tenant's dashboard.
	computing singleflight.Group
}

// NewService is the caseload's use cases over pool.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, trends: NewSnapshots[[]TrendMonth](10*time.Minute, time.Hour)}
}
