package patients

import (
	"context"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// AddCoverage records an insurance coverage. A new primary coverage takes
// the place of the old primary one.
func AddCoverage(ctx context.Context, q db.DBTX, tenantID, patientID string, c Coverage) (string, error) {
	if c.Primary {
		if _, err := q.Exec(ctx, "update coverages set is_primary = false where tenant_id = $1 and patient_id = $2 and is_primary", tenantID, patientID); err != nil {
			return "", err
		}
	}
	var id string
	err := q.QueryRow(ctx, `
		insert into coverages (tenant_id, patient_id, payer, plan_name, member_id, group_number, effective_from, effective_to, is_primary)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
		tenantID, patientID, c.Payer, c.PlanName, c.MemberID, c.GroupNumber, c.EffectiveFrom, c.EffectiveTo, c.Primary).Scan(&id)
	return id, err
}

// Coverages lists the patient's coverage, primary first.
func Coverages(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Coverage, error) {
	rows, _ := q.Query(ctx, `
		select id, payer, plan_name, member_id, group_number, effective_from, effective_to, is_primary
		  from coverages
		 where tenant_id = $1 and patient_id = $2
		 order by is_primary desc, effective_from desc nulls last, id`, tenantID, patientID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Coverage])
}
