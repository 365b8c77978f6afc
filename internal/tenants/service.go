package tenants

import (
	"context"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the use cases of running organisations and their people:
// the platform admin's tenants, the tenant admin's users, roles,
// invitations, settings and audit log, and the invitee accepting. Each
// takes the acting Actor (a platform admin acts in the tenant they change:
// Actor.TenantID is that tenant), runs in the tenant's transaction and
// records its audit event there, or changes nothing.
type Service struct {
	pool     *pgxpool.Pool
	patients Patients
}

// Patients is what the administrators' pages learn about patients: an id
// and a count, never a record. internal/patients builds on this package,
// so the server hands its functions in.
type Patients struct {
	// IDByExternalID finds the tenant's patient with an MRN or member id
	// (db.ErrNotFound when none has it).
	IDByExternalID func(ctx context.Context, q db.DBTX, tenantID, externalID string) (string, error)
	// CaseloadCount counts the patients a member coordinates who are not
	// discharged: the ones to reassign when they leave.
	CaseloadCount func(ctx context.Context, q db.DBTX, tenantID, userID string) (int, error)
}

// NewService is the organisations' use cases over pool.
func NewService(pool *pgxpool.Pool, p Patients) *Service {
	return &Service{pool: pool, patients: p}
}
