package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Care plans (issue 6). A plan's page is its editor: the working copy with
// the lifecycle steps its state allows. Approved versions are kept as
// revisions; the chart, the print view and the supervisor's review read
// those, so a revision being written never changes what is in force.

// planReq is what every plan handler reads from its request.
type planReq struct {
	chartReq
	ref  careplans.Ref
	href string
}

func planRequest(r *http.Request) (planReq, error) {
	c, err := chartRequest(r)
	if err != nil {
		return planReq{}, err
	}
	id, err := uuidParam(r, "planID")
	if err != nil {
		return planReq{}, err
	}
	return planReq{chartReq: c, ref: careplans.Ref{TenantID: c.tenantID, PatientID: c.patientID, PlanID: id},
		href: c.base + "/care-plans/" + id}, nil
}

func postedPlanRequest(r *http.Request) (planReq, error) {
	p, err := planRequest(r)
	if err != nil {
		return p, err
	}
	if err := r.ParseForm(); err != nil {
		return p, formError(err)
	}
	return p, nil
}

// carePlan sends the coordinator to the patient's open plan, or offers to
// start one.
func (s *Server) carePlan(w http.ResponseWriter, r *http.Request) error {
	c, err := chartRequest(r)
	if err != nil {
		return err
	}
	var v web.PlanStartView
	var openID string
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		openID, err = careplans.OpenPlanID(r.Context(), tx, c.tenantID, c.patientID)
		if err == nil || !errors.Is(err, db.ErrNotFound) {
			return err
		}
		v, err = s.planStartView(r, tx, c, nil)
		return err
	})
	if err != nil {
		return err
	}
	if openID != "" {
		return redirect(w, r, c.base+"/care-plans/"+openID)
	}
	return render(w, r, http.StatusOK, web.PlanStartPage(v))
}

// planStartView lists the patient's open needs, all ticked unless the
// coordinator's choice is given.
func (s *Server) planStartView(r *http.Request, tx pgx.Tx, c chartReq, chosen map[string]bool) (web.PlanStartView, error) {
	p, err := patients.Get(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return web.PlanStartView{}, err
	}
	needs, err := careplans.ListForPatient(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return web.PlanStartView{}, err
	}
	v := web.PlanStartView{Shell: s.shell(r), PatientName: p.DisplayName(), ChartHref: c.base,
		Action: c.base + "/care-plans", Title: "Care plan for " + p.DisplayName(), Errors: web.FieldErrors{}}
	for _, n := range needs {
		if n.Status.Open() {
			v.Needs = append(v.Needs, web.PlanStartNeed{ID: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description,
				Priority: needBadge(n.Priority), Checked: chosen == nil || chosen[n.ID]})
		}
	}
	v.Older, err = olderPlans(r, tx, c, "")
	return v, err
}

func needBadge(p careplans.Priority) web.ChartBadge {
	return web.ChartBadge{Label: p.Label() + " priority", Tone: needPriorityTone[p]}
}

// startPlan creates a draft plan from the chosen needs.
func (s *Server) startPlan(w http.ResponseWriter, r *http.Request) error {
	c, err := postedChartRequest(r)
	if err != nil {
		return err
	}
	title := strings.TrimSpace(r.PostForm.Get("title"))
	chosen := map[string]bool{}
	var ids []string
	for _, id := range r.PostForm["need_id"] {
		if !validUUID(id) {
			return errNotFound
		}
		chosen[id], ids = true, append(ids, id)
	}
	errs := web.FieldErrors{}
	if title == "" {
		errs["title"] = "Give the plan a title."
	} else if len([]rune(title)) > 200 {
		errs["title"] = "This is too long: at most 200 characters."
	}
	var planID string
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		if len(errs) > 0 {
			return errChartRedisplay
		}
		if planID, err = careplans.Create(r.Context(), tx, c.tenantID, c.patientID, c.actorID, title, ids); err != nil {
			return err
		}
		return s.record(r, tx, c, "care_plan", "Care plan started: "+title,
			audited{action: "care_plan.created", entityType: "care_plan", entityID: planID, detail: map[string]any{"needs": len(ids)}})
	})
	switch {
	case errors.Is(err, errChartRedisplay):
		var v web.PlanStartView
		if err := s.inTenant(r, func(tx pgx.Tx) (err error) { v, err = s.planStartView(r, tx, c, chosen); return err }); err != nil {
			return err
		}
		v.Title, v.Errors = title, errs
		return render(w, r, http.StatusUnprocessableEntity, web.PlanStartPage(v))
	case errors.Is(err, careplans.ErrOpenPlanExists):
		s.flash(r, "This patient already has an open care plan, so no new one was started.")
		return redirect(w, r, c.base+"/care-plan")
	case err != nil:
		return err
	}
	s.flash(r, "Care plan started. Add goals and interventions with the patient.")
	return redirect(w, r, c.base+"/care-plans/"+planID)
}

