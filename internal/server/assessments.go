package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Needs assessments (issue 5): a coordinator starts an instrument from the
// chart, may save part of it and come back, completes it to store the score
// with the instrument version, and corrects a completed one only by amending
// it or marking it entered in error, so every result given stays on record.

// assessmentReq is a chart request for one assessment.
type assessmentReq struct {
	chartReq
	id   string
	href string
}

func assessmentRequest(r *http.Request) (assessmentReq, error) {
	c, err := chartRequest(r)
	if err != nil {
		return assessmentReq{}, err
	}
	id, err := uuidParam(r, "assessmentID")
	if err != nil {
		return assessmentReq{}, err
	}
	return assessmentReq{chartReq: c, id: id, href: c.base + "/assessments/" + id}, nil
}

func postedAssessmentRequest(r *http.Request) (assessmentReq, error) {
	a, err := assessmentRequest(r)
	if err != nil {
		return a, err
	}
	if err := r.ParseForm(); err != nil {
		return a, formError(err)
	}
	return a, nil
}

// Starting ---------------------------------------------------------------

func (s *Server) newAssessmentForm(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	v := s.assessmentStartView(r, c)
	err = s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		v.PatientName = p.DisplayName()
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.AssessmentStartPage(v))
}

func (s *Server) assessmentStartView(r *http.Request, c chartReq) web.AssessmentStartView {
	v := web.AssessmentStartView{Shell: s.shell(r), Base: c.base, Errors: web.FieldErrors{}}
	// The chart links here with the instrument it suggests already chosen.
	if _, ok := assessments.Current(r.URL.Query().Get("instrument")); ok {
		v.Instrument = r.URL.Query().Get("instrument")
	}
	for _, in := range assessments.All() {
		v.Instruments = append(v.Instruments, web.SelectOption{Value: in.Code, Label: in.Title})
	}
	for _, m := range assessments.Methods {
		v.Methods = append(v.Methods, web.SelectOption{Value: string(m.Method), Label: m.Label})
	}
	return v
}

func (s *Server) startAssessment(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	v := s.assessmentStartView(r, c)
	v.Instrument, v.Method = r.PostForm.Get("instrument"), r.PostForm.Get("method")
	if _, ok := assessments.Current(v.Instrument); !ok {
		v.Errors["instrument"] = "Choose the assessment to give."
	}
	if !assessments.Method(v.Method).Valid() {
		v.Errors["method"] = "Choose how the assessment is given."
	}
	var id string
	err = s.inTenant(r, func(tx pgx.Tx) error {
		p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
		if err != nil {
			return err
		}
		v.PatientName = p.DisplayName()
		if len(v.Errors) > 0 {
			return errChartRedisplay
		}
		id, err = assessments.Start(r.Context(), tx, c.tenantID, c.patientID, c.actorID, v.Instrument, assessments.Method(v.Method))
		if err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "assessment.started", entityType: "assessment", entityID: id, patientID: c.patientID,
			detail: map[string]any{"instrument": v.Instrument, "method": v.Method}})
	})
	if errors.Is(err, errChartRedisplay) {
		v.Problem = "Choose the assessment and how it is given."
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentStartPage(v))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, c.base+"/assessments/"+id)
}

// Viewing ----------------------------------------------------------------

// loadedAssessment is an assessment with its patient's name and instrument.
type loadedAssessment struct {
	assessments.Assessment
	in          assessments.Instrument
	patientName string
	// history is the patient's assessments, read only for a completed one
	// whose result page draws the trend.
	history []assessments.Assessment
	// proposals are the needs the result proposes that are not decided yet.
	proposals []assessments.NeedProposal
}

