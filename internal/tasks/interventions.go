package tasks

import (
	"context"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
)

// Intervention is what a care-plan intervention asks of a coordinator: the
// task that stands for it on their worklist.
type Intervention struct {
	InterventionID string
	PatientID      string
	AssigneeID     string
	Title          string
	Due            time.Time // a date: the task is due by its end
	// Open is false once the intervention (or its goal) is done or closed;
	// its task is then cancelled if still open.
	Open bool
}

// SyncInterventions brings the tasks of approved interventions in step
// with the plan: a new intervention gets a task, a changed one moves its
// open task (the approved plan is the authority on who does what by when),
// and a closed one cancels its open task. Finished tasks are never touched.
// A task is due by the end of its intervention's day on loc's clock.
func SyncInterventions(ctx context.Context, q db.DBTX, tenantID string, loc *time.Location, list []Intervention) error {
	for _, t := range list {
		if !t.Open {
			if err := CancelRaisedBy(ctx, q, tenantID, FromIntervention, []string{t.InterventionID}); err != nil {
				return err
			}
			continue
		}
		_, err := q.Exec(ctx, `
			insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, source, source_intervention_id)
			values ($1, $2, $3, $4, $5, 'intervention', $6)
			on conflict (tenant_id, source_intervention_id) where source = 'intervention'
			do update set title = excluded.title, due_at = excluded.due_at, assignee_id = excluded.assignee_id,
			              version = tasks.version + 1
			 where tasks.status = 'open'
			   and (tasks.title, tasks.due_at, tasks.assignee_id) is distinct from
			       (excluded.title, excluded.due_at, excluded.assignee_id)`,
			tenantID, t.PatientID, Title(t.Title), calendar.EndOfDate(t.Due, loc), t.AssigneeID, t.InterventionID)
		if err != nil {
			return err
		}
	}
	return nil
}