// showPlan is the plan editor; ?form= unfolds one form in place.
func (s *Server) showPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := planRequest(r)
	if err != nil {
		return err
	}
	var v web.CarePlanView
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		var plan careplans.Plan
		if v, plan, err = s.planView(r, tx, p); err != nil {
			return err
		}
		v.Open = s.requestedForm(r, p, plan)
		return s.audit(r, tx, audited{action: "care_plan.viewed", entityType: "care_plan", entityID: p.ref.PlanID, patientID: p.patientID})
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.CarePlanPage(v))
}

// planView reads the plan and everything its page shows.
func (s *Server) planView(r *http.Request, tx pgx.Tx, p planReq) (web.CarePlanView, careplans.Plan, error) {
	ctx := r.Context()
	plan, err := careplans.Load(ctx, tx, p.ref)
	if err != nil {
		return web.CarePlanView{}, plan, err
	}
	patient, err := patients.Get(ctx, tx, p.tenantID, p.patientID)
	if err != nil {
		return web.CarePlanView{}, plan, err
	}
	m, _ := currentMembership(r)
	v := web.CarePlanView{
		Shell: s.shell(r), PatientName: patient.DisplayName(), ChartHref: p.base, Href: p.href,
		Title: plan.Title, Status: planBadge(plan), StageNote: stageNote(plan), Version: plan.Version,
		Facts: planFacts(plan), Editable: plan.Editable(), CanProgress: plan.Status.Open() && !plan.Editable(), HistoryHref: p.href + "/history", PrintHref: p.href + "/print",
		Needs: planNeedViews(p, plan, today()),
	}
	if err := goalReferrals(r, tx, p.tenantID, p.base, plan.Status.Open(), v.Needs); err != nil {
		return web.CarePlanView{}, plan, err
	}
	if plan.ReturnedComment != "" && plan.Stage == careplans.Editing {
		v.ReturnedComment, v.ReturnedBy = plan.ReturnedComment, "a supervisor"
		if last, err := lastReturn(ctx, tx, p.ref); err == nil {
			v.ReturnedBy = last
		}
	}
	v.CanSubmit = plan.Editable()
	if plan.Editable() {
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
		if m.Role.ReviewsCaseloads() {
			if v.Review, err = reviewOf(r, tx, p, plan); err != nil {
				return v, plan, err
			}
		} else {
			v.AwaitingReview = true
		}
	}
	if v.Choices, err = s.planChoices(r, tx, p); err != nil {
		return v, plan, err
	}
	if v.OtherNeeds, err = otherNeeds(r, tx, p, plan); err != nil {
		return v, plan, err
	}
	v.Older, err = olderPlans(r, tx, p.chartReq, plan.ID)
	return v, plan, err
}

var planTone = map[careplans.PlanStatus]string{
	careplans.PlanDraft: "info", careplans.PlanActive: "ok", careplans.PlanCompleted: "muted", careplans.PlanCancelled: "muted",
}

