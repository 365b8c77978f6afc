package server

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestCaseload_OnlySupervisorsGetIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for email, want := range map[string]int{
		"coord1@northside.test": http.StatusForbidden, "admin@northside.test": http.StatusForbidden,
		"supervisor@northside.test": http.StatusOK, "supervisor@riverside.test": http.StatusNotFound,
	} {
		c := app.signedIn(email)
		for _, path := range []string{"/t/northside/caseload", "/t/northside/caseload/patients", "/t/northside/caseload.csv",
			"/t/northside/caseload/measures"} {
			if res := c.get(path); res.status != want {
				t.Errorf("%s GET %s: %d, want %d", email, path, res.status, want)
			}
		}
		if res := c.post("/t/northside/caseload/reassign", url.Values{"coordinator": {"none"}}); want != http.StatusOK && res.status != want {
			t.Errorf("%s POST reassign: %d, want %d", email, res.status, want)
		}
	}
}

var cellLink = regexp.MustCompile(`<a href="(/t/northside/caseload/patients\?[^"]*)">(\d+)</a>`)

// Every number on the dashboard is the length of the list it links to.
func TestCaseload_EachNumberIsTheLengthOfItsList(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	page := grace.get("/t/northside/caseload")
	mustContain(t, "dashboard", page.body, "Maya Okafor", "Liam Chen", "Team total", "Past contact cadence", "What the numbers count")
	links := cellLink.FindAllStringSubmatch(page.body, -1)
	if len(links) < 10 {
		t.Fatalf("only %d numbers link to lists", len(links))
	}
	checked := 0
	for _, l := range links {
		href := strings.ReplaceAll(l[1], "&amp;", "&")
		want, _ := strconv.Atoi(l[2])
		if want > 45 || strings.Contains(href, "overdue_tasks") {
			continue // a list longer than a page, or a count of tasks rather than patients
		}
		list := grace.get(href)
		if got := strings.Count(list.body, `data-testid="caseload-patient"`); got != want {
			t.Errorf("%s: dashboard says %d, the list has %d", href, want, got)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("checked only %d numbers", checked)
	}
}

// The count of one flag, read from the database the way a supervisor
// would count by hand: coord1's active high-risk patients.
func TestCaseload_TierCountsMatchAHandCount(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	want := chartInt(t, app, `select count(*) from patients where status = 'active' and risk_tier = 'high'
		and assigned_coordinator_id = (select id from users where email = 'coord1@northside.test')`)
	coord := coordinatorID(t, app, "coord1@northside.test")
	list := app.signedIn("supervisor@northside.test").get("/t/northside/caseload/patients?coordinator=" + coord + "&status=active&tier=high")
	if got := strings.Count(list.body, `data-testid="caseload-patient"`); got != want || want == 0 {
		t.Errorf("Maya's active high-risk patients: list shows %d, database has %d", got, want)
	}
}

func TestCaseload_ReassignMovesPatientsAndTasksWithATimelineLine(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	maya, liam := coordinatorID(t, app, "coord1@northside.test"), coordinatorID(t, app, "coord2@northside.test")
	list := grace.get("/t/northside/caseload/patients?coordinator=" + maya + "&sort=risk")
	ids := regexp.MustCompile(`name="patient_id" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(list.body, -1)
	if len(ids) < 5 {
		t.Fatalf("Maya has %d patients on the first page", len(ids))
	}
	chosen := []string{ids[0][1], ids[1][1], ids[2][1], ids[3][1], ids[4][1]}
	openTasks := chartInt(t, app, "select count(*) from tasks where patient_id = any($1) and status = 'open' and assignee_id = $2", chosen, maya)

	// No reason: refused, nothing moves, the ticks are kept.
	bad := grace.post("/t/northside/caseload/reassign", url.Values{"coordinator": {maya}, "to": {liam}, "patient_id": chosen})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("reassign without a reason: %d", bad.status)
	}
	mustContain(t, "refused move", bad.body, `data-testid="error-reason"`, `value="`+chosen[0]+`" checked`)
	if n := chartInt(t, app, "select count(*) from patients where id = any($1) and assigned_coordinator_id = $2", chosen, liam); n != 0 {
		t.Fatalf("%d patients moved by a refused form", n)
	}

	res := grace.post("/t/northside/caseload/reassign", url.Values{"coordinator": {maya}, "sort": {"risk"}, "to": {liam},
		"reason": {"Maya's caseload is over target"}, "patient_id": chosen})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reassign: %d\n%s", res.status, res.body)
	}
	mustContain(t, "flash", grace.get(res.location()).body, "5 patients moved to Liam Chen")
	if n := chartInt(t, app, "select count(*) from patients where id = any($1) and assigned_coordinator_id = $2", chosen, liam); n != 5 {
		t.Errorf("%d of 5 patients now Liam's", n)
	}
	if n := chartInt(t, app, "select count(*) from tasks where patient_id = any($1) and status = 'open' and assignee_id = $2", chosen, liam); n != openTasks {
		t.Errorf("Liam holds %d of the %d open tasks Maya held", n, openTasks)
	}
	chart := grace.get("/t/northside/patients/" + chosen[0])
	mustContain(t, "chart", chart.body, "Reassigned from Maya Okafor to Liam Chen: Maya&#39;s caseload is over target")
	if n := chartInt(t, app, "select count(*) from audit_events where action = 'patient.reassigned' and patient_id = any($1)", chosen); n != 5 {
		t.Errorf("%d audit events for 5 moves", n)
	}
}

// activeOf reads a coordinator's active patients from the dashboard CSV.
func activeOf(t *testing.T, c *client, name string) int {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(c.get("/t/northside/caseload.csv").body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range records {
		if rec[0] == name {
			n, _ := strconv.Atoi(rec[5])
			return n
		}
	}
	t.Fatalf("no dashboard row for %s", name)
	return 0
}

// The scheduler stores the dashboard every minute; a supervisor's own
// move shows on it at once all the same.
func TestCaseload_ASupervisorsMoveShowsOnTheStoredDashboardAtOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.runScheduledJobs()
	grace := app.signedIn("supervisor@northside.test")
	mustContain(t, "dashboard", grace.get("/t/northside/caseload").body, "counts as of")
	maya, liam := coordinatorID(t, app, "coord1@northside.test"), coordinatorID(t, app, "coord2@northside.test")
	before := activeOf(t, grace, "Maya Okafor")
	list := grace.get("/t/northside/caseload/patients?coordinator=" + maya + "&status=active")
	ids := regexp.MustCompile(`name="patient_id" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(list.body, 2)
	if len(ids) != 2 {
		t.Fatalf("Maya has %d active patients on the list", len(ids))
	}
	res := grace.post("/t/northside/caseload/reassign", url.Values{"coordinator": {maya}, "status": {"active"}, "to": {liam},
		"reason": {"Rebalance"}, "patient_id": {ids[0][1], ids[1][1]}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reassign: %d", res.status)
	}
	if after := activeOf(t, grace, "Maya Okafor"); after != before-2 {
		t.Errorf("Maya's active patients on the dashboard: %d before the move, %d after; want 2 fewer", before, after)
	}
}

func TestCaseload_WholeCaseloadOfAFormerColleagueMovesAtOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	liam, maya := coordinatorID(t, app, "coord2@northside.test"), coordinatorID(t, app, "coord1@northside.test")
	if _, err := app.db.Pool.Exec(t.Context(), "update memberships set active = false where user_id = $1", liam); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "dashboard", grace.get("/t/northside/caseload").body, "Liam Chen", "No longer active: reassign", `data-testid="needs-reassigning"`)
	open := chartInt(t, app, "select count(*) from patients where assigned_coordinator_id = $1 and status in ('referred', 'active', 'on_hold')", liam)
	res := grace.post("/t/northside/caseload/reassign", url.Values{"coordinator": {liam}, "to": {maya}, "all": {"yes"},
		"reason": {"Liam has left"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("move all: %d\n%s", res.status, res.body)
	}
	if n := chartInt(t, app, "select count(*) from patients where assigned_coordinator_id = $1 and status in ('referred', 'active', 'on_hold')", liam); n != 0 || open == 0 {
		t.Errorf("Liam still has %d of his %d open patients", n, open)
	}
	mustNotContain(t, "dashboard after", grace.get("/t/northside/caseload").body, "No longer active: reassign")
}

func TestCaseload_AnotherTenantsPeopleAndPatientsStayOutOfReach(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := coordinatorID(t, app, "coord1@northside.test")
	var patient string
	chartRow(t, app, "select id from patients where assigned_coordinator_id = $1 limit 1", []any{maya}, &patient)
	tomas := app.signedIn("supervisor@riverside.test")
	daniel := coordinatorID(t, app, "coord1@riverside.test")
	// Naming another tenant's coordinator finds nobody: no list, no name.
	list := tomas.get("/t/riverside/caseload/patients?coordinator=" + maya)
	if list.status != http.StatusNotFound {
		t.Errorf("list of another tenant's coordinator: %d, want 404", list.status)
	}
	mustNotContain(t, "list", list.body, "Maya Okafor", "Okafor")
	res := tomas.post("/t/riverside/caseload/reassign", url.Values{"coordinator": {maya}, "to": {daniel}, "reason": {"x"}, "patient_id": {patient}})
	if res.status != http.StatusNotFound {
		t.Errorf("moving from another tenant's coordinator: %d, want 404", res.status)
	}
	if n := chartInt(t, app, "select count(*) from patients where id = $1 and assigned_coordinator_id = $2", patient, maya); n != 1 {
		t.Error("another tenant's supervisor moved a northside patient")
	}
}

func TestCaseload_CSVIsEscapedForSpreadsheets(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	maya := coordinatorID(t, app, "coord1@northside.test")
	var patient string
	chartRow(t, app, "select id from patients where assigned_coordinator_id = $1 and status = 'active' order by family_name limit 1", []any{maya}, &patient)
	if err := app.scanInTenant("northside", "update patients set family_name = '=HYPERLINK(\"http://x\")', given_name = '+Ann' where id = $1 returning 1",
		[]any{patient}, new(int)); err != nil {
		t.Fatal(err)
	}
	res := app.signedIn("supervisor@northside.test").get("/t/northside/caseload/patients.csv?coordinator=" + maya)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", res.status, res.header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[0][0] != "Patient" || len(records) < 3 {
		t.Fatalf("header %v, %d rows", records[0], len(records))
	}
	found := false
	for _, rec := range records[1:] {
		if strings.Contains(rec[0], "HYPERLINK") {
			found = true
			if !strings.HasPrefix(rec[0], "'=") {
				t.Errorf("formula cell not escaped: %q", rec[0])
			}
		}
	}
	if !found {
		t.Error("the patient is missing from the export")
	}
	dash := app.signedIn("supervisor@northside.test").get("/t/northside/caseload.csv")
	mustContain(t, "dashboard csv", dash.body, "Coordinator,Still active,High risk", "Team total")
}

func TestCaseload_MeasuresStateTheirDefinitionsAndRefuseBadPeriods(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	page := grace.get("/t/northside/caseload/measures")
	mustContain(t, "measures", page.body, "Patients with an approved care plan", "Median days from referral to first contact",
		"Of the active patients in care at the end of the period", `data-testid="measure-screened"`)
	// The follow-up after discharge states its rule, exclusions and sources.
	mustContain(t, "discharge measure", taskSection(t, page.body, "measure-discharge"), "on days 1 to 7 after the discharge",
		"The discharge day itself does not count", "a declined call, a letter", "a readmission or transfer within the 7 days, hospice, death",
		"HEDIS Follow-Up After Hospitalization (FUH, 7-day rate)")
	bad := grace.get("/t/northside/caseload/measures?from=2026-13-01&to=2026-11-01")
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("bad period: %d, want 422", bad.status)
	}
	mustContain(t, "bad period", bad.body, `data-testid="error-from"`, "2026-13-01")
}

func TestApprovals_QueueShowsTheDiffAndApprovesInPlace(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	grace := app.signedIn("supervisor@northside.test")
	queue := grace.get("/t/northside/approvals")
	mustContain(t, "queue", queue.body, `data-testid="approval-item"`, `data-testid="plan-changes"`, "Approve", "Return with comment")
	form := regexp.MustCompile(`action="(/t/northside/patients/[^"]+/approve)"[^>]*>\s*<input type="hidden" name="form_token"[^>]*>\s*<input type="hidden" name="version" value="(\d+)"`).FindStringSubmatch(queue.body)
	if form == nil {
		t.Fatal("no approve form in the queue")
	}
	before := strings.Count(queue.body, `data-testid="approval-item"`)
	res := grace.post(form[1], url.Values{"version": {form[2]}, "return_to": {"approvals"}})
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/approvals" {
		t.Fatalf("approve from the queue: %d → %s", res.status, res.location())
	}
	after := grace.get("/t/northside/approvals").body
	if got := strings.Count(after, `data-testid="approval-item"`); got != before-1 {
		t.Errorf("queue had %d, now %d", before, got)
	}
}
