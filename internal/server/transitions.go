package server

import (
	"net/http"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Transitions of care (issue 7): an admission, discharge, emergency visit
// or move to a care facility goes on the chart and the timeline; a
// discharge opens a follow-up task due within 7 days, which the next
// successful contact with the patient meets.

func (s *Server) transitionView(sv web.ChartSubformView, f contacts.TransitionForm) web.TransitionFormView {
	return web.TransitionFormView{ChartSubformView: sv, Form: f, Kinds: web.OptionsOf(contacts.TransitionKinds)}
}

func (s *Server) newTransitionForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	sv, err := s.subformPage(r, c, "Record a transition of care", c.base+"/transitions", "Record transition", nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.TransitionFormPage(s.transitionView(sv, contacts.TransitionForm{})))
}

func (s *Server) recordTransition(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	f := contacts.ParseTransitionForm(r.PostForm)
	errs := patients.Errors{}
	t := f.Validate(time.Now(), time.Local, errs)
	kind := contacts.TransitionKinds.Label(t.Kind)
	var rec contacts.Recorded
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		// The follow-up goes to the patient's coordinator; a patient without
		// one leaves it with whoever recorded the discharge.
		assignee := c.actorID
		if p.CoordinatorID != nil {
			assignee = *p.CoordinatorID
		}
		if rec, err = contacts.RecordTransition(r.Context(), tx, c.tenantID, c.patientID, c.actorID, assignee, t, time.Local); err != nil {
			return err
		}
		err = s.record(r, tx, c, "transition", kind+": "+t.Facility+", "+longDate(t.OccurredOn),
			audited{action: "transition.recorded", entityType: "care_transition", entityID: rec.ID, detail: map[string]any{"kind": t.Kind}})
		if err != nil || rec.FollowUp == nil {
			return err
		}
		line := "Follow-up task: " + rec.FollowUp.Title + ", due " + longDate(rec.FollowUp.DueAt.Local())
		if rec.FollowUp.Status == tasks.Done {
			line += " (already met by a contact since the discharge)"
		}
		return s.record(r, tx, c, "task", line, audited{action: "task.created", entityType: "task", entityID: rec.FollowUp.ID,
			detail: map[string]any{"source": string(tasks.FromTransition), "transition": rec.ID, "assignee": assignee}})
	})
	flash := kind + " recorded."
	if rec.FollowUp != nil && rec.FollowUp.Status == tasks.Open {
		flash += " A follow-up task is due by " + longDate(rec.FollowUp.DueAt.Local()) + "."
	}
	return s.finish(w, r, c, err, flash, func() error {
		sv := s.subform(r, c, name, "Record a transition of care", c.base+"/transitions", "Record transition", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.TransitionFormPage(s.transitionView(sv, f)))
	})
}

// transitionRows are the chart's transitions.
func transitionRows(list []contacts.Transition) []web.ChartTransitionRow {
	out := make([]web.ChartTransitionRow, len(list))
	for i, t := range list {
		dates := longDate(t.OccurredOn)
		if t.AdmittedOn != nil {
			dates = "Admitted " + longDate(*t.AdmittedOn) + " · discharged " + dates
		}
		out[i] = web.ChartTransitionRow{Kind: contacts.TransitionKinds.Label(t.Kind), Facility: t.Facility, Dates: dates, Notes: t.Notes}
	}
	return out
}
