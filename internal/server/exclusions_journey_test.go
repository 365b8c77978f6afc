package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestJourney_DischargeLeftOutOfTheFollowUpInTheBrowser records a
// discharge ten days ago, tries to exclude it for a readmission after the
// window (refused, beside the date), records a death instead, and looks
// at the chart and at the supervisor's measures with their definition.
func TestJourney_DischargeLeftOutOfTheFollowUpInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	chart := "/t/northside/patients/" + p
	res := app.signedIn("coord1@northside.test").post(chart+"/transitions", url.Values{"kind": {"discharge"},
		"facility": {"Mercy General Hospital"}, "occurred_on": {time.Now().AddDate(0, 0, -10).Format("2006-01-02")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record discharge: %d", res.status)
	}
	ctx := browser(t)
	var problem, transitions, definition string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(app.http.URL+chart),
		chromedp.Click(chromedp.CSS(`[data-testid=transitions] a[href$="/exclusion"]`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=reason]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=reason]`), "readmitted"),
		chromedp.SetValue(chromedp.CSS(`input[name=excluded_on]`), time.Now().AddDate(0, 0, -1).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-excluded_on]`)),
		text(`[data-testid=error-excluded_on]`, &problem),
		screenshot("discharge-exclusion-error"),
		chromedp.SetValue(chromedp.CSS(`select[name=reason]`), "died"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=transitions]`, &transitions),
		screenshot("discharge-exclusion-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		signOutInBrowser(),
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Navigate(app.http.URL+"/t/northside/caseload/measures"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=measure-discharge]`)),
		text(`[data-testid=measure-discharge]`, &definition),
		screenshot("discharge-measures"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problem, "does not exclude this discharge") || !strings.Contains(transitions, "Left out of the 7-day follow-up: died") ||
		!strings.Contains(definition, "The discharge day itself does not count") {
		t.Errorf("error %q; transitions %q; definition %q", problem, transitions, definition)
	}
}
