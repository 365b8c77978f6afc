package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// unplannedPatient is a northside demo patient of coord1's with accepted
// needs and no care plan yet.
func unplannedPatient(t *testing.T, app *testApp) string {
	t.Helper()
	var id string
	err := app.scanInTenant("northside", `
		select p.id from patients p
		  join users u on u.id = p.assigned_coordinator_id
		 where u.email = 'coord1@northside.test'
		   and exists (select 1 from needs n where n.tenant_id = p.tenant_id and n.patient_id = p.id and n.status = 'identified')
		   and not exists (select 1 from care_plans c where c.tenant_id = p.tenant_id and c.patient_id = p.id)
		 order by p.family_name limit 1`, nil, &id)
	if err != nil {
		t.Fatalf("no unplanned demo patient: %v", err)
	}
	return id
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// planVersion reads the plan version the page's forms carry.
func planVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no version field")
	}
	return m[1]
}

// startedPlan starts a plan for an unplanned patient as coord1 and returns
// the patient's chart path and the plan's path.
func startedPlan(t *testing.T, app *testApp, c *client) (string, string) {
	t.Helper()
	patient := unplannedPatient(t, app)
	chart := "/t/northside/patients/" + patient
	start := c.get(chart + "/care-plan")
	if start.status != http.StatusOK {
		t.Fatalf("start page: %d", start.status)
	}
	mustContain(t, "start page", start.body, "Start a care plan", `name="need_id"`)
	form := url.Values{"title": {"Plan with the patient"}}
	for _, m := range regexp.MustCompile(`name="need_id" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(start.body, -1) {
		form.Add("need_id", m[1])
	}
	res := c.post(chart+"/care-plans", form)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), chart+"/care-plans/") {
		t.Fatalf("start plan: %d %s\n%s", res.status, res.location(), res.body)
	}
	return chart, res.location()
}

var needSection = regexp.MustCompile(`id="need-([0-9a-f-]{36})"`)
var goalSection = regexp.MustCompile(`id="goal-([0-9a-f-]{36})"`)

// writtenPlan is a started plan with a goal and a coordinator's
// intervention under every need, and a review date: ready to submit.
func writtenPlan(t *testing.T, app *testApp, c *client) (string, string) {
	t.Helper()
	chart, plan := startedPlan(t, app, c)
	page := c.get(plan).body
	due := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	for _, m := range needSection.FindAllStringSubmatch(page, -1) {
		res := c.post(plan+"/needs/"+m[1]+"/goals", url.Values{"version": {planVersion(t, c.get(plan).body)},
			"patient_words": {"I want to be ok"}, "target": {"Says so at two calls running"}, "target_date": {due}, "priority": {"high"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("add goal: %d\n%s", res.status, res.body)
		}
	}
	coord := coordinatorID(t, app, "coord1@northside.test")
	for _, m := range goalSection.FindAllStringSubmatch(c.get(plan).body, -1) {
		res := c.post(plan+"/goals/"+m[1]+"/interventions", url.Values{"version": {planVersion(t, c.get(plan).body)},
			"action": {"Call the food bank with the patient"}, "responsible": {"coordinator:" + coord}, "due_date": {due}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("add intervention: %d\n%s", res.status, res.body)
		}
	}
	res := c.post(plan+"/details", url.Values{"version": {planVersion(t, c.get(plan).body)}, "title": {"Plan with the patient"},
		"review_due": {due}, "participants": {"The patient and her son"}, "patient_agreed": {"yes"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("details: %d\n%s", res.status, res.body)
	}
	return chart, plan
}

func coordinatorID(t *testing.T, app *testApp, email string) string {
	t.Helper()
	var id string
	if err := app.db.Pool.QueryRow(t.Context(), "select id from users where email = $1", email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// storedVersion is the plan's version in the database, for posts from a
// page that shows no form.
func storedVersion(t *testing.T, app *testApp, plan string) string {
	t.Helper()
	return strconv.Itoa(chartInt(t, app, "select version from care_plans where id = $1", planID(plan)))
}

func planID(plan string) string { return plan[strings.LastIndex(plan, "/")+1:] }

func planStage(t *testing.T, app *testApp, plan string) string {
	t.Helper()
	var s string
	if err := app.scanInTenant("northside", "select status || '/' || stage from care_plans where id = $1", []any{planID(plan)}, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCarePlan_StartFromNeedsThenTheChartLinksToIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	chart, plan := startedPlan(t, app, c)
	page := c.get(plan)
	mustContain(t, "new plan", page.body, "Plan with the patient", "Draft", "Being written", "Suggested goals for this need")
	if res := c.get(chart + "/care-plan"); res.location() != plan {
		t.Errorf("/care-plan with an open plan: %d → %q, want %s", res.status, res.location(), plan)
	}
	mustContain(t, "chart", c.get(chart).body, `data-testid="chart-plan"`, "Plan with the patient", "Open plan")
}

func TestCarePlan_SuggestedGoalPrefillsTheFormWithItsInterventions(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	_, plan := startedPlan(t, app, c)
	page := c.get(plan).body
	link := regexp.MustCompile(`href="([^"]*suggest=[^"]*)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no suggested goal link")
	}
	form := c.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	mustContain(t, "suggested goal form", form.body, `data-testid="goal-form"`, "Also add these interventions for you", `name="starter_0" value="yes" checked`)
	// Take it as offered: the goal and its starter interventions are saved together.
	values := url.Values{"version": {planVersion(t, form.body)}}
	for _, m := range regexp.MustCompile(`name="(patient_words|target|target_date|priority|starter_text_\d|starter_\d)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(form.body, -1) {
		values.Set(m[1], m[2])
	}
	values.Set("patient_words", regexp.MustCompile(`name="patient_words"[^>]*>([^<]*)<`).FindStringSubmatch(form.body)[1])
	values.Set("priority", "high")
	action := regexp.MustCompile(`action="([^"]*/goals)"`).FindStringSubmatch(form.body)[1]
	res := c.post(action, values)
	if res.status != http.StatusSeeOther {
		t.Fatalf("save suggested goal: %d\n%s", res.status, res.body)
	}
	var interventions int
	if err := app.scanInTenant("northside", "select count(*) from interventions where plan_id = $1", []any{planID(plan)}, &interventions); err != nil {
		t.Fatal(err)
	}
	if interventions == 0 {
		t.Error("the suggested interventions were not added with the goal")
	}
}

