package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
)

// trendsCard is the chart's Trends card of a northside patient.
func trendsCard(t *testing.T, c *client, patientID string) string {
	t.Helper()
	return chartBetween(followToPage(t, c, "/t/northside/patients/"+patientID).body, `data-testid="trends"`, "</section>")
}

func TestAssessmentTrend_ChartDrawsBothPHQ9Scores(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustNotContain(t, "chart before any PHQ-9", chart, `data-testid="trends"`)

	asmComplete(t, app, c, p, 2, 2, 2, 2, 2, 2, 1, 1, 0) // 14
	second := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 0, 0, 0)
	day := longDate(time.Now())
	card := trendsCard(t, c, p)
	mustContain(t, "trends card", card, "<h3>PHQ-9</h3>", `role="img"`, "PHQ-9 scores from "+day+" to "+day+": 14, 6",
		"Moderate 10", "Severe 20", "<td>14</td>", "<td>6</td>")
	mustNotContain(t, "trends card", card, "GAD-7", "Minimal 0")

	result := followToPage(t, c, asmPath(p, "/"+second)).body
	mustContain(t, "result page", chartBetween(result, `data-testid="result"`, "</section>"), "PHQ-9 over time", `role="img"`, ": 14, 6")
}

func TestAssessmentTrend_EnteredInErrorScoreIsLeftOut(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	wrong := asmComplete(t, app, c, p, 3, 3, 3, 3, 3, 3, 3, 3, 0) // 24
	kept := asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 0, 0, 0)  // 6
	if res := c.post(asmPath(p, "/"+wrong+"/error"), url.Values{"error_reason": {"Given to the wrong patient"}}); res.status != http.StatusSeeOther {
		t.Fatalf("mark: status %d", res.status)
	}
	card := trendsCard(t, c, p)
	mustContain(t, "trends card", card, `role="img"`, "PHQ-9 score on "+longDate(time.Now())+": 6", "<td>6</td>")
	mustNotContain(t, "trends card", card, "<td>24</td>", ">24</text>", ", 24", ": 24")

	result := followToPage(t, c, asmPath(p, "/"+kept)).body
	mustContain(t, "result of the kept one", result, "PHQ-9 over time", ": 6")
	mustNotContain(t, "result of the kept one", chartBetween(result, `data-testid="result"`, "</section>"), ">24<")
	mustNotContain(t, "result of the wrong one", followToPage(t, c, asmPath(p, "/"+wrong)).body, "PHQ-9 over time")
}

// asmCompletedDaysAgo moves an assessment's dates back, as if it had been
// given days ago. The app role may update assessments, under the tenant.
func asmCompletedDaysAgo(t *testing.T, app *testApp, id string, days int) time.Time {
	t.Helper()
	ctx := context.Background()
	at := time.Now().AddDate(0, 0, -days)
	err := db.InTenant(ctx, app.db.Pool, app.tenantID("northside"), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update assessments set started_at = $2, completed_at = $2 where id = $1", id, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestAssessmentDue_ModeratePHQ9IsDueIn90DaysAndOverdueAfter(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	due := func() string {
		return chartBetween(followToPage(t, c, "/t/northside/patients/"+p).body, `data-testid="assessment-due"`, "</div>")
	}
	mustContain(t, "never screened", due(), "Social needs screening not done yet", "/assessments/new?instrument=AHC-HRSN")
	mustNotContain(t, "never screened", due(), "PHQ-9")

	id := asmComplete(t, app, c, p, 2, 2, 2, 2, 2, 2, 1, 1, 0) // 14, moderate
	mustContain(t, "fresh moderate PHQ-9", due(), "PHQ-9 due "+longDate(time.Now().AddDate(0, 0, 90)), "badge-info")
	mustNotContain(t, "fresh moderate PHQ-9", due(), "overdue")

	at := asmCompletedDaysAgo(t, app, id, 100)
	mustContain(t, "PHQ-9 of 100 days ago", due(), "PHQ-9 overdue since "+longDate(at.AddDate(0, 0, 90)), "badge-warn")

	start := followToPage(t, c, asmPath(p, "/new?instrument=AHC-HRSN")).body
	mustContain(t, "start form from the link", start, `value="AHC-HRSN" selected`)
}

func TestAssessmentDue_MildPHQ9IsNotScheduled(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 0, 0, 0) // 6, mild
	chart := followToPage(t, c, "/t/northside/patients/"+p).body
	mustNotContain(t, "chart", chartBetween(chart, `data-testid="assessments"`, "</section>"), "PHQ-9 due", "PHQ-9 overdue")
}

func TestAssessmentTrendJourney_DemoPatientsChartShowsTrendsAndDueBadges(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var p string
	chartRow(t, app, `
		select patient_id from assessments where instrument_code = 'PHQ-9' and status = 'completed'
		 group by patient_id having count(*) >= 3 order by patient_id limit 1`, nil, &p)
	ctx := browser(t)
	var trends string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(app.http.URL+"/t/northside/patients/"+p),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=trends] svg[role=img]`)),
		text(`[data-testid=trends] h3`, &trends),
		screenshot("assessment-trends-chart"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trends, "PHQ-9") {
		t.Errorf("first trend is %q, want PHQ-9", trends)
	}
}
