package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// The patient chart (issue 4): one page with who the patient is and what
// happened to them, and the small forms that change it. Every change is
// written with a timeline line and an audit event in the same transaction.

// timelineLimit is how many timeline entries the chart shows.
const timelineLimit = 100

// errChartRedisplay ends a tenant transaction without committing anything,
// so that the handler can show the form again with its messages.
var errChartRedisplay = errors.New("show the form again")

// chartReq is what every chart handler reads from its request.
type chartReq struct {
	tenantID  string
	actorID   string
	patientID string
	base      string
}

// chartRequest reads the patient from the URL. A malformed id is a page
// that does not exist, never a database error.
func chartRequest(r *http.Request) (chartReq, error) {
	id, err := uuidParam(r, "patientID")
	if err != nil {
		return chartReq{}, err
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return chartReq{tenantID: m.Tenant.ID, actorID: u.ID, patientID: id, base: patientPath(r, id)}, nil
}

// postedChartRequest is chartRequest for a form post.
func postedChartRequest(r *http.Request) (chartReq, error) {
	c, err := chartRequest(r)
	if err != nil {
		return c, err
	}
	if err := r.ParseForm(); err != nil {
		return c, formError(err)
	}
	return c, nil
}

// uuidParam reads a UUID path parameter; anything else is errNotFound.
func uuidParam(r *http.Request, name string) (string, error) {
	v := chi.URLParam(r, name)
	if !validUUID(v) {
		return "", errNotFound
	}
	return strings.ToLower(v), nil
}

// validUUID reports whether s is a UUID in its canonical text form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// record writes a change to the patient's timeline and the audit log.
func (s *Server) record(r *http.Request, tx pgx.Tx, c chartReq, kind, summary string, a audited) error {
	if err := patients.AddEvent(r.Context(), tx, c.tenantID, c.patientID, c.actorID, kind, summary); err != nil {
		return err
	}
	a.patientID = c.patientID
	return s.audit(r, tx, a)
}

// chart shows the patient's chart; every view is audited.
func (s *Server) chart(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var v web.ChartView
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if v, err = s.loadChart(r, tx, c); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "patient.viewed", entityType: "patient", entityID: c.patientID, patientID: c.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartPage(v))
}

// loadChart reads everything the chart shows.
func (s *Server) loadChart(r *http.Request, tx pgx.Tx, c chartReq) (web.ChartView, error) {
	ctx := r.Context()
	p, err := patients.Get(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	team, err := patients.CareTeam(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	covs, err := patients.Coverages(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	consents, err := patients.Consents(ctx, tx, c.tenantID, c.patientID)
	if err != nil {
		return web.ChartView{}, err
	}
	events, err := patients.Timeline(ctx, tx, c.tenantID, c.patientID, timelineLimit+1)
	if err != nil {
		return web.ChartView{}, err
	}
	day := today()
	v := web.ChartView{
		Shell: s.shell(r), Base: c.base, Version: p.Version,
		Header:   chartHeaderOf(p, covs, consents, day),
		Status:   web.ChartStatus{Actions: statusActionsOf(p.Status)},
		Contact:  contactFacts(p),
		Referral: referralFacts(p),
		CareTeam: memberRows(c.base, team),
		Coverage: coverageRows(c.base, covs),
		Consents: consentRows(c.base, consents, day),
	}
	v.Timeline, v.TimelineCut = timelineOf(events)
	return v, nil
}

func chartHeaderOf(p patients.Patient, covs []patients.Coverage, consents []patients.Consent, day time.Time) web.ChartHeader {
	h := web.ChartHeader{
		Name:        p.DisplayName(),
		Age:         "Age " + strconv.Itoa(p.Age(day)),
		DateOfBirth: longDate(p.DateOfBirth),
		Pronouns:    p.Pronouns,
		Language:    p.PreferredLanguage,
		Interpreter: p.InterpreterNeeded,
		Risk:        web.ChartBadge{Label: p.RiskTier.Label(), Tone: riskTone[p.RiskTier]},
		Status:      web.ChartBadge{Label: p.Status.Label(), Tone: statusTone[p.Status]},
		Coordinator: p.CoordinatorName,
		ExternalID:  p.ExternalID,
	}
	for _, c := range covs {
		if c.Primary {
			h.PrimaryCoverage = joinNonEmpty(" · ", c.Payer, c.PlanName)
		}
	}
	for _, ks := range patients.ConsentStates(consents, day) {
		cs := web.ChartConsentState{Kind: ks.Kind.Label, State: web.ChartBadge{Label: ks.State.Label(), Tone: consentTone[ks.State]}}
		if ks.Expires != nil {
			cs.Note = "until " + longDate(*ks.Expires)
		}
		h.ConsentStates = append(h.ConsentStates, cs)
	}
	return h
}

var (
	statusTone = map[patients.Status]string{
		patients.Referred: "info", patients.Active: "ok", patients.OnHold: "warn", patients.Discharged: "muted",
	}
	riskTone = map[patients.RiskTier]string{
		patients.Low: "muted", patients.Moderate: "warn", patients.High: "danger",
	}
	consentTone = map[patients.ConsentState]string{
		patients.ConsentGiven: "ok", patients.ConsentExpired: "warn", patients.ConsentRevoked: "danger", patients.ConsentNotRecorded: "muted",
	}
)

func statusActionsOf(st patients.Status) []web.ChartStatusAction {
	var out []web.ChartStatusAction
	for _, a := range patients.ActionsFrom(st) {
		out = append(out, web.ChartStatusAction{Action: string(a), Label: a.Label(), NeedsReason: a.NeedsReason()})
	}
	return out
}

func timelineOf(events []patients.Event) ([]web.ChartEvent, bool) {
	cut := len(events) > timelineLimit
	if cut {
		events = events[:timelineLimit]
	}
	out := make([]web.ChartEvent, len(events))
	for i, e := range events {
		at := e.At.Local()
		out[i] = web.ChartEvent{
			When: at.Format("2 Jan 2006, 15:04"),
			Who:  orText(e.ActorName, "CareCoord"), Kind: e.Kind, Summary: e.Summary,
		}
	}
	return out, cut
}

func contactFacts(p patients.Patient) []web.ChartFact {
	address := joinNonEmpty(", ", p.AddressLine1, p.AddressLine2, p.City, joinNonEmpty(" ", p.Region, p.PostalCode))
	return facts(
		"Phone", p.Phone,
		"Other phone", p.PhoneAlt,
		"Best time to call", p.BestTimeToCall,
		"Email", p.Email,
		"Address", address,
		"Prefers", labelOrEmpty(patients.ContactMethods, p.PreferredContactMethod),
		"Sex", labelOrEmpty(patients.Sexes, p.Sex),
		"Gender identity", p.GenderIdentity,
	)
}

func referralFacts(p patients.Patient) []web.ChartFact {
	date := ""
	if p.ReferralDate != nil {
		date = longDate(*p.ReferralDate)
	}
	return facts("Referred by", p.ReferralSource, "Referral date", date, "Reason", p.ReferralReason)
}

// facts pairs labels with values, leaving out the empty ones.
func facts(pairs ...string) []web.ChartFact {
	var out []web.ChartFact
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, web.ChartFact{Label: pairs[i], Value: pairs[i+1]})
		}
	}
	return out
}