func TestCarePlan_BadGoalKeepsTheInputShowsMessagesAndSavesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	_, plan := startedPlan(t, app, c)
	page := c.get(plan).body
	need := needSection.FindStringSubmatch(page)[1]
	res := c.post(plan+"/needs/"+need+"/goals", url.Values{"version": {planVersion(t, page)},
		"patient_words": {"Keep my flat warm"}, "target": {""}, "target_date": {"2020-02-30"}, "priority": {"urgent"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad goal: status %d, want 422", res.status)
	}
	mustContain(t, "bad goal", res.body, "Keep my flat warm", `data-testid="error-target"`, `data-testid="error-target_date"`,
		`data-testid="error-priority"`, "Nothing was saved")
	if n := chartInt(t, app, "select count(*) from goals where plan_id = $1", planID(plan)); n != 0 {
		t.Errorf("%d goals saved from a bad form", n)
	}
}

func TestCarePlan_SecondEditorOfTheSameVersionIsRefusedWithInputKept(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	_, plan := startedPlan(t, app, maya)
	page := maya.get(plan).body
	need, seen := needSection.FindStringSubmatch(page)[1], planVersion(t, page)
	due := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	goal := func(words string) url.Values {
		return url.Values{"version": {seen}, "patient_words": {words}, "target": {"t"}, "target_date": {due}, "priority": {"low"}}
	}
	if res := maya.post(plan+"/needs/"+need+"/goals", goal("First editor's goal")); res.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.status)
	}
	grace := app.signedIn("supervisor@northside.test")
	res := grace.post(plan+"/needs/"+need+"/goals", goal("Second editor's goal"))
	if res.status != http.StatusConflict {
		t.Fatalf("second save of the same version: %d, want 409", res.status)
	}
	mustContain(t, "conflict page", res.body, "Someone else saved a change", "Second editor&#39;s goal", "First editor&#39;s goal")
	if n := chartInt(t, app, "select count(*) from goals where plan_id = $1", planID(plan)); n != 1 {
		t.Errorf("goals after the conflict: %d, want 1", n)
	}
}

