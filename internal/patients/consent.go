package patients

import (
	"context"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// AddConsent records a consent the patient gave.
func AddConsent(ctx context.Context, q db.DBTX, tenantID, patientID string, c Consent) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into consents (tenant_id, patient_id, kind, given_on, given_by, expires_on)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		tenantID, patientID, c.Kind, c.GivenOn, c.GivenBy, c.ExpiresOn).Scan(&id)
	return id, err
}

// Consents lists the patient's consents, newest first within each kind.
func Consents(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Consent, error) {
	rows, _ := q.Query(ctx, `
		select id, kind, given_on, given_by, expires_on, revoked_on
		  from consents
		 where tenant_id = $1 and patient_id = $2
		 order by kind, given_on desc, id`, tenantID, patientID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Consent])
}
