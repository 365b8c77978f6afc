package careplans

import (
	"context"

	"carecoord/internal/db"
	"carecoord/internal/tenants"
)

// updateDetails stores the plan's title, review date, participants and
// agreement from a validated form.
func updateDetails(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, f DetailsForm) error {
	return edit(ctx, q, ref, a, f.Version, "Changed the plan's details", func() error {
		_, err := q.Exec(ctx, `
			update care_plans set title = $3, review_due = $4::date, participants = $5, patient_agreed = $6
			 where tenant_id = $1 and id = $2`,
			ref.TenantID, ref.PlanID, f.Title, nullDate(f.ReviewDue), f.Participants, f.PatientAgreed)
		return err
	})
}

// addNeed adds one of the patient's open needs, or a new need described by
// hand, to the plan.
func addNeed(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, f NeedForm) error {
	return edit(ctx, q, ref, a, f.Version, "Added a need", func() error {
		needID := f.NeedID
		if f.ByHand() {
			err := q.QueryRow(ctx, `
				insert into needs (tenant_id, patient_id, domain, description, priority, created_by)
				values ($1, $2, $3, $4, $5, $6) returning id`,
				ref.TenantID, ref.PatientID, f.Domain, f.Description, f.Priority, a.UserID).Scan(&needID)
			if err != nil {
				return err
			}
		}
		return linkNeed(ctx, q, ref, needID, a.At)
	})
}

// removeNeed takes a need that was never part of an approved version off
// the plan, with its goals and interventions. The need itself stays on
// the patient's chart, no longer being addressed.
func removeNeed(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, planNeedID string, version int) error {
	return edit(ctx, q, ref, a, version, "Removed a need", func() error {
		var needID string
		var inForce bool
		err := q.QueryRow(ctx, `select need_id, in_force from care_plan_needs where tenant_id = $1 and plan_id = $2 and id = $3`,
			ref.TenantID, ref.PlanID, planNeedID).Scan(&needID, &inForce)
		if err != nil {
			return db.NotFound(err)
		}
		if inForce {
			return ErrInForce
		}
		_, err = q.Exec(ctx, `
			with gone_goals as (select id from goals where tenant_id = $1 and plan_need_id = $2),
			     gone_interventions as (
			         delete from interventions where tenant_id = $1 and goal_id in (select id from gone_goals))
			delete from goals where tenant_id = $1 and plan_need_id = $2`, ref.TenantID, planNeedID)
		if err != nil {
			return err
		}
		if _, err = q.Exec(ctx, `delete from care_plan_needs where tenant_id = $1 and id = $2`, ref.TenantID, planNeedID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, `update needs set status = 'identified', updated_at = $3, version = version + 1
			where tenant_id = $1 and id = $2 and status = 'addressing'`, ref.TenantID, needID, a.At)
		return err
	})
}