func loadAssessment(r *http.Request, tx pgx.Tx, a assessmentReq) (loadedAssessment, error) {
	p, err := patients.Get(r.Context(), tx, a.tenantID, a.patientID)
	if err != nil {
		return loadedAssessment{}, err
	}
	got, err := assessments.Get(r.Context(), tx, a.tenantID, a.patientID, a.id)
	if err != nil {
		return loadedAssessment{}, err
	}
	in, ok := got.Instrument()
	if !ok {
		return loadedAssessment{}, fmt.Errorf("assessment %s: %w %s %s", a.id, assessments.ErrUnknownInstrument, got.Code, got.Version)
	}
	l := loadedAssessment{Assessment: got, in: in, patientName: p.DisplayName()}
	if got.Status == assessments.Completed && got.Total != nil {
		l.history, err = assessments.ListForPatient(r.Context(), tx, a.tenantID, a.patientID)
	}
	if err == nil {
		l.proposals, err = openProposals(r, tx, a, got)
	}
	return l, err
}

// showAssessment is the form while in progress and the result after.
func (s *Server) showAssessment(w http.ResponseWriter, r *http.Request) error {
	a, err := assessmentRequest(r)
	if err != nil {
		return err
	}
	var l loadedAssessment
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if l, err = loadAssessment(r, tx, a); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "assessment.viewed", entityType: "assessment", entityID: a.id, patientID: a.patientID})
	})
	if err != nil {
		return err
	}
	if l.Status == assessments.InProgress {
		return render(w, r, http.StatusOK, web.AssessmentFormPage(s.assessmentForm(r, a, l, l.Answers, nil)))
	}
	return render(w, r, http.StatusOK, web.AssessmentResultPage(s.assessmentResult(r, a, l)))
}

