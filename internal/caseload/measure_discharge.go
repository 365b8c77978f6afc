package caseload

import (
	"context"

	"carecoord/internal/db"
)

// dischargeFollowUp is the measure "discharges followed up within 7 days",
// computed from the transitions dated in the period. It reads no summary
// table: it is kept apart from the other measures so that its definition
// can change on its own.
func dischargeFollowUp(ctx context.Context, q db.DBTX, tenantID string, p Period, m *Measure) error {
	var n, of int
	err := q.QueryRow(ctx, `
		select count(*) filter (where followed), count(*)
		  from (
		    select t.occurred_on, exists (
		               select 1 from contacts c
		                where c.tenant_id = t.tenant_id and c.patient_id = t.patient_id and c.party = 'patient'
		                  and c.outcome in ('reached', 'declined')
		                  and c.occurred_at >= t.occurred_on and c.occurred_at < t.occurred_on + 8) as followed
		      from care_transitions t
		     where t.tenant_id = $1 and t.kind = 'discharge' and t.occurred_on >= $2 and t.occurred_on <= $3) d
		 where followed or d.occurred_on + 8 <= current_date`, tenantID, p.From, p.To).Scan(&n, &of)
	m.share(n, of)
	return err
}
