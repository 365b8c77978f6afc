package careplans

import (
	"context"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Editing a plan's working copy. Every change names the plan version the
// person saw (ErrPlanChanged when someone saved since) and is kept as a
// revision; forms that need another look are fail.Invalid with a message
// beside each field.

// UpdateDetails saves the plan's title, review date, participants and the
// patient's agreement.
func (s *Service) UpdateDetails(ctx context.Context, a tenants.Actor, patientID, planID string, f DetailsForm) error {
	ref := refOf(a, patientID, planID)
	return s.change(ctx, a, ref, audit.Event{Action: "care_plan.details_changed"}, func(tx pgx.Tx) error {
		p, err := Load(ctx, tx, ref)
		if err != nil {
			return err
		}
		if !f.Validate(a.Today(), p) {
			return invalid(f.Errors)
		}
		return updateDetails(ctx, tx, ref, a, f)
	})
}

// AddNeed puts one of the patient's open needs, or a new need described
// by hand, on the plan.
func (s *Service) AddNeed(ctx context.Context, a tenants.Actor, patientID, planID string, f NeedForm) error {
	if !f.ByHand() && !db.ValidUUID(f.NeedID) {
		return db.ErrNotFound
	}
	if !f.Validate() {
		return invalid(f.Errors)
	}
	ref := refOf(a, patientID, planID)
	return s.change(ctx, a, ref, audit.Event{Action: "care_plan.need_added"}, func(tx pgx.Tx) error {
		return addNeed(ctx, tx, ref, a, f)
	})
}

// RemoveNeed takes a need that was never in force off the plan, with its
// goals and interventions (ErrInForce otherwise).
func (s *Service) RemoveNeed(ctx context.Context, a tenants.Actor, patientID, planID, planNeedID string, version int) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.need_removed", Detail: map[string]any{"plan_need": planNeedID}}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		return removeNeed(ctx, tx, ref, a, planNeedID, version)
	})
}

// Move moves a need, goal or intervention a place up or down among its
// siblings.
func (s *Service) Move(ctx context.Context, a tenants.Actor, patientID, planID string, m MoveForm) error {
	if !m.valid() {
		return db.ErrNotFound
	}
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.reordered", Detail: map[string]any{"kind": m.Kind, "item": m.ID, "direction": m.Direction}}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error { return move(ctx, tx, ref, a, m) })
}

// AddGoal adds a goal under a need of the plan, with the suggested
// interventions the coordinator kept (starters): they fall to the
// coordinator adding the goal, due a week before its target date. It
// returns the goal's id.
func (s *Service) AddGoal(ctx context.Context, a tenants.Actor, patientID, planID, planNeedID string, f GoalForm, starters []string) (string, error) {
	if !f.Validate(a.Today(), Goal{}) || !f.startersValid(starters) {
		return "", invalid(f.Errors)
	}
	target, _ := calendar.ParseDate(f.TargetDate)
	interventions := starterInterventions(starters, a.UserID, target, a.Today())
	ref := refOf(a, patientID, planID)
	var id string
	e := audit.Event{Action: "care_plan.goal_added", Detail: map[string]any{"plan_need": planNeedID}}
	err := s.change(ctx, a, ref, e, func(tx pgx.Tx) (err error) {
		id, err = addGoal(ctx, tx, ref, a, planNeedID, f, interventions)
		return err
	})
	return id, err
}

// UpdateGoal saves a goal of the working copy.
func (s *Service) UpdateGoal(ctx context.Context, a tenants.Actor, patientID, planID, goalID string, f GoalForm) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.goal_changed", EntityType: "goal", EntityID: goalID}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		p, err := Load(ctx, tx, ref)
		if err != nil {
			return err
		}
		stored, ok := p.Goal(goalID)
		if !ok {
			return db.ErrNotFound
		}
		if !f.Validate(a.Today(), stored) {
			return invalid(f.Errors)
		}
		return updateGoal(ctx, tx, ref, a, goalID, f)
	})
}

// RemoveGoal removes a goal that was never in force and has no progress
// notes, with its interventions (ErrInForce otherwise).
func (s *Service) RemoveGoal(ctx context.Context, a tenants.Actor, patientID, planID, goalID string, version int) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.goal_removed", EntityType: "goal", EntityID: goalID}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error { return removeGoal(ctx, tx, ref, a, goalID, version) })
}

// AddIntervention adds an intervention to a goal of the plan.
func (s *Service) AddIntervention(ctx context.Context, a tenants.Actor, patientID, planID, goalID string, f InterventionForm) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.intervention_added", Detail: map[string]any{"goal": goalID}}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		if err := validIntervention(ctx, tx, a, ref, &f, Intervention{}); err != nil {
			return err
		}
		return addIntervention(ctx, tx, ref, a, goalID, f)
	})
}

