package contacts

import (
	"context"
	"time"

	"carecoord/internal/db"
)

// InterventionTask is what a care-plan intervention asks of a coordinator:
// the task that stands for it on their worklist.
type InterventionTask struct {
	InterventionID string
	PatientID      string
	AssigneeID     string
	Title          string
	Due            time.Time // a date: the task is due by its end
	// Open is false once the intervention (or its goal) is done or closed;
	// its task is then cancelled if still open.
	Open bool
}

// SyncInterventionTasks brings the tasks of approved interventions in step
// with the plan: a new intervention gets a task, a changed one moves its
// open task (the approved plan is the authority on who does what by when),
// and a closed one cancels its open task. Finished tasks are never touched.
func SyncInterventionTasks(ctx context.Context, q db.DBTX, tenantID string, tasks []InterventionTask) error {
	for _, t := range tasks {
		if !t.Open {
			if err := CancelInterventionTasks(ctx, q, tenantID, []string{t.InterventionID}); err != nil {
				return err
			}
			continue
		}
		y, m, d := t.Due.Date()
		_, err := q.Exec(ctx, `
			insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, source, source_intervention_id)
			values ($1, $2, $3, $4, $5, 'intervention', $6)
			on conflict (tenant_id, source_intervention_id) where source = 'intervention'
			do update set title = excluded.title, due_at = excluded.due_at, assignee_id = excluded.assignee_id,
			              version = tasks.version + 1
			 where tasks.status = 'open'
			   and (tasks.title, tasks.due_at, tasks.assignee_id) is distinct from
			       (excluded.title, excluded.due_at, excluded.assignee_id)`,
			tenantID, t.PatientID, t.Title, EndOfDay(time.Date(y, m, d, 0, 0, 0, 0, time.Local)), t.AssigneeID,
			t.InterventionID)
		if err != nil {
			return err
		}
	}
	return nil
}

// CancelInterventionTasks cancels the open tasks of the given
// interventions, for a plan that was closed.
func CancelInterventionTasks(ctx context.Context, q db.DBTX, tenantID string, interventionIDs []string) error {
	_, err := q.Exec(ctx, `
		update tasks set status = 'cancelled', version = version + 1
		 where tenant_id = $1 and source = 'intervention' and source_intervention_id = any($2) and status = 'open'`,
		tenantID, interventionIDs)
	return err
}
