package server

import (
	"net/http"
	"time"

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

// excludeDischargeForm shows the form that records why a discharge
// leaves the 7-day follow-up measure.
func (s *Server) excludeDischargeForm(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "transitionID")
	pg, err := s.contacts.DischargeExclusionPage(r.Context(), s.actor(r), c.patientID, id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, s.exclusionPage(r, c, pg, contacts.FormOfExclusion(pg.Discharge), nil))
}

// excludeDischarge records the exclusion; a bad answer or a stale version
// shows the form again with what was typed.
func (s *Server) excludeDischarge(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "transitionID")
	f := contacts.ParseExclusionForm(r.PostForm)
	ex, err := s.contacts.ExcludeDischarge(r.Context(), s.actor(r), c.patientID, id, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			pg, err := s.contacts.DischargeExclusionPage(r.Context(), s.actor(r), c.patientID, id)
			if e.Kind == fail.KindConflict {
				f.Version = pg.Discharge.Version // what was typed, to save over what is there now
			}
			return s.exclusionPage(r, c, pg, f, e), err
		})
	}
	flash := "Discharge left out of the 7-day follow-up."
	if len(ex.CancelledTasks) > 0 {
		flash += " Its follow-up task was cancelled."
	}
	return s.redirectWith(w, r, c.base, flash)
}

// exclusionPage is the exclusion form of pg's discharge with f's values
// and, when it comes back, e's messages.
func (s *Server) exclusionPage(r *http.Request, c chartReq, pg contacts.ExclusionPage, f contacts.ExclusionForm, e *fail.Error) templ.Component {
	d := pg.Discharge
	sv := s.subform(r, c, pg.PatientName, "Leave a discharge out of the follow-up", c.base+"/transitions/"+d.ID+"/exclusion", "Save", nil)
	if e != nil {
		sv.Errors, sv.Problem = e.Fields, e.Message
	}
	return web.ExclusionFormPage(web.ExclusionFormView{ChartSubformView: sv, Form: f, Reasons: web.OptionsOf(contacts.Exclusions),
		Discharge: "Discharged from " + d.Facility + " on " + d.OccurredOn.Format(calendar.LongWeekday),
		FollowUp:  followUpSentence(pg.FollowUp, d.OccurredOn, zone(r))})
}

// followUpSentence says where a discharge's follow-up stands.
func followUpSentence(f contacts.FollowUp, on time.Time, loc *time.Location) string {
	last := on.AddDate(0, 0, contacts.DischargeFollowUpDays).Format(calendar.Day)
	switch f.State {
	case contacts.FollowUpMet, contacts.FollowUpLate:
		return f.Note(loc)
	case contacts.FollowUpMissed:
		return "Not followed up: nobody reached the patient by " + last + "."
	case contacts.FollowUpExcluded:
		return "Left out of the follow-up measure."
	}
	return "Not followed up yet: the patient must be reached by phone, video or in person by " + last + "."
}
