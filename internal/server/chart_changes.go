package server

import (
	"net/http"
	"strings"

	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Status ------------------------------------------------------------------

// changePatientStatus enrols, holds, discharges or re-opens the patient.
func (s *Server) changePatientStatus(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := patients.ParseStatusForm(r.PostForm)
	changed, err := s.patients.ChangeStatus(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.statusProblem(r, c, f, e) })
	}
	return s.redirectWith(w, r, c.base, "Status changed to "+strings.ToLower(changed.To.Label())+".")
}

// statusProblem is the chart again with a status change that could not be
// made: its reason kept, and the message beside it or above.
func (s *Server) statusProblem(r *http.Request, c chartReq, f patients.StatusForm, e *fail.Error) (templ.Component, error) {
	ch, err := s.charts.Again(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return nil, err
	}
	v := s.chartView(r, c, ch)
	v.Status.Problem = e.Fields["action"]
	if e.Kind != fail.KindInvalid {
		v.Status.Problem = e.Message
	}
	for i, a := range v.Status.Actions {
		if a.Action == f.Action && a.NeedsReason {
			v.Status.Actions[i].Open, v.Status.Actions[i].Reason, v.Status.Actions[i].Error = true, f.Reason, e.Fields["reason"]
		}
	}
	return web.ChartPage(v), nil
}

// Details -----------------------------------------------------------------

// editPatientForm shows the patient's details for editing, with the version
// they were read at.
func (s *Server) editPatientForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	page, err := s.patients.DetailsPage(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return err
	}
	v := web.PatientEditView{Form: patients.DetailsFormOf(page.Patient), Version: page.Patient.Version}
	return render(w, r, http.StatusOK, s.editPatientPage(r, c, page, v))
}

// editPatient saves the details if nobody saved a change since the form was
// read; otherwise it keeps what was typed and says what happened.
func (s *Server) editPatient(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	v := web.PatientEditView{Form: patients.ParseDetails(r.PostForm), Version: forms.Version(r.PostForm.Get("version"))}
	err := s.patients.EditDetails(r.Context(), s.actor(r), c.patientID, v.Version, v.Form)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			page, err := s.patients.DetailsPage(r.Context(), s.actor(r), c.patientID)
			if err != nil {
				return nil, err
			}
			if e.Kind == fail.KindConflict {
				// Saving again now keeps the coordinator's answers.
				v.Version = page.Patient.Version
			}
			v.Errors, v.Problem = e.Fields, e.Message
			return s.editPatientPage(r, c, page, v), nil
		})
	}
	return s.redirectWith(w, r, c.base, "Details saved.")
}

// editPatientPage is the edit-details form v of the patient on page.
func (s *Server) editPatientPage(r *http.Request, c chartReq, page patients.DetailsPage, v web.PatientEditView) templ.Component {
	p := page.Patient
	v.Shell, v.Base, v.Name, v.Coordinators = s.shell(r), c.base, p.DisplayName(), personOptions(page.Assignable)
	if page.CoordinatorLeft {
		v.Coordinators = append(v.Coordinators, web.SelectOption{Value: *p.CoordinatorID, Label: p.CoordinatorName + " (no longer active)"})
	}
	if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return web.PatientEditPage(v)
}
