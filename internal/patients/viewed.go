package patients

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Viewed records that a looked at page, a page of the patient's record
// (its path: ids, never names), as one patient.viewed event per visit:
// every page under a patient's address is audited here, before it is
// shown, whatever else its own read records. A missing patient, or
// another tenant's, is db.ErrNotFound and nothing is recorded.
func (s *Service) Viewed(ctx context.Context, a tenants.Actor, patientID, page string) error {
	return s.change(ctx, a, patientID, func(tx pgx.Tx) error {
		return a.AuditView(ctx, tx, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: patientID,
			PatientID: patientID, Detail: map[string]any{"page": page}})
	})
}

// Present is nil when the patient is one of a's tenant, and
// db.ErrNotFound otherwise (missing, or another tenant's).
func (s *Service) Present(ctx context.Context, a tenants.Actor, patientID string) error {
	return s.change(ctx, a, patientID, func(pgx.Tx) error { return nil })
}
