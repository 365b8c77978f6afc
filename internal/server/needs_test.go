package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// needsAHC completes an AHC screen positive for housing and food only and
// returns its id.
func needsAHC(t *testing.T, c *client, patientID string) string {
	t.Helper()
	id := asmStart(t, c, patientID, "AHC-HRSN")
	form := url.Values{"action": {"complete"}, "version": {"1"}, "q1": {"worried"}, "q2": {"none"}, "q3": {"often"},
		"q4": {"never"}, "q5": {"no"}, "q6": {"no"}, "q7": {"never"}, "q8": {"never"}, "q9": {"never"}, "q10": {"never"}}
	if res := c.post(asmPath(patientID, "/"+id), form); res.status != http.StatusSeeOther {
		t.Fatalf("complete AHC: status %d\n%s", res.status, res.body)
	}
	return id
}

func needsDecide(c *client, patientID, id string, kv ...string) response {
	form := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return c.post(asmPath(patientID, "/"+id+"/needs"), form)
}

// needsState is every trace a decision leaves: need rows, timeline lines
// and need audit events.
func needsState(t *testing.T, app *testApp, patientID string) [3]int {
	t.Helper()
	return [3]int{
		chartInt(t, app, "select count(*) from needs where patient_id = $1", patientID),
		chartInt(t, app, "select count(*) from patient_events where patient_id = $1", patientID),
		chartInt(t, app, "select count(*) from audit_events where patient_id = $1 and action like 'need.%'", patientID),
	}
}

func TestNeeds_AHCPositiveForFoodAndHousingProposesBoth(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := needsAHC(t, c, p)
	body := c.get(asmPath(p, "/"+id)).body
	mustContain(t, "result page", body, "Proposed needs", `data-testid="proposal-housing"`, `data-testid="proposal-food"`,
		"Food insecurity (AHC-HRSN positive)", "Housing instability (AHC-HRSN positive)")
	mustNotContain(t, "result page", body, `data-testid="proposal-transportation"`, `data-testid="proposal-mental_health"`)
}

func TestNeeds_AcceptingAProposalPutsTheNeedOnTheChartAndRemovesTheProposal(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := needsAHC(t, c, p)
	res := needsDecide(c, p, id, "decision", "accept", "domain", "food", "description", "Runs out of food before payday", "priority", "high")
	if res.status != http.StatusSeeOther || res.location() != asmPath(p, "/"+id) {
		t.Fatalf("accept: status %d to %q\n%s", res.status, res.location(), res.body)
	}
	result := c.get(asmPath(p, "/"+id)).body
	mustContain(t, "result after accepting", result, "Food insecurity added to the", `data-testid="proposal-housing"`)
	mustNotContain(t, "result after accepting", result, `data-testid="proposal-food"`)

	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart", chart, `data-testid="need-row"`, "Food insecurity", "High priority", "Runs out of food before payday",
		"From AHC-HRSN", "Need identified: Food insecurity (from AHC-HRSN)")

	var status, priority, description string
	chartRow(t, app, "select status, priority, description from needs where patient_id = $1 and source_assessment_id = $2 and domain = 'food'",
		[]any{p, id}, &status, &priority, &description)
	if status != "identified" || priority != "high" || description != "Runs out of food before payday" {
		t.Errorf("stored need = %s, %s, %q", status, priority, description)
	}
	if n := chartInt(t, app, "select count(*) from audit_events where patient_id = $1 and action = 'need.accepted'", p); n != 1 {
		t.Errorf("%d need.accepted audit events, want 1", n)
	}

	// A second post of the same form (a double click) changes nothing.
	before := needsState(t, app, p)
	res = needsDecide(c, p, id, "decision", "accept", "domain", "food", "description", "Again", "priority", "low")
	if res.status != http.StatusSeeOther {
		t.Errorf("repeated accept: status %d, want 303", res.status)
	}
	if after := needsState(t, app, p); after != before {
		t.Errorf("repeated accept changed %v → %v", before, after)
	}
}

func TestNeeds_AcceptWithoutDescriptionIsShownAgainWithTheInputKept(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := needsAHC(t, c, p)
	before := needsState(t, app, p)
	res := needsDecide(c, p, id, "decision", "accept", "domain", "housing", "description", "  ", "priority", "low")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "422 page", res.body, `data-testid="error-need-housing-description"`, "Describe the need in a few words.",
		`<option value="low" selected>`, `data-testid="proposal-food"`)
	if after := needsState(t, app, p); after != before {
		t.Errorf("refused accept changed %v → %v", before, after)
	}
}

