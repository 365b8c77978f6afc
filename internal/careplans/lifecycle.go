package careplans

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// SubmitProblems lists what must be fixed before the plan can go to a
// supervisor, in words for the coordinator; none means it may be submitted.
func SubmitProblems(p Plan) []string {
	var out []string
	if len(p.Needs) == 0 {
		out = append(out, "Add at least one need the plan addresses.")
	}
	for _, n := range p.Needs {
		if len(n.Goals) == 0 {
			out = append(out, "Add a goal for “"+n.Label()+"”, or take the need off the plan.")
		}
		for _, g := range n.Goals {
			if len(g.Interventions) == 0 && !g.closed() {
				out = append(out, "Add at least one intervention for the goal “"+g.PatientWords+"”.")
			}
		}
	}
	if p.ReviewDue == nil {
		out = append(out, "Set a review date in the plan's details.")
	}
	return out
}

func (g Goal) closed() bool {
	return g.Status == GoalAchieved || g.Status == GoalNotAchieved || g.Status == GoalCancelled
}

// submit sends the working copy to a supervisor for approval, if it has
// everything a supervisor needs to see (ErrIncomplete otherwise). It
// returns the plan as submitted.
func submit(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int) (Plan, error) {
	p, err := Load(ctx, q, ref)
	if err != nil {
		return p, err
	}
	if p.Editable() && len(SubmitProblems(p)) > 0 {
		return p, ErrIncomplete
	}
	if _, err := begin(ctx, q, ref, a, version, Editing); err != nil {
		return p, err
	}
	_, err = q.Exec(ctx, `
		update care_plans set stage = 'submitted', submitted_by = $3, submitted_at = $4, returned_comment = ''
		 where tenant_id = $1 and id = $2`, ref.TenantID, ref.PlanID, a.UserID, a.At)
	if err != nil {
		return p, err
	}
	return p, record(ctx, q, ref, a, revision{kind: "submitted", summary: "Submitted for approval"})
}

// returnForChanges sends a submitted plan back for editing with the
// supervisor's comment, which the coordinator sees on the plan until it is
// resubmitted.
func returnForChanges(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, f ReasonForm) error {
	if _, err := begin(ctx, q, ref, a, f.Version, Submitted); err != nil {
		return wrongState(err)
	}
	_, err := q.Exec(ctx, `update care_plans set stage = 'editing', returned_comment = $3 where tenant_id = $1 and id = $2`,
		ref.TenantID, ref.PlanID, f.Text)
	if err != nil {
		return err
	}
	return record(ctx, q, ref, a, revision{kind: "returned", summary: "Returned for changes", comment: f.Text})
}

// DueIntervention is an intervention of an approved plan that a
// coordinator must carry out by a date: it belongs on their worklist.
type DueIntervention struct {
	ID         string
	Action     string
	AssigneeID string
	DueDate    time.Time
	Open       bool
	GoalWords  string
	PatientID  string
}

// approve puts the submitted working copy in force: the plan becomes
// active, every item in it is marked in force, and its needs are being
// addressed. It returns the plan's coordinator interventions with due
// dates, open or not, whose tasks must follow the plan.
func approve(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int) ([]DueIntervention, error) {
	p, err := begin(ctx, q, ref, a, version, Submitted)
	if err != nil {
		return nil, wrongState(err)
	}
	if p.SubmittedByID == a.UserID {
		return nil, ErrOwnSubmission
	}
	_, err = q.Exec(ctx, `
		update care_plans set status = 'active', stage = 'approved', approved_by = $3, approved_at = $4, returned_comment = ''
		 where tenant_id = $1 and id = $2`, ref.TenantID, ref.PlanID, a.UserID, a.At)
	if err != nil {
		return nil, err
	}
	for _, table := range []string{"care_plan_needs", "goals", "interventions"} {
		if _, err := q.Exec(ctx, `update `+table+` set in_force = true where tenant_id = $1 and plan_id = $2 and not in_force`,
			ref.TenantID, ref.PlanID); err != nil {
			return nil, err
		}
	}
	if err := record(ctx, q, ref, a, revision{kind: "approved", summary: "Approved"}); err != nil {
		return nil, err
	}
	return coordinatorInterventions(ctx, q, ref)
}

// coordinatorInterventions lists the plan's interventions that fall to a
// coordinator by a due date.
func coordinatorInterventions(ctx context.Context, q db.DBTX, ref Ref) ([]DueIntervention, error) {
	rows, _ := q.Query(ctx, `
		select i.id, i.action, i.responsible_user_id as assignee_id, i.due_date,
		       i.status in ('planned', 'in_progress') and g.status in ('proposed', 'in_progress') as open,
		       g.patient_words as goal_words, $3::text as patient_id
		  from interventions i
		  join goals g on g.tenant_id = i.tenant_id and g.id = i.goal_id
		 where i.tenant_id = $1 and i.plan_id = $2 and i.responsible_kind = 'coordinator' and i.due_date is not null
		 order by i.due_date, i.id`, ref.TenantID, ref.PlanID, ref.PatientID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[DueIntervention])
}

// revise starts a revision of an active plan: the working copy becomes
// editable again while the approved version stays in force.
func revise(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, version int) error {
	p, err := begin(ctx, q, ref, a, version, Approved)
	if err != nil {
		return wrongState(err)
	}
	if p.Status != PlanActive {
		return ErrWrongState
	}
	if _, err := q.Exec(ctx, `update care_plans set stage = 'editing' where tenant_id = $1 and id = $2`, ref.TenantID, ref.PlanID); err != nil {
		return err
	}
	return record(ctx, q, ref, a, revision{kind: "revision_started", summary: "Started a revision"})
}

// closePlan ends the plan: completed (only an active plan, whose goals
// were worked through) or cancelled (any open plan). Unfinished goals and
// interventions are closed with it. It returns the ids of interventions
// whose open tasks must be cancelled.
func closePlan(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, completed bool, f ReasonForm) ([]string, error) {
	p, err := begin(ctx, q, ref, a, f.Version, Editing, Submitted, Approved)
	if err != nil {
		return nil, wrongState(err)
	}
	status, kind, summary := PlanCancelled, "cancelled", "Cancelled the plan"
	if completed {
		if p.Status != PlanActive {
			return nil, ErrWrongState
		}
		status, kind, summary = PlanCompleted, "completed", "Completed the plan"
	}
	_, err = q.Exec(ctx, `update care_plans set status = $3, closed_reason = $4 where tenant_id = $1 and id = $2`,
		ref.TenantID, ref.PlanID, status, f.Text)
	if err != nil {
		return nil, err
	}
	rows, _ := q.Query(ctx, `
		update interventions set status = 'cancelled'
		 where tenant_id = $1 and plan_id = $2 and status in ('planned', 'in_progress')
		returning id`, ref.TenantID, ref.PlanID)
	closed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	_, err = q.Exec(ctx, `update goals set status = 'cancelled'
		where tenant_id = $1 and plan_id = $2 and status in ('proposed', 'in_progress')`, ref.TenantID, ref.PlanID)
	if err != nil {
		return nil, err
	}
	return closed, record(ctx, q, ref, a, revision{kind: kind, summary: summary, comment: f.Text})
}

// wrongState turns "not editable" into "that step doesn't apply", the
// clearer message for a lifecycle step.
func wrongState(err error) error {
	if errors.Is(err, ErrNotEditable) {
		return ErrWrongState
	}
	return err
}
