package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Issue 15: a safety answer raises its alert the moment it is saved. The
// rule's hand-worked cases are in internal/assessments/safety_test.go;
// these drive it through the real router and pages.

// safetyTaskStatuses are a patient's safety tasks' statuses, oldest first.
func safetyTaskStatuses(t *testing.T, app *testApp, patientID string) string {
	t.Helper()
	var s string
	chartRow(t, app, `select coalesce(string_agg(status, ',' order by created_at), '') from tasks
		 where patient_id = $1 and source = 'safety_alert'`, []any{patientID}, &s)
	return s
}

func TestSafety_ItemNineSavedWithoutCompletingRaisesTheBannerAndTheWorklistTask(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord2@northside.test")
	id := asmStart(t, c, p, "PHQ-9")
	res := c.post(asmPath(p, "/"+id), url.Values{"action": {"save"}, "version": {"1"}, "q9": {"nearly_every_day"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.status, res.body)
	}
	if s := safetyTaskStatuses(t, app, p); s != "open" {
		t.Fatalf("safety tasks after the save: %q, want one open", s)
	}
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustContain(t, "chart", chart, "An answer shows a safety concern: an urgent task is open for today.")
	flag := taskPart(t, chart, "safety-flag", "</div>")
	mustContain(t, "chart safety banner", flag, "Safety alert — open urgent task: Safety follow-up after PHQ-9", "Due today", "Maya Okafor")
	// The patient's coordinator has it, though someone else gave the screen.
	mine := followToPage(t, app.signedIn("coord1@northside.test"), "/t/northside/worklist").body
	mustContain(t, "coordinator's due today", taskSection(t, mine, "worklist-due-today"), "Safety follow-up after PHQ-9", "Urgent")

	if res := c.post(asmPath(p, "/"+id), asmPHQ9("complete", 2, 1, 1, 0, 0, 0, 0, 0, 0, 3)); res.status != http.StatusSeeOther {
		t.Fatalf("complete: status %d\n%s", res.status, res.body)
	}
	if s := safetyTaskStatuses(t, app, p); s != "open" {
		t.Errorf("safety tasks after completing: %q, want the same one open", s)
	}
	if n := chartAuditCount(t, app, p, "task.created"); n != 1 {
		t.Errorf("task.created audit events: %d, want 1", n)
	}
}

func TestSafety_AmendingItemNineToZeroWithdrawsTheBanner(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	res := c.post(asmPath(p, "/"+id+"/amend"), url.Values{"amend_reason": {"Item 9 was ticked by mistake"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("amend: status %d\n%s", res.status, res.body)
	}
	amendment := strings.TrimPrefix(res.location(), asmPath(p, "/"))
	if res := c.post(asmPath(p, "/"+amendment), asmPHQ9("complete", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)); res.status != http.StatusSeeOther {
		t.Fatalf("complete the amendment: status %d\n%s", res.status, res.body)
	}
	if s := safetyTaskStatuses(t, app, p); s != "cancelled" {
		t.Errorf("safety tasks after the amendment: %q, want the one cancelled", s)
	}
	chart := c.get("/t/northside/patients/" + p).body
	mustNotContain(t, "chart", chart, `data-testid="safety-flag"`)
	mustContain(t, "chart timeline", chart, "Urgent task withdrawn: safety follow-up after PHQ-9")
}

func TestSafety_EnteredInErrorWithdrawsTheBanner(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmComplete(t, app, c, p, 0, 0, 0, 0, 0, 0, 0, 0, 2)
	res := c.post(asmPath(p, "/"+id+"/error"), url.Values{"error_reason": {"Given to the wrong patient"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("mark in error: status %d\n%s", res.status, res.body)
	}
	if s := safetyTaskStatuses(t, app, p); s != "cancelled" {
		t.Errorf("safety tasks: %q, want the one cancelled", s)
	}
	mustNotContain(t, "chart", c.get("/t/northside/patients/"+p).body, `data-testid="safety-flag"`)
}

func TestJourney_AnInterruptedPHQ9RaisesItsAlert(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	ctx := browser(t)
	chart := app.http.URL + "/t/northside/patients/" + p
	var flash, banner, today string
	actions := []chromedp.Action[chromedp.Void]{
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=assessments] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=instrument]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=instrument]`), "PHQ-9"),
		chromedp.SetValue(chromedp.CSS(`select[name=method]`), "phone"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=assessment-form]`)),
	}
	// The call drops after three answers, item 9 among them.
	for _, q := range []string{"q1", "q2"} {
		actions = append(actions, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%s][value=more_than_half]`, q))))
	}
	actions = append(actions,
		chromedp.Click(chromedp.CSS(`input[name=q9][value=nearly_every_day]`)),
		chromedp.Click(chromedp.CSS(`button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &flash),
		screenshot("safety-interrupted-saved"),
		chromedp.Navigate(chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=safety-flag]`)),
		text(`[data-testid=safety-flag]`, &banner),
		screenshot("safety-interrupted-chart"),
		chromedp.Navigate(app.http.URL+"/t/northside/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist-due-today]`)),
		text(`[data-testid=worklist-due-today]`, &today),
		screenshot("safety-interrupted-worklist"),
	)
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "an urgent task is open for today") {
		t.Errorf("flash after saving reads %q", flash)
	}
	if !strings.Contains(banner, "Safety alert — open urgent task: Safety follow-up after PHQ-9") {
		t.Errorf("banner reads %q", banner)
	}
	if !strings.Contains(today, "Urgent") || !strings.Contains(today, "Safety follow-up after PHQ-9") {
		t.Errorf("due today reads %q", today)
	}
	if s := safetyTaskStatuses(t, app, p); s != "open" {
		t.Errorf("safety tasks: %q, want one open", s)
	}
}

