package patients

import (
	"context"

	"carecoord/internal/db"
)

// What the tenant admin's pages may know about patients: identifiers and
// counts, never a name or anything else about a person.

// IDByExternalID returns the id of the patient with the MRN or member id,
// for the audit log's patient filter.
func IDByExternalID(ctx context.Context, q db.DBTX, tenantID, externalID string) (string, error) {
	var id string
	err := q.QueryRow(ctx, "select id from patients where tenant_id = $1 and external_id = $2", tenantID, externalID).Scan(&id)
	return id, db.NotFound(err)
}

// CaseloadCount counts the patients assigned to the user who are not
// discharged: the ones to reassign when the user leaves.
func CaseloadCount(ctx context.Context, q db.DBTX, tenantID, userID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `
		select count(*) from patients
		 where tenant_id = $1 and assigned_coordinator_id = $2 and status <> 'discharged'`, tenantID, userID).Scan(&n)
	return n, err
}
