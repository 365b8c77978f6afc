package server

import (
	"time"

	"net/http"
	"slices"
	"strconv"
	"strings"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
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

// assessmentOf is the assessment the URL names.
func assessmentOf(r *http.Request) assessmentReq {
	c, id := patientOf(r), urlID(r, "assessmentID")
	return assessmentReq{chartReq: c, id: id, href: assessmentHref(c.base, id)}
}

// Starting ---------------------------------------------------------------

func (s *Server) newAssessmentForm(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	var f assessments.StartForm
	// The chart links here with the instrument it suggests already chosen.
	if _, ok := assessments.Current(r.URL.Query().Get("instrument")); ok {
		f.Instrument = r.URL.Query().Get("instrument")
	}
	page, err := s.assessmentStart(r, c, f, "", nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, page)
}

// assessmentStart is the form that starts an assessment with f chosen, and
// why it could not start.
func (s *Server) assessmentStart(r *http.Request, c chartReq, f assessments.StartForm, problem string, errs map[string]string) (templ.Component, error) {
	sp, err := s.assessments.StartPage(r.Context(), s.actor(r), c.patientID)
	v := web.AssessmentStartView{Shell: s.shell(r), Base: c.base, PatientName: sp.PatientName, Instrument: f.Instrument, Method: f.Method,
		Methods: web.OptionsOf(assessments.Methods), Errors: errs, Problem: problem}
	for _, in := range assessments.All() {
		v.Instruments = append(v.Instruments, web.SelectOption{Value: in.Code, Label: in.Title})
	}
	return web.AssessmentStartPage(v), err
}

func (s *Server) startAssessment(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := assessments.ParseStartForm(r.PostForm)
	id, err := s.assessments.Start(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.assessmentStart(r, c, f, e.Message, e.Fields) })
	}
	return redirect(w, r, assessmentHref(c.base, id))
}

// Viewing ----------------------------------------------------------------

// showAssessment is the form while in progress and the result after.
func (s *Server) showAssessment(w http.ResponseWriter, r *http.Request) error {
	a := assessmentOf(r)
	p, err := s.plans.AssessmentPage(r.Context(), s.actor(r), a.patientID, a.id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, s.assessmentPage(r, a, p, p.Answers, "", nil, nil))
}

// assessmentAgain is the assessment's page once more after a change to it
// was refused: see assessmentPage. posted are the answers sent, or nil to
// show the saved ones.
func (s *Server) assessmentAgain(r *http.Request, a assessmentReq, posted assessments.Answers, e *fail.Error, keep func(*web.AssessmentResultView)) (templ.Component, error) {
	p, err := s.plans.AssessmentPageAgain(r.Context(), s.actor(r), a.patientID, a.id)
	if err != nil {
		return nil, err
	}
	answers := p.Answers
	if posted != nil {
		answers = p.Instrument.AnswersFrom(posted)
	}
	return s.assessmentPage(r, a, p, answers, e.Message, e.Fields, keep), nil
}

// assessmentPage is the assessment's form while it is in progress, with
// answers, and its result after, where keep puts back what was typed;
// either with why a change was refused, above and beside the fields.
func (s *Server) assessmentPage(r *http.Request, a assessmentReq, p careplans.AssessmentPage, answers assessments.Answers,
	problem string, fields map[string]string, keep func(*web.AssessmentResultView)) templ.Component {
	if p.Status == assessments.InProgress {
		v := s.assessmentForm(r, a, p, answers, fields)
		v.Problem = problem
		return web.AssessmentFormPage(v)
	}
	v := s.assessmentResult(r, a, p)
	v.Problem = problem
	if keep != nil {
		keep(&v)
	}
	return web.AssessmentResultPage(v)
}