func TestCarePlan_LifecycleThroughThePagesWithRolesAndTasks(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	chart, plan := writtenPlan(t, app, maya)
	page := maya.get(plan).body
	mustNotContain(t, "complete plan", page, `data-testid="submit-problems"`)
	if res := maya.post(plan+"/submit", url.Values{"version": {planVersion(t, page)}}); res.status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", res.status, res.body)
	}
	page = maya.get(plan).body
	mustContain(t, "submitted plan", page, "awaiting approval", `data-testid="awaiting-review"`)
	mustNotContain(t, "submitted plan", page, "Add a goal")

	// A coordinator cannot approve; the supervisor sees it queued, with the diff.
	if res := maya.post(plan+"/approve", url.Values{"version": {storedVersion(t, app, plan)}}); res.status != http.StatusForbidden {
		t.Errorf("coordinator approves: %d, want 403", res.status)
	}
	grace := app.signedIn("supervisor@northside.test")
	mustContain(t, "approval queue", grace.get("/t/northside/approvals").body, "Plan with the patient", "Maya Okafor")
	review := grace.get(plan).body
	mustContain(t, "review", review, `data-testid="plan-review"`, "nothing is approved yet", "I want to be ok", "Call the food bank")

	// Returned without a comment: refused. With one: back to the coordinator.
	if res := grace.post(plan+"/return", url.Values{"version": {planVersion(t, review)}, "text": {" "}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("return without a comment: %d, want 422", res.status)
	}
	if res := grace.post(plan+"/return", url.Values{"version": {planVersion(t, review)}, "text": {"Add the son's phone number"}}); res.status != http.StatusSeeOther {
		t.Fatalf("return: %d", res.status)
	}
	page = maya.get(plan).body
	mustContain(t, "returned plan", page, `data-testid="returned-comment"`, "Add the son&#39;s phone number", "Grace Whitfield")
	if got := planStage(t, app, plan); got != "draft/editing" {
		t.Errorf("returned plan: %s", got)
	}

	// Resubmitted and approved: the coordinator's interventions become her tasks.
	maya.post(plan+"/submit", url.Values{"version": {planVersion(t, page)}})
	review = grace.get(plan).body
	if res := grace.post(plan+"/approve", url.Values{"version": {planVersion(t, review)}}); res.status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", res.status, res.body)
	}
	if got := planStage(t, app, plan); got != "active/approved" {
		t.Errorf("approved plan: %s", got)
	}
	tasks := chartInt(t, app, `
		select count(*) from tasks t join interventions i on i.tenant_id = t.tenant_id and i.id = t.source_intervention_id
		 where i.plan_id = $1 and t.status = 'open' and t.assignee_id = (select id from users where email = 'coord1@northside.test')`, planID(plan))
	interventions := chartInt(t, app, "select count(*) from interventions where plan_id = $1", planID(plan))
	if tasks == 0 || tasks != interventions {
		t.Errorf("open tasks from interventions: %d, want %d", tasks, interventions)
	}
	mustContain(t, "chart timeline", maya.get(chart).body, "Care plan approved", "Care plan returned for changes")

	// Completing the plan cancels its open tasks.
	page = maya.get(plan).body
	if res := maya.post(plan+"/complete", url.Values{"version": {planVersion(t, page)}, "text": {"Goals met"}}); res.status != http.StatusSeeOther {
		t.Fatalf("complete: %d\n%s", res.status, res.body)
	}
	open := chartInt(t, app, `select count(*) from tasks t join interventions i on i.tenant_id = t.tenant_id
		and i.id = t.source_intervention_id where i.plan_id = $1 and t.status = 'open'`, planID(plan))
	if open != 0 {
		t.Errorf("%d tasks still open after the plan was completed", open)
	}
}

func TestCarePlan_SupervisorCannotApproveTheirOwnSubmission(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	_, plan := writtenPlan(t, app, grace)
	grace.post(plan+"/submit", url.Values{"version": {planVersion(t, grace.get(plan).body)}})
	page := grace.get(plan).body
	mustContain(t, "own submission", page, "another supervisor must approve it")
	grace.post(plan+"/approve", url.Values{"version": {storedVersion(t, app, plan)}})
	if got := planStage(t, app, plan); got != "draft/submitted" {
		t.Errorf("after approving one's own submission: %s", got)
	}
}

