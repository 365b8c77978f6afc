package patients

import (
	"context"

	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Reassign gives to (a user id) the open patients among ids that are still
// assigned to from ("" for nobody), and writes summary on each moved
// patient's timeline. Only the assignment and the version change, under
// the row lock of one update: a chart edit that raced with it either
// committed first (and is kept, since nothing else is written) or finds
// the version moved and is refused with the person's input kept. A patient
// someone else moved meanwhile is left as they are. It returns the ids of
// the patients moved.
func Reassign(ctx context.Context, q db.DBTX, a tenants.Actor, ids []string, from, to, summary string) ([]string, error) {
	rows, _ := q.Query(ctx, `
		update patients set assigned_coordinator_id = $3::uuid, version = version + 1, updated_at = $5
		 where tenant_id = $1 and id = any($2::uuid[])
		   and assigned_coordinator_id is not distinct from nullif($4, '')::uuid
		   and status in ('referred', 'active', 'on_hold')
		returning id::text`, a.TenantID, ids, to, from, a.At)
	moved, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(moved) == 0 {
		return moved, err
	}
	_, err = q.Exec(ctx, `
		insert into patient_events (tenant_id, patient_id, actor_id, kind, summary)
		select $1, p, nullif($3, '')::uuid, 'assignment', $4 from unnest($2::uuid[]) as p`,
		a.TenantID, moved, a.UserID, summary)
	return moved, err
}
