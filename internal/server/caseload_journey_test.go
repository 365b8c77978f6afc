package server

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// evalInto runs a script in the page and stores its result in *dst.
func evalInto[T any](script string, dst *T, opts ...chromedp.EvaluateOption) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		*dst, err = chromedp.Evaluate[T](script, opts...)(ctx, t)
		return err
	})
}

func evalString(script string, dst *string) chromedp.Action[chromedp.Void] {
	return evalInto(script, dst)
}

func evalStrings(script string, dst *[]string) chromedp.Action[chromedp.Void] {
	return evalInto(script, dst)
}

func evalAwaitString(script string, dst *string) chromedp.Action[chromedp.Void] {
	return evalInto(script, dst, chromedp.EvalAwaitPromise)
}

// The "done when": a supervisor spots the coordinator with the most
// high-risk patients nobody has reached, drills in, moves five of them to a
// colleague, approves a plan from the queue and downloads the CSV.
func TestJourney_SupervisorReviewsTheCaseloadMovesPatientsAndApproves(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := browser(t)
	var worst, listTitle, flash, queueFlash, csvText string
	var chosen []string
	// The link of the largest "high risk, no contact" count on the table.
	const worstLink = `(() => {
		let best = null, n = -1;
		for (const a of document.querySelectorAll('[data-testid=caseload] tbody a[href*="flag=high_risk_no_contact"]')) {
			if (+a.textContent > n) { n = +a.textContent; best = a; }
		}
		return best ? best.getAttribute('href') : '';
	})()`
	err := chromedp.Do(ctx,
		signInInBrowser(app, "supervisor@northside.test"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/caseload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=caseload]`)),
		screenshot("caseload-dashboard"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		evalString(worstLink, &worst),
	)
	if err != nil || worst == "" {
		t.Fatalf("no coordinator with high-risk patients out of contact: %v", err)
	}
	// Drill into that coordinator's whole caseload, most at risk first, so
	// that five can be chosen even when fewer are flagged.
	coordinatorList := strings.Replace(worst, "flag=high_risk_no_contact", "sort=risk", 1)
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.http.URL+worst),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=caseload-patients]`)),
		screenshot("caseload-drilldown"),
		chromedp.Navigate(app.http.URL+coordinatorList),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=caseload-patients]`)),
		text(`h1`, &listTitle),
		evalStrings(`Array.from(document.querySelectorAll('input[name=patient_id]')).slice(0, 5).map(c => { c.checked = true; return c.value; })`, &chosen),
		evalString(`(() => { const s = document.querySelector('select[name=to]');
			const current = new URLSearchParams(location.search).get('coordinator');
			const o = Array.from(s.options).find(o => o.value && o.value !== current); s.value = o.value; return o.value; })()`, new(string)),
		chromedp.SendKeys(chromedp.CSS(`input[name=reason]`), "Balancing high-risk caseloads"),
		chromedp.Click(chromedp.CSS(`[data-testid=reassign-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &flash),
		screenshot("caseload-moved"),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/approvals"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=approval-item]`)),
		screenshot("caseload-approvals"),
		chromedp.Click(chromedp.CSS(`[data-testid=approval-item] form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=flash]`, &queueFlash),
		chromedp.Click(chromedp.CSS(`nav.sidenav a[href$="/caseload"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=caseload]`)),
		evalAwaitString(`fetch(document.querySelector('a[download]').href).then(r => r.text())`, &csvText),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(chosen) != 5 || !strings.Contains(flash, "5 patients moved to") {
		t.Errorf("chose %d patients; flash %q", len(chosen), flash)
	}
	if n := chartInt(t, app, "select count(*) from patient_events where patient_id = any($1) and summary like '%Balancing high-risk caseloads'", chosen); n != 5 {
		t.Errorf("%d timeline lines for the 5 moves", n)
	}
	if !strings.Contains(queueFlash, "approved") {
		t.Errorf("approving from the queue: %q", queueFlash)
	}
	if !strings.HasPrefix(csvText, "Coordinator,Still active,") || !strings.Contains(csvText, "Team total") {
		t.Errorf("dashboard CSV:\n%s", csvText)
	}
	if !strings.Contains(listTitle, "open patients") {
		t.Errorf("list title %q", listTitle)
	}
}
