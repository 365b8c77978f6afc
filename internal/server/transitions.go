package server

import (
	"net/http"

	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/fail"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Transitions of care (issue 7): an admission, discharge, emergency visit
// or move to a care facility goes on the chart and the timeline; a
// discharge opens a follow-up task due within 7 days, which the next
// successful contact with the patient meets (contacts.Service.RecordTransition).

func (s *Server) newTransitionForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	page, err := s.transitionPage(r, c, contacts.TransitionForm{}, nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, page)
}

func (s *Server) recordTransition(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := contacts.ParseTransitionForm(r.PostForm)
	rec, err := s.contacts.RecordTransition(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.transitionPage(r, c, f, e)
		})
	}
	flash := contacts.TransitionKinds.Label(f.Kind) + " recorded."
	if rec.FollowUp != nil && rec.FollowUp.Status == tasks.Open {
		flash += " A follow-up task is due by " + rec.FollowUp.DueAt.In(zone(r)).Format(calendar.Day) + "."
	}
	return s.redirectWith(w, r, c.base, flash)
}

// transitionPage is the transition form with f's values and, when it
// comes back, e's messages.
func (s *Server) transitionPage(r *http.Request, c chartReq, f contacts.TransitionForm, e *fail.Error) (templ.Component, error) {
	p, err := s.patients.Patient(r.Context(), s.actor(r), c.patientID)
	sv := s.subform(r, c, p.DisplayName(), "Record a transition of care", c.base+"/transitions", "Record transition", nil)
	if e != nil {
		sv.Errors, sv.Problem = e.Fields, e.Message
	}
	return web.TransitionFormPage(web.TransitionFormView{ChartSubformView: sv, Form: f, Kinds: web.OptionsOf(contacts.TransitionKinds)}), err
}
