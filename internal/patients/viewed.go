package patients

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Viewed records that a looked at page, a page of the patient's record
// (its path: ids, never names), as one patient.viewed event per visit:
// every page under a patient's address is audited here, before it is
// shown, whatever else its own read records. A missing patient, or
// another tenant's, is db.ErrNotFound and nothing is recorded.
func (s *Service) Viewed(ctx context.Context, a tenants.Actor, patientID, page string) error {
	// One round trip for both: a missing patient fails the batch at the
	// first statement (and the event's key to it would fail the second).
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		var found bool
		b := &pgx.Batch{}
		presentQuery(a.TenantID, patientID).QueueOne(b, &found)
		a.QueueAuditView(b, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: patientID,
			PatientID: patientID, Detail: map[string]any{"page": page}})
		return db.Send(ctx, tx, b)
	})
}

// Present is nil when the patient is one of a's tenant, and
// db.ErrNotFound otherwise (missing, or another tenant's).
func (s *Service) Present(ctx context.Context, a tenants.Actor, patientID string) error {
	return s.change(ctx, a, patientID, func(pgx.Tx) error { return nil })
}
