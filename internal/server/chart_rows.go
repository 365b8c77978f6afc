package server

import (
	"errors"
	"net/http"

	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Small forms -------------------------------------------------------------

// subformPage loads the patient for a small form reached from the chart;
// load, when given, fills the form from a stored row.
func (s *Server) subformPage(r *http.Request, c chartReq, title, action, submit string, load func(tx pgx.Tx) error) (web.ChartSubformView, error) {
	var name string
	err := s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		name = p.DisplayName()
		if load == nil {
			return nil
		}
		return load(tx)
	})
	return s.subform(r, c, name, title, action, submit, nil), err
}

func (s *Server) subform(r *http.Request, c chartReq, patientName, title, action, submit string, errs patients.Errors) web.ChartSubformView {
	v := web.ChartSubformView{Shell: s.shell(r), Base: c.base, PatientName: patientName, Title: title, Action: action, Submit: submit, Errors: errs}
	if len(errs) > 0 {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
	} else if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return v
}

// changeInChart runs a change to one patient: it loads the patient (so a
// missing or foreign one is a 404 whatever was posted), stops before
// change when the form has errors, and returns the patient's name for the
// form shown again.
func (s *Server) changeInChart(r *http.Request, c chartReq, errs patients.Errors, change func(tx pgx.Tx) error) (string, error) {
	var name string
	err := s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		name = p.DisplayName()
		if len(errs) > 0 {
			return errChartRedisplay
		}
		return change(tx)
	})
	return name, err
}

// finish ends a small form's post: redirect with a flash on success, the
// form again (422) when it had errors.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, c chartReq, err error, flash string, again func() error) error {
	switch {
	case errors.Is(err, errChartRedisplay):
		return again()
	case err != nil:
		return err
	}
	s.flash(r, flash)
	return redirect(w, r, c.base)
}

// Care team ---------------------------------------------------------------

func (s *Server) newMemberForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	sv, err := s.subformPage(r, c, "Add to the care team", c.base+"/care-team", "Add to care team", nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartMemberFormPage(web.ChartMemberFormView{ChartSubformView: sv}))
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	m := patients.ParseMember(r.PostForm, "").Validate("", errs)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		id, err := patients.AddMember(r.Context(), tx, c.tenantID, c.patientID, m)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "care_team", "Added "+m.Name+" ("+patients.CareTeamKinds.Label(m.Kind)+") to the care team",
			audited{action: "care_team.added", entityType: "care_team_member", entityID: id})
	})
	return s.finish(w, r, c, err, "Added "+m.Name+" to the care team.", func() error {
		sv := s.subform(r, c, name, "Add to the care team", c.base+"/care-team", "Add to care team", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartMemberFormPage(web.ChartMemberFormView{ChartSubformView: sv, Form: m}))
	})
}

func (s *Server) editMemberForm(w http.ResponseWriter, r *http.Request) error {
	c, memberID, err := chartRowRequest(r, "memberID")
	if err != nil {
		return err
	}
	var m patients.Member
	sv, err := s.subformPage(r, c, "Edit care team member", c.base+"/care-team/"+memberID, "Save", func(tx pgx.Tx) (err error) {
		m, err = patients.GetMember(r.Context(), tx, c.tenantID, c.patientID, memberID)
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartMemberFormPage(web.ChartMemberFormView{ChartSubformView: sv, Form: m.MemberForm}))
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) error {
	c, memberID, err := postedChartRowRequest(r, "memberID")
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	m := patients.ParseMember(r.PostForm, "").Validate("", errs)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		if err := patients.UpdateMember(r.Context(), tx, c.tenantID, c.patientID, memberID, m); err != nil {
			return err
		}
		return s.record(r, tx, c, "care_team", "Updated "+m.Name+" on the care team",
			audited{action: "care_team.updated", entityType: "care_team_member", entityID: memberID})
	})
	return s.finish(w, r, c, err, "Saved "+m.Name+".", func() error {
		sv := s.subform(r, c, name, "Edit care team member", c.base+"/care-team/"+memberID, "Save", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartMemberFormPage(web.ChartMemberFormView{ChartSubformView: sv, Form: m}))
	})
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	c, memberID, err := postedChartRowRequest(r, "memberID")
	if err != nil {
		return err
	}
	var m patients.Member
	_, err = s.changeInChart(r, c, nil, func(tx pgx.Tx) (err error) {
		if m, err = patients.RemoveMember(r.Context(), tx, c.tenantID, c.patientID, memberID); err != nil {
			return err
		}
		return s.record(r, tx, c, "care_team", "Removed "+m.Name+" ("+patients.CareTeamKinds.Label(m.Kind)+") from the care team",
			audited{action: "care_team.removed", entityType: "care_team_member", entityID: memberID})
	})
	return s.finish(w, r, c, err, "Removed "+m.Name+" from the care team.", nil)
}

// chartRowRequest reads the patient and one of their rows from the URL.
func chartRowRequest(r *http.Request, param string) (chartReq, string, error) {
	c, err := chartRequest(r)
	if err != nil {
		return c, "", err
	}
	id, err := uuidParam(r, param)
	return c, id, err
}

// postedChartRowRequest is chartRowRequest for a form post.
func postedChartRowRequest(r *http.Request, param string) (chartReq, string, error) {
	c, id, err := chartRowRequest(r, param)
	if err != nil {
		return c, id, err
	}
	if err := r.ParseForm(); err != nil {
		return c, id, formError(err)
	}
	return c, id, nil
}

