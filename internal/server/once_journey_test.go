package server

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// doublePost sends the page's contact form twice at once from the browser,
// as the form itself would (its fields, its one-time token, the browser's
// own origin headers), and returns how each answered.
const doublePost = `(async () => {
	const f = document.querySelector('form[action$="/contacts"]');
	const body = new URLSearchParams(new FormData(f));
	const answers = await Promise.all([1, 2].map(() => fetch(f.action, {method: 'POST', body, redirect: 'manual'})));
	return answers.map(a => a.type).join(',');
})()`

// TestJourney_ADoubleSentNoAnswerCountsOnce: the double-clicked
// "no answer" — the coordinator's form, sent twice at once by the browser,
// is one attempt on the chart.
func TestJourney_ADoubleSentNoAnswerCountsOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	ctx := browser(t)
	var answers, contacts string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(app.http.URL+"/t/northside/patients/"+p+"/contacts/new"),
		chromedp.WaitVisible(chromedp.CSS(`select[name=outcome]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=outcome]`), "no_answer"),
		evalInto(doublePost, &answers, chromedp.EvalAwaitPromise),
		chromedp.Navigate(app.http.URL+"/t/northside/patients/"+p),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart-contacts]`)),
		text(`[data-testid=chart-contacts]`, &contacts),
	)
	if err != nil {
		t.Fatal(err)
	}
	if answers != "opaqueredirect,opaqueredirect" {
		t.Errorf("the two posts answered %s, want a redirect each", answers)
	}
	if n := chartInt(t, app, "select count(*) from contacts where patient_id = $1", p); n != 1 {
		t.Errorf("%d contacts, want 1", n)
	}
	mustContain(t, "chart contacts", contacts, "No answer")
}
