package patients

import (
	"context"
	"errors"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Viewed records that a looked at page, a page of the patient's record
// (its path: ids, never names), as one patient.viewed event per visit:
// every page under a patient's address is audited here, before it is
// shown, whatever else its own read records. The address of a record
// merged into another answers the survivor's id as mergedInto, and nothing
// is recorded (the page is not shown). A missing patient, or another
// tenant's, is db.ErrNotFound and nothing is recorded.
func (s *Service) Viewed(ctx context.Context, a tenants.Actor, patientID, page string) (mergedInto string, err error) {
	// One round trip for both: a missing patient fails the batch at the
	// first statement, and the transaction, the event with it, is undone.
	err = db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		var found bool
		b := &pgx.Batch{}
		presentQuery(a.TenantID, patientID).QueueOne(b, &found)
		a.QueueAuditView(b, audit.Event{Action: "patient.viewed", EntityType: "patient", EntityID: patientID,
			PatientID: patientID, Detail: map[string]any{"page": page}})
		return db.Send(ctx, tx, b)
	})
	if !errors.Is(err, db.ErrNotFound) {
		return "", err
	}
	// Not there: the address may be of a record merged into another.
	return inTenant(ctx, s, a, func(tx pgx.Tx) (string, error) { return survivorOf(ctx, tx, a.TenantID, patientID) })
}

// Present is nil when the patient is one of a's tenant, a failed
// precondition when the record was merged into another (nothing can be
// changed on it), and db.ErrNotFound otherwise (missing, or another
// tenant's).
func (s *Service) Present(ctx context.Context, a tenants.Actor, patientID string) error {
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		err := present(ctx, tx, a.TenantID, patientID)
		if errors.Is(err, db.ErrNotFound) {
			if _, merged := survivorOf(ctx, tx, a.TenantID, patientID); merged == nil {
				return ErrMergedAway
			}
		}
		return err
	})
}

// ErrMergedAway: a change sent to the address of a record that was merged
// into another.
var ErrMergedAway = fail.Precondition("This record was merged into another one, so nothing was saved here. Open the patient again from the list and make the change on their record.")
