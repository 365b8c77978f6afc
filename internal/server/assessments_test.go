package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// asmPath is the address of one of a northside patient's assessments.
func asmPath(patientID, rest string) string {
	return "/t/northside/patients/" + patientID + "/assessments" + rest
}

// asmStart starts an assessment through the form and returns its id.
func asmStart(t *testing.T, c *client, patientID, code string) string {
	t.Helper()
	res := c.post(asmPath(patientID, ""), url.Values{"instrument": {code}, "method": {"phone"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("start %s: status %d\n%s", code, res.status, res.body)
	}
	prefix := asmPath(patientID, "/")
	if !strings.HasPrefix(res.location(), prefix) {
		t.Fatalf("start %s redirected to %s", code, res.location())
	}
	return strings.TrimPrefix(res.location(), prefix)
}

// asmPHQ9 is a PHQ-9 form answering q1… with the given points.
func asmPHQ9(action string, version int, points ...int) url.Values {
	ids := []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}
	v := url.Values{"action": {action}, "version": {fmt.Sprint(version)}}
	for i, p := range points {
		v.Set(fmt.Sprintf("q%d", i+1), ids[p])
	}
	return v
}

// asmRow reads an assessment's stored status, total, band and version.
func asmRow(t *testing.T, app *testApp, id string) (status string, total *int, band string, version int) {
	t.Helper()
	chartRow(t, app, "select status, total, band, version from assessments where id = $1", []any{id}, &status, &total, &band, &version)
	return
}

// asmComplete starts and completes a PHQ-9 and returns its id.
func asmComplete(t *testing.T, app *testApp, c *client, patientID string, points ...int) string {
	t.Helper()
	id := asmStart(t, c, patientID, "PHQ-9")
	if res := c.post(asmPath(patientID, "/"+id), asmPHQ9("complete", 1, points...)); res.status != http.StatusSeeOther {
		t.Fatalf("complete: status %d\n%s", res.status, res.body)
	}
	return id
}

func TestAssessment_SavedAnswersAreShownWhenResumed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "PHQ-9")
	form := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "new form", form, "Little interest or pleasure in doing things", `type="radio"`, "Save for later", "Complete")

	res := c.post(asmPath(p, "/"+id), asmPHQ9("save", 1, 2, 3))
	if res.status != http.StatusSeeOther || res.location() != asmPath(p, "/"+id) {
		t.Fatalf("save: status %d to %s", res.status, res.location())
	}
	resumed := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "resumed form", resumed, `name="q1" value="more_than_half" checked`, `name="q2" value="nearly_every_day" checked`, "Answers saved")
	mustNotContain(t, "resumed form", resumed, `name="q3" value="not_at_all" checked`)
	if status, total, _, version := asmRow(t, app, id); status != "in_progress" || total != nil || version != 2 {
		t.Errorf("after save: %s %v version %d", status, total, version)
	}
	if n := chartAuditCount(t, app, p, "assessment.saved"); n != 1 {
		t.Errorf("%d assessment.saved audit events, want 1", n)
	}
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustContain(t, "chart", chartBetween(chart, `data-testid="assessments"`, "</section>"), "PHQ-9", "In progress", "Start assessment")
}

func TestAssessment_CompletingWithAMissingAnswerNamesItAndKeepsTheOthers(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "PHQ-9")
	res := c.post(asmPath(p, "/"+id), asmPHQ9("complete", 1, 1, 1, 1, 1, 0, 1, 1, 1)) // q9 left out
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	q9 := chartBetween(res.body, `data-testid="question-q9"`, "</fieldset>")
	mustContain(t, "q9", q9, "Thoughts that you would be better off dead", `data-testid="error-q9"`, "Please answer this question.")
	mustContain(t, "form", res.body, "1 question still needs an answer", `name="q1" value="several_days" checked`, `name="q5" value="not_at_all" checked`)
	mustNotContain(t, "q1", chartBetween(res.body, `data-testid="question-q1"`, "</fieldset>"), "field-error")
	if status, total, _, version := asmRow(t, app, id); status != "in_progress" || total != nil || version != 1 {
		t.Errorf("after refused completion: %s %v version %d", status, total, version)
	}
	if n := chartAuditCount(t, app, p, "assessment.completed"); n != 0 {
		t.Errorf("%d completion audit events after a refused completion", n)
	}
}

