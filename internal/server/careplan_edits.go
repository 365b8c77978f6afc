package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Editing a plan's working copy. Every change names the plan version the
// person saw; a stale one shows the plan as it is now with their input
// kept in the form, so two editors never overwrite each other.

const conflictProblem = "Someone else saved a change to this plan while you were working on it. " +
	"Their change is shown below and what you typed is kept in the form: check it, then save again."

// planEdit runs change in the tenant transaction with its audit event and
// answers the way every plan form does. change returns errChartRedisplay
// after putting its messages into *open; open is also what a conflict
// shows again.
func (s *Server) planEdit(w http.ResponseWriter, r *http.Request, p planReq, open *web.PlanForm, a audited, flash, anchor string,
	change func(tx pgx.Tx) error) error {
	err := s.inTenant(r, func(tx pgx.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		a.patientID = p.patientID
		if a.entityType == "" {
			a.entityType, a.entityID = "care_plan", p.ref.PlanID
		}
		return s.audit(r, tx, a)
	})
	switch {
	case errors.Is(err, errChartRedisplay):
		return s.renderPlan(w, r, p, *open, http.StatusUnprocessableEntity, "")
	case errors.Is(err, db.ErrConflict):
		return s.renderPlan(w, r, p, *open, http.StatusConflict, conflictProblem)
	case errors.Is(err, careplans.ErrNotEditable):
		s.flash(r, "This plan can't be changed now: it was submitted for approval or closed meanwhile. Nothing was saved.")
		return redirect(w, r, p.href)
	case errors.Is(err, careplans.ErrInForce):
		s.flash(r, "That is part of the plan's record (approved, or with progress notes), so it can't be removed. Change its status instead.")
		return redirect(w, r, p.href+anchor)
	case errors.Is(err, careplans.ErrWrongState):
		s.flash(r, "That step doesn't apply to the plan as it is now; it was changed meanwhile. Nothing was saved.")
		return redirect(w, r, p.href)
	case errors.Is(err, careplans.ErrOwnSubmission):
		s.flash(r, "You submitted this plan, so another supervisor must approve it.")
		return redirect(w, r, p.href)
	case err != nil:
		return err
	}
	// Submitting, approving or returning changes the dashboard's count of
	// plans awaiting approval.
	s.dashboards.Forget(p.tenantID)
	s.flash(r, flash)
	if r.PostForm.Get("return_to") == "approvals" {
		return redirect(w, r, tenantPath(r, "/approvals"))
	}
	return redirect(w, r, p.href+anchor)
}

// renderPlan shows the plan page with a form open, as the person left it.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, p planReq, open web.PlanForm, status int, problem string) error {
	var v web.CarePlanView
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		v, _, err = s.planView(r, tx, p)
		return err
	})
	if err != nil {
		return err
	}
	if open.Errors == nil {
		open.Errors = web.FieldErrors{}
	}
	v.Open, v.Problem = open, orText(problem, open.Problem)
	if v.Problem == "" && len(open.Errors) > 0 {
		v.Problem = "Nothing was saved. Check the form marked below."
	}
	return render(w, r, status, web.CarePlanPage(v))
}

func (s *Server) updatePlanDetails(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	f := careplans.ParseDetails(r.PostForm)
	open := detailsOpen(p, f)
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.details_changed"}, "Plan details saved.", "", func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		if !f.Validate(today(), plan) {
			open = detailsOpen(p, f)
			return errChartRedisplay
		}
		return careplans.UpdateDetails(r.Context(), tx, p.ref, p.actorID, f)
	})
}

func (s *Server) addPlanNeed(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	f := careplans.ParseNeed(r.PostForm)
	if !f.ByHand() && !validUUID(f.NeedID) {
		return errNotFound
	}
	valid := f.Validate()
	open := web.PlanForm{Kind: "need", Action: p.href + "/needs", Errors: web.FieldErrors(f.Errors),
		Values: map[string]string{"need_id": f.NeedID, "domain": f.Domain, "description": f.Description, "priority": f.Priority}}
	return s.planEdit(w, r, p, &open, audited{action: "care_plan.need_added"}, "Need added to the plan.", "#add-need", func(tx pgx.Tx) error {
		if !valid {
			return errChartRedisplay
		}
		return careplans.AddNeed(r.Context(), tx, p.ref, p.actorID, f)
	})
}

// planItemRequest reads a plan request with one item id from the URL.
func planItemRequest(r *http.Request, param string) (planReq, string, error) {
	p, err := postedPlanRequest(r)
	if err != nil {
		return p, "", err
	}
	id, err := uuidParam(r, param)
	return p, id, err
}

func (s *Server) removePlanNeed(w http.ResponseWriter, r *http.Request) error {
	p, id, err := planItemRequest(r, "itemID")
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	a := audited{action: "care_plan.need_removed", detail: map[string]any{"plan_need": id}}
	return s.planEdit(w, r, p, &open, a, "Need taken off the plan.", "", func(tx pgx.Tx) error {
		return careplans.RemoveNeed(r.Context(), tx, p.ref, p.actorID, id, forms.Version(r.PostForm.Get("version")))
	})
}