func memberRows(base string, team []patients.Member) []web.ChartMemberRow {
	out := make([]web.ChartMemberRow, len(team))
	for i, m := range team {
		out[i] = web.ChartMemberRow{
			Name: m.Name, Kind: patients.LabelOf(patients.CareTeamKinds, m.Kind), Relationship: m.Relationship,
			Organisation: m.Organisation, Phone: m.Phone, Email: m.Email,
			Emergency: m.EmergencyContact, ConsentToShare: m.ConsentToShare,
			EditHref: base + "/care-team/" + m.ID + "/edit", RemoveAction: base + "/care-team/" + m.ID + "/remove",
		}
	}
	return out
}

func coverageRows(base string, covs []patients.Coverage) []web.ChartCoverageRow {
	out := make([]web.ChartCoverageRow, len(covs))
	for i, c := range covs {
		out[i] = web.ChartCoverageRow{
			Payer: c.Payer, Plan: c.PlanName, MemberID: c.MemberID, Group: c.GroupNumber,
			Dates: dateRange(c.EffectiveFrom, c.EffectiveTo), Primary: c.Primary,
			EditHref: base + "/coverage/" + c.ID + "/edit", RemoveAction: base + "/coverage/" + c.ID + "/remove",
		}
	}
	return out
}

func consentRows(base string, consents []patients.Consent, day time.Time) []web.ChartConsentRow {
	out := make([]web.ChartConsentRow, len(consents))
	for i, c := range consents {
		st := c.State(day)
		row := web.ChartConsentRow{
			Kind: patients.LabelOf(patients.ConsentKinds, c.Kind), GivenOn: longDate(c.GivenOn), GivenBy: c.GivenBy,
			State: web.ChartBadge{Label: st.Label(), Tone: consentTone[st]},
		}
		switch {
		case c.RevokedOn != nil:
			row.Expires = "revoked " + longDate(*c.RevokedOn)
		case c.ExpiresOn != nil:
			row.Expires = "expires " + longDate(*c.ExpiresOn)
			row.RevokeAction = base + "/consents/" + c.ID + "/revoke"
		default:
			row.RevokeAction = base + "/consents/" + c.ID + "/revoke"
		}
		out[i] = row
	}
	return out
}

func dateRange(from, to *time.Time) string {
	switch {
	case from != nil && to != nil:
		return longDate(*from) + " – " + longDate(*to)
	case from != nil:
		return "from " + longDate(*from)
	case to != nil:
		return "until " + longDate(*to)
	}
	return ""
}

func longDate(t time.Time) string { return t.Format("2 Jan 2006") }