// UpdateIntervention saves an intervention of the working copy.
func (s *Service) UpdateIntervention(ctx context.Context, a tenants.Actor, patientID, planID, interventionID string, f InterventionForm) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.intervention_changed", EntityType: "intervention", EntityID: interventionID}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		p, err := Load(ctx, tx, ref)
		if err != nil {
			return err
		}
		stored, ok := p.Intervention(interventionID)
		if !ok {
			return db.ErrNotFound
		}
		if err := validIntervention(ctx, tx, a, ref, &f, stored); err != nil {
			return err
		}
		return updateIntervention(ctx, tx, ref, a, interventionID, f)
	})
}

// validIntervention checks f against what is stored and who may be
// responsible for the patient's interventions now.
func validIntervention(ctx context.Context, q db.DBTX, a tenants.Actor, ref Ref, f *InterventionForm, stored Intervention) error {
	who, err := Responsibles(ctx, q, ref.TenantID, ref.PatientID)
	if err != nil {
		return err
	}
	offered := make(map[string]bool, len(who))
	for _, c := range who {
		offered[c.Value] = true
	}
	if !f.Validate(a.Today(), stored, offered) {
		return invalid(f.Errors)
	}
	return nil
}

// RemoveIntervention removes an intervention that was never in force
// (ErrInForce otherwise).
func (s *Service) RemoveIntervention(ctx context.Context, a tenants.Actor, patientID, planID, interventionID string, version int) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "care_plan.intervention_removed", EntityType: "intervention", EntityID: interventionID}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		return removeIntervention(ctx, tx, ref, a, interventionID, version)
	})
}

// NoteProgress records how a goal of an open plan is going, on the goal
// and on the patient's timeline. A note is not an edit of the plan: it may
// be added in any state of an open plan and needs no version.
func (s *Service) NoteProgress(ctx context.Context, a tenants.Actor, patientID, planID, goalID, note string) error {
	note = strings.TrimSpace(note)
	if msg := ValidateNote(note); msg != "" {
		return invalid(Errors{"note": msg})
	}
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "goal.progress_noted", EntityType: "goal", EntityID: goalID}
	return s.step(ctx, a, ref, "goal", e, func(tx pgx.Tx) (string, error) {
		p, err := Load(ctx, tx, ref)
		if err != nil {
			return "", err
		}
		g, ok := p.Goal(goalID)
		if !ok {
			return "", db.ErrNotFound
		}
		_, err = AddProgressNote(ctx, tx, a.TenantID, patientID, goalID, a.UserID, note)
		return "Progress on “" + g.PatientWords + "”: " + note, err
	})
}

// SetGoalStatus records how a goal is going. Progress is no change of what
// the plan says: it needs no revision to approve.
func (s *Service) SetGoalStatus(ctx context.Context, a tenants.Actor, patientID, planID, goalID string, status GoalStatus, version int) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "goal.status_changed", EntityType: "goal", EntityID: goalID, Detail: map[string]any{"status": string(status)}}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		return setGoalStatus(ctx, tx, ref, a, goalID, status, version)
	})
}

// SetInterventionStatus records how an intervention is going, like
// SetGoalStatus.
func (s *Service) SetInterventionStatus(ctx context.Context, a tenants.Actor, patientID, planID, interventionID string, status InterventionStatus, version int) error {
	ref := refOf(a, patientID, planID)
	e := audit.Event{Action: "intervention.status_changed", EntityType: "intervention", EntityID: interventionID,
		Detail: map[string]any{"status": string(status)}}
	return s.change(ctx, a, ref, e, func(tx pgx.Tx) error {
		return setInterventionStatus(ctx, tx, ref, a, interventionID, status, version)
	})
}

// Responsibles are who may carry out an intervention of the patient's
// plan, as its form offers them: the tenant's coordinators, the patient's
// care team, the patient and their caregiver. Values are encoded as
// InterventionForm.Responsible reads them.
func Responsibles(ctx context.Context, q db.DBTX, tenantID, patientID string) (forms.Choices[string], error) {
	coordinators, err := tenants.Coordinators(ctx, q, tenantID)
	if err != nil {
		return nil, err
	}
	team, err := patients.CareTeam(ctx, q, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	var out forms.Choices[string]
	for _, c := range coordinators {
		out = append(out, forms.Choice[string]{Value: string(ByCoordinator) + ":" + c.ID, Label: c.Name + " (" + c.Role.Label() + ")"})
	}
	for _, m := range team {
		var parts []string
		for _, p := range []string{m.Name, patients.CareTeamKinds.Label(m.Kind), m.Organisation} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		out = append(out, forms.Choice[string]{Value: string(ByCareTeam) + ":" + m.ID, Label: strings.Join(parts, ", ") + " (care team)"})
	}
	return append(out, forms.Choice[string]{Value: string(ByPatient), Label: "The patient"},
		forms.Choice[string]{Value: string(ByCaregiver), Label: "The patient's caregiver"}), nil
}