func (s *Server) movePlanItem(w http.ResponseWriter, r *http.Request) error {
	p, err := postedPlanRequest(r)
	if err != nil {
		return err
	}
	kind, id, dir := r.PostForm.Get("kind"), r.PostForm.Get("id"), r.PostForm.Get("direction")
	if !validUUID(id) || (dir != "up" && dir != "down") {
		return errNotFound
	}
	open := web.PlanForm{}
	a := audited{action: "care_plan.reordered", detail: map[string]any{"kind": kind, "item": id, "direction": dir}}
	return s.planEdit(w, r, p, &open, a, "Moved.", "#"+kind+"-"+id, func(tx pgx.Tx) error {
		return careplans.Move(r.Context(), tx, p.ref, p.actorID, kind, strings.ToLower(id), dir == "up", forms.Version(r.PostForm.Get("version")))
	})
}

func (s *Server) addPlanGoal(w http.ResponseWriter, r *http.Request) error {
	p, needID, err := planItemRequest(r, "itemID")
	if err != nil {
		return err
	}
	f := careplans.ParseGoal(r.PostForm)
	starters, texts := startersOf(r)
	open := goalOpen(p, needID, false, f, texts)
	keepStarters(&open, r)
	a := audited{action: "care_plan.goal_added", detail: map[string]any{"plan_need": needID}}
	return s.planEdit(w, r, p, &open, a, "Goal added.", "#need-"+needID, func(tx pgx.Tx) error {
		if !f.Validate(today(), careplans.Goal{}) || !startersValid(starters, &f) {
			open = goalOpen(p, needID, false, f, texts)
			keepStarters(&open, r)
			return errChartRedisplay
		}
		target, _ := parseDate(f.TargetDate)
		forms := careplans.StarterInterventions(starters, p.actorID, target, today())
		for i := range forms {
			forms[i].Version = f.Version
		}
		_, err := careplans.AddGoal(r.Context(), tx, p.ref, p.actorID, needID, f, forms)
		return err
	})
}

// maxStarters bounds the suggested interventions a goal form carries.
const maxStarters = 10

// startersOf reads the suggested interventions offered with a goal (texts)
// and the ones the coordinator kept ticked (chosen).
func startersOf(r *http.Request) (chosen, texts []string) {
	for i := range maxStarters {
		n := strconv.Itoa(i)
		text := strings.TrimSpace(r.PostForm.Get("starter_text_" + n))
		if text == "" {
			break
		}
		texts = append(texts, text)
		if r.PostForm.Get("starter_"+n) == "yes" {
			chosen = append(chosen, text)
		}
	}
	return chosen, texts
}

func keepStarters(open *web.PlanForm, r *http.Request) {
	for i := range open.Starters {
		n := strconv.Itoa(i)
		if r.PostForm.Get("starter_"+n) == "yes" {
			open.Values["starter_"+n] = "yes"
		}
	}
}

// startersValid checks the kept suggestions' length; they came from the
// page, but a post can carry anything.
func startersValid(starters []string, f *careplans.GoalForm) bool {
	for _, s := range starters {
		if len([]rune(s)) > 500 {
			f.Errors["patient_words"] = "A suggested intervention is too long: at most 500 characters."
			return false
		}
	}
	return true
}

func (s *Server) updatePlanGoal(w http.ResponseWriter, r *http.Request) error {
	p, goalID, err := planItemRequest(r, "goalID")
	if err != nil {
		return err
	}
	f := careplans.ParseGoal(r.PostForm)
	open := goalOpen(p, goalID, true, f, nil)
	a := audited{action: "care_plan.goal_changed", entityType: "goal", entityID: goalID}
	return s.planEdit(w, r, p, &open, a, "Goal saved.", "#goal-"+goalID, func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		stored, ok := findGoal(plan, goalID)
		if !ok {
			return db.ErrNotFound
		}
		if !f.Validate(today(), stored) {
			open = goalOpen(p, goalID, true, f, nil)
			return errChartRedisplay
		}
		return careplans.UpdateGoal(r.Context(), tx, p.ref, p.actorID, goalID, f)
	})
}

func (s *Server) removePlanGoal(w http.ResponseWriter, r *http.Request) error {
	p, goalID, err := planItemRequest(r, "goalID")
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	a := audited{action: "care_plan.goal_removed", entityType: "goal", entityID: goalID}
	return s.planEdit(w, r, p, &open, a, "Goal removed.", "", func(tx pgx.Tx) error {
		return careplans.RemoveGoal(r.Context(), tx, p.ref, p.actorID, goalID, forms.Version(r.PostForm.Get("version")))
	})
}