// assessmentForm shows answers (saved or just posted) with a message next
// to each question in problems.
func (s *Server) assessmentForm(r *http.Request, a assessmentReq, l loadedAssessment, answers assessments.Answers, problems map[string]string) web.AssessmentFormView {
	v := web.AssessmentFormView{
		Shell: s.shell(r), Base: a.base, Action: a.href, PatientName: l.patientName,
		Title: l.in.Title, Instructions: l.in.Instructions, Method: strings.ToLower(l.Method.Label()),
		Version: l.RowVersion, AmendReason: l.AmendReason,
	}
	if l.AmendsID != "" {
		v.AmendsHref = a.base + "/assessments/" + l.AmendsID
	}
	for i, q := range l.in.Questions {
		wq := web.AssessmentQuestion{ID: q.ID, Number: i + 1, Text: q.Text, Multi: q.Multi, Optional: !q.Required, Error: problems[q.ID]}
		for _, o := range q.Options {
			wq.Options = append(wq.Options, web.AssessmentOption{ID: o.ID, Label: o.Label, Chosen: contains(answers[q.ID], o.ID)})
		}
		v.Questions = append(v.Questions, wq)
	}
	v.SafetyAlert = safetyMessage(l.in.Alerts(answers))
	return v
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func safetyMessage(alerts []string) string {
	if contains(alerts, assessments.AlertSafety) {
		return "Safety alert: an answer shows the patient may be at risk of harm. Review this today and follow your organisation's safety protocol."
	}
	return ""
}

func (s *Server) assessmentResult(r *http.Request, a assessmentReq, l loadedAssessment) web.AssessmentResultView {
	v := web.AssessmentResultView{
		Shell: s.shell(r), Base: a.base, Action: a.href, PatientName: l.patientName, Title: l.in.Title,
		EnteredInError: l.Status == assessments.EnteredInError, ErrorReason: sentence(l.ErrorReason),
		Band: l.Band, Interpretation: l.Interpretation, SafetyAlert: safetyMessage(l.Alerts),
		AmendReason: l.AmendReason, CanChange: l.Status == assessments.Completed,
	}
	if l.Total != nil {
		v.HasTotal, v.Total, v.MaxTotal = true, strconv.Itoa(*l.Total), strconv.Itoa(maxTotal(l.in))
	}
	if t, ok := trendOf(l.Code, l.history); ok {
		v.Trend = &t
	}
	v.Needs = needProposalsView(a, l.proposals)
	for _, d := range l.PositiveDomains {
		v.Domains = append(v.Domains, d.Label)
	}
	if l.AmendsID != "" {
		v.AmendsHref = a.base + "/assessments/" + l.AmendsID
	}
	if l.AmendedByID != "" {
		v.AmendedByHref = a.base + "/assessments/" + l.AmendedByID
	}
	completed := ""
	if l.CompletedAt != nil {
		completed = l.CompletedAt.Local().Format("2 Jan 2006, 15:04")
	}
	v.Facts = facts("Given", l.Method.Label(), "Administered by", orText(l.AdministeredByName, "Unknown"),
		"Started", l.StartedAt.Local().Format("2 Jan 2006, 15:04"), "Completed", completed,
		"Version", l.Code+" version "+l.Version)
	for i, q := range l.in.Questions {
		v.Answers = append(v.Answers, web.AssessmentAnswer{Number: i + 1, Question: q.Text, Answer: answerLabels(q, l.Answers[q.ID])})
	}
	return v
}

func answerLabels(q assessments.Question, chosen []string) string {
	var labels []string
	for _, o := range q.Options {
		if contains(chosen, o.ID) {
			labels = append(labels, o.Label)
		}
	}
	return orText(strings.Join(labels, "; "), "Not answered")
}

// maxTotal is the highest total the instrument's bands allow.
func maxTotal(in assessments.Instrument) int {
	m := 0
	for _, b := range in.Bands {
		m = max(m, b.Max)
	}
	return m
}

func sentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// Saving and completing ---------------------------------------------------

// answersFrom reads the instrument's questions from a posted form.
func answersFrom(in assessments.Instrument, form map[string][]string) assessments.Answers {
	a := assessments.Answers{}
	for _, q := range in.Questions {
		var chosen []string
		for _, v := range form[q.ID] {
			if v != "" {
				chosen = append(chosen, v)
			}
		}
		if len(chosen) > 0 {
			a[q.ID] = chosen
		}
	}
	return a
}

// postAssessment saves answers for later or completes the assessment.
func (s *Server) postAssessment(w http.ResponseWriter, r *http.Request) error {
	a, err := postedAssessmentRequest(r)
	if err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	if action != "save" && action != "complete" {
		return errBadRequest
	}
	version := forms.Version(r.PostForm.Get("version"))
	var l loadedAssessment
	var answers assessments.Answers
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if l, err = loadAssessment(r, tx, a); err != nil {
			return err
		}
		answers = answersFrom(l.in, r.PostForm)
		if action == "save" {
			return s.saveAnswers(r, tx, a, version, answers)
		}
		return s.completeAssessment(r, tx, a, l, version, answers)
	})
	if err == nil {
		if action == "save" {
			s.flash(r, "Answers saved. You can finish this assessment later from the chart.")
		} else {
			s.flash(r, l.in.Code+" completed.")
		}
		return redirect(w, r, a.href)
	}
	return s.assessmentNotSaved(w, r, a, l, answers, err)
}

func (s *Server) saveAnswers(r *http.Request, tx pgx.Tx, a assessmentReq, version int, answers assessments.Answers) error {
	if err := assessments.SaveAnswers(r.Context(), tx, a.tenantID, a.patientID, a.id, version, answers); err != nil {
		return err
	}
	return s.audit(r, tx, audited{action: "assessment.saved", entityType: "assessment", entityID: a.id, patientID: a.patientID,
		detail: map[string]any{"answered": len(answers)}})
}

func (s *Server) completeAssessment(r *http.Request, tx pgx.Tx, a assessmentReq, l loadedAssessment, version int, answers assessments.Answers) error {
	res, err := assessments.Complete(r.Context(), tx, a.tenantID, a.patientID, a.id, version, answers)
	if err != nil {
		return err
	}
	detail := map[string]any{"instrument": res.Code, "version": res.Version, "alerts": res.Alerts}
	if res.HasTotal {
		detail["total"], detail["band"] = res.Total, res.Band.Label
	}
	err = s.record(r, tx, a.chartReq, "assessment", resultSummary(l.in.Code, res),
		audited{action: "assessment.completed", entityType: "assessment", entityID: a.id, detail: detail})
	if err != nil {
		return err
	}
	return s.openSafetyTask(r, tx, a, l.in.Code, res)
}

