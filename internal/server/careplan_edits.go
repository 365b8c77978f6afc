package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Editing a plan's working copy. Every change names the plan version the
// person saw; a stale one shows the plan as it is now with their input
// kept in the form, so two editors never overwrite each other.

// planSaved answers a plan change: on success the plan (or the approval
// queue it was made from) with flash; on failure see planFailed, with open
// the form as the person left it.
func (s *Server) planSaved(w http.ResponseWriter, r *http.Request, p planReq, err error, open web.PlanForm, flash, anchor string) error {
	if err != nil {
		return s.planFailed(w, r, err, p.href, func(e *fail.Error) (templ.Component, error) { return s.planAgain(r, p, open, e) })
	}
	if r.PostForm.Get("return_to") == "approvals" {
		return s.redirectWith(w, r, tenantPath(r, "/approvals"), flash)
	}
	return s.redirectWith(w, r, p.href+anchor, flash)
}

// planFailed answers a plan form that failed: a step that no longer
// applies is said in a flash on the page at to; what was typed, or what
// changed meanwhile, shows the form again.
func (s *Server) planFailed(w http.ResponseWriter, r *http.Request, err error, to string, page func(e *fail.Error) (templ.Component, error)) error {
	if fail.KindOf(err) == fail.KindPrecondition {
		return s.flashFailure(w, r, err, to)
	}
	return s.showAgain(w, r, err, page)
}

// planAgain is the plan page with a form open as the person left it, and
// what went wrong.
func (s *Server) planAgain(r *http.Request, p planReq, open web.PlanForm, e *fail.Error) (templ.Component, error) {
	page, err := s.plans.PlanAgain(r.Context(), s.actor(r), p.patientID, p.planID)
	if err != nil {
		return nil, err
	}
	v, err := s.planView(r, p, page)
	if open.Errors = web.FieldErrors(e.Fields); open.Errors == nil {
		open.Errors = web.FieldErrors{}
	}
	v.Open, v.Problem = open, e.Message
	return web.CarePlanPage(v), err
}

// postedVersion is the plan version a one-click form was read at.
func postedVersion(r *http.Request) int { return forms.Version(r.PostForm.Get("version")) }

// itemStep is a one-click change to the plan's item named by the URL
// parameter param, such as taking it off the plan.
type itemStep func(ctx context.Context, a tenants.Actor, patientID, planID, itemID string, version int) error

func (s *Server) planItemStep(w http.ResponseWriter, r *http.Request, param string, step itemStep, flash string) error {
	p, id := planOf(r), urlID(r, param)
	err := step(r.Context(), s.actor(r), p.patientID, p.planID, id, postedVersion(r))
	return s.planSaved(w, r, p, err, web.PlanForm{}, flash, "")
}

func (s *Server) removePlanNeed(w http.ResponseWriter, r *http.Request) error {
	return s.planItemStep(w, r, "itemID", s.plans.RemoveNeed, "Need taken off the plan.")
}

func (s *Server) removePlanGoal(w http.ResponseWriter, r *http.Request) error {
	return s.planItemStep(w, r, "goalID", s.plans.RemoveGoal, "Goal removed.")
}

func (s *Server) removePlanIntervention(w http.ResponseWriter, r *http.Request) error {
	return s.planItemStep(w, r, "interventionID", s.plans.RemoveIntervention, "Intervention removed.")
}

func (s *Server) updatePlanDetails(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	f := careplans.ParseDetails(r.PostForm)
	err := s.plans.UpdateDetails(r.Context(), s.actor(r), p.patientID, p.planID, f)
	return s.planSaved(w, r, p, err, detailsOpen(p, f), "Plan details saved.", "")
}

func (s *Server) addPlanNeed(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	f := careplans.ParseNeed(r.PostForm)
	err := s.plans.AddNeed(r.Context(), s.actor(r), p.patientID, p.planID, f)
	open := web.PlanForm{Kind: "need", Action: p.href + "/needs",
		Values: map[string]string{"need_id": f.NeedID, "domain": f.Domain, "description": f.Description, "priority": f.Priority}}
	return s.planSaved(w, r, p, err, open, "Need added to the plan.", "#add-need")
}

