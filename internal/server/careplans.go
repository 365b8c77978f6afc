package server

import (
	"net/http"
	"strconv"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Care plans (issue 6). A plan's page is its editor: the working copy with
// the lifecycle steps its state allows. Approved versions are kept as
// revisions; the chart, the print view and the supervisor's review read
// those, so a revision being written never changes what is in force.

// planReq is what every plan handler reads from its request.
type planReq struct {
	chartReq
	planID string
	href   string
}

// planOf is the plan the URL names.
func planOf(r *http.Request) planReq {
	c, id := patientOf(r), urlID(r, "planID")
	return planReq{chartReq: c, planID: id, href: c.base + "/care-plans/" + id}
}

// carePlan sends the coordinator to the patient's open plan, or offers to
// start one.
func (s *Server) carePlan(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	page, err := s.plans.StartPage(r.Context(), s.actor(r), c.patientID)
	if err != nil {
		return err
	}
	if page.OpenPlanID != "" {
		return redirect(w, r, c.base+"/care-plans/"+page.OpenPlanID)
	}
	v := planStartView(s.shell(r), c, page, careplans.StartForm{Title: "Care plan for " + page.Patient.DisplayName()}, nil)
	return render(w, r, http.StatusOK, web.PlanStartPage(v))
}

// startPlan creates a draft plan from the chosen needs.
func (s *Server) startPlan(w http.ResponseWriter, r *http.Request) error {
	c := patientOf(r)
	f := careplans.ParseStart(r.PostForm)
	planID, err := s.plans.Start(r.Context(), s.actor(r), c.patientID, f)
	if err != nil {
		return s.planFailed(w, r, err, c.base+"/care-plan", func(e *fail.Error) (templ.Component, error) {
			page, err := s.plans.StartPage(r.Context(), s.actor(r), c.patientID)
			return web.PlanStartPage(planStartView(s.shell(r), c, page, f, e.Fields)), err
		})
	}
	return s.redirectWith(w, r, c.base+"/care-plans/"+planID, "Care plan started. Add goals and interventions with the patient.")
}

// planStartView offers the patient's open needs for a new plan, all
// ticked unless the coordinator chose some in f already.
func planStartView(sh web.Shell, c chartReq, page careplans.StartPage, f careplans.StartForm, errs map[string]string) web.PlanStartView {
	v := web.PlanStartView{Shell: sh, PatientName: page.Patient.DisplayName(), ChartHref: c.base, Action: c.base + "/care-plans",
		Title: f.Title, Errors: web.FieldErrors(errs), Older: olderPlans(c, page.Plans, "")}
	if v.Errors == nil {
		v.Errors = web.FieldErrors{}
	}
	chosen := map[string]bool{}
	for _, id := range f.NeedIDs {
		chosen[id] = true
	}
	for _, n := range page.Needs {
		v.Needs = append(v.Needs, web.PlanStartNeed{ID: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description,
			Priority: needBadge(n.Priority), Checked: errs == nil || chosen[n.ID]})
	}
	return v
}

func needBadge(p careplans.Priority) web.ChartBadge {
	return web.ChartBadge{Label: p.Label() + " priority", Tone: needPriorityTone[p]}
}

// showPlan is the plan editor; ?form= unfolds one form in place.
func (s *Server) showPlan(w http.ResponseWriter, r *http.Request) error {
	p := planOf(r)
	page, err := s.plans.PlanPage(r.Context(), s.actor(r), p.patientID, p.planID)
	if err != nil {
		return err
	}
	v, err := s.planView(r, p, page)
	if err != nil {
		return err
	}
	v.Open = s.requestedForm(r, p, page.Plan)
	return render(w, r, http.StatusOK, web.CarePlanPage(v))
}

// planView is the editor of the plan page reads.
func (s *Server) planView(r *http.Request, p planReq, page careplans.PlanPage) (web.CarePlanView, error) {
	plan := page.Plan
	v := web.CarePlanView{
		Shell: s.shell(r), PatientName: page.Patient.DisplayName(), ChartHref: p.base, Href: p.href,
		Title: plan.Title, Status: planBadge(plan), StageNote: stageNote(plan), Version: plan.Version, Facts: planFacts(plan),
		Editable: plan.Editable(), CanProgress: plan.Status.Open() && !plan.Editable(),
		HistoryHref: p.href + "/history", PrintHref: p.href + "/print",
		Needs:   planNeedViews(p, plan, s.actor(r).Today(), zone(r)),
		Choices: planChoices(page.Responsible), OtherNeeds: needOptions(page.OtherNeeds), Older: olderPlans(p.chartReq, page.Plans, plan.ID),
	}
	if plan.ReturnedComment != "" && plan.Stage == careplans.Editing {
		v.ReturnedComment, v.ReturnedBy = plan.ReturnedComment, orText(page.ReturnedBy, "a supervisor")
	}
	if v.CanSubmit = plan.Editable(); plan.Editable() {
		v.SubmitProblems = careplans.SubmitProblems(plan)
		v.CanSubmit = len(v.SubmitProblems) == 0
	}
	v.CanRevise = plan.Status == careplans.PlanActive && plan.Stage == careplans.Approved
	v.CanComplete = plan.Status == careplans.PlanActive && plan.Stage != careplans.Submitted
	v.CanCancel = plan.Status.Open() && plan.Stage != careplans.Submitted
	if plan.Revising() {
		v.ChangesHref = p.href + "/history?from=approved&to=current"
	}
	if plan.Stage == careplans.Submitted {
		v.Review, v.AwaitingReview = reviewView(page.Review), page.Review == nil
	}
	return v, s.goalReferrals(r, p.base, plan.Status.Open(), v.Needs)
}

var planTone = map[careplans.PlanStatus]string{
	careplans.PlanDraft: "info", careplans.PlanActive: "ok", careplans.PlanCompleted: "muted", careplans.PlanCancelled: "muted",
}

func planBadge(p careplans.Plan) web.ChartBadge {
	label := p.Status.Label()
	if p.Stage == careplans.Submitted {
		label += " · awaiting approval"
	}
	return web.ChartBadge{Label: label, Tone: planTone[p.Status]}
}

// stageNote says in a sentence where the plan stands and what comes next.
func stageNote(p careplans.Plan) string {
	switch {
	case p.Status == careplans.PlanCompleted:
		return "Completed. The plan is kept as it was; start a new plan from the chart if needed."
	case p.Status == careplans.PlanCancelled:
		return "Cancelled. The plan is kept as it was."
	case p.Status == careplans.PlanDraft && p.Stage == careplans.Editing:
		return "Being written. Submit it for approval when the patient has agreed."
	case p.Status == careplans.PlanDraft:
		return "Submitted for approval; it comes into force once a supervisor approves it."
	case p.Stage == careplans.Approved:
		return "In force since " + longDate(*p.ApprovedAt) + "."
	case p.Stage == careplans.Editing:
		return "A revision is being written; the plan approved " + longDate(*p.ApprovedAt) + " stays in force until it is approved."
	default:
		return "A revision awaits approval; the plan approved " + longDate(*p.ApprovedAt) + " stays in force meanwhile."
	}
}

func planFacts(p careplans.Plan) []web.ChartFact {
	review := "Not set"
	if p.ReviewDue != nil {
		review = longDate(*p.ReviewDue)
	}
	fs := []web.ChartFact{
		{Label: "Review by", Value: review},
		{Label: "Who took part", Value: orText(p.Participants, "Not recorded")},
		{Label: "Patient agreed", Value: p.PatientAgreed.Label()},
	}
	if p.ApprovedAt != nil {
		fs = append(fs, web.ChartFact{Label: "Approved", Value: longDate(*p.ApprovedAt) + " by " + p.ApprovedBy})
	}
	if p.ClosedReason != "" {
		fs = append(fs, web.ChartFact{Label: "Closed because", Value: p.ClosedReason})
	}
	return fs
}

var goalTone = map[careplans.GoalStatus]string{
	careplans.GoalProposed: "info", careplans.GoalInProgress: "warn", careplans.GoalAchieved: "ok",
	careplans.GoalNotAchieved: "danger", careplans.GoalCancelled: "muted",
}

var interventionTone = map[careplans.InterventionStatus]string{
	careplans.InterventionPlanned: "info", careplans.InterventionInProgress: "warn",
	careplans.InterventionDone: "ok", careplans.InterventionCancelled: "muted",
}

// planNeedViews turns the working copy into the editor's sections.
func planNeedViews(p planReq, plan careplans.Plan, day time.Time, loc *time.Location) []web.PlanNeedView {
	out := make([]web.PlanNeedView, len(plan.Needs))
	for i, n := range plan.Needs {
		nv := web.PlanNeedView{Position: i + 1, ID: n.ID, Label: n.Label(), Priority: needBadge(n.Priority), Removable: !n.InForce,
			First: i == 0, Last: i == len(plan.Needs)-1}
		for j, g := range n.Goals {
			nv.Goals = append(nv.Goals, goalView(plan, g, j == 0, j == len(n.Goals)-1, day, loc))
		}
		for _, sg := range careplans.SuggestionsFor(n.Domain) {
			nv.Suggestions = append(nv.Suggestions, web.PlanSuggestionView{PatientWords: sg.PatientWords,
				Interventions: sg.Interventions, Href: p.href + "?form=goal&need=" + n.ID + "&suggest=" + sg.Key + "#need-" + n.ID})
		}
		out[i] = nv
	}
	return out
}

func goalView(plan careplans.Plan, g careplans.Goal, first, last bool, day time.Time, loc *time.Location) web.PlanGoalView {
	gv := web.PlanGoalView{ID: g.ID, PatientWords: g.PatientWords, Target: g.Target, TargetDate: longDate(g.TargetDate),
		Priority: needBadge(g.Priority), Status: web.ChartBadge{Label: g.Status.Label(), Tone: goalTone[g.Status]},
		Removable: !g.InForce && len(g.Notes) == 0, First: first, Last: last, CanNote: plan.Status.Open()}
	for k, in := range g.Interventions {
		iv := web.PlanInterventionView{ID: in.ID, Action: in.Action, Responsible: in.Responsible,
			Status:    web.ChartBadge{Label: in.Status.Label(), Tone: interventionTone[in.Status]},
			Removable: !in.InForce, First: k == 0, Last: k == len(g.Interventions)-1}
		if in.DueDate != nil {
			iv.Due = longDate(*in.DueDate)
			iv.Overdue = in.DueDate.Before(day) && (in.Status == careplans.InterventionPlanned || in.Status == careplans.InterventionInProgress)
		}
		gv.Interventions = append(gv.Interventions, iv)
	}
	for _, n := range g.Notes {
		gv.Notes = append(gv.Notes, web.PlanNoteView{When: n.CreatedAt.In(loc).Format(calendar.Day), Author: n.AuthorName, Note: n.Note})
	}
	return gv
}

// planChoices are the option lists of the plan's forms.
func planChoices(responsible forms.Choices[string]) web.PlanChoices {
	ch := web.PlanChoices{Agreements: web.OptionsOf(careplans.Agreements), GoalStatuses: web.OptionsOf(careplans.GoalStatuses),
		InterventionStatuses: web.OptionsOf(careplans.InterventionStatuses), Responsible: web.OptionsOf(responsible)}
	for _, n := range careplans.Domains {
		ch.Domains = append(ch.Domains, web.SelectOption{Value: string(n), Label: careplans.DomainLabel(n)})
	}
	for _, o := range careplans.Priorities {
		ch.Priorities = append(ch.Priorities, web.SelectOption{Value: string(o.Value), Label: o.Label})
	}
	return ch
}

// needOptions offers needs to add to the plan.
func needOptions(needs []careplans.Need) []web.SelectOption {
	out := make([]web.SelectOption, len(needs))
	for i, n := range needs {
		out[i] = web.SelectOption{Value: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description}
	}
	return out
}

// olderPlans lists the patient's plans other than the one shown.
func olderPlans(c chartReq, all []careplans.Summary, except string) []web.PlanSummaryRow {
	var out []web.PlanSummaryRow
	for _, p := range all {
		if p.ID != except {
			out = append(out, web.PlanSummaryRow{Title: p.Title, Status: planBadge(careplans.Plan{Status: p.Status, Stage: p.Stage}),
				When: "started " + longDate(p.CreatedAt), Href: c.base + "/care-plans/" + p.ID})
		}
	}
	return out
}

// reviewView is the supervisor's view of a submitted plan: what changed
// since the version in force, or everything for a first approval.
func reviewView(rv *careplans.Review) *web.PlanReviewView {
	if rv == nil {
		return nil
	}
	v := &web.PlanReviewView{Own: rv.Own, Since: "the plan was started (nothing is approved yet)", Changes: changeViews(rv.Changes)}
	if rv.Since != nil {
		v.Since = "the version approved " + longDate(rv.Since.CreatedAt) + " by " + rv.Since.ActorName
	}
	return v
}

func changeViews(cs []careplans.Change) []web.PlanChangeView {
	out := make([]web.PlanChangeView, len(cs))
	for i, c := range cs {
		cv := web.PlanChangeView{Kind: string(c.Kind), Item: c.Item, Label: c.Label, Under: c.Under}
		for _, f := range c.Fields {
			cv.Fields = append(cv.Fields, web.PlanFieldChange{Name: f.Name, From: readableDate(f.From), To: readableDate(f.To)})
		}
		out[i] = cv
	}
	return out
}

// readableDate writes a stored date the way pages do; other values (a
// date not set, a title) pass as they are.
func readableDate(s string) string {
	if d, err := calendar.ParseDate(s); err == nil {
		return longDate(d)
	}
	return s
}

// requestedForm is the form named by ?form=, filled from the stored item
// or, for a suggested goal, from the suggestion.
func (s *Server) requestedForm(r *http.Request, p planReq, plan careplans.Plan) web.PlanForm {
	q := r.URL.Query()
	switch kind := q.Get("form"); {
	case !plan.Status.Open():
	case kind == "details" && plan.Editable():
		return detailsOpen(p, careplans.DetailsFormOf(plan))
	case kind == "need" && plan.Editable():
		return web.PlanForm{Kind: "need", Action: p.href + "/needs", Values: map[string]string{"priority": "medium"}, Errors: web.FieldErrors{}}
	case kind == "goal" && plan.Editable():
		if g, ok := plan.Goal(q.Get("goal")); ok {
			return goalOpen(p, g.ID, true, careplans.GoalFormOf(g, plan.Version), nil)
		}
		if n, ok := plan.Need(q.Get("need")); ok {
			return s.newGoalOpen(r, p, n, q.Get("suggest"))
		}
	case kind == "intervention" && plan.Editable():
		if in, ok := plan.Intervention(q.Get("intervention")); ok {
			return interventionOpen(p, in.ID, true, careplans.InterventionFormOf(in, plan.Version))
		}
		if g, ok := plan.Goal(q.Get("goal")); ok {
			return interventionOpen(p, g.ID, false, careplans.InterventionForm{Responsible: "coordinator:" + s.actor(r).UserID})
		}
	case kind == "note":
		if g, ok := plan.Goal(q.Get("goal")); ok {
			return web.PlanForm{Kind: "note", Target: g.ID, Action: p.href + "/goals/" + g.ID + "/notes", Errors: web.FieldErrors{}}
		}
	case (kind == "complete" || kind == "cancel") && plan.Stage != careplans.Submitted:
		return web.PlanForm{Kind: kind, Action: p.href + "/" + kind, Errors: web.FieldErrors{}}
	}
	return web.PlanForm{}
}

// newGoalOpen is the form adding a goal to need n, filled from the
// suggestion named by key, if any, with its interventions ticked.
func (s *Server) newGoalOpen(r *http.Request, p planReq, n careplans.PlanNeed, key string) web.PlanForm {
	f := careplans.GoalForm{Priority: string(n.Priority)}
	var starters []string
	if sg, ok := careplans.Suggested(n.Domain, key); ok {
		f.PatientWords, f.Target, f.TargetDate = sg.PatientWords, sg.Target, sg.TargetDate(s.actor(r).Today())
		starters = sg.Interventions
	}
	open := goalOpen(p, n.ID, false, f, starters)
	for i := range starters {
		open.Values["starter_"+strconv.Itoa(i)] = "yes"
	}
	return open
}

func detailsOpen(p planReq, f careplans.DetailsForm) web.PlanForm {
	return web.PlanForm{Kind: "details", Action: p.href + "/details",
		Values: map[string]string{"title": f.Title, "review_due": f.ReviewDue, "participants": f.Participants, "patient_agreed": f.PatientAgreed}}
}

// goalOpen is the goal form: adding to need target, or editing goal target.
func goalOpen(p planReq, target string, editing bool, f careplans.GoalForm, starters []string) web.PlanForm {
	action := p.href + "/needs/" + target + "/goals"
	if editing {
		action = p.href + "/goals/" + target
	}
	return web.PlanForm{Kind: "goal", Target: target, Editing: editing, Action: action, Starters: starters,
		Values: map[string]string{"patient_words": f.PatientWords, "target": f.Target,
			"target_date": f.TargetDate, "priority": f.Priority, "status": f.Status}}
}

// interventionOpen is the intervention form: adding to goal target, or
// editing intervention target.
func interventionOpen(p planReq, target string, editing bool, f careplans.InterventionForm) web.PlanForm {
	action := p.href + "/goals/" + target + "/interventions"
	if editing {
		action = p.href + "/interventions/" + target
	}
	return web.PlanForm{Kind: "intervention", Target: target, Editing: editing, Action: action,
		Values: map[string]string{"action": f.Action, "responsible": f.Responsible, "due_date": f.DueDate, "status": f.Status}}
}

// chartPlan is the plan card of the chart: the plan as the team follows
// it (see careplans.CurrentPlan).
func chartPlan(c chartReq, cur careplans.Current, found bool) web.ChartPlan {
	out := web.ChartPlan{Href: c.base + "/care-plan"}
	if !found {
		return out
	}
	out.Exists, out.Href, out.Title = true, c.base+"/care-plans/"+cur.Plan.ID, cur.InForce.Title
	out.Status, out.Note = planBadge(cur.Plan), stageNote(cur.Plan)
	for _, n := range cur.InForce.Needs {
		for _, g := range n.Goals {
			out.Goals = append(out.Goals, web.ChartPlanGoal{Words: g.PatientWords, By: readableDate(g.TargetDate),
				Status: web.ChartBadge{Label: g.Status.Label(), Tone: goalTone[g.Status]}})
		}
	}
	return out
}