// assessmentForm shows answers (saved or just posted) with a message next
// to each question in problems.
func (s *Server) assessmentForm(r *http.Request, a assessmentReq, p careplans.AssessmentPage, answers assessments.Answers, problems map[string]string) web.AssessmentFormView {
	v := web.AssessmentFormView{
		Shell: s.shell(r), Base: a.base, Action: a.href, PatientName: p.PatientName,
		Title: p.Instrument.Title, Instructions: p.Instrument.Instructions, Method: strings.ToLower(p.Method.Label()),
		Version: p.RowVersion, AmendReason: p.AmendReason, AmendsHref: assessmentHref(a.base, p.AmendsID),
	}
	for i, q := range p.Instrument.Questions {
		wq := web.AssessmentQuestion{ID: q.ID, Number: q.NumberAt(i), Text: q.Text, Multi: q.Multi, Optional: !q.Required, Error: problems[q.ID],
			Section: q.Section, SectionNote: q.SectionNote}
		for _, o := range q.Options {
			wq.Options = append(wq.Options, web.AssessmentOption{ID: o.ID, Label: o.Label, Chosen: slices.Contains(answers[q.ID], o.ID)})
		}
		v.Questions = append(v.Questions, wq)
	}
	v.SafetyAlert = safetyMessage(p.Instrument.Alerts(answers))
	return v
}

// assessmentHref is the address of the patient's assessment id, or "".
func assessmentHref(base, id string) string {
	if id == "" {
		return ""
	}
	return base + "/assessments/" + id
}

func safetyMessage(alerts []string) string {
	if slices.Contains(alerts, assessments.AlertSafety) {
		return "Safety alert: an answer shows the patient may be at risk of harm. Review this today and follow your organisation's safety protocol."
	}
	return ""
}

func (s *Server) assessmentResult(r *http.Request, a assessmentReq, p careplans.AssessmentPage) web.AssessmentResultView {
	v := web.AssessmentResultView{
		Shell: s.shell(r), Base: a.base, Action: a.href, PatientName: p.PatientName, Title: p.Instrument.Title,
		EnteredInError: p.Status == assessments.EnteredInError, ErrorReason: sentence(p.ErrorReason),
		Band: p.Band, Interpretation: p.Interpretation, SafetyAlert: safetyMessage(p.Alerts),
		AmendReason: p.AmendReason, CanChange: p.Status == assessments.Completed,
		AmendsHref: assessmentHref(a.base, p.AmendsID), AmendedByHref: assessmentHref(a.base, p.AmendedByID),
		Needs: needProposalsView(a, p.Proposals),
	}
	if p.Total != nil {
		v.HasTotal, v.Total, v.MaxTotal = true, strconv.Itoa(*p.Total), strconv.Itoa(p.Instrument.MaxTotal())
	}
	if t, ok := trendOf(p.Code, p.History, zone(r)); ok {
		v.Trend = &t
	}
	for _, d := range p.PositiveDomains {
		v.Domains = append(v.Domains, d.Label)
	}
	if n := len(p.CountedDomains()); n > 0 {
		v.DomainCount = positiveDomains(n) + ", counted as CMS counts them (both living-situation questions make one domain)"
	}
	if total, threshold, ok := p.SafetyTotal(); ok {
		v.SafetyTotal, v.SafetyPositive = safetyTotal(total, threshold), total > threshold
	}
	completed := ""
	if p.CompletedAt != nil {
		completed = p.CompletedAt.In(zone(r)).Format(calendar.DayTime)
	}
	v.Facts = facts("Given", p.Method.Label(), "Administered by", orText(p.AdministeredByName, "Unknown"),
		"Started", p.StartedAt.In(zone(r)).Format(calendar.DayTime), "Completed", completed,
		"Version", p.Code+" version "+p.Version)
	for i, q := range p.Instrument.Questions {
		answer := orText(strings.Join(q.Labels(p.Answers[q.ID]), "; "), "Not answered")
		v.Answers = append(v.Answers, web.AssessmentAnswer{Number: q.NumberAt(i), Question: q.Text, Answer: answer})
	}
	return v
}

