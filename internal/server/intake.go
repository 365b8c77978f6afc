package server

import (
	"net/http"

	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// intakeForm shows a blank intake, assigned to the person taking it.
func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request) error {
	page, err := s.intakePage(r, web.IntakeView{Form: patients.NewIntakeForm(s.actor(r).UserID)})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, page)
}

// intake takes the patient in, or shows the form again with everything
// typed: with what needs another look, or with the patients who may
// already be this person, until the coordinator confirms a new one.
func (s *Server) intake(w http.ResponseWriter, r *http.Request) error {
	f := patients.ParseIntake(r.PostForm)
	done, err := s.patients.Intake(r.Context(), s.actor(r), f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.intakePage(r, web.IntakeView{Form: f, Errors: e.Fields, Problem: e.Message})
		})
	}
	if done.PatientID != "" {
		return s.redirectWith(w, r, patientPath(r, done.PatientID), "Patient saved. Their chart is ready.")
	}
	page, err := s.intakePage(r, web.IntakeView{Form: f, Duplicates: duplicateRows(r, done.Duplicates)})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, page)
}

// intakePage is the intake form v, offering who patients can be assigned to.
func (s *Server) intakePage(r *http.Request, v web.IntakeView) (templ.Component, error) {
	people, err := s.patients.Assignable(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	v.Shell, v.Action, v.Coordinators = s.shell(r), tenantPath(r, "/patients"), personOptions(people)
	if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return web.IntakePage(v), nil
}

func duplicateRows(r *http.Request, dups []patients.Duplicate) []web.DuplicateRow {
	rows := make([]web.DuplicateRow, len(dups))
	for i, d := range dups {
		rows[i] = web.DuplicateRow{
			Name: d.GivenName + " " + d.FamilyName, DateOfBirth: d.DateOfBirth.Format(calendar.Day),
			Status: d.Status.Label(), Coordinator: orText(d.CoordinatorName, "no coordinator"), Href: patientPath(r, d.ID),
		}
	}
	return rows
}

// personOptions offers people to assign patients to, each with their role.
func personOptions(people []tenants.Person) []web.SelectOption {
	opts := make([]web.SelectOption, len(people))
	for i, p := range people {
		opts[i] = web.SelectOption{Value: p.ID, Label: p.Name + " (" + p.Role.Label() + ")"}
	}
	return opts
}

// tenantPath is a path inside the current tenant.
func tenantPath(r *http.Request, path string) string {
	m, _ := currentMembership(r)
	return "/t/" + m.Tenant.Slug + path
}

// patientPath is the chart of a patient of the current tenant.
func patientPath(r *http.Request, id string) string {
	return tenantPath(r, "/patients/"+id)
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