func (s *Server) addPlanIntervention(w http.ResponseWriter, r *http.Request) error {
	p, goalID, err := planItemRequest(r, "goalID")
	if err != nil {
		return err
	}
	f := careplans.ParseIntervention(r.PostForm)
	open := interventionOpen(p, goalID, false, f)
	a := audited{action: "care_plan.intervention_added", detail: map[string]any{"goal": goalID}}
	return s.planEdit(w, r, p, &open, a, "Intervention added.", "#goal-"+goalID, func(tx pgx.Tx) error {
		choices, err := s.planChoices(r, tx, p)
		if err != nil {
			return err
		}
		if !f.Validate(today(), careplans.Intervention{}, idsOf(choices.Responsible)) {
			open = interventionOpen(p, goalID, false, f)
			return errChartRedisplay
		}
		return careplans.AddIntervention(r.Context(), tx, p.ref, p.actorID, goalID, f)
	})
}

func (s *Server) updatePlanIntervention(w http.ResponseWriter, r *http.Request) error {
	p, id, err := planItemRequest(r, "interventionID")
	if err != nil {
		return err
	}
	f := careplans.ParseIntervention(r.PostForm)
	open := interventionOpen(p, id, true, f)
	a := audited{action: "care_plan.intervention_changed", entityType: "intervention", entityID: id}
	return s.planEdit(w, r, p, &open, a, "Intervention saved.", "#intervention-"+id, func(tx pgx.Tx) error {
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		stored, ok := findIntervention(plan, id)
		if !ok {
			return db.ErrNotFound
		}
		choices, err := s.planChoices(r, tx, p)
		if err != nil {
			return err
		}
		if !f.Validate(today(), stored, idsOf(choices.Responsible)) {
			open = interventionOpen(p, id, true, f)
			return errChartRedisplay
		}
		return careplans.UpdateIntervention(r.Context(), tx, p.ref, p.actorID, id, f)
	})
}

func (s *Server) removePlanIntervention(w http.ResponseWriter, r *http.Request) error {
	p, id, err := planItemRequest(r, "interventionID")
	if err != nil {
		return err
	}
	open := web.PlanForm{}
	a := audited{action: "care_plan.intervention_removed", entityType: "intervention", entityID: id}
	return s.planEdit(w, r, p, &open, a, "Intervention removed.", "", func(tx pgx.Tx) error {
		return careplans.RemoveIntervention(r.Context(), tx, p.ref, p.actorID, id, forms.Version(r.PostForm.Get("version")))
	})
}

// addGoalNote records a progress note on a goal. Notes are not edits of
// the plan: they may be added in any state of an open plan and need no
// version.
func (s *Server) addGoalNote(w http.ResponseWriter, r *http.Request) error {
	p, goalID, err := planItemRequest(r, "goalID")
	if err != nil {
		return err
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	open := web.PlanForm{Kind: "note", Target: goalID, Action: p.href + "/goals/" + goalID + "/notes",
		Values: map[string]string{"note": note}, Errors: web.FieldErrors{}}
	a := audited{action: "goal.progress_noted", entityType: "goal", entityID: goalID}
	return s.planEdit(w, r, p, &open, a, "Progress note added.", "#goal-"+goalID, func(tx pgx.Tx) error {
		if msg := careplans.ValidateNote(note); msg != "" {
			open.Errors["note"] = msg
			return errChartRedisplay
		}
		plan, err := careplans.Load(r.Context(), tx, p.ref)
		if err != nil {
			return err
		}
		g, ok := findGoal(plan, goalID)
		if !ok {
			return db.ErrNotFound
		}
		if _, err := careplans.AddProgressNote(r.Context(), tx, p.tenantID, p.patientID, goalID, p.actorID, note); err != nil {
			return err
		}
		return patientEvent(r, tx, p.chartReq, "goal", "Progress on “"+g.PatientWords+"”: "+note)
	})
}

// setGoalStatus records how a goal is going, on a plan not being edited.
func (s *Server) setGoalStatus(w http.ResponseWriter, r *http.Request) error {
	p, goalID, err := planItemRequest(r, "goalID")
	if err != nil {
		return err
	}
	status := careplans.GoalStatus(r.PostForm.Get("status"))
	open := web.PlanForm{}
	a := audited{action: "goal.status_changed", entityType: "goal", entityID: goalID, detail: map[string]any{"status": string(status)}}
	return s.planEdit(w, r, p, &open, a, "Goal status updated.", "#goal-"+goalID, func(tx pgx.Tx) error {
		return careplans.SetGoalStatus(r.Context(), tx, p.ref, p.actorID, goalID, status, forms.Version(r.PostForm.Get("version")))
	})
}

// setInterventionStatus records how an intervention is going.
func (s *Server) setInterventionStatus(w http.ResponseWriter, r *http.Request) error {
	p, id, err := planItemRequest(r, "interventionID")
	if err != nil {
		return err
	}
	status := careplans.InterventionStatus(r.PostForm.Get("status"))
	open := web.PlanForm{}
	a := audited{action: "intervention.status_changed", entityType: "intervention", entityID: id, detail: map[string]any{"status": string(status)}}
	return s.planEdit(w, r, p, &open, a, "Intervention status updated.", "#intervention-"+id, func(tx pgx.Tx) error {
		return careplans.SetInterventionStatus(r.Context(), tx, p.ref, p.actorID, id, status, forms.Version(r.PostForm.Get("version")))
	})
}