func planBadge(p careplans.Plan) web.ChartBadge {
	label := map[careplans.PlanStatus]string{careplans.PlanDraft: "Draft", careplans.PlanActive: "Active",
		careplans.PlanCompleted: "Completed", careplans.PlanCancelled: "Cancelled"}[p.Status]
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
func planNeedViews(p planReq, plan careplans.Plan, day time.Time) []web.PlanNeedView {
	out := make([]web.PlanNeedView, len(plan.Needs))
	for i, n := range plan.Needs {
		nv := web.PlanNeedView{Position: i + 1, ID: n.ID, Label: n.Label(), Priority: needBadge(n.Priority), Removable: !n.InForce,
			First: i == 0, Last: i == len(plan.Needs)-1}
		for j, g := range n.Goals {
			nv.Goals = append(nv.Goals, goalView(plan, g, j == 0, j == len(n.Goals)-1, day))
		}
		for _, sg := range careplans.SuggestionsFor(n.Domain) {
			nv.Suggestions = append(nv.Suggestions, web.PlanSuggestionView{PatientWords: sg.PatientWords,
				Interventions: sg.Interventions, Href: p.href + "?form=goal&need=" + n.ID + "&suggest=" + sg.Key + "#need-" + n.ID})
		}
		out[i] = nv
	}
	return out
}

func goalView(plan careplans.Plan, g careplans.Goal, first, last bool, day time.Time) web.PlanGoalView {
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
		gv.Notes = append(gv.Notes, web.PlanNoteView{When: n.CreatedAt.Local().Format("2 Jan 2006"), Author: n.AuthorName, Note: n.Note})
	}
	return gv
}

// planChoices are the option lists of the plan's forms. Who may be
// responsible: the tenant's coordinators, the patient's care team, the
// patient and their caregiver.
func (s *Server) planChoices(r *http.Request, tx pgx.Tx, p planReq) (web.PlanChoices, error) {
	var ch web.PlanChoices
	for _, n := range careplans.Domains {
		ch.Domains = append(ch.Domains, web.SelectOption{Value: string(n), Label: careplans.DomainLabel(n)})
	}
	for _, o := range careplans.Priorities {
		ch.Priorities = append(ch.Priorities, web.SelectOption{Value: string(o.Priority), Label: o.Label})
	}
	for _, o := range careplans.Agreements {
		ch.Agreements = append(ch.Agreements, web.SelectOption{Value: string(o.Value), Label: o.Label})
	}
	for _, o := range careplans.GoalStatuses {
		ch.GoalStatuses = append(ch.GoalStatuses, web.SelectOption{Value: string(o.Value), Label: o.Label})
	}
	for _, o := range careplans.InterventionStatuses {
		ch.InterventionStatuses = append(ch.InterventionStatuses, web.SelectOption{Value: string(o.Value), Label: o.Label})
	}
	coordinators, err := s.coordinatorOptions(r, tx)
	if err != nil {
		return ch, err
	}
	for _, c := range coordinators {
		ch.Responsible = append(ch.Responsible, web.SelectOption{Value: "coordinator:" + c.Value, Label: c.Label})
	}
	team, err := patients.CareTeam(r.Context(), tx, p.tenantID, p.patientID)
	if err != nil {
		return ch, err
	}
	for _, m := range team {
		label := joinNonEmpty(", ", m.Name, patients.CareTeamKinds.Label(m.Kind), m.Organisation)
		ch.Responsible = append(ch.Responsible, web.SelectOption{Value: "care_team:" + m.ID, Label: label + " (care team)"})
	}
	ch.Responsible = append(ch.Responsible,
		web.SelectOption{Value: "patient", Label: "The patient"}, web.SelectOption{Value: "caregiver", Label: "The patient's caregiver"})
	return ch, nil
}

// otherNeeds are the patient's open needs the plan does not address yet.
func otherNeeds(r *http.Request, tx pgx.Tx, p planReq, plan careplans.Plan) ([]web.SelectOption, error) {
	all, err := careplans.ListForPatient(r.Context(), tx, p.tenantID, p.patientID)
	if err != nil {
		return nil, err
	}
	on := map[string]bool{}
	for _, n := range plan.Needs {
		on[n.NeedID] = true
	}
	var out []web.SelectOption
	for _, n := range all {
		if n.Status.Open() && !on[n.ID] {
			out = append(out, web.SelectOption{Value: n.ID, Label: careplans.DomainLabel(n.Domain) + ": " + n.Description})
		}
	}
	return out, nil
}

