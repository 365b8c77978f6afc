package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// taskSection is the part of a page from the element with the given
// data-testid up to the end of its section.
func taskSection(t *testing.T, body, testid string) string {
	t.Helper()
	return taskPart(t, body, testid, "</section>")
}

// taskPart is the part of a page from the element with the given
// data-testid up to end.
func taskPart(t *testing.T, body, testid, end string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="`+testid+`"`)
	if i < 0 {
		t.Fatalf("worklist has no %s section", testid)
	}
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// taskCount counts a patient's tasks of one source with the given status.
func taskCount(t *testing.T, app *testApp, patientID, source string) int {
	t.Helper()
	return chartInt(t, app, "select count(*) from tasks where patient_id = $1 and source = $2", patientID, source)
}

func TestTasks_PHQ9ItemNineOpensOneUrgentTaskForTheCoordinator(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	// coord2 gives the assessment; the task still goes to the patient's
	// coordinator, coord1.
	c := app.signedIn("coord2@northside.test")
	id := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 1, 1, 2)

	var assignee, status, priority, source, asm, title string
	chartRow(t, app, `select u.email, t.status, t.priority, t.source, t.source_assessment_id::text, t.title
		  from tasks t join users u on u.id = t.assignee_id where t.patient_id = $1`, []any{p},
		&assignee, &status, &priority, &source, &asm, &title)
	if assignee != "coord1@northside.test" || status != "open" || priority != "urgent" || source != "safety_alert" || asm != id {
		t.Fatalf("task: assignee %s status %s priority %s source %s assessment %s (want %s)", assignee, status, priority, source, asm, id)
	}
	if n := taskCount(t, app, p, "safety_alert"); n != 1 {
		t.Errorf("safety tasks: %d, want 1", n)
	}
	if n := chartAuditCount(t, app, p, "task.created"); n != 1 {
		t.Errorf("task.created audit events: %d, want 1", n)
	}
	if n := chartInt(t, app, "select count(*) from patient_events where patient_id = $1 and summary = $2", p, "Urgent task: safety follow-up after PHQ-9"); n != 1 {
		t.Errorf("timeline lines for the task: %d, want 1", n)
	}

	chart := c.get("/t/northside/patients/" + p)
	flag := taskPart(t, chart.body, "safety-flag", "</div>")
	mustContain(t, "chart", chart.body, `role="alert" data-testid="safety-flag"`)
	mustContain(t, "chart safety banner", flag, "Safety alert — open urgent task: Safety follow-up after PHQ-9", "Due today", "Maya Okafor")
	mustContain(t, "chart timeline", chart.body, "Urgent task: safety follow-up after PHQ-9")
}

func TestTasks_SafetyTaskReachesTheCoordinatorsAndSupervisorsWorklistsOnly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	asmComplete(t, app, app.signedIn("coord1@northside.test"), p, 0, 0, 0, 0, 0, 0, 0, 0, 3)
	link := `href="/t/northside/patients/` + p + `"`

	mine := followToPage(t, app.signedIn("coord1@northside.test"), "/t/northside/worklist").body
	today := taskSection(t, mine, "worklist-due-today")
	mustContain(t, "coordinator's due today", today, link, "Safety follow-up after PHQ-9", "Urgent", "Today")
	mustNotContain(t, "coordinator's overdue", taskSection(t, mine, "worklist-overdue"), link)
	mustNotContain(t, "coordinator's worklist", mine, `data-testid="team-safety-alerts"`)

	other := followToPage(t, app.signedIn("coord2@northside.test"), "/t/northside/worklist").body
	mustNotContain(t, "another coordinator's tasks", taskSection(t, other, "worklist-due-today")+taskSection(t, other, "worklist-overdue"), link)

	sup := followToPage(t, app.signedIn("supervisor@northside.test"), "/t/northside/worklist").body
	mustContain(t, "supervisor's counts", sup, `data-testid="count-safety"><span class="stat">1</span>`)
	team := taskSection(t, sup, "team-safety-alerts")
	mustContain(t, "supervisor's team safety alerts", team, "Safety alerts in your team", link, "Safety follow-up after PHQ-9", "Maya Okafor", "Under an hour")

	river := followToPage(t, app.signedIn("supervisor@riverside.test"), "/t/riverside/worklist").body
	mustNotContain(t, "riverside supervisor's worklist", river, p, "Safety follow-up after PHQ-9")
	if res := app.signedIn("supervisor@riverside.test").get("/t/riverside/patients/" + p); res.status != http.StatusNotFound {
		t.Errorf("riverside supervisor opening the chart: status %d, want 404", res.status)
	}
}

func TestTasks_PHQ9WithoutItemNineOpensNoTaskAndNoBanner(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	asmComplete(t, app, c, p, 3, 3, 3, 3, 3, 3, 3, 3, 0)
	if n := taskCount(t, app, p, "safety_alert"); n != 0 {
		t.Errorf("safety tasks: %d, want 0", n)
	}
	if n := chartAuditCount(t, app, p, "task.created"); n != 0 {
		t.Errorf("task.created audit events: %d, want 0", n)
	}
	mustNotContain(t, "chart", c.get("/t/northside/patients/"+p).body, `data-testid="safety-flag"`)
}

func TestTasks_AHCSafetyScoreAboveTenOpensOneTask(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "AHC-HRSN")
	// Safety questions: 3 + 3 + 3 + 2 = 11, just over the threshold.
	form := url.Values{"action": {"complete"}, "version": {"1"},
		"q1": {"steady"}, "q2": {"none"}, "q3": {"never"}, "q4": {"never"}, "q5": {"no"}, "q6": {"no"},
		"q7": {"sometimes"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"rarely"}}
	if res := c.post(asmPath(p, "/"+id), form); res.status != http.StatusSeeOther {
		t.Fatalf("complete AHC-HRSN: status %d\n%s", res.status, res.body)
	}
	if n := taskCount(t, app, p, "safety_alert"); n != 1 {
		t.Fatalf("safety tasks: %d, want 1", n)
	}
	mustContain(t, "chart", c.get("/t/northside/patients/"+p).body, `data-testid="safety-flag"`, "Safety follow-up after AHC-HRSN")
}

func TestJourney_CoordinatorSeesTheSafetyAlertOnChartAndWorklist(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	asmComplete(t, app, app.signedIn("coord2@northside.test"), p, 1, 1, 1, 1, 1, 1, 1, 1, 2)
	ctx := browser(t)
	var banner, today string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		text(`[data-testid=worklist-due-today]`, &today),
		screenshot("tasks-worklist"),
		chromedp.Click(chromedp.CSS(`[data-testid=worklist-due-today] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=safety-flag]`)),
		text(`[data-testid=safety-flag]`, &banner),
		screenshot("tasks-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(today, "Urgent") || !strings.Contains(today, "Safety follow-up after PHQ-9") {
		t.Errorf("due today reads %q", today)
	}
	if !strings.Contains(banner, "Safety alert — open urgent task: Safety follow-up after PHQ-9") {
		t.Errorf("banner reads %q", banner)
	}
}

func TestJourney_SupervisorSeesTeamSafetyAlerts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	asmComplete(t, app, app.signedIn("coord1@northside.test"), p, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	ctx := browser(t)
	var team string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "supervisor@northside.test"),
		text(`[data-testid=team-safety-alerts]`, &team),
		screenshot("tasks-supervisor"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(team, "Maya Okafor") || !strings.Contains(team, "Safety follow-up after PHQ-9") {
		t.Errorf("team safety alerts read %q", team)
	}
}