func TestCarePlan_RevisionKeepsTheApprovedPlanInForceAndShowsTheDiff(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya, grace := app.signedIn("coord1@northside.test"), app.signedIn("supervisor@northside.test")
	chart, plan := writtenPlan(t, app, maya)
	maya.post(plan+"/submit", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	grace.post(plan+"/approve", url.Values{"version": {planVersion(t, grace.get(plan).body)}})

	maya.post(plan+"/revise", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	page := maya.get(plan).body
	goal := goalSection.FindStringSubmatch(page)[1]
	res := maya.post(plan+"/goals/"+goal, url.Values{"version": {planVersion(t, page)}, "patient_words": {"I want to feel settled"},
		"target": {"Says so at two calls running"}, "target_date": {time.Now().AddDate(0, 0, 10).Format("2006-01-02")},
		"priority": {"high"}, "status": {"in_progress"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit goal in a revision: %d\n%s", res.status, res.body)
	}
	// The chart and the print view still show what was approved.
	mustContain(t, "chart during revision", maya.get(chart).body, "I want to be ok", "A revision is being written")
	printed := maya.get(plan + "/print").body
	mustContain(t, "print during revision", printed, "I want to be ok", "Call the food bank", "Agreed on")
	mustNotContain(t, "print during revision", printed, "I want to feel settled", "Draft — not yet approved")

	maya.post(plan+"/submit", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	review := grace.get(plan).body
	mustContain(t, "revision review", review, "the version approved", "Changed", "I want to feel settled",
		`<del class="diff-remove">I want to be ok</del>`, `<ins class="diff-add">In progress</ins>`)
	history := maya.get(plan + "/history?from=approved&to=current").body
	mustContain(t, "history", history, "Started a revision", "Approved", "I want to feel settled", `data-testid="revisions"`)
}

func TestCarePlan_ApprovedItemsCannotBeRemoved(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya, grace := app.signedIn("coord1@northside.test"), app.signedIn("supervisor@northside.test")
	_, plan := writtenPlan(t, app, maya)
	maya.post(plan+"/submit", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	grace.post(plan+"/approve", url.Values{"version": {planVersion(t, grace.get(plan).body)}})
	maya.post(plan+"/revise", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	page := maya.get(plan).body
	goal := goalSection.FindStringSubmatch(page)[1]
	mustNotContain(t, "revision", page, `action="`+plan+`/goals/`+goal+`/remove"`)
	maya.post(plan+"/goals/"+goal+"/remove", url.Values{"version": {planVersion(t, page)}})
	if n := chartInt(t, app, "select count(*) from goals where id = $1", goal); n != 1 {
		t.Error("an approved goal was removed")
	}
}

func TestCarePlan_ProgressNoteGoesOnTheGoalAndTheTimeline(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	chart, plan := writtenPlan(t, app, maya)
	goal := goalSection.FindStringSubmatch(maya.get(plan).body)[1]
	if res := maya.post(plan+"/goals/"+goal+"/notes", url.Values{"note": {""}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("empty note: %d, want 422", res.status)
	}
	if res := maya.post(plan+"/goals/"+goal+"/notes", url.Values{"note": {"Got a food box on Tuesday"}}); res.status != http.StatusSeeOther {
		t.Fatalf("note: %d\n%s", res.status, res.body)
	}
	mustContain(t, "plan", maya.get(plan).body, "Got a food box on Tuesday")
	mustContain(t, "chart", maya.get(chart).body, "Got a food box on Tuesday")
}

func TestCarePlan_AnotherTenantGetsNotFoundAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	_, plan := writtenPlan(t, app, maya)
	version := planVersion(t, maya.get(plan).body)
	foreign := strings.Replace(plan, "/t/northside/", "/t/riverside/", 1)
	for _, email := range []string{"coord1@riverside.test", "supervisor@riverside.test"} {
		c := app.signedIn(email)
		for _, path := range []string{plan, foreign, foreign + "/history", foreign + "/print"} {
			if res := c.get(path); res.status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", email, path, res.status)
			}
		}
		for _, path := range []string{foreign + "/submit", foreign + "/approve", foreign + "/details"} {
			res := c.post(path, url.Values{"version": {version}, "title": {"Hijacked"}, "patient_agreed": {"yes"}})
			// A coordinator is refused approval by role before the plan is looked up.
			if res.status != http.StatusNotFound && res.status != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 404", email, path, res.status)
			}
			mustNotContain(t, path, res.body, "Plan with the patient")
		}
	}
	if got := planStage(t, app, plan); got != "draft/editing" {
		t.Errorf("plan after foreign requests: %s", got)
	}
}

func TestCarePlan_PrintViewIsThePatientsCopy(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	_, plan := writtenPlan(t, app, maya)
	draft := maya.get(plan + "/print")
	mustContain(t, "draft print", draft.body, "Draft — not yet approved", "I want to be ok", "Call the food bank",
		"Your care coordinator", "Maya Okafor", "People on your care team")
	mustNotContain(t, "draft print", draft.body, `class="sidenav"`, "PHQ-9", "AHC-HRSN")
}

func TestCarePlan_StatusUpdatesOnAnApprovedPlanNeedNoRevision(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya, grace := app.signedIn("coord1@northside.test"), app.signedIn("supervisor@northside.test")
	chart, plan := writtenPlan(t, app, maya)
	maya.post(plan+"/submit", url.Values{"version": {planVersion(t, maya.get(plan).body)}})
	grace.post(plan+"/approve", url.Values{"version": {planVersion(t, grace.get(plan).body)}})
	page := maya.get(plan).body
	goal := goalSection.FindStringSubmatch(page)[1]
	res := maya.post(plan+"/goals/"+goal+"/status", url.Values{"version": {planVersion(t, page)}, "status": {"achieved"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("goal status: %d\n%s", res.status, res.body)
	}
	if got := planStage(t, app, plan); got != "active/approved" {
		t.Errorf("a status update changed the plan's stage: %s", got)
	}
	card := chartBetween(maya.get(chart).body, `data-testid="chart-plan"`, "</section>")
	mustContain(t, "chart plan card", card, "Achieved")
	mustContain(t, "history", maya.get(plan+"/history").body, "is now Achieved")
	// A stale version is refused like any edit.
	res = maya.post(plan+"/goals/"+goal+"/status", url.Values{"version": {planVersion(t, page)}, "status": {"in_progress"}})
	if res.status != http.StatusConflict {
		t.Errorf("stale status update: %d, want 409", res.status)
	}
}

func TestCarePlan_DischargedPatientsOpenPlanIsFlaggedOnTheChart(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := app.signedIn("coord1@northside.test")
	chart, _ := writtenPlan(t, app, maya)
	patient := chart[strings.LastIndex(chart, "/")+1:]
	mustNotContain(t, "chart before discharge", maya.get(chart).body, `data-testid="plan-warning"`)
	version := strconv.Itoa(chartInt(t, app, "select version from patients where id = $1", patient))
	res := maya.post(chart+"/status", url.Values{"action": {"discharge"}, "reason": {"Moved away"}, "version": {version}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("discharge: %d\n%s", res.status, res.body)
	}
	mustContain(t, "chart after discharge", maya.get(chart).body, `data-testid="plan-warning"`, "complete or cancel it")
}

func TestCarePlan_StartWithoutATitleKeepsTheChosenNeedsAndASecondPlanIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	patient := twoNeedPatient(t, app)
	chart := "/t/northside/patients/" + patient
	needs := regexp.MustCompile(`name="need_id" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(c.get(chart+"/care-plan").body, -1)
	if len(needs) < 2 {
		t.Fatalf("start page offers %d needs", len(needs))
	}
	res := c.post(chart+"/care-plans", url.Values{"title": {" "}, "need_id": {needs[1][1]}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("start without a title: %d, want 422", res.status)
	}
	mustContain(t, "start again", res.body, `data-testid="error-title"`, "Give the plan a title.",
		`value="`+needs[1][1]+`" checked`)
	mustNotContain(t, "start again", res.body, `value="`+needs[0][1]+`" checked`)
	if n := chartInt(t, app, "select count(*) from care_plans where patient_id = $1", patient); n != 0 {
		t.Errorf("%d plans started without a title", n)
	}
	first := c.post(chart+"/care-plans", url.Values{"title": {"First"}, "need_id": {needs[0][1]}})
	second := c.post(chart+"/care-plans", url.Values{"title": {"Second"}})
	if first.status != http.StatusSeeOther || second.status != http.StatusSeeOther || second.location() != chart+"/care-plan" {
		t.Fatalf("two starts: %d, then %d → %s", first.status, second.status, second.location())
	}
	mustContain(t, "after the second start", c.get(first.location()).body, "This patient already has an open care plan, so no new one was started.")
}
