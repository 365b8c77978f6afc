package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/calendar"

	"github.com/chromedp/chromedp"
)

// riskLACE19 completes a LACE of 19 (14+ days 7, acute 3, Charlson 4+ 5,
// 4+ ED visits 4) for the patient through the assessment form.
func riskLACE19(t *testing.T, c *client, patientID string) {
	t.Helper()
	id := asmStart(t, c, patientID, "LACE")
	v := url.Values{"action": {"complete"}, "version": {"1"}, "length_of_stay": {"14plus"}, "acuity": {"emergent"},
		"comorbidity": {"4plus"}, "ed_visits": {"4plus"}}
	if res := c.post(asmPath(patientID, "/"+id), v); res.status != http.StatusSeeOther {
		t.Fatalf("complete LACE: status %d\n%s", res.status, res.body)
	}
}

// riskProposal is the id and version of the patient's open proposal.
func riskProposal(t *testing.T, app *testApp, patientID string) (id string, version int) {
	t.Helper()
	chartRow(t, app, "select id::text, version from risk_proposals where patient_id = $1 and status = 'open'", []any{patientID}, &id, &version)
	return id, version
}

func riskPath(patientID, proposalID, action string) string {
	return "/t/northside/patients/" + patientID + "/risk-proposals/" + proposalID + "/" + action
}

func TestRisk_LACE19ProposesHighOnTheChartAndWorklistAndAcceptingMovesTheNextContact(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app, "risk_tier", "moderate")
	c := app.signedIn("coord1@northside.test")
	reached := time.Now().Add(-time.Hour)
	logContact(t, c, p, "occurred_at", reached.Format(calendar.DateTimeLocal))
	riskLACE19(t, c, p)

	reason := "LACE 19 on " + time.Now().Format(calendar.ShortDay) + ": ≥ 10 → High"
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart", taskPart(t, chart, "risk-proposal", "</section>"), "Risk tier proposed: High risk", reason, "Accept: High risk", "Keep moderate risk")
	moderateDue := calendar.DateOf(reached).AddDate(0, 0, 14).Format(calendar.Day)
	mustContain(t, "next contact before", taskPart(t, chart, "next-contact", "</dd>"), moderateDue)
	worklist := c.get("/t/northside/worklist").body
	mustContain(t, "worklist", taskSection(t, worklist, "worklist-risk-proposals"), "Proposed High risk: "+reason, p+"#risk-proposal", "Decide")
	mustContain(t, "worklist counts", worklist, `data-testid="count-risk-proposals"`)

	id, version := riskProposal(t, app, p)
	res := c.post(riskPath(p, id, "accept"), url.Values{"version": {strconv.Itoa(version)}})
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/patients/"+p {
		t.Fatalf("accept: status %d to %s\n%s", res.status, res.location(), res.body)
	}
	chart = c.get("/t/northside/patients/" + p).body
	highDue := calendar.DateOf(reached).AddDate(0, 0, 7).Format(calendar.Day)
	mustContain(t, "next contact after", taskPart(t, chart, "next-contact", "</dd>"), highDue)
	mustContain(t, "chart after accepting", chart, "Risk tier changed to High risk.", `data-testid="patient-risk">High risk`,
		"Risk tier changed from Moderate risk to High risk, proposal accepted ("+reason+")")
	mustNotContain(t, "chart after accepting", chart, `data-testid="risk-proposal"`)
	mustNotContain(t, "worklist after accepting", taskSection(t, c.get("/t/northside/worklist").body, "worklist-risk-proposals"), p)
	if n := chartAuditCount(t, app, p, "risk.accepted"); n != 1 {
		t.Errorf("%d risk.accepted events", n)
	}
	// Accepting again (a page sent twice without its token) changes nothing.
	again := c.post(riskPath(p, id, "accept"), url.Values{"version": {strconv.Itoa(version)}})
	if again.status != http.StatusSeeOther || !strings.Contains(c.get(again.location()).body, "decided, or replaced by newer evidence") {
		t.Errorf("accepting a decided proposal: status %d", again.status)
	}
}