// addGoal adds a validated goal at the end of a need of the plan, with
// any starter interventions, as one saved change.
func addGoal(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, planNeedID string, f GoalForm, starters []InterventionForm) (string, error) {
	var id string
	err := edit(ctx, q, ref, a, f.Version, "Added the goal “"+f.PatientWords+"”", func() error {
		err := q.QueryRow(ctx, `
			insert into goals (tenant_id, plan_id, plan_need_id, position, patient_words, target, target_date, priority, status)
			select pn.tenant_id, pn.plan_id, pn.id,
			       coalesce((select max(position) + 1 from goals where tenant_id = $1 and plan_need_id = $3), 0),
			       $4, $5, $6::date, $7, $8
			  from care_plan_needs pn
			 where pn.tenant_id = $1 and pn.plan_id = $2 and pn.id = $3
			returning id`,
			ref.TenantID, ref.PlanID, planNeedID, f.PatientWords, f.Target, f.TargetDate, f.Priority, f.Status).Scan(&id)
		if err != nil {
			return db.NotFound(err)
		}
		for _, s := range starters {
			if err := insertIntervention(ctx, q, ref, id, s); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// updateGoal stores a validated goal form over the goal.
func updateGoal(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, goalID string, f GoalForm) error {
	return edit(ctx, q, ref, a, f.Version, "Changed the goal “"+f.PatientWords+"”", func() error {
		tag, err := q.Exec(ctx, `
			update goals set patient_words = $4, target = $5, target_date = $6::date, priority = $7, status = $8
			 where tenant_id = $1 and plan_id = $2 and id = $3`,
			ref.TenantID, ref.PlanID, goalID, f.PatientWords, f.Target, f.TargetDate, f.Priority, f.Status)
		return exactlyOne(err, tag.RowsAffected())
	})
}

// removeGoal removes a goal that was never part of an approved version,
// with its interventions.
func removeGoal(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, goalID string, version int) error {
	return edit(ctx, q, ref, a, version, "Removed a goal", func() error {
		if err := notInForce(ctx, q, ref, "goals", goalID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `delete from interventions where tenant_id = $1 and goal_id = $2`, ref.TenantID, goalID); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `delete from goals where tenant_id = $1 and id = $2`, ref.TenantID, goalID)
		return err
	})
}

// addIntervention adds a validated intervention at the end of a goal.
func addIntervention(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, goalID string, f InterventionForm) error {
	return edit(ctx, q, ref, a, f.Version, "Added the intervention “"+f.Action+"”", func() error {
		return insertIntervention(ctx, q, ref, goalID, f)
	})
}

func insertIntervention(ctx context.Context, q db.DBTX, ref Ref, goalID string, f InterventionForm) error {
	kind, who := f.responsible()
	tag, err := q.Exec(ctx, `
		insert into interventions (tenant_id, plan_id, goal_id, position, action, responsible_kind,
			responsible_user_id, responsible_member_id, due_date, status)
		select g.tenant_id, g.plan_id, g.id,
		       coalesce((select max(position) + 1 from interventions where tenant_id = $1 and goal_id = $3), 0),
		       $4, $5, $6::uuid, $7::uuid, $8::date, $9
		  from goals g
		 where g.tenant_id = $1 and g.plan_id = $2 and g.id = $3`,
		ref.TenantID, ref.PlanID, goalID, f.Action, kind, userOf(kind, who), memberOf(kind, who),
		nullDate(f.DueDate), f.Status)
	return exactlyOne(err, tag.RowsAffected())
}

// updateIntervention stores a validated intervention form over it.
func updateIntervention(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, interventionID string, f InterventionForm) error {
	kind, who := f.responsible()
	return edit(ctx, q, ref, a, f.Version, "Changed the intervention “"+f.Action+"”", func() error {
		tag, err := q.Exec(ctx, `
			update interventions set action = $4, responsible_kind = $5, responsible_user_id = $6::uuid,
			       responsible_member_id = $7::uuid, due_date = $8::date, status = $9
			 where tenant_id = $1 and plan_id = $2 and id = $3`,
			ref.TenantID, ref.PlanID, interventionID, f.Action, kind, userOf(kind, who), memberOf(kind, who),
			nullDate(f.DueDate), f.Status)
		return exactlyOne(err, tag.RowsAffected())
	})
}

// removeIntervention removes an intervention that was never part of an
// approved version.
func removeIntervention(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, interventionID string, version int) error {
	return edit(ctx, q, ref, a, version, "Removed an intervention", func() error {
		if err := notInForce(ctx, q, ref, "interventions", interventionID); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `delete from interventions where tenant_id = $1 and id = $2`, ref.TenantID, interventionID)
		return err
	})
}

// move swaps an item with its neighbour among its siblings, up or down.
// Moving the first item up (or the last down) changes nothing but is no
// error.
func move(ctx context.Context, q db.DBTX, ref Ref, a tenants.Actor, m MoveForm) error {
	table, parent, ok := movable(m.Kind)
	if !ok {
		return db.ErrNotFound
	}
	return edit(ctx, q, ref, a, m.Version, "Reordered the plan", func() error {
		cmp, order := ">", "asc"
		if m.Up() {
			cmp, order = "<", "desc"
		}
		// The item and its nearest sibling in the direction of the move
		// trade positions.
		tag, err := q.Exec(ctx, `
			with me as (
			    select id, position, `+parent+` as parent from `+table+`
			     where tenant_id = $1 and plan_id = $2 and id = $3),
			 other as (
			    select t.id, t.position from `+table+` t, me
			     where t.tenant_id = $1 and t.`+parent+` = me.parent and t.position `+cmp+` me.position
			     order by t.position `+order+` limit 1)
			update `+table+` t
			   set position = case when t.id = me.id then other.position else me.position end
			  from me, other
			 where t.tenant_id = $1 and t.id in (me.id, other.id)`, ref.TenantID, ref.PlanID, m.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return exists(ctx, q, ref, table, m.ID)
		}
		return nil
	})
}

// movable maps an item kind to its table and the column holding its parent.
func movable(kind string) (table, parent string, ok bool) {
	switch kind {
	case "need":
		return "care_plan_needs", "plan_id", true
	case "goal":
		return "goals", "plan_need_id", true
	case "intervention":
		return "interventions", "goal_id", true
	}
	return "", "", false
}

func exists(ctx context.Context, q db.DBTX, ref Ref, table, id string) error {
	var found bool
	err := q.QueryRow(ctx, `select exists (select 1 from `+table+` where tenant_id = $1 and plan_id = $2 and id = $3)`,
		ref.TenantID, ref.PlanID, id).Scan(&found)
	if err == nil && !found {
		return db.ErrNotFound
	}
	return err
}

func notInForce(ctx context.Context, q db.DBTX, ref Ref, table, id string) error {
	var inForce bool
	err := q.QueryRow(ctx, `select in_force from `+table+` where tenant_id = $1 and plan_id = $2 and id = $3`,
		ref.TenantID, ref.PlanID, id).Scan(&inForce)
	if err != nil {
		return db.NotFound(err)
	}
	if inForce {
		return ErrInForce
	}
	if table != "goals" {
		return nil
	}
	// Progress notes are part of the record: a goal with notes is closed
	// by status, like one that was in force.
	var noted bool
	err = q.QueryRow(ctx, `select exists (select 1 from goal_progress_notes where tenant_id = $1 and goal_id = $2)`,
		ref.TenantID, id).Scan(&noted)
	if err == nil && noted {
		return ErrInForce
	}
	return err
}

func userOf(kind ResponsibleKind, id string) *string {
	if kind == ByCoordinator {
		return &id
	}
	return nil
}

func memberOf(kind ResponsibleKind, id string) *string {
	if kind == ByCareTeam {
		return &id
	}
	return nil
}

// nullDate is a form date for SQL: "" is NULL.
func nullDate(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