func TestAssessment_CompletedPHQ9ShowsTotalBandAndTimelineLine(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 2, 2, 2, 2, 2, 2, 1, 1, 0)
	result := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "result", chartBetween(result, `data-testid="result-score"`, "</p>"), "14", "out of 27", "Moderate")
	mustContain(t, "result", result, "Moderate depression symptoms reported", "By phone", "Maya Okafor", "Feeling down, depressed, or hopeless", "More than half the days")
	mustNotContain(t, "result", result, `data-testid="safety-alert"`, `data-testid="assessment-form"`)
	if status, total, band, _ := asmRow(t, app, id); status != "completed" || total == nil || *total != 14 || band != "Moderate" {
		t.Errorf("stored: %s %v %q", status, total, band)
	}
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustContain(t, "timeline", chartBetween(chart, `data-testid="timeline"`, "</section>"), "PHQ-9 completed: 14, moderate")
	mustContain(t, "assessments card", chartBetween(chart, `data-testid="assessments"`, "</section>"), "14 · Moderate")
	for _, action := range []string{"assessment.started", "assessment.completed", "assessment.viewed"} {
		if n := chartAuditCount(t, app, p, action); n < 1 {
			t.Errorf("no %s audit event", action)
		}
	}
	// A completed assessment is not answered again.
	res := c.post(asmPath(p, "/"+id), asmPHQ9("save", 2, 0, 0, 0, 0, 0, 0, 0, 0, 0))
	if res.status != http.StatusConflict {
		t.Errorf("saving a completed assessment: status %d, want 409", res.status)
	}
	if _, total, _, _ := asmRow(t, app, id); *total != 14 {
		t.Errorf("completed total changed to %d", *total)
	}
}

func TestAssessment_AnyAnswerAboveNotAtAllOnItem9ShowsTheSafetyAlert(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	result := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "result", result, `data-testid="safety-alert"`, "Safety alert", "Minimal")
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustContain(t, "chart", chart, "PHQ-9 completed: 1, minimal (safety alert)")
	calm := asmComplete(t, app, c, p, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	mustNotContain(t, "result without item 9", followToPage(t, c, asmPath(p, "/"+calm)).body, `data-testid="safety-alert"`)
}

func TestAssessment_AmendmentNeedsAReasonAndLinksToTheOriginal(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 1, 1, 0)
	res := c.post(asmPath(p, "/"+id+"/amend"), url.Values{"amend_reason": {"  "}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("amend without reason: status %d, want 422", res.status)
	}
	mustContain(t, "refused amendment", res.body, `data-testid="error-amend_reason"`, "Say why")
	if n := chartInt(t, app, "select count(*) from assessments where patient_id = $1", p); n != 1 {
		t.Fatalf("%d assessments after a refused amendment", n)
	}

	res = c.post(asmPath(p, "/"+id+"/amend"), url.Values{"amend_reason": {"Patient misheard question 3"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("amend: status %d", res.status)
	}
	amendID := strings.TrimPrefix(res.location(), asmPath(p, "/"))
	form := followToPage(t, c, res.location()).body
	mustContain(t, "amendment form", form, asmPath(p, "/"+id), "Patient misheard question 3", `name="q3" value="several_days" checked`)
	var amends string
	chartRow(t, app, "select amends_id::text from assessments where id = $1", []any{amendID}, &amends)
	if amends != id {
		t.Errorf("amendment amends %s, want %s", amends, id)
	}
	if status, total, _, _ := asmRow(t, app, id); status != "completed" || *total != 8 {
		t.Errorf("original after amendment: %s %d", status, *total)
	}
	orig := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "original", orig, `data-testid="amended-by"`, asmPath(p, "/"+amendID))
	mustContain(t, "timeline", followToPage(t, c, "/t/northside/patients/"+p).body, "amended: Patient misheard question 3")
	if n := chartAuditCount(t, app, p, "assessment.amended"); n != 1 {
		t.Errorf("%d assessment.amended audit events", n)
	}
}

func TestAssessment_EnteredInErrorIsKeptMarkedAndStruckThroughOnTheChart(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 3, 3, 3, 3, 3, 3, 3, 3, 0)
	if res := c.post(asmPath(p, "/"+id+"/error"), url.Values{"error_reason": {""}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("without reason: status %d, want 422", res.status)
	}
	if status, _, _, _ := asmRow(t, app, id); status != "completed" {
		t.Fatalf("marked without a reason: %s", status)
	}
	res := c.post(asmPath(p, "/"+id+"/error"), url.Values{"error_reason": {"Given to the wrong patient"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("mark: status %d", res.status)
	}
	if status, total, _, _ := asmRow(t, app, id); status != "entered_in_error" || *total != 24 {
		t.Errorf("after marking: %s %v", status, total)
	}
	result := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "result", result, `data-testid="entered-in-error"`, "Given to the wrong patient")
	mustNotContain(t, "result", result, `data-testid="corrections"`)
	card := chartBetween(followToPage(t, c, "/t/northside/patients/"+p).body, `data-testid="assessments"`, "</section>")
	mustContain(t, "assessments card", card, "<del>", "Entered in error")
	if n := chartAuditCount(t, app, p, "assessment.entered_in_error"); n != 1 {
		t.Errorf("%d entered_in_error audit events", n)
	}
}

// asmState is everything an assessment request could change.
func asmState(t *testing.T, app *testApp, patientID string) string {
	t.Helper()
	var s string
	chartRow(t, app, `select concat_ws('|', (select count(*) from assessments where patient_id = $1),
		(select string_agg(status || version || answers::text, ',' order by id) from assessments where patient_id = $1),
		(select count(*) from patient_events where patient_id = $1),
		(select count(*) from audit_events where patient_id = $1))`, []any{patientID}, &s)
	return s
}

func TestAssessment_OtherTenantsGetNotFoundAndAdminsAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	done := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 1, 1, 0)
	open := asmStart(t, c, p, "GAD-7")
	body := url.Values{"instrument": {"PHQ-9"}, "method": {"phone"}, "action": {"complete"}, "version": {"1"},
		"q1": {"not_at_all"}, "amend_reason": {"Intruder"}, "error_reason": {"Intruder"}}
	var routes [][2]string
	for _, id := range []string{done, open} {
		routes = append(routes, [2]string{"GET", "/" + id}, [2]string{"POST", "/" + id},
			[2]string{"POST", "/" + id + "/amend"}, [2]string{"POST", "/" + id + "/error"})
	}
	routes = append(routes, [2]string{"GET", "/new"}, [2]string{"POST", ""})
	before := asmState(t, app, p)
	for who, want := range map[string]int{"coord1@riverside.test": http.StatusNotFound, "admin@northside.test": http.StatusForbidden} {
		other := app.signedIn(who)
		for _, rt := range routes {
			var res response
			if rt[0] == "GET" {
				res = other.get(asmPath(p, rt[1]))
			} else {
				res = other.post(asmPath(p, rt[1]), body)
			}
			if res.status != want {
				t.Errorf("%s %s %s: status %d, want %d", who, rt[0], rt[1], res.status, want)
			}
			mustNotContain(t, rt[1], res.body, "Rosa", "PHQ-9")
		}
	}
	if after := asmState(t, app, p); after != before {
		t.Errorf("requests changed assessments: %s → %s", before, after)
	}
}

