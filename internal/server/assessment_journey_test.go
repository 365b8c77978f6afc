package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// startAssessment opens the chart, starts instrument in person and waits for
// its form.
func startAssessment(chart, instrument string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=assessments] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=instrument]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=instrument]`), instrument),
		chromedp.SetValue(chromedp.CSS(`select[name=method]`), "in_person"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=assessment-form]`)),
	}
}

// choose clicks one answer of a question.
func choose(question, option string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%s][value=%s]`, question, option)))
}

// completeAssessment presses Complete and waits for the result.
func completeAssessment() []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`button[value=complete]`)),
		// The result section, not the score: a social needs screen has none.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=result]`)),
	}
}

// acceptProposal accepts the proposed need of domain as worded and waits
// for it to leave the proposals.
func acceptProposal(domain string) []chromedp.Action[chromedp.Void] {
	sel := `[data-testid=proposal-` + domain + `]`
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Click(chromedp.CSS(sel + ` button.button-primary`)),
		chromedp.WaitNotPresent(chromedp.CSS(sel)),
	}
}

func textContent(sel chromedp.CSS, dst *string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		*dst, err = chromedp.TextContent(sel)(ctx, t)
		return err
	})
}

// TestJourney_CoordinatorScreensAPatientAndActsOnTheFindings walks issue 5 as
// a coordinator would: a social needs screen with one question forgotten,
// its food need accepted, a PHQ-9 and its need, then a second PHQ-9 and the
// trend of both.
func TestJourney_CoordinatorScreensAPatientAndActsOnTheFindings(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	chart := app.http.URL + "/t/northside/patients/" + p
	ctx := browser(t)

	steps := []chromedp.Action[chromedp.Void]{
		signInInBrowser(app, "coord1@northside.test"),
	}
	// Social needs: food insecure, transport question (q5) forgotten.
	steps = append(steps, startAssessment(chart, "AHC-HRSN")...)
	steps = append(steps, choose("q1", "steady"), choose("q2", "none"), choose("q3", "often"), choose("q4", "sometimes"), choose("q6", "no"))
	for _, q := range []string{"q7", "q8", "q9", "q10"} {
		steps = append(steps, choose(q, "never"))
	}
	var missing, ahcDomains string
	steps = append(steps,
		chromedp.Click(chromedp.CSS(`button[value=complete]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-q5]`)),
		text(`[data-testid=error-q5]`, &missing),
		screenshot("screen-missing"),
		choose("q5", "no"),
	)
	steps = append(steps, completeAssessment()...)
	steps = append(steps, text(`[data-testid=domains]`, &ahcDomains), screenshot("screen-result"))
	steps = append(steps, acceptProposal("food")...)

	// Depression: sixteen points, moderately severe.
	var firstScore, firstBand string
	steps = append(steps, startAssessment(chart, "PHQ-9")...)
	for i := 1; i <= 8; i++ {
		steps = append(steps, choose(fmt.Sprintf("q%d", i), "more_than_half"))
	}
	steps = append(steps, choose("q9", "not_at_all"))
	steps = append(steps, completeAssessment()...)
	steps = append(steps, text(`[data-testid=result-score]`, &firstScore), text(`[data-testid=result-band]`, &firstBand))
	steps = append(steps, acceptProposal("mental_health")...)

	// A month later, in the same session: eight points, mild.
	var trend, needs string
	steps = append(steps, startAssessment(chart, "PHQ-9")...)
	for i := 1; i <= 8; i++ {
		steps = append(steps, choose(fmt.Sprintf("q%d", i), "several_days"))
	}
	steps = append(steps, choose("q9", "not_at_all"))
	steps = append(steps, completeAssessment()...)
	steps = append(steps,
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=trend-chart]`)),
		textContent(`[data-testid=trend-chart] desc`, &trend),
		screenshot("screen-trend"),
		chromedp.Navigate(chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=needs]`)),
		text(`[data-testid=needs]`, &needs),
		screenshot("screen-chart"),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if missing != "Please answer this question." {
		t.Errorf("message beside the forgotten question: %q", missing)
	}
	if !strings.Contains(ahcDomains, "Food") {
		t.Errorf("positive domains %q, want food", ahcDomains)
	}
	if !strings.Contains(firstScore, "16") || !strings.Contains(firstBand, "Moderately severe") {
		t.Errorf("first PHQ-9: score %q band %q", firstScore, firstBand)
	}
	if !strings.Contains(trend, "16, 8") {
		t.Errorf("trend description %q, want both scores", trend)
	}
	for _, want := range []string{"Food", "Mental health"} {
		if !strings.Contains(needs, want) {
			t.Errorf("needs card %q lacks %q", needs, want)
		}
	}
}
