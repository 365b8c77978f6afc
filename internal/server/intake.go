package server

import (
	"errors"
	"net/http"
	"time"

	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// intakeForm shows a blank intake, assigned to the person taking it.
func (s *Server) intakeForm(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	v := web.IntakeView{Form: patients.NewIntakeForm(u.ID)}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		var err error
		v.Coordinators, err = s.coordinatorOptions(r, tx)
		return err
	})
	if err != nil {
		return err
	}
	return s.renderIntake(w, r, http.StatusOK, v)
}

// intake validates the whole form, shows possible duplicates until the
// coordinator confirms a new person, then stores everything at once.
func (s *Server) intake(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	v := web.IntakeView{Form: patients.ParseIntake(r.PostForm)}
	status, id := http.StatusOK, ""
	err := s.inTenant(r, func(tx pgx.Tx) error {
		people, err := s.coordinatorOptions(r, tx)
		if err != nil {
			return err
		}
		v.Coordinators = people
		np, errs := v.Form.Validate(today(), idsOf(people))
		if len(errs) > 0 {
			v.Errors, v.Problem, status = errs, "Some answers need another look. They are marked below; everything you typed is kept.", http.StatusUnprocessableEntity
			return nil
		}
		if !v.Form.ConfirmedNew {
			if v.Duplicates, err = s.duplicateRows(r, tx, np); err != nil || len(v.Duplicates) > 0 {
				return err
			}
		}
		id, err = s.createPatient(r, tx, np)
		return err
	})
	if errors.Is(err, patients.ErrExternalIDTaken) {
		// The failed insert rolled the whole intake back; say why.
		id, status = "", http.StatusUnprocessableEntity
		v.Errors = patients.Errors{"external_id": "Another patient already has this MRN or member id. Check it, or search for that patient."}
	} else if err != nil {
		return err
	}
	if id == "" {
		return s.renderIntake(w, r, status, v)
	}
	s.flash(r, "Patient saved. Their chart is ready.")
	return redirect(w, r, patientPath(r, id))
}

// createPatient stores the intake with its audit event.
func (s *Server) createPatient(r *http.Request, tx pgx.Tx, np patients.NewPatient) (string, error) {
	u, _ := currentUser(r)
	m, _ := currentMembership(r)
	id, err := patients.Create(r.Context(), tx, m.Tenant.ID, u.ID, np)
	if err != nil {
		return "", err
	}
	return id, s.audit(r, tx, audited{action: "patient.created", entityType: "patient", entityID: id, patientID: id})
}

func (s *Server) duplicateRows(r *http.Request, tx pgx.Tx, np patients.NewPatient) ([]web.DuplicateRow, error) {
	m, _ := currentMembership(r)
	dups, err := patients.PossibleDuplicates(r.Context(), tx, m.Tenant.ID, np.DOB, np.GivenName, np.FamilyName)
	if err != nil {
		return nil, err
	}
	rows := make([]web.DuplicateRow, len(dups))
	for i, d := range dups {
		rows[i] = web.DuplicateRow{
			Name: d.GivenName + " " + d.FamilyName, DateOfBirth: d.DateOfBirth.Format("2 Jan 2006"),
			Status: d.Status.Label(), Coordinator: orText(d.CoordinatorName, "no coordinator"), Href: patientPath(r, d.ID),
		}
	}
	return rows, nil
}

func (s *Server) renderIntake(w http.ResponseWriter, r *http.Request, status int, v web.IntakeView) error {
	v.Shell = s.shell(r)
	v.Action = tenantPath(r, "/patients")
	if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return render(w, r, status, web.IntakePage(v))
}

// coordinatorOptions lists who patients can be assigned to.
func (s *Server) coordinatorOptions(r *http.Request, tx pgx.Tx) ([]web.SelectOption, error) {
	m, _ := currentMembership(r)
	people, err := tenants.Coordinators(r.Context(), tx, m.Tenant.ID)
	if err != nil {
		return nil, err
	}
	opts := make([]web.SelectOption, len(people))
	for i, p := range people {
		opts[i] = web.SelectOption{Value: p.ID, Label: p.Name + " (" + p.Role.Label() + ")"}
	}
	return opts, nil
}

func idsOf(opts []web.SelectOption) map[string]bool {
	ids := make(map[string]bool, len(opts))
	for _, o := range opts {
		ids[o.Value] = true
	}
	return ids
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

// today is the current date, for validating dates people type.
func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func orText(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