func TestNeeds_DeclineNeedsAReasonAndThenIsKeptAsDeclined(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	id := needsAHC(t, c, p)
	before := needsState(t, app, p)
	res := needsDecide(c, p, id, "decision", "decline", "domain", "housing", "reason", "")
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("decline without reason: status %d, want 422", res.status)
	}
	mustContain(t, "422 page", res.body, `data-testid="error-need-housing-reason"`, "Say why this need is declined", "<details open>")
	if after := needsState(t, app, p); after != before {
		t.Errorf("refused decline changed %v → %v", before, after)
	}

	res = needsDecide(c, p, id, "decision", "decline", "domain", "housing", "reason", "Lease renewed last week")
	if res.status != http.StatusSeeOther {
		t.Fatalf("decline: status %d\n%s", res.status, res.body)
	}
	var status, reason string
	chartRow(t, app, "select status, decline_reason from needs where patient_id = $1 and domain = 'housing'", []any{p}, &status, &reason)
	if status != "declined" || reason != "Lease renewed last week" {
		t.Errorf("stored = %s, %q", status, reason)
	}
	if n := chartInt(t, app, "select count(*) from audit_events where patient_id = $1 and action = 'need.declined'", p); n != 1 {
		t.Errorf("%d need.declined audit events, want 1", n)
	}
	mustNotContain(t, "result after declining", c.get(asmPath(p, "/"+id)).body, `data-testid="proposal-housing"`)
	mustNotContain(t, "chart after declining", c.get("/t/northside/patients/"+p).body, `data-testid="need-row"`)
}

func TestNeeds_PHQ9ModerateProposesMentalHealthAndMildProposesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	moderate := asmComplete(t, app, c, p, 2, 2, 2, 2, 2, 1, 0, 0, 0)
	mild := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 0, 0, 0)
	mustContain(t, "moderate result", c.get(asmPath(p, "/"+moderate)).body, `data-testid="proposal-mental_health"`, "Mental health")
	mustNotContain(t, "mild result", c.get(asmPath(p, "/"+mild)).body, "Proposed needs")
}

func TestNeeds_OtherTenantsGetNotFoundAndAdminsAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	id := needsAHC(t, app.signedIn("coord1@northside.test"), p)
	before := needsState(t, app, p)
	for who, want := range map[string]int{"coord1@riverside.test": http.StatusNotFound, "admin@northside.test": http.StatusForbidden} {
		res := needsDecide(app.signedIn(who), p, id, "decision", "accept", "domain", "food", "description", "Food", "priority", "high")
		if res.status != want {
			t.Errorf("%s: status %d, want %d", who, res.status, want)
		}
		mustNotContain(t, who, res.body, "Rosa", "Food insecurity")
	}
	if after := needsState(t, app, p); after != before {
		t.Errorf("refused requests changed %v → %v", before, after)
	}
}

func TestNeedsJourney_CoordinatorDecidesProposalsInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	id := needsAHC(t, app.signedIn("coord1@northside.test"), p)
	ctx := browser(t)
	var reasonError, needs string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(app.http.URL+asmPath(p, "/"+id)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=proposed-needs]`)),
		screenshot("needs-proposed"),
		chromedp.Click(chromedp.CSS(`[data-testid=proposal-housing] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid=proposal-housing] button.button-danger`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-need-housing-reason]`)),
		text(`[data-testid=error-need-housing-reason]`, &reasonError),
		screenshot("needs-decline-error"),
		chromedp.SetValue(chromedp.CSS(`#need-food-priority`), "high"),
		chromedp.Click(chromedp.CSS(`[data-testid=proposal-food] button.button-primary`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=proposal-food]`)),
		chromedp.Navigate(app.http.URL+"/t/northside/patients/"+p),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=needs]`)),
		text(`[data-testid=needs]`, &needs),
		screenshot("needs-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reasonError, "Say why") || !strings.Contains(needs, "Food insecurity") || !strings.Contains(needs, "High priority") {
		t.Errorf("decline error %q; needs card %q", reasonError, needs)
	}
}