func TestAssessment_AnotherPatientsAssessmentIsNotFoundThroughThisPatient(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p, q := chartPatient(t, app), chartPatient(t, app, "given_name", "Other", "phone", "555-201-9999")
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if res := c.get(asmPath(q, "/"+id)); res.status != http.StatusNotFound {
		t.Errorf("through another patient: status %d, want 404", res.status)
	}
	if res := c.post(asmPath(q, "/"+id+"/error"), url.Values{"error_reason": {"x"}}); res.status != http.StatusNotFound {
		t.Errorf("mark through another patient: status %d, want 404", res.status)
	}
	if res := c.get(asmPath(p, "/not-a-uuid")); res.status != http.StatusNotFound {
		t.Errorf("malformed id: status %d, want 404", res.status)
	}
}

func TestAssessmentJourney_CoordinatorGivesAPHQ9InTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	ctx := browser(t)
	chart := app.http.URL + "/t/northside/patients/" + p
	var missing, score string
	actions := []chromedp.Action[chromedp.Void]{
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=assessments] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=instrument]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=instrument]`), "PHQ-9"),
		chromedp.SetValue(chromedp.CSS(`select[name=method]`), "in_person"),
		screenshot("assessment-start"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=assessment-form]`)),
	}
	// Answer everything but item 9, which the coordinator forgets.
	for i := 1; i <= 8; i++ {
		actions = append(actions, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=q%d][value=several_days]`, i))))
	}
	actions = append(actions,
		chromedp.Click(chromedp.CSS(`button[value=complete]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-q9]`)),
		text(`[data-testid=error-q9]`, &missing),
		screenshot("assessment-missing"),
		chromedp.Click(chromedp.CSS(`input[name=q9][value=several_days]`)),
		chromedp.Click(chromedp.CSS(`button[value=complete]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=result-score]`)),
		text(`[data-testid=result-score]`, &score),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=safety-alert]`)),
		screenshot("assessment-result"),
		chromedp.Navigate(chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=assessments]`)),
		screenshot("assessment-chart"),
	)
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
	if missing != "Please answer this question." || !strings.Contains(score, "9") || !strings.Contains(score, "Mild") {
		t.Errorf("missing message %q, score %q", missing, score)
	}
}

func TestAssessment_SaveFromAStaleFormKeepsTheInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "PHQ-9")
	if res := c.post(asmPath(p, "/"+id), asmPHQ9("save", 1, 1)); res.status != http.StatusSeeOther {
		t.Fatalf("first save: status %d", res.status)
	}
	res := c.post(asmPath(p, "/"+id), asmPHQ9("save", 1, 3, 3))
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", res.status)
	}
	mustContain(t, "stale form", res.body, "Someone else saved this assessment", `name="q1" value="nearly_every_day" checked`, `name="q2" value="nearly_every_day" checked`)
	var answers string
	chartRow(t, app, "select answers::text from assessments where id = $1", []any{id}, &answers)
	if answers != `{"q1": ["several_days"]}` {
		t.Errorf("stored answers after a stale save: %s", answers)
	}
}
