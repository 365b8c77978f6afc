package server

import (
	"net/http"

	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Small forms -------------------------------------------------------------

// subform is the frame of a small form reached from the chart.
func (s *Server) subform(r *http.Request, c chartReq, patientName, title, action, submit string, errs patients.Errors) web.ChartSubformView {
	v := web.ChartSubformView{Shell: s.shell(r), Base: c.base, PatientName: patientName, Title: title, Action: action, Submit: submit, Errors: errs}
	if len(errs) > 0 {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
	} else if v.Errors == nil {
		v.Errors = patients.Errors{}
	}
	return v
}

// rowForm is one kind of the chart's small forms (a care-team member, a
// coverage, a consent): where it posts, and what it says when adding a row
// or editing one.
type rowForm struct {
	path, addTitle, addSubmit, editTitle string
}

var (
	memberForms   = rowForm{"/care-team", "Add to the care team", "Add to care team", "Edit care team member"}
	coverageForms = rowForm{"/coverage", "Add coverage", "Add coverage", "Edit coverage"}
	consentForms  = rowForm{"/consents", "Record consent", "Record consent", ""}
)

// rowFormView frames form f for the patient: adding a row when id is "",
// editing row id otherwise; e, when given, is why it is shown again.
func (s *Server) rowFormView(r *http.Request, c chartReq, f rowForm, id string, e *fail.Error) (web.ChartSubformView, error) {
	p, err := s.patients.Patient(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return web.ChartSubformView{}, err
	}
	title, action, submit := f.addTitle, c.base+f.path, f.addSubmit
	if id != "" {
		title, action, submit = f.editTitle, action+"/"+id, "Save"
	}
	var errs patients.Errors
	if e != nil {
		errs = e.Fields
	}
	return s.subform(r, c, p.DisplayName(), title, action, submit, errs), nil
}

// formPage is a form page as shown again after failure e, or, with e nil,
// as first shown.
type formPage func(e *fail.Error) (templ.Component, error)

// showForm shows page as first seen.
func showForm(w http.ResponseWriter, r *http.Request, page formPage) error {
	c, err := page(nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, c)
}

// Care team ---------------------------------------------------------------

// careTeamPage is the care-team member form holding f: adding a member when
// id is "", editing member id otherwise.
func (s *Server) careTeamPage(r *http.Request, c chartReq, id string, f patients.MemberForm) formPage {
	return func(e *fail.Error) (templ.Component, error) {
		sv, err := s.rowFormView(r, c, memberForms, id, e)
		return web.ChartMemberFormPage(web.ChartMemberFormView{ChartSubformView: sv, Form: f}), err
	}
}

func (s *Server) newMemberForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	return showForm(w, r, s.careTeamPage(r, c, "", patients.MemberForm{}))
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := patients.ParseMember(r.PostForm, "")
	m, err := s.patients.AddMember(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, s.careTeamPage(r, c, "", f))
	}
	return s.redirectWith(w, r, c.base, "Added "+m.Name+" to the care team.")
}

func (s *Server) editMemberForm(w http.ResponseWriter, r *http.Request) error {
	c, memberID := patientOf(r), urlID(r, "memberID")
	m, err := s.patients.Member(r.Context(), s.actor(r), c.patientID, memberID)
	if err != nil {
		return err
	}
	return showForm(w, r, s.careTeamPage(r, c, memberID, m.MemberForm))
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) error {
	c, memberID := patientOf(r), urlID(r, "memberID")
	f := patients.ParseMember(r.PostForm, "")
	m, err := s.patients.UpdateMember(r.Context(), s.actor(r), c.patientID, memberID, f)
	if err != nil {
		return s.showAgain(w, r, err, s.careTeamPage(r, c, memberID, f))
	}
	return s.redirectWith(w, r, c.base, "Saved "+m.Name+".")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	c, memberID := patientOf(r), urlID(r, "memberID")
	m, err := s.patients.RemoveMember(r.Context(), s.actor(r), c.patientID, memberID)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, c.base, "Removed "+m.Name+" from the care team.")
}