// resultSummary is the timeline line of a completed assessment:
// "PHQ-9 completed: 14, moderate".
func resultSummary(code string, res assessments.Result) string {
	var what string
	switch {
	case res.HasTotal:
		what = strconv.Itoa(res.Total) + ", " + strings.ToLower(res.Band.Label)
	case len(res.PositiveDomains) == 0:
		what = "no needs identified"
	default:
		labels := make([]string, len(res.PositiveDomains))
		for i, d := range res.PositiveDomains {
			labels[i] = d.Label
		}
		what = "positive for " + strings.Join(labels, ", ")
	}
	if contains(res.Alerts, assessments.AlertSafety) {
		what += " (safety alert)"
	}
	return code + " completed: " + what
}

// assessmentNotSaved shows the form again with the answers as posted and
// why they were not saved.
func (s *Server) assessmentNotSaved(w http.ResponseWriter, r *http.Request, a assessmentReq, l loadedAssessment, answers assessments.Answers, err error) error {
	var missing *assessments.MissingAnswersError
	var invalid *assessments.InvalidAnswersError
	problems := map[string]string{}
	switch {
	case errors.As(err, &missing):
		for _, id := range missing.QuestionIDs {
			problems[id] = "Please answer this question."
		}
		v := s.assessmentForm(r, a, l, answers, problems)
		v.Problem = countedQuestions(len(missing.QuestionIDs)) + " an answer before the assessment can be completed. They are marked below; your answers are kept but nothing was saved yet."
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentFormPage(v))
	case errors.As(err, &invalid):
		for _, p := range invalid.Problems {
			problems[p.QuestionID] = p.Message
		}
		v := s.assessmentForm(r, a, l, answers, problems)
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentFormPage(v))
	case errors.Is(err, db.ErrConflict):
		v := s.assessmentForm(r, a, l, answers, nil)
		v.Problem = "Someone else saved this assessment while you were working on it, so your answers were not saved. Your answers are shown below: check them, then save again to replace theirs."
		return render(w, r, http.StatusConflict, web.AssessmentFormPage(v))
	case errors.Is(err, assessments.ErrNotInProgress):
		v := s.assessmentResult(r, a, l)
		v.Problem = "This assessment is already completed, so the answers you sent were not saved. To correct it, amend it below."
		return render(w, r, http.StatusConflict, web.AssessmentResultPage(v))
	}
	return err
}

func countedQuestions(n int) string {
	if n == 1 {
		return "1 question still needs"
	}
	return strconv.Itoa(n) + " questions still need"
}

// Correcting -------------------------------------------------------------

// amendAssessment starts a corrected copy of a completed assessment.
func (s *Server) amendAssessment(w http.ResponseWriter, r *http.Request) error {
	a, err := postedAssessmentRequest(r)
	if err != nil {
		return err
	}
	reason := r.PostForm.Get("amend_reason")
	var l loadedAssessment
	var newID string
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if l, err = loadAssessment(r, tx, a); err != nil {
			return err
		}
		if newID, err = assessments.Amend(r.Context(), tx, a.tenantID, a.patientID, a.id, a.actorID, reason); err != nil {
			return err
		}
		clean, _ := assessments.CleanReason(reason)
		return s.record(r, tx, a.chartReq, "assessment", l.in.Code+" of "+takenOn(l)+" amended: "+clean,
			audited{action: "assessment.amended", entityType: "assessment", entityID: newID, detail: map[string]any{"amends": a.id}})
	})
	if err != nil {
		return s.correctionRefused(w, r, a, l, err, func(v *web.AssessmentResultView, msg string) {
			v.Amend = web.AssessmentReasonForm{Open: true, Reason: reason, Error: msg}
		})
	}
	s.flash(r, "Amendment started with the earlier answers. Change what needs correcting, then complete it.")
	return redirect(w, r, a.base+"/assessments/"+newID)
}

