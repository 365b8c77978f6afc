package server

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// count reads the number on one of the worklist's count tiles.
func count(anchor string, dst *int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		s, err := chromedp.Text(chromedp.CSS(`[data-testid=count-`+anchor+`] .stat`))(ctx, t)
		if err != nil {
			return err
		}
		*dst, err = strconv.Atoi(strings.TrimSpace(s))
		return err
	})
}

// TestJourney_CoordinatorWorksThroughTheWorklist walks issue 7 as a
// coordinator would: from the worklist an unsuccessful call to a new
// referral, then a successful one with a follow-up task; a hospital
// discharge and its 7-day follow-up; a task completed and one handed over;
// the worklist's counts following every step.
func TestJourney_CoordinatorWorksThroughTheWorklist(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	chart := "/t/northside/patients/" + p
	ctx := browser(t)
	logFromWorklist := `[data-testid=worklist-new-referrals] a[href="` + chart + `/contacts/new?return=worklist"]`

	var referrals0, referrals1, referrals2, today0, today2, today3 int
	var referralRow, flash, dueToday string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		count("new-referrals", &referrals0),
		count("due-today", &today0),
		screenshot("contacts-worklist"),
		// An unsuccessful call, straight from the referral's row.
		chromedp.Click(chromedp.CSS(logFromWorklist)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=outcome]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=outcome]`), "no_answer"),
		screenshot("contacts-form"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		count("new-referrals", &referrals1),
		text(chromedp.CSS(`[data-testid=worklist-new-referrals] tr:has(a[href="`+chart+`"])`), &referralRow),
		// Then the patient is reached, and a follow-up is due today.
		chromedp.Click(chromedp.CSS(logFromWorklist)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=outcome]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=outcome]`), "reached"),
		chromedp.SendKeys(chromedp.CSS(`input[name=minutes]`), "15"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=summary]`), "Talked about food and the ride to the clinic."),
		chromedp.SendKeys(chromedp.CSS(`input[name=follow_up_title]`), "Send the food bank list"),
		chromedp.SetValue(chromedp.CSS(`input[name=follow_up_due]`), time.Now().Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &flash),
		count("new-referrals", &referrals2),
		count("due-today", &today2),
		text(`[data-testid=worklist-due-today]`, &dueToday),
		screenshot("contacts-worklist-after"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if referrals1 != referrals0 || !strings.Contains(referralRow, "1 unsuccessful attempt") {
		t.Errorf("after a missed call: %d new referrals (was %d), row %q", referrals1, referrals0, referralRow)
	}
	if referrals2 != referrals0-1 || today2 != today0+1 || !strings.Contains(dueToday, "Send the food bank list") {
		t.Errorf("after reaching the patient: referrals %d→%d, due today %d→%d, section %q", referrals0, referrals2, today0, today2, dueToday)
	}
	if !strings.Contains(flash, "follow-up task is on the worklist") {
		t.Errorf("flash %q", flash)
	}

	// A hospital discharge from the chart, today, opens its 7-day
	// follow-up: the call this morning may have been before it.
	discharged := time.Now()
	var chartFlash, openTasks, timeline string
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart-contacts]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=patient-header] a[href$="/transitions/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=kind]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "discharge"),
		chromedp.SendKeys(chromedp.CSS(`input[name=facility]`), "Mercy General Hospital"),
		chromedp.SetValue(chromedp.CSS(`input[name=occurred_on]`), discharged.Format("2006-01-02")),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=notes]`), "Admitted with a fall; new walker."),
		screenshot("contacts-transition"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &chartFlash),
		text(`[data-testid=chart-tasks]`, &openTasks),
		text(`[data-testid=timeline]`, &timeline),
		screenshot("contacts-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	due := longDate(discharged.AddDate(0, 0, 7))
	if !strings.Contains(chartFlash, "follow-up task is due by "+due) || !strings.Contains(openTasks, "Follow up after discharge from Mercy General Hospital") {
		t.Errorf("after the discharge: flash %q, open tasks %q", chartFlash, openTasks)
	}
	for _, line := range []string{"Hospital discharge: Mercy General Hospital", "Phone call with the patient: reached (15 min)", "Phone call with the patient: no answer"} {
		if !strings.Contains(timeline, line) {
			t.Errorf("timeline lacks %q", line)
		}
	}

	// The discharge follow-up goes to a colleague; the food bank list is
	// sent and done.
	var handed, taskPage string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=chart-tasks] li:last-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-hand-over]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=assignee]`), chartUser(t, app, "coord2@northside.test")),
		chromedp.SendKeys(chromedp.CSS(`input[name=handover_note]`), "You visit her street on Thursdays"),
		screenshot("contacts-task"),
		chromedp.Click(chromedp.CSS(`[data-testid=task-hand-over] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=chart-tasks]`, &handed),
		chromedp.Navigate(app.http.URL+"/t/northside/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=worklist-due-today] a[data-testid=task-link][href^="`+chart+`/tasks/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=task-complete]`)),
		text(`[data-testid=task-detail]`, &taskPage),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=task-complete] textarea[name=note]`), "Mailed the list."),
		chromedp.Click(chromedp.CSS(`[data-testid=task-complete] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist-counts]`)),
		count("due-today", &today3),
		screenshot("contacts-worklist-done"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(handed, "Liam Chen") {
		t.Errorf("open tasks after the hand-over: %q", handed)
	}
	if !strings.Contains(taskPage, "Send the food bank list") || today3 != today0 {
		t.Errorf("task page %q; due today back to %d, want %d", taskPage, today3, today0)
	}
}

// chartUser is the id of a user by email.
func chartUser(t *testing.T, app *testApp, email string) string {
	t.Helper()
	var id string
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = $1", email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
