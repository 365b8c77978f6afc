package patients

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the patient record's use cases. Each takes the acting
// tenants.Actor, runs in the tenant's transaction, and writes its change
// together with the patient's timeline line and the audit event, or
// nothing at all.
type Service struct {
	pool *pgxpool.Pool
	// onMerge runs in a merge's transaction for the survivor (OnMerge).
	onMerge []func(ctx context.Context, q db.DBTX, tenantID, patientID string) error
}

// NewService is the patient record's use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Patient is one patient of a's tenant, for a page about them.
func (s *Service) Patient(ctx context.Context, a tenants.Actor, patientID string) (Patient, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) (Patient, error) { return Get(ctx, tx, a.TenantID, patientID) })
}

// Assignable lists who patients of a's tenant can be assigned to: the
// active coordinators and supervisors, by name.
func (s *Service) Assignable(ctx context.Context, a tenants.Actor) ([]tenants.Person, error) {
	return inTenant(ctx, s, a, func(tx pgx.Tx) ([]tenants.Person, error) { return tenants.Coordinators(ctx, tx, a.TenantID) })
}

// inTenant runs fn in a's tenant transaction and returns what it made.
func inTenant[T any](ctx context.Context, s *Service, a tenants.Actor, fn func(tx pgx.Tx) (T, error)) (T, error) {
	var out T
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	return out, err
}

// change runs fn in a's tenant transaction, for a patient who must be
// there: a missing patient, or another tenant's, is db.ErrNotFound
// whatever fn would have done.
func (s *Service) change(ctx context.Context, a tenants.Actor, patientID string, fn func(tx pgx.Tx) error) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		if err := present(ctx, tx, a.TenantID, patientID); err != nil {
			return err
		}
		return fn(tx)
	})
}

// presentQuery finds the patient of the tenant: one row, or none.
func presentQuery(tenantID, patientID string) db.Query[bool] {
	return db.Query[bool]{SQL: "select true from patients where tenant_id = $1 and id = $2",
		Args: []any{tenantID, patientID}, Scan: pgx.RowTo[bool]}
}

// present is nil when the patient is the tenant's, else db.ErrNotFound.
func present(ctx context.Context, q db.DBTX, tenantID, patientID string) error {
	_, err := presentQuery(tenantID, patientID).One(ctx, q)
	return err
}

// record writes a change's line on the patient's timeline and its audit
// event, in q's transaction.
func record(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, kind, summary string, e audit.Event) error {
	if err := AddEvent(ctx, q, a.TenantID, patientID, a.UserID, kind, summary); err != nil {
		return err
	}
	e.PatientID = patientID
	return a.Audit(ctx, q, e)
}
