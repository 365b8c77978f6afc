package server

import (
	"errors"
	"net/http"
	"strings"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/a-h/templ"
	"github.com/jackc/pgx/v5"
)

// Status ------------------------------------------------------------------

// changePatientStatus enrols, holds, discharges or re-opens the patient.
func (s *Server) changePatientStatus(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
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
	var v web.ChartView
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		v, err = s.loadChart(r, tx, c)
		return err
	})
	if err != nil {
		return nil, err
	}
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
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var v web.PatientEditView
	err = s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.Name, v.Version, v.Form = p.DisplayName(), p.Version, patients.DetailsFormOf(p)
		v.Coordinators, err = s.assignableTo(r, tx, p)
		return err
	})
	if err != nil {
		return err
	}
	return s.renderEditPatient(w, r, c, http.StatusOK, v)
}

// editPatient saves the details if nobody saved a change since the form was
// read; otherwise it keeps what was typed and says what happened.
func (s *Server) editPatient(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	v := web.PatientEditView{Form: patients.ParseDetails(r.PostForm), Version: forms.Version(r.PostForm.Get("version"))}
	errs := patients.Errors{}
	code := http.StatusOK
	err = s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.Name = p.DisplayName()
		if v.Coordinators, err = s.assignableTo(r, tx, p); err != nil {
			return err
		}
		d := v.Form.Validate(today(), idsOf(v.Coordinators), errs)
		if len(errs) > 0 {
			code, v.Problem = http.StatusUnprocessableEntity, "Some answers need another look. They are marked below; nothing was saved yet."
			return errChartRedisplay
		}
		err = patients.Update(r.Context(), tx, c.tenantID, c.patientID, v.Version, d)
		if errors.Is(err, db.ErrConflict) {
			code, v.Version, v.Problem = http.StatusConflict, p.Version, conflictMessage(p, d)
			return errChartRedisplay
		}
		if err != nil {
			return err
		}
		return s.recordDetailsEdit(r, tx, c, p)
	})
	switch {
	case errors.Is(err, patients.ErrExternalIDTaken):
		code, v.Problem = http.StatusUnprocessableEntity, "Some answers need another look. They are marked below; nothing was saved yet."
		errs["external_id"] = "Another patient already has this MRN or member id. Check it, or search for that patient."
	case errors.Is(err, errChartRedisplay):
	case err != nil:
		return err
	default:
		s.flash(r, "Details saved.")
		return redirect(w, r, c.base)
	}
	v.Errors = errs
	return s.renderEditPatient(w, r, c, code, v)
}

// conflictMessage tells the coordinator that someone else saved first and
// which of their answers differ from what is saved now.
func conflictMessage(saved patients.Patient, typed patients.Details) string {
	mine := typed.DetailsForm
	mine.RiskTier, mine.PreferredLanguage = string(typed.Tier), typed.PreferredLanguage
	msg := "Someone else saved changes to this patient while you were editing, so nothing was saved. Your answers are kept below."
	if diff := patients.ChangedDetails(patients.DetailsFormOf(saved), mine); len(diff) > 0 {
		msg += " What is saved now differs from them in: " + strings.Join(diff, ", ") + "."
	}
	return msg + " Check them, then save again to keep yours."
}

// recordDetailsEdit puts the names of the changed fields, never their
// values, on the timeline and in the audit log.
func (s *Server) recordDetailsEdit(r *http.Request, tx pgx.Tx, c chartReq, before patients.Patient) error {
	after, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return err
	}
	changed := patients.ChangedDetails(patients.DetailsFormOf(before), patients.DetailsFormOf(after))
	a := audited{action: "patient.updated", entityType: "patient", entityID: c.patientID, patientID: c.patientID,
		detail: map[string]any{"fields": changed}}
	if len(changed) == 0 {
		return s.audit(r, tx, a)
	}
	return s.record(r, tx, c, "details", "Details edited: "+strings.Join(changed, ", "), a)
}

// assignableTo lists who the patient can be assigned to. A coordinator who
// has since left stays on the list for this patient, so that editing other
// details does not force a reassignment.
func (s *Server) assignableTo(r *http.Request, tx pgx.Tx, p patients.Patient) ([]web.SelectOption, error) {
	opts, err := s.coordinatorOptions(r, tx)
	if err != nil || p.CoordinatorID == nil || idsOf(opts)[*p.CoordinatorID] {
		return opts, err
	}
	return append(opts, web.SelectOption{Value: *p.CoordinatorID, Label: p.CoordinatorName + " (no longer active)"}), nil
}

func (s *Server) renderEditPatient(w http.ResponseWriter, r *http.Request, c chartReq, code int, v web.PatientEditView) error {
	v.Shell, v.Base = s.shell(r), c.base
	if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return render(w, r, code, web.PatientEditPage(v))
}
