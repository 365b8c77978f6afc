package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// signOutInBrowser signs out with the button in the top bar.
func signOutInBrowser() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
	)
}

// twoNeedPatient is a northside patient of coord1's with at least two
// accepted needs and no plan.
func twoNeedPatient(t *testing.T, app *testApp) string {
	t.Helper()
	var id string
	err := app.scanInTenant("northside", `
		select p.id from patients p
		 where p.assigned_coordinator_id = (select id from users where email = 'coord1@northside.test')
		   and (select count(*) from needs n where n.tenant_id = p.tenant_id and n.patient_id = p.id and n.status = 'identified') >= 2
		   and not exists (select 1 from care_plans c where c.tenant_id = p.tenant_id and c.patient_id = p.id)
		 order by p.family_name limit 1`, nil, &id)
	if err != nil {
		t.Fatalf("no demo patient with two unplanned needs: %v", err)
	}
	return id
}

// morePagesThanOne prints the current page on A4 and reports whether it
// needed more than one sheet: asking for sheet 2 of a one-sheet document
// is an error.
func morePagesThanOne(dst *bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
			PaperWidth: 8.27, PaperHeight: 11.69, PageRanges: "2"})
		*dst = err == nil
		return nil
	})
}

// The "done when", as a coordinator and a supervisor would go
// through it in a browser.
func TestJourney_CarePlanWrittenReturnedApprovedRevisedAndPrinted(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	patient := twoNeedPatient(t, app)
	chart := app.http.URL + "/t/northside/patients/" + patient
	today := time.Now().Format("2006-01-02")
	ctx := browser(t)
	var needs, returned, worklist, diff, printed string
	var overflow bool
	steps := []chromedp.Action[chromedp.Void]{
		// Maya turns the two accepted needs into a plan.
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=chart-plan] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=need_id]`)),
		screenshot("plan-start"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-header]`)),
		text(`main`, &needs),
		// The first need's goal starts from a suggestion, with its interventions.
		chromedp.Click(chromedp.CSS(`[data-testid=plan-need][data-position="1"] .plan-suggestions summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid=plan-need][data-position="1"] .plan-suggestions a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=goal-form] input[name=starter_0]`)),
		screenshot("plan-suggested-goal"),
		chromedp.Click(chromedp.CSS(`[data-testid=goal-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		// The second need's goal is written by hand; its intervention is due today.
		chromedp.Click(chromedp.CSS(`[data-testid=plan-need][data-position="2"] .plan-add a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=goal-form]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=patient_words]`), "I want fewer worries about the basics"),
		chromedp.SendKeys(chromedp.CSS(`input[name=target]`), "Says the basics are covered at three calls running"),
		chromedp.SetValue(chromedp.CSS(`input[name=target_date]`), time.Now().AddDate(0, 3, 0).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`[data-testid=goal-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=plan-need][data-position="2"] a[href*="form=intervention&goal="]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=intervention-form]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=action]`), "Go through the benefits check with the patient"),
		chromedp.SetValue(chromedp.CSS(`input[name=due_date]`), today),
		chromedp.Click(chromedp.CSS(`[data-testid=intervention-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=plan-header] a[href*="form=details"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=details-form]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=review_due]`), time.Now().AddDate(0, 2, 0).Format("2006-01-02")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=participants]`), "The patient and her son"),
		chromedp.SetValue(chromedp.CSS(`select[name=patient_agreed]`), "yes"),
		chromedp.Click(chromedp.CSS(`[data-testid=details-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		screenshot("plan-written"),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=awaiting-review]`)),
		signOutInBrowser(),

		// Grace finds it in her queue, reads what it says and returns it.
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/approvals"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=approval-queue]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=approval-queue] a[href*="` + patient + `"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-review]`)),
		screenshot("plan-review"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=plan-review] textarea[name=text]`), "Please add the son's phone number to the care team"),
		chromedp.Click(chromedp.CSS(`form[action$="/return"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		signOutInBrowser(),

		// Maya sees the comment, fixes the plan and submits it again.
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=returned-comment]`)),
		text(`[data-testid=returned-comment]`, &returned),
		chromedp.Click(chromedp.CSS(`[data-testid=plan-header] a[href*="form=details"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=details-form]`)),
		chromedp.SetValue(chromedp.CSS(`textarea[name=participants]`), "The patient and her son (son: 555-010-3131)"),
		chromedp.Click(chromedp.CSS(`[data-testid=details-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=awaiting-review]`)),
		signOutInBrowser(),

		// Grace approves.
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-review]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/revise"]`)),
		signOutInBrowser(),

		// The intervention due today is on Maya's worklist.
		signInInBrowser(app, "coord1@northside.test"),
		text(`[data-testid=worklist]`, &worklist),
		screenshot("plan-task-on-worklist"),

		// A revision: the housing goal's target changes; Grace sees exactly that.
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/revise"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/revise"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-need][data-position="2"] .plan-tools a`)),
		chromedp.Click(chromedp.CSS(`[data-testid=plan-need][data-position="2"] .plan-tools a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=goal-form]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=target]`), "Says the basics are covered at six calls running"),
		chromedp.Click(chromedp.CSS(`[data-testid=goal-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=awaiting-review]`)),
		signOutInBrowser(),
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-review]`)),
		text(`[data-testid=plan-changes]`, &diff),
		screenshot("plan-revision-review"),

		// The patient's copy fits on one sheet of A4.
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-header]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/print"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=plan-print]`)),
		text(`[data-testid=plan-print]`, &printed),
		screenshot("plan-print"),
		morePagesThanOne(&overflow),
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if n := chartInt(t, app, `select count(*) from care_plan_needs pn join care_plans c on c.tenant_id = pn.tenant_id
		and c.id = pn.plan_id where c.patient_id = $1`, patient); n < 2 {
		t.Errorf("the plan addresses %d needs, want the patient's two or more:\n%s", n, needs)
	}
	if !strings.Contains(returned, "son's phone number") || !strings.Contains(returned, "Grace Whitfield") {
		t.Errorf("returned comment reads %q", returned)
	}
	if !strings.Contains(worklist, "Go through the benefits check with the patient") {
		t.Errorf("the intervention due today is not on the worklist:\n%s", worklist)
	}
	if !strings.Contains(diff, "Says the basics are covered at three calls running") || !strings.Contains(diff, "Says the basics are covered at six calls running") ||
		strings.Contains(diff, "Added") {
		t.Errorf("revision diff:\n%s", diff)
	}
	if !strings.Contains(printed, "I want fewer worries about the basics") || strings.Contains(printed, "six calls") {
		t.Errorf("the print view should show the approved plan:\n%s", printed)
	}
	if overflow {
		t.Error("the printed plan does not fit on one A4 sheet")
	}
}