// Coverage ----------------------------------------------------------------

func (s *Server) newCoverageForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	sv, err := s.subformPage(r, c, "Add coverage", c.base+"/coverage", "Add coverage", nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartCoverageFormPage(web.ChartCoverageFormView{ChartSubformView: sv}))
}

func (s *Server) addCoverage(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	f := patients.ParseCoverage(r.PostForm, "")
	cov := f.Validate("", errs)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		id, err := patients.AddCoverage(r.Context(), tx, c.tenantID, c.patientID, cov)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "coverage", "Added coverage: "+coverageName(cov),
			audited{action: "coverage.added", entityType: "coverage", entityID: id, detail: map[string]any{"primary": cov.Primary}})
	})
	return s.finish(w, r, c, err, "Added coverage.", func() error {
		sv := s.subform(r, c, name, "Add coverage", c.base+"/coverage", "Add coverage", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartCoverageFormPage(web.ChartCoverageFormView{ChartSubformView: sv, Form: f}))
	})
}

func (s *Server) editCoverageForm(w http.ResponseWriter, r *http.Request) error {
	c, coverageID, err := chartRowRequest(r, "coverageID")
	if err != nil {
		return err
	}
	var cov patients.Coverage
	sv, err := s.subformPage(r, c, "Edit coverage", c.base+"/coverage/"+coverageID, "Save", func(tx pgx.Tx) (err error) {
		cov, err = patients.GetCoverage(r.Context(), tx, c.tenantID, c.patientID, coverageID)
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartCoverageFormPage(web.ChartCoverageFormView{ChartSubformView: sv, Form: patients.CoverageFormOf(cov)}))
}

func (s *Server) updateCoverage(w http.ResponseWriter, r *http.Request) error {
	c, coverageID, err := postedChartRowRequest(r, "coverageID")
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	f := patients.ParseCoverage(r.PostForm, "")
	cov := f.Validate("", errs)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		if err := patients.UpdateCoverage(r.Context(), tx, c.tenantID, c.patientID, coverageID, cov); err != nil {
			return err
		}
		return s.record(r, tx, c, "coverage", "Updated coverage: "+coverageName(cov),
			audited{action: "coverage.updated", entityType: "coverage", entityID: coverageID, detail: map[string]any{"primary": cov.Primary}})
	})
	return s.finish(w, r, c, err, "Saved coverage.", func() error {
		sv := s.subform(r, c, name, "Edit coverage", c.base+"/coverage/"+coverageID, "Save", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartCoverageFormPage(web.ChartCoverageFormView{ChartSubformView: sv, Form: f}))
	})
}

func (s *Server) removeCoverage(w http.ResponseWriter, r *http.Request) error {
	c, coverageID, err := postedChartRowRequest(r, "coverageID")
	if err != nil {
		return err
	}
	_, err = s.changeInChart(r, c, nil, func(tx pgx.Tx) error {
		cov, err := patients.RemoveCoverage(r.Context(), tx, c.tenantID, c.patientID, coverageID)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "coverage", "Removed coverage: "+coverageName(cov),
			audited{action: "coverage.removed", entityType: "coverage", entityID: coverageID, detail: map[string]any{"primary": cov.Primary}})
	})
	return s.finish(w, r, c, err, "Removed coverage.", nil)
}

func coverageName(c patients.Coverage) string {
	if c.Primary {
		return c.Payer + " (primary)"
	}
	return c.Payer
}

// Consents ----------------------------------------------------------------

func (s *Server) newConsentForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	sv, err := s.subformPage(r, c, "Record consent", c.base+"/consents"+returnQuery(r), "Record consent", nil)
	if err != nil {
		return err
	}
	// A referral stopped for want of consent links here with the kind.
	f := patients.ConsentForm{Kind: r.URL.Query().Get("kind")}
	return render(w, r, http.StatusOK, web.ChartConsentFormPage(web.ChartConsentFormView{ChartSubformView: sv, Form: f}))
}

func (s *Server) addConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	f := patients.ParseConsent(r.PostForm, "")
	consent := f.Validate("", today(), errs)
	kind := patients.ConsentKinds.Label(consent.Kind)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		id, err := patients.AddConsent(r.Context(), tx, c.tenantID, c.patientID, consent)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "consent", "Consent recorded: "+kind+", given "+longDate(consent.GivenOn)+" by "+consent.GivenBy,
			audited{action: "consent.added", entityType: "consent", entityID: id, detail: map[string]any{"kind": consent.Kind}})
	})
	return s.finish(w, r, returnTo(r, c), err, "Consent recorded.", func() error {
		sv := s.subform(r, c, name, "Record consent", c.base+"/consents"+returnQuery(r), "Record consent", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartConsentFormPage(web.ChartConsentFormView{ChartSubformView: sv, Form: f}))
	})
}

// revokeConsent records that the patient withdrew a consent today.
func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	c, consentID, err := postedChartRowRequest(r, "consentID")
	if err != nil {
		return err
	}
	if err := s.patients.RevokeConsent(r.Context(), s.actor(r), c.patientID, consentID); err != nil {
		return s.flashFailure(w, r, err, c.base)
	}
	return s.redirectWith(w, r, c.base, "Consent revoked.")
}