func sentence(s string) string {
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// Saving, completing and correcting --------------------------------------

// postAssessment saves answers for later or completes the assessment.
func (s *Server) postAssessment(w http.ResponseWriter, r *http.Request) error {
	a := assessmentOf(r)
	f := assessments.ParseAnswersForm(r.PostForm)
	flash := "Answers saved. You can finish this assessment later from the chart."
	var err error
	switch f.Action {
	case "save":
		var safetyTask string
		safetyTask, err = s.assessments.SaveAnswers(r.Context(), s.actor(r), a.patientID, a.id, f)
		if safetyTask != "" {
			flash = "Answers saved. An answer shows a safety concern: an urgent task is open for today. You can finish this assessment later from the chart."
		}
	case "complete":
		var done assessments.Completion
		done, err = s.assessments.Complete(r.Context(), s.actor(r), a.patientID, a.id, f)
		flash = done.Code + " completed."
	default:
		return errBadRequest
	}
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.assessmentAgain(r, a, f.Answers, e, nil) })
	}
	return s.redirectWith(w, r, a.href, flash)
}

// amendAssessment starts a corrected copy of a completed assessment.
func (s *Server) amendAssessment(w http.ResponseWriter, r *http.Request) error {
	a := assessmentOf(r)
	reason := r.PostForm.Get("amend_reason")
	newID, err := s.assessments.Amend(r.Context(), s.actor(r), a.patientID, a.id, reason)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.assessmentAgain(r, a, nil, e, func(v *web.AssessmentResultView) {
				v.Amend = web.AssessmentReasonForm{Open: true, Reason: reason, Error: e.Fields["amend_reason"]}
			})
		})
	}
	return s.redirectWith(w, r, assessmentHref(a.base, newID), "Amendment started with the earlier answers. Change what needs correcting, then complete it.")
}

// markAssessmentInError marks a completed assessment as entered in error.
func (s *Server) markAssessmentInError(w http.ResponseWriter, r *http.Request) error {
	a := assessmentOf(r)
	reason := r.PostForm.Get("error_reason")
	marked, err := s.assessments.MarkEnteredInError(r.Context(), s.actor(r), a.patientID, a.id, reason)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.assessmentAgain(r, a, nil, e, func(v *web.AssessmentResultView) {
				v.Error = web.AssessmentReasonForm{Open: true, Reason: reason, Error: e.Fields["error_reason"]}
			})
		})
	}
	return s.redirectWith(w, r, a.href, marked.Code+" marked entered in error. It stays on record.")
}

// Chart ------------------------------------------------------------------

// assessmentRows lists the patient's assessments for the chart.
func assessmentRows(base string, list []assessments.Assessment, loc *time.Location) []web.ChartAssessmentRow {
	out := make([]web.ChartAssessmentRow, len(list))
	for i, a := range list {
		row := web.ChartAssessmentRow{
			Href: assessmentHref(base, a.ID), Title: a.Code,
			EnteredInError: a.Status == assessments.EnteredInError,
			Alert:          a.SafetyConcern(),
			Amended:        a.AmendedByID != "",
		}
		row.Date = longDate(a.TakenAt().In(loc))
		switch {
		case a.CompletedAt == nil:
			row.Result = "In progress"
		case a.Total != nil:
			row.Result = strconv.Itoa(*a.Total) + " · " + a.Band
		case len(a.PositiveDomains) > 0:
			row.Result = positiveDomains(len(a.CountedDomains()))
		default:
			row.Result = "No needs identified"
		}
		if total, _, ok := a.SafetyTotal(); ok && a.CompletedAt != nil {
			row.Result += " · safety total " + strconv.Itoa(total)
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

// safetyTotal says an interpersonal-safety total against its range and
// threshold: "12 out of 20 (positive at 11 or more)".
func safetyTotal(total, threshold int) string {
	return strconv.Itoa(total) + " out of 20 (positive at " + strconv.Itoa(threshold+1) + " or more)"
}