// olderPlans lists the patient's plans other than the one shown.
func olderPlans(r *http.Request, tx pgx.Tx, c chartReq, except string) ([]web.PlanSummaryRow, error) {
	all, err := careplans.PlansForPatient(r.Context(), tx, c.tenantID, c.patientID)
	if err != nil {
		return nil, err
	}
	var out []web.PlanSummaryRow
	for _, p := range all {
		if p.ID == except {
			continue
		}
		out = append(out, web.PlanSummaryRow{Title: p.Title, Status: planBadge(careplans.Plan{Status: p.Status, Stage: p.Stage}),
			When: "started " + longDate(p.CreatedAt), Href: c.base + "/care-plans/" + p.ID})
	}
	return out, nil
}

// lastReturn names the supervisor who last returned the plan.
func lastReturn(ctx context.Context, tx pgx.Tx, ref careplans.Ref) (string, error) {
	history, err := careplans.History(ctx, tx, ref)
	if err != nil {
		return "", err
	}
	for _, h := range history {
		if h.Kind == "returned" {
			return h.ActorName, nil
		}
	}
	return "", db.ErrNotFound
}

// reviewOf is the supervisor's view of a submitted plan: what changed
// since the version in force, or everything for a first approval.
func reviewOf(r *http.Request, tx pgx.Tx, p planReq, plan careplans.Plan) (*web.PlanReviewView, error) {
	u, _ := currentUser(r)
	rv := &web.PlanReviewView{Own: plan.SubmittedByID == u.ID, Since: "the plan was started (nothing is approved yet)"}
	base := careplans.Snapshot{}
	last, err := careplans.LastApproved(r.Context(), tx, p.ref)
	switch {
	case err == nil:
		base, rv.Since = last.Snapshot, "the version approved "+longDate(last.CreatedAt)+" by "+last.ActorName
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	rv.Changes = changeViews(careplans.Diff(base, careplans.SnapshotOf(plan)))
	return rv, nil
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

// readableDate writes a stored date the way pages do; other values pass.
func readableDate(s string) string {
	if d, err := parseDate(s); err == nil {
		return longDate(d)
	}
	return s
}

// requestedForm is the form named by ?form=, filled from the stored item
// or, for a suggested goal, from the suggestion.
func (s *Server) requestedForm(r *http.Request, p planReq, plan careplans.Plan) web.PlanForm {
	q := r.URL.Query()
	kind := q.Get("form")
	switch {
	case kind == "details" && plan.Editable():
		d := careplans.DetailsFormOf(plan)
		return detailsOpen(p, d)
	case kind == "need" && plan.Editable():
		return web.PlanForm{Kind: "need", Action: p.href + "/needs", Values: map[string]string{"priority": "medium"}, Errors: web.FieldErrors{}}
	case kind == "goal" && plan.Editable():
		if g, ok := findGoal(plan, q.Get("goal")); ok {
			return goalOpen(p, g.ID, true, careplans.GoalFormOf(g, plan.Version), nil)
		}
		if n, ok := findNeed(plan, q.Get("need")); ok {
			f := careplans.GoalForm{Priority: string(n.Priority)}
			var starters []string
			if sg, ok := careplans.Suggested(n.Domain, q.Get("suggest")); ok {
				f.PatientWords, f.Target, f.TargetDate = sg.PatientWords, sg.Target, sg.TargetDate(today())
				starters = sg.Interventions
			}
			open := goalOpen(p, n.ID, false, f, starters)
			for i := range starters {
				open.Values["starter_"+strconv.Itoa(i)] = "yes"
			}
			return open
		}
	case kind == "intervention" && plan.Editable():
		if in, ok := findIntervention(plan, q.Get("intervention")); ok {
			return interventionOpen(p, in.ID, true, careplans.InterventionFormOf(in, plan.Version))
		}
		if g, ok := findGoal(plan, q.Get("goal")); ok {
			u, _ := currentUser(r)
			return interventionOpen(p, g.ID, false, careplans.InterventionForm{Responsible: "coordinator:" + u.ID})
		}
	case kind == "note" && plan.Status.Open():
		if g, ok := findGoal(plan, q.Get("goal")); ok {
			return web.PlanForm{Kind: "note", Target: g.ID, Action: p.href + "/goals/" + g.ID + "/notes", Errors: web.FieldErrors{}}
		}
	case (kind == "complete" || kind == "cancel") && plan.Status.Open() && plan.Stage != careplans.Submitted:
		return web.PlanForm{Kind: kind, Action: p.href + "/" + kind, Errors: web.FieldErrors{}}
	}
	return web.PlanForm{}
}

func findNeed(plan careplans.Plan, id string) (careplans.PlanNeed, bool) {
	for _, n := range plan.Needs {
		if n.ID == id {
			return n, true
		}
	}
	return careplans.PlanNeed{}, false
}

func findGoal(plan careplans.Plan, id string) (careplans.Goal, bool) {
	for _, n := range plan.Needs {
		for _, g := range n.Goals {
			if g.ID == id {
				return g, true
			}
		}
	}
	return careplans.Goal{}, false
}

func findIntervention(plan careplans.Plan, id string) (careplans.Intervention, bool) {
	for _, n := range plan.Needs {
		for _, g := range n.Goals {
			for _, i := range g.Interventions {
				if i.ID == id {
					return i, true
				}
			}
		}
	}
	return careplans.Intervention{}, false
}

func detailsOpen(p planReq, f careplans.DetailsForm) web.PlanForm {
	return web.PlanForm{Kind: "details", Action: p.href + "/details", Errors: web.FieldErrors(f.Errors),
		Values: map[string]string{"title": f.Title, "review_due": f.ReviewDue, "participants": f.Participants, "patient_agreed": f.PatientAgreed}}
}

// goalOpen is the goal form: adding to need target, or editing goal target.
func goalOpen(p planReq, target string, editing bool, f careplans.GoalForm, starters []string) web.PlanForm {
	action := p.href + "/needs/" + target + "/goals"
	if editing {
		action = p.href + "/goals/" + target
	}
	return web.PlanForm{Kind: "goal", Target: target, Editing: editing, Action: action, Starters: starters,
		Errors: web.FieldErrors(f.Errors), Values: map[string]string{"patient_words": f.PatientWords, "target": f.Target,
			"target_date": f.TargetDate, "priority": f.Priority, "status": f.Status}}
}

// interventionOpen is the intervention form: adding to goal target, or
// editing intervention target.
func interventionOpen(p planReq, target string, editing bool, f careplans.InterventionForm) web.PlanForm {
	action := p.href + "/goals/" + target + "/interventions"
	if editing {
		action = p.href + "/interventions/" + target
	}
	return web.PlanForm{Kind: "intervention", Target: target, Editing: editing, Action: action, Errors: web.FieldErrors(f.Errors),
		Values: map[string]string{"action": f.Action, "responsible": f.Responsible, "due_date": f.DueDate, "status": f.Status}}
}

// chartPlan is the plan card of the chart: the goals in force for an
// active plan (a revision being written does not change them), the
// draft's goals otherwise.
func chartPlan(r *http.Request, tx pgx.Tx, c chartReq) (web.ChartPlan, error) {
	out := web.ChartPlan{Href: c.base + "/care-plan"}
	id, err := careplans.OpenPlanID(r.Context(), tx, c.tenantID, c.patientID)
	if errors.Is(err, db.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	ref := careplans.Ref{TenantID: c.tenantID, PatientID: c.patientID, PlanID: id}
	plan, err := careplans.Load(r.Context(), tx, ref)
	if err != nil {
		return out, err
	}
	snap := careplans.SnapshotOf(plan)
	if plan.Status == careplans.PlanActive {
		rev, err := careplans.LastApproved(r.Context(), tx, ref)
		if err != nil {
			return out, err
		}
		snap = careplans.InForce(rev.Snapshot, plan)
	}
	out.Exists, out.Href, out.Title, out.Status, out.Note = true, c.base+"/care-plans/"+id, snap.Title, planBadge(plan), stageNote(plan)
	for _, n := range snap.Needs {
		for _, g := range n.Goals {
			out.Goals = append(out.Goals, web.ChartPlanGoal{Words: g.PatientWords, By: formDateLong(g.TargetDate),
				Status: web.ChartBadge{Label: g.Status.Label(), Tone: goalTone[g.Status]}})
		}
	}
	return out, nil
}