// Coverage ----------------------------------------------------------------

// coveragePage is the coverage form holding f: adding a coverage when id
// is "", editing coverage id otherwise.
func (s *Server) coveragePage(r *http.Request, c chartReq, id string, f patients.CoverageForm) formPage {
	return func(e *fail.Error) (templ.Component, error) {
		sv, err := s.rowFormView(r, c, coverageForms, id, e)
		return web.ChartCoverageFormPage(web.ChartCoverageFormView{ChartSubformView: sv, Form: f}), err
	}
}

func (s *Server) newCoverageForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	return showForm(w, r, s.coveragePage(r, c, "", patients.CoverageForm{}))
}

func (s *Server) addCoverage(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := patients.ParseCoverage(r.PostForm, "")
	if _, err := s.patients.AddCoverage(r.Context(), s.actor(r), c.patientID, f); err != nil {
		return s.showAgain(w, r, err, s.coveragePage(r, c, "", f))
	}
	return s.redirectWith(w, r, c.base, "Added coverage.")
}

func (s *Server) editCoverageForm(w http.ResponseWriter, r *http.Request) error {
	c, coverageID := patientOf(r), urlID(r, "coverageID")
	cov, err := s.patients.Coverage(r.Context(), s.actor(r), c.patientID, coverageID)
	if err != nil {
		return err
	}
	return showForm(w, r, s.coveragePage(r, c, coverageID, patients.CoverageFormOf(cov)))
}

func (s *Server) updateCoverage(w http.ResponseWriter, r *http.Request) error {
	c, coverageID := patientOf(r), urlID(r, "coverageID")
	f := patients.ParseCoverage(r.PostForm, "")
	if _, err := s.patients.UpdateCoverage(r.Context(), s.actor(r), c.patientID, coverageID, f); err != nil {
		return s.showAgain(w, r, err, s.coveragePage(r, c, coverageID, f))
	}
	return s.redirectWith(w, r, c.base, "Saved coverage.")
}

func (s *Server) removeCoverage(w http.ResponseWriter, r *http.Request) error {
	c, coverageID := patientOf(r), urlID(r, "coverageID")
	if _, err := s.patients.RemoveCoverage(r.Context(), s.actor(r), c.patientID, coverageID); err != nil {
		return err
	}
	return s.redirectWith(w, r, c.base, "Removed coverage.")
}

// Consents ----------------------------------------------------------------

// consentPage is the consent form holding f. Reached from a referral, it
// goes back there when saved.
func (s *Server) consentPage(r *http.Request, c chartReq, f patients.ConsentForm) formPage {
	return func(e *fail.Error) (templ.Component, error) {
		sv, err := s.rowFormView(r, c, consentForms, "", e)
		sv.Action += returnQuery(r)
		return web.ChartConsentFormPage(web.ChartConsentFormView{ChartSubformView: sv, Form: f}), err
	}
}

func (s *Server) newConsentForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	// A referral stopped for want of consent links here with the kind.
	return showForm(w, r, s.consentPage(r, c, patients.ConsentForm{Kind: r.URL.Query().Get("kind")}))
}

func (s *Server) addConsent(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := patients.ParseConsent(r.PostForm, "")
	if _, err := s.patients.AddConsent(r.Context(), s.actor(r), c.patientID, f); err != nil {
		return s.showAgain(w, r, err, s.consentPage(r, c, f))
	}
	return s.redirectWith(w, r, returnTo(r, c).base, "Consent recorded.")
}

// revokeConsent records that the patient withdrew a consent today.
func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	c, consentID := patientOf(r), urlID(r, "consentID")
	if err := s.patients.RevokeConsent(r.Context(), s.actor(r), c.patientID, consentID); err != nil {
		return s.flashFailure(w, r, err, c.base)
	}
	return s.redirectWith(w, r, c.base, "Consent revoked.")
}