func labelOrEmpty(opts []patients.Option, v string) string {
	if v == "" {
		return ""
	}
	return patients.LabelOf(opts, v)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Status ------------------------------------------------------------------

// changePatientStatus enrols, holds, discharges or re-opens the patient.
func (s *Server) changePatientStatus(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	f := patients.ParseStatusForm(r.PostForm)
	errs := patients.Errors{}
	change := f.Validate(errs)
	if len(errs) > 0 {
		return s.showStatusProblem(w, r, c, http.StatusUnprocessableEntity, f, errs["reason"], errs["action"])
	}
	var from, to patients.Status
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		from, to, err = patients.ChangeStatus(r.Context(), tx, c.tenantID, c.patientID, c.actorID, change)
		if err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "patient.status_changed", entityType: "patient", entityID: c.patientID, patientID: c.patientID,
			detail: map[string]any{"action": string(change.Action), "from": string(from), "to": string(to)}})
	})
	switch {
	case errors.Is(err, db.ErrConflict):
		return s.showStatusProblem(w, r, c, http.StatusConflict, f, "",
			"Someone changed this patient while you were working, so the status was not changed. The chart below is up to date: check it, then try again.")
	case errors.Is(err, patients.ErrTransitionNotAllowed):
		return s.showStatusProblem(w, r, c, http.StatusUnprocessableEntity, f, "",
			"The patient is "+strings.ToLower(from.Label())+", so “"+change.Action.Label()+"” does not apply. The actions that do are below.")
	case err != nil:
		return err
	}
	s.flash(r, "Status changed to "+strings.ToLower(to.Label())+".")
	return redirect(w, r, c.base)
}

// showStatusProblem shows the chart again with a status change that could
// not be made: its reason kept and the message beside it or above.
func (s *Server) showStatusProblem(w http.ResponseWriter, r *http.Request, c chartReq, code int, f patients.StatusForm, fieldErr, problem string) error {
	var v web.ChartView
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		v, err = s.loadChart(r, tx, c)
		return err
	})
	if err != nil {
		return err
	}
	v.Status.Problem = problem
	for i, a := range v.Status.Actions {
		if a.Action == f.Action && a.NeedsReason {
			v.Status.Actions[i].Open, v.Status.Actions[i].Reason, v.Status.Actions[i].Error = true, f.Reason, fieldErr
		}
	}
	return render(w, r, code, web.ChartPage(v))
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
	v := web.PatientEditView{Form: patients.ParseDetails(r.PostForm), Version: patients.ParseVersion(r.PostForm.Get("version"))}
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
		return s.record(r, tx, c, "care_team", "Added "+m.Name+" ("+patients.LabelOf(patients.CareTeamKinds, m.Kind)+") to the care team",
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
		return s.record(r, tx, c, "care_team", "Removed "+m.Name+" ("+patients.LabelOf(patients.CareTeamKinds, m.Kind)+") from the care team",
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
	sv, err := s.subformPage(r, c, "Record consent", c.base+"/consents", "Record consent", nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ChartConsentFormPage(web.ChartConsentFormView{ChartSubformView: sv}))
}

func (s *Server) addConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	errs := patients.Errors{}
	f := patients.ParseConsent(r.PostForm, "")
	consent := f.Validate("", today(), errs)
	kind := patients.LabelOf(patients.ConsentKinds, consent.Kind)
	name, err := s.changeInChart(r, c, errs, func(tx pgx.Tx) error {
		id, err := patients.AddConsent(r.Context(), tx, c.tenantID, c.patientID, consent)
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "consent", "Consent recorded: "+kind+", given "+longDate(consent.GivenOn)+" by "+consent.GivenBy,
			audited{action: "consent.added", entityType: "consent", entityID: id, detail: map[string]any{"kind": consent.Kind}})
	})
	return s.finish(w, r, c, err, "Consent recorded.", func() error {
		sv := s.subform(r, c, name, "Record consent", c.base+"/consents", "Record consent", errs)
		return render(w, r, http.StatusUnprocessableEntity, web.ChartConsentFormPage(web.ChartConsentFormView{ChartSubformView: sv, Form: f}))
	})
}

// revokeConsent records that the patient withdrew a consent today.
func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	c, consentID, err := postedChartRowRequest(r, "consentID")
	if err != nil {
		return err
	}
	_, err = s.changeInChart(r, c, nil, func(tx pgx.Tx) error {
		consent, err := patients.RevokeConsent(r.Context(), tx, c.tenantID, c.patientID, consentID, today())
		if err != nil {
			return err
		}
		return s.record(r, tx, c, "consent", "Consent revoked: "+patients.LabelOf(patients.ConsentKinds, consent.Kind),
			audited{action: "consent.revoked", entityType: "consent", entityID: consentID, detail: map[string]any{"kind": consent.Kind}})
	})
	if errors.Is(err, patients.ErrAlreadyRevoked) {
		s.flash(r, "That consent was already revoked.")
		return redirect(w, r, c.base)
	}
	return s.finish(w, r, c, err, "Consent revoked.", nil)
}