func (s *Server) movePlanItem(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	m := careplans.ParseMove(r.PostForm)
	err := s.plans.Move(r.Context(), s.actor(r), p.patientID, p.planID, m)
	return s.planSaved(w, r, p, err, web.PlanForm{}, "Moved.", "#"+m.Kind+"-"+m.ID)
}

func (s *Server) addPlanGoal(w http.ResponseWriter, r *http.Request) error {
	p, needID := planOf(r), urlID(r, "itemID")
	f := careplans.ParseGoal(r.PostForm)
	chosen, offered := careplans.ParseStarters(r.PostForm)
	_, err := s.plans.AddGoal(r.Context(), s.actor(r), p.patientID, p.planID, needID, f, chosen)
	open := goalOpen(p, needID, false, f, offered)
	for i := range offered {
		if n := strconv.Itoa(i); r.PostForm.Get("starter_"+n) == "yes" {
			open.Values["starter_"+n] = "yes"
		}
	}
	return s.planSaved(w, r, p, err, open, "Goal added.", "#need-"+needID)
}

func (s *Server) updatePlanGoal(w http.ResponseWriter, r *http.Request) error {
	p, goalID := planOf(r), urlID(r, "goalID")
	f := careplans.ParseGoal(r.PostForm)
	err := s.plans.UpdateGoal(r.Context(), s.actor(r), p.patientID, p.planID, goalID, f)
	return s.planSaved(w, r, p, err, goalOpen(p, goalID, true, f, nil), "Goal saved.", "#goal-"+goalID)
}

func (s *Server) addPlanIntervention(w http.ResponseWriter, r *http.Request) error {
	p, goalID := planOf(r), urlID(r, "goalID")
	f := careplans.ParseIntervention(r.PostForm)
	err := s.plans.AddIntervention(r.Context(), s.actor(r), p.patientID, p.planID, goalID, f)
	return s.planSaved(w, r, p, err, interventionOpen(p, goalID, false, f), "Intervention added.", "#goal-"+goalID)
}

func (s *Server) updatePlanIntervention(w http.ResponseWriter, r *http.Request) error {
	p, id := planOf(r), urlID(r, "interventionID")
	f := careplans.ParseIntervention(r.PostForm)
	err := s.plans.UpdateIntervention(r.Context(), s.actor(r), p.patientID, p.planID, id, f)
	return s.planSaved(w, r, p, err, interventionOpen(p, id, true, f), "Intervention saved.", "#intervention-"+id)
}

// addGoalNote records a progress note on a goal, in any state of an open
// plan.
func (s *Server) addGoalNote(w http.ResponseWriter, r *http.Request) error {
	p, goalID := planOf(r), urlID(r, "goalID")
	note := strings.TrimSpace(r.PostForm.Get("note"))
	err := s.plans.NoteProgress(r.Context(), s.actor(r), p.patientID, p.planID, goalID, note)
	open := web.PlanForm{Kind: "note", Target: goalID, Action: p.href + "/goals/" + goalID + "/notes", Values: map[string]string{"note": note}}
	return s.planSaved(w, r, p, err, open, "Progress note added.", "#goal-"+goalID)
}

// setGoalStatus records how a goal is going, on a plan not being edited.
func (s *Server) setGoalStatus(w http.ResponseWriter, r *http.Request) error {
	p, goalID := planOf(r), urlID(r, "goalID")
	status := careplans.GoalStatus(r.PostForm.Get("status"))
	err := s.plans.SetGoalStatus(r.Context(), s.actor(r), p.patientID, p.planID, goalID, status, postedVersion(r))
	return s.planSaved(w, r, p, err, web.PlanForm{}, "Goal status updated.", "#goal-"+goalID)
}

// setInterventionStatus records how an intervention is going.
func (s *Server) setInterventionStatus(w http.ResponseWriter, r *http.Request) error {
	p, id := planOf(r), urlID(r, "interventionID")
	status := careplans.InterventionStatus(r.PostForm.Get("status"))
	err := s.plans.SetInterventionStatus(r.Context(), s.actor(r), p.patientID, p.planID, id, status, postedVersion(r))
	return s.planSaved(w, r, p, err, web.PlanForm{}, "Intervention status updated.", "#intervention-"+id)
}
