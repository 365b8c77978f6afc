package contacts

import (
	"context"

	"carecoord/internal/db"
)

// RecountReachAll sets the reach state of every patient of the tenant
// from their contacts with the patient themselves, by the rule of
// recountReach (the last successful contact, the unsuccessful attempts
// since, the last attempt), for all of them at once: for loaders that add
// contacts in bulk. Each patient's contacts are read once, through the
// patient's index (a separate max() could walk the tenant's successful
// contacts newest first to find the patient's), whatever the planner
// guesses of a tenant it has no statistics for yet, so the cost grows with
// the contacts: about 7 s for 100,000 patients. It returns how many
// patients it set.
func RecountReachAll(ctx context.Context, q db.DBTX, tenantID string) (int, error) {
	tag, err := q.Exec(ctx, `
		update patients p
		   set (last_reached_at, unreached_attempts, last_attempt_at) = (
		       select max(c.last_ok), count(*) filter (where c.miss and (c.last_ok is null or c.occurred_at > c.last_ok)),
		              max(c.occurred_at) filter (where c.miss)
		         from (select occurred_at, outcome in ('left_message', 'no_answer', 'wrong_number') as miss,
		                      max(occurred_at) filter (where outcome in ('reached', 'declined')) over () as last_ok
		                 from contacts
		                where tenant_id = p.tenant_id and patient_id = p.id and party = 'patient') c)
		 where p.tenant_id = $1`, tenantID)
	return int(tag.RowsAffected()), err
}