// markAssessmentInError marks a completed assessment as entered in error.
func (s *Server) markAssessmentInError(w http.ResponseWriter, r *http.Request) error {
	a, err := postedAssessmentRequest(r)
	if err != nil {
		return err
	}
	reason := r.PostForm.Get("error_reason")
	var l loadedAssessment
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if l, err = loadAssessment(r, tx, a); err != nil {
			return err
		}
		if err = assessments.MarkEnteredInError(r.Context(), tx, a.tenantID, a.patientID, a.id, reason); err != nil {
			return err
		}
		clean, _ := assessments.CleanReason(reason)
		return s.record(r, tx, a.chartReq, "assessment", l.in.Code+" of "+takenOn(l)+" marked entered in error: "+clean,
			audited{action: "assessment.entered_in_error", entityType: "assessment", entityID: a.id})
	})
	if err != nil {
		return s.correctionRefused(w, r, a, l, err, func(v *web.AssessmentResultView, msg string) {
			v.Error = web.AssessmentReasonForm{Open: true, Reason: reason, Error: msg}
		})
	}
	s.flash(r, l.in.Code+" marked entered in error. It stays on record.")
	return redirect(w, r, a.href)
}

// correctionRefused shows the result again with why an amendment or
// entered-in-error mark was not made; keep puts the typed reason back.
func (s *Server) correctionRefused(w http.ResponseWriter, r *http.Request, a assessmentReq, l loadedAssessment, err error, keep func(*web.AssessmentResultView, string)) error {
	switch {
	case errors.Is(err, assessments.ErrReasonRequired):
		v := s.assessmentResult(r, a, l)
		keep(&v, "Say why, so that everyone reading the chart understands the change.")
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentResultPage(v))
	case errors.Is(err, assessments.ErrReasonTooLong):
		v := s.assessmentResult(r, a, l)
		keep(&v, "Keep the reason under 2,000 characters.")
		return render(w, r, http.StatusUnprocessableEntity, web.AssessmentResultPage(v))
	case errors.Is(err, assessments.ErrNotCompleted):
		return &httpError{http.StatusConflict, "Not a completed assessment",
			"Only a completed assessment can be amended or marked entered in error. Go back to the chart to see where it stands."}
	}
	return err
}

// takenOn is the day an assessment was completed, or started.
func takenOn(l loadedAssessment) string {
	if l.CompletedAt != nil {
		return longDate(l.CompletedAt.Local())
	}
	return longDate(l.StartedAt.Local())
}

// Chart ------------------------------------------------------------------

// assessmentRows lists the patient's assessments for the chart.
func assessmentRows(base string, list []assessments.Assessment) []web.ChartAssessmentRow {
	out := make([]web.ChartAssessmentRow, len(list))
	for i, a := range list {
		row := web.ChartAssessmentRow{
			Href: base + "/assessments/" + a.ID, Title: a.Code,
			EnteredInError: a.Status == assessments.EnteredInError,
			Alert:          contains(a.Alerts, assessments.AlertSafety) && a.Status == assessments.Completed,
			Amended:        a.AmendedByID != "",
		}
		switch {
		case a.CompletedAt == nil:
			row.Date, row.Result = longDate(a.StartedAt.Local()), "In progress"
		case a.Total != nil:
			row.Date, row.Result = longDate(a.CompletedAt.Local()), strconv.Itoa(*a.Total)+" · "+a.Band
		case len(a.PositiveDomains) > 0:
			row.Date, row.Result = longDate(a.CompletedAt.Local()), positiveDomains(len(a.PositiveDomains))
		default:
			row.Date, row.Result = longDate(a.CompletedAt.Local()), "No needs identified"
		}
		if a.AmendsID != "" {
			row.Result += " · amendment"
		}
		out[i] = row
	}
	return out
}

// positiveDomains says how many screening domains were positive.
func positiveDomains(n int) string {
	if n == 1 {
		return "1 positive domain"
	}
	return strconv.Itoa(n) + " positive domains"
}