// ahcForm is a complete AHC-HRSN form, negative everywhere, with changes.
func ahcForm(changes url.Values) url.Values {
	v := url.Values{"action": {"complete"}, "version": {"1"},
		"q1": {"steady"}, "q2": {"none"}, "q3": {"never"}, "q4": {"never"}, "q5": {"no"}, "q6": {"no"},
		"q7": {"never"}, "q8": {"never"}, "q9": {"never"}, "q10": {"never"}}
	for k, vs := range changes {
		v[k] = vs
	}
	return v
}

func TestAHC_SupplementalSectionIsOfferedAndCountedAsCMSCounts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "AHC-HRSN")
	form := c.get(asmPath(p, "/"+id)).body
	mustContain(t, "form", form, `data-testid="section-q11"`, "Supplemental questions", "How hard is it for you to pay for the very basics")
	// Both living-situation questions (one domain), food, safety and two
	// supplemental domains (2 days × 30 minutes is under 150): five;
	// safety 3 + 3 + 3 + 2 = 11.
	res := c.post(asmPath(p, "/"+id), ahcForm(url.Values{"q1": {"worried"}, "q2": {"mold"}, "q3": {"often"},
		"q7": {"sometimes"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"rarely"},
		"q12": {"help_finding"}, "q17": {"2"}, "q18": {"30"}}))
	if res.status != http.StatusSeeOther {
		t.Fatalf("complete: status %d\n%s", res.status, res.body)
	}
	result := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "result", result, `data-testid="safety-total"`, "11 out of 20 (positive at 11 or more)",
		"5 positive domains, counted as CMS counts them", "Housing instability", "Housing quality", "Employment", "Physical activity")
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart", chart, "5 positive domains · safety total 11", `data-testid="safety-flag"`)
	if s := safetyTaskStatuses(t, app, p); s != "open" {
		t.Errorf("safety tasks: %q, want one open", s)
	}
}

func TestAHC_SafetyTotalOfTenIsShownNegative(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "AHC-HRSN")
	res := c.post(asmPath(p, "/"+id), ahcForm(url.Values{"q7": {"never"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}}))
	if res.status != http.StatusSeeOther {
		t.Fatalf("complete: status %d\n%s", res.status, res.body)
	}
	result := followToPage(t, c, asmPath(p, "/"+id)).body
	mustContain(t, "result", result, "10 out of 20 (positive at 11 or more)", "Negative")
	mustContain(t, "chart", c.get("/t/northside/patients/"+p).body, "No needs identified · safety total 10")
	if s := safetyTaskStatuses(t, app, p); s != "" {
		t.Errorf("safety tasks: %q, want none", s)
	}
}

func TestJourney_AHCSupplementalSectionLooksFinished(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := asmStart(t, c, p, "AHC-HRSN")
	if res := c.post(asmPath(p, "/"+id), ahcForm(url.Values{"q1": {"worried"}, "q2": {"mold"}, "q11": {"very_hard"}, "q24": {"very_much"}})); res.status != http.StatusSeeOther {
		t.Fatalf("complete: status %d", res.status)
	}
	second := asmStart(t, c, p, "AHC-HRSN")
	ctx := browser(t)
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(app.http.URL+asmPath(p, "/"+second)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=section-q11]`)),
		screenshot("ahc-supplemental-form"),
		chromedp.Navigate(app.http.URL+asmPath(p, "/"+id)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=safety-total]`)),
		screenshot("ahc-supplemental-result"),
	)
	if err != nil {
		t.Fatal(err)
	}
}