func TestRisk_OverrideNeedsAReasonKeepsWhatWasTypedThenKeepsTheTier(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app, "risk_tier", "moderate")
	c := app.signedIn("coord1@northside.test")
	riskLACE19(t, c, p)
	id, version := riskProposal(t, app, p)
	before := chartState(t, app, p)

	long := strings.Repeat("x", 501)
	res := c.post(riskPath(p, id, "override"), url.Values{"version": {strconv.Itoa(version)}, "reason": {long}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a reason too long: status %d", res.status)
	}
	mustContain(t, "chart again", res.body, `data-testid="error-risk-reason"`, "500 characters", long, `<details open>`)
	if chartState(t, app, p) != before {
		t.Error("a refused override changed the patient")
	}
	res = c.post(riskPath(p, id, "override"), url.Values{"version": {strconv.Itoa(version)}, "reason": {""}})
	mustContain(t, "no reason", res.body, "Say why the tier stays as it is.")

	res = c.post(riskPath(p, id, "override"), url.Values{"version": {strconv.Itoa(version)}, "reason": {"Readmission was planned surgery; stable at home"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("override: status %d\n%s", res.status, res.body)
	}
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart after overriding", chart, "Risk tier kept at Moderate risk", `data-testid="patient-risk">Moderate risk`,
		"proposal of High risk overridden: Readmission was planned surgery; stable at home")
	mustNotContain(t, "chart after overriding", chart, `data-testid="risk-proposal"`)
	// A contact re-evaluates the same evidence: nothing is proposed again.
	logContact(t, c, p)
	if n := chartInt(t, app, "select count(*) from risk_proposals where patient_id = $1 and status = 'open'", p); n != 0 {
		t.Errorf("%d proposals open again from the same evidence", n)
	}
}

func TestRisk_AnotherTenantsOrPatientsProposalIsNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app, "risk_tier", "moderate")
	other := chartPatient(t, app, "given_name", "Omar", "family_name", "Haddad", "date_of_birth", "1961-02-03")
	c := app.signedIn("coord1@northside.test")
	riskLACE19(t, c, p)
	id, version := riskProposal(t, app, p)
	for _, action := range []string{"accept", "override"} {
		if res := c.post(riskPath(other, id, action), url.Values{"version": {strconv.Itoa(version)}}); res.status != http.StatusNotFound {
			t.Errorf("%s through another patient: status %d", action, res.status)
		}
	}
	if res := app.signedIn("coord1@riverside.test").post(strings.Replace(riskPath(p, id, "accept"), "northside", "riverside", 1),
		url.Values{"version": {strconv.Itoa(version)}}); res.status != http.StatusNotFound {
		t.Errorf("another tenant: status %d", res.status)
	}
}

// TestJourney_ALACEOf19ProposesHighWithItsReasonAndAcceptingMovesTheNextContact
// walks issue 15's second point in the browser: a LACE of 19 for a
// moderate-risk patient, the proposal on the chart and the worklist,
// accepted, and the next contact due a week after the last instead of two.
func TestJourney_ALACEOf19ProposesHighWithItsReasonAndAcceptingMovesTheNextContact(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app, "risk_tier", "moderate")
	reached := time.Now().Add(-time.Hour)
	logContact(t, app.signedIn("coord1@northside.test"), p, "occurred_at", reached.Format(calendar.DateTimeLocal))
	chart := app.http.URL + "/t/northside/patients/" + p
	ctx := browser(t)

	steps := []chromedp.Action[chromedp.Void]{signInInBrowser(app, "coord1@northside.test")}
	steps = append(steps, startAssessment(chart, "LACE")...)
	// Option ids such as 14plus are not CSS identifiers: quote them.
	for q, o := range map[string]string{"length_of_stay": "14plus", "acuity": "emergent", "comorbidity": "4plus", "ed_visits": "4plus"} {
		steps = append(steps, chromedp.Click(chromedp.CSS(`input[name=`+q+`][value="`+o+`"]`)))
	}
	steps = append(steps, completeAssessment()...)
	var proposal, dueBefore, waiting, dueAfter, tier string
	steps = append(steps,
		chromedp.Navigate(chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=risk-proposal]`)),
		text(`[data-testid=risk-proposal]`, &proposal),
		text(`[data-testid=next-contact]`, &dueBefore),
		screenshot("risk-chart"),
		chromedp.Navigate(app.http.URL+"/t/northside/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist-risk-proposals]`)),
		text(`[data-testid=worklist-risk-proposals]`, &waiting),
		screenshot("risk-worklist"),
		chromedp.Click(chromedp.CSS(`[data-testid=worklist-risk-proposals] a[href$="#risk-proposal"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=accept-risk]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=accept-risk]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=risk-proposal]`)),
		text(`[data-testid=next-contact]`, &dueAfter),
		text(`[data-testid=patient-risk]`, &tier),
		screenshot("risk-accepted"),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	reason := "LACE 19 on " + time.Now().Format(calendar.ShortDay) + ": ≥ 10 → High"
	if !strings.Contains(proposal, "Risk tier proposed: High risk") || !strings.Contains(proposal, reason) {
		t.Errorf("chart card %q lacks the proposal and %q", proposal, reason)
	}
	if !strings.Contains(waiting, "Proposed High risk") || !strings.Contains(waiting, "Rosa Delgado") {
		t.Errorf("worklist section %q", waiting)
	}
	day := calendar.DateOf(reached)
	if want := day.AddDate(0, 0, 14).Format(calendar.Day); !strings.Contains(dueBefore, want) {
		t.Errorf("next contact before accepting %q, want %s", dueBefore, want)
	}
	if want := day.AddDate(0, 0, 7).Format(calendar.Day); !strings.Contains(dueAfter, want) || tier != "High risk" {
		t.Errorf("after accepting: next contact %q (want %s), tier %q", dueAfter, want, tier)
	}
}

func TestRisk_ATierRaisedByHandLeavesNothingToDecide(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app, "risk_tier", "moderate")
	c := app.signedIn("coord1@northside.test")
	riskLACE19(t, c, p)
	var version int
	chartRow(t, app, "update patients set risk_tier = 'high' where id = $1 returning version", []any{p}, &version)
	mustNotContain(t, "chart", c.get("/t/northside/patients/"+p).body, `data-testid="risk-proposal"`)
	mustNotContain(t, "worklist", taskSection(t, c.get("/t/northside/worklist").body, "worklist-risk-proposals"), p)
	// The next evidence withdraws it.
	logContact(t, c, p)
	if n := chartInt(t, app, "select count(*) from risk_proposals where patient_id = $1 and status = 'superseded'", p); n != 1 {
		t.Errorf("%d withdrawn proposals, want 1", n)
	}
}
