package careplans

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/tenants"
)

// How goals and interventions are going is progress, not a change of what
// the plan says: it may be recorded at any time on an open plan, without a
// revision to approve. Each update is still a revision in the history, and
// the plan in force shows the statuses as they are now (see InForce).

// SetGoalStatus records how a goal is going, as actorID in q's
// transaction, under the plan's version check: for a workflow of another
// domain that reaches a goal (a referral that met it). The moment is the
// database's clock reading for the transaction.
func SetGoalStatus(ctx context.Context, q db.DBTX, ref Ref, actorID, goalID string, status GoalStatus, version int) error {
	a := tenants.Actor{TenantID: ref.TenantID, UserID: actorID}
	if err := q.QueryRow(ctx, `select now()`).Scan(&a.At); err != nil {
		return err
	}
	return setGoalStatus(ctx, q, ref, a, goalID, status, version)
}

// setGoalStatus records how a goal is going.
func setGoalStatus(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, goalID string, status GoalStatus, version int) error {
	if !GoalStatuses.Has(status) {
		return ErrWrongState
	}
	return progress(ctx, q, ref, a, version, func() (string, error) {
		var words string
		err := q.QueryRow(ctx, `update goals set status = $4 where tenant_id = $1 and plan_id = $2 and id = $3
			returning patient_words`, ref.TenantID, ref.PlanID, goalID, status).Scan(&words)
		return "Goal “" + words + "” is now " + status.Label(), db.NotFound(err)
	})
}

// setInterventionStatus records how an intervention is going.
func setInterventionStatus(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, interventionID string, status InterventionStatus, version int) error {
	if !InterventionStatuses.Has(status) {
		return ErrWrongState
	}
	return progress(ctx, q, ref, a, version, func() (string, error) {
		var action string
		err := q.QueryRow(ctx, `update interventions set status = $4 where tenant_id = $1 and plan_id = $2 and id = $3
			returning action`, ref.TenantID, ref.PlanID, interventionID, status).Scan(&action)
		return "Intervention “" + action + "” is now " + status.Label(), db.NotFound(err)
	})
}

// progress applies a status change to an open plan in any stage, under the
// same version check as an edit, and records it.
func progress(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int, change func() (string, error)) error {
	if _, err := begin(ctx, q, ref, a, version, Editing, Submitted, Approved); err != nil {
		return err
	}
	summary, err := change()
	if err != nil {
		return err
	}
	return record(ctx, q, ref, a, revision{kind: "edited", summary: summary})
}

// InterventionTaskDone marks the intervention behind a completed task as
// done, unless it was closed already, and records that in the plan's
// history as done by CareCoord. It is how finishing a task on the worklist
// shows on the plan; the caller writes the task's own audit event.
func InterventionTaskDone(ctx context.Context, q db.DBTX, tenantID, interventionID string) error {
	var ref Ref
	var now time.Time
	err := q.QueryRow(ctx, `
		select c.tenant_id, c.patient_id, c.id, now()
		  from interventions i
		  join care_plans c on c.tenant_id = i.tenant_id and c.id = i.plan_id
		 where i.tenant_id = $1 and i.id = $2 and i.status in ('planned', 'in_progress') and c.status in ('draft', 'active')`,
		tenantID, interventionID).Scan(&ref.TenantID, &ref.PatientID, &ref.PlanID, &now)
	if err != nil {
		return ignoreNotFound(db.NotFound(err))
	}
	p, err := loadHeaderForUpdate(ctx, q, ref)
	if err != nil {
		return err
	}
	// No person acts and no moment is given: the database's clock reading
	// for this transaction stands for it.
	system := tenants.Actor{TenantID: tenantID, At: now}
	return progress(ctx, q, ref, system, p.Version, func() (string, error) {
		var action string
		err := q.QueryRow(ctx, `update interventions set status = 'done' where tenant_id = $1 and id = $2 returning action`,
			tenantID, interventionID).Scan(&action)
		return "Intervention “" + action + "” done: its task was completed", err
	})
}

// ignoreNotFound treats "nothing to do" as success.
func ignoreNotFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	return err
}

// InForce is the plan in force: what the approved snapshot says, with the
// goals' and interventions' statuses as they are now in live.
func InForce(approved Snapshot, live Plan) Snapshot {
	goals := map[string]GoalStatus{}
	interventions := map[string]InterventionStatus{}
	for _, n := range live.Needs {
		for _, g := range n.Goals {
			goals[g.ID] = g.Status
			for _, i := range g.Interventions {
				interventions[i.ID] = i.Status
			}
		}
	}
	out := approved
	out.Needs = make([]SnapshotNeed, len(approved.Needs))
	for ni, n := range approved.Needs {
		n.Goals = append([]SnapshotGoal(nil), n.Goals...)
		for gi, g := range n.Goals {
			if s, ok := goals[g.ID]; ok {
				g.Status = s
			}
			g.Interventions = append([]SnapshotIntervention(nil), g.Interventions...)
			for ii, i := range g.Interventions {
				if s, ok := interventions[i.ID]; ok {
					g.Interventions[ii].Status = s
				}
			}
			n.Goals[gi] = g
		}
		out.Needs[ni] = n
	}
	return out
}

// ResolveNeed marks one of the patient's needs as resolved, for example when
// a referral met it. A need already resolved or declined is left alone.
func ResolveNeed(ctx context.Context, q db.DBTX, tenantID, patientID, needID string) error {
	tag, err := q.Exec(ctx, `
		update needs set status = 'resolved', updated_at = now(), version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and status in ('identified', 'addressing')`,
		tenantID, patientID, needID)
	return exactlyOne(err, tag.RowsAffected())
}
