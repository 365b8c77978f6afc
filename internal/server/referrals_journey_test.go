package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
)

// foodNeedPatient is a northside patient of coord1's with an open food
// need on a care plan goal, a preferred language other than English, no
// consent to share information and no referral for the need yet.
func foodNeedPatient(t *testing.T, app *testApp) (patientID, needID, goalID, language string) {
	t.Helper()
	err := app.scanInTenant("northside", `
		select p.id, n.id, g.id, p.preferred_language
		  from patients p
		  join needs n on n.tenant_id = p.tenant_id and n.patient_id = p.id and n.domain = 'food' and n.status in ('identified', 'addressing')
		  join care_plan_needs pn on pn.tenant_id = n.tenant_id and pn.need_id = n.id
		  join goals g on g.tenant_id = pn.tenant_id and g.plan_need_id = pn.id and g.status in ('proposed', 'in_progress')
		  join care_plans c on c.tenant_id = g.tenant_id and c.id = g.plan_id and c.status in ('draft', 'active')
		 where p.assigned_coordinator_id = (select id from users where email = 'coord1@northside.test')
		   and p.preferred_language not in ('English', '')
		   and not exists (select 1 from consents k where k.tenant_id = p.tenant_id and k.patient_id = p.id and k.kind = 'information_sharing')
		   and not exists (select 1 from referrals r where r.tenant_id = p.tenant_id and r.need_id = n.id)
		   and exists (select 1 from coverages v where v.tenant_id = p.tenant_id and v.patient_id = p.id)
		 order by p.family_name limit 1`, nil, &patientID, &needID, &goalID, &language)
	if err != nil {
		t.Fatalf("no demo patient fits the referral journey: %v", err)
	}
	return patientID, needID, goalID, language
}

// foodReferral is the id of the referral written for the need.
func foodReferral(t *testing.T, app *testApp, need string) string {
	t.Helper()
	var id string
	if err := app.scanInTenant("northside", `select id from referrals where need_id = $1`, []any{need}, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// execInTenant changes demo data inside tenant slug, as the app role.
func (a *testApp) execInTenant(slug, sql string, args ...any) {
	a.t.Helper()
	err := db.InTenant(context.Background(), a.db.Pool, a.tenantID(slug), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// The "done when", as a coordinator goes through it in a browser.
func TestJourney_ReferralStoppedForConsentSentFollowedUpAndClosedWithAnAppointment(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	patient, need, goal, language := foodNeedPatient(t, app)
	chart := app.http.URL + "/t/northside/patients/" + patient
	today := time.Now().Format("2006-01-02")
	var coverage string
	if err := app.scanInTenant("northside", `select id from coverages where patient_id = $1 order by is_primary desc limit 1`,
		[]any{patient}, &coverage); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	var picked, gate, printed, overdue, loop, onGoal, worklist string
	steps := []chromedp.Action[chromedp.Void]{
		// Maya refers the food need: the directory opens on food and the
		// patient's language, and she picks a food bank that speaks it.
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=need-row] a[aria-label="Refer for Food insecurity"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=directory-results]`)),
		text(`[data-testid=directory-results]`, &picked),
		screenshot("referral-pick"),
		chromedp.Click(chromedp.CSS(`[data-testid=resource-card] a[aria-label*="Food Bank"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-form]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=goal_id]`), goal),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "Weekly groceries for a family of three; she prefers to be called in the afternoon."),
		screenshot("referral-form"),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-send]`)),

		// Sending is stopped: no consent to share is recorded.
		chromedp.Click(chromedp.CSS(`input[name=party_agreed]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-send] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-problem]`)),
		text(`[data-testid=consent-gate]`, &gate),
		screenshot("referral-consent-gate"),

		// She records the consent and comes back to send it.
		chromedp.Click(chromedp.CSS(`[data-testid=consent-fix]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=given_on]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=given_on]`), today),
		chromedp.SendKeys(chromedp.CSS(`input[name=given_by]`), "The patient"),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-send]`)),
		chromedp.Click(chromedp.CSS(`input[name=party_agreed]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-send] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=print-patient]`)),
		screenshot("referral-sent"),

		// The patient's copy, in plain words.
		chromedp.Click(chromedp.CSS(`[data-testid=print-patient]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-print]`)),
		text(`[data-testid=referral-print]`, &printed),
		screenshot("referral-print-patient"),
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	// Business days pass without an answer.
	app.execInTenant("northside", `update referrals set follow_up_due = current_date - 1, sent_at = now() - interval '8 days'
		where need_id = $1`, need)
	app.runScheduledJobs()
	steps = []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(app.http.URL + "/t/northside/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
		text(`[data-testid=worklist-overdue]`, &overdue),
		screenshot("referral-no-response-task"),

		// The food bank answers at last: the need was met; she closes the loop.
		chromedp.Navigate(chart),
		chromedp.Click(chromedp.CSS(`[data-testid=chart-referral] a[href$="` + foodReferral(t, app, need) + `"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-step]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=status]`), "completed"),
		chromedp.SetValue(chromedp.CSS(`select[name=outcome]`), "met"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=referral-step] textarea[name=note]`), "She picked up groceries twice; enrolled for weekly boxes."),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-step] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=loop-proposal]`)),
		text(`[data-testid=loop-proposal]`, &loop),
		screenshot("referral-loop-proposal"),
		chromedp.Click(chromedp.CSS(`[data-testid=loop-proposal] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=loop-proposal]`)),
		// The goal on the plan shows the referral and how it ended.
		chromedp.Navigate(chart + "/care-plan"),
		chromedp.WaitVisible(chromedp.CSS(`#goal-` + goal + ` [data-testid=goal-referrals]`)),
		text(chromedp.CSS(`#goal-`+goal), &onGoal),
		screenshot("referral-on-goal"),

		// A specialist joins the care team; she refers the patient there,
		// with the payer's authorisation that ends in ten days.
		chromedp.Navigate(chart + "/care-team/new"),
		chromedp.WaitVisible(chromedp.CSS(`select[name=kind]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=kind]`), "specialist"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Dr. Anita Rao"),
		chromedp.SendKeys(chromedp.CSS(`input[name=organisation]`), "Northside Heart & Vascular"),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "(612) 555-0162"),
		chromedp.Click(chromedp.CSS(`input[name=consent_to_share]`)),
		chromedp.Click(chromedp.CSS(`form button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart-referrals]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=chart-referrals] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-providers]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-providers] a[aria-label="Refer to Dr. Anita Rao"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-form]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "Chest pain on exertion; please assess."),
		chromedp.Click(chromedp.CSS(`input[name=prior_auth]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=coverage_id]`), coverage),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-send]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-send] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=print-patient]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-authorization] summary`)),
		chromedp.SetValue(chromedp.CSS(`select[name=auth_status]`), "approved"),
		chromedp.SendKeys(chromedp.CSS(`input[name=number]`), "PA-2026-4471"),
		chromedp.SendKeys(chromedp.CSS(`input[name=units]`), "4"),
		chromedp.SetValue(chromedp.CSS(`input[name=valid_from]`), today),
		chromedp.SetValue(chromedp.CSS(`input[name=valid_to]`), time.Now().AddDate(0, 0, 10).Format("2006-01-02")),
		chromedp.Click(chromedp.CSS(`[data-testid=auth-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=auth-status]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=referral-appointments] a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=appointment-form]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=date]`), time.Now().AddDate(0, 0, 1).Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS(`input[name=time]`), "10:30"),
		chromedp.SendKeys(chromedp.CSS(`input[name=purpose]`), "Cardiology assessment"),
		chromedp.Click(chromedp.CSS(`input[name=transport]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=appointment-form] button.button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=referral-appointments] [data-testid=appointment-row]`)),
		screenshot("referral-clinical"),

		// Both are on her worklist, once the scheduler has looked.
		chromedp.Func(func(context.Context, *chromedp.Target) error { app.runScheduledJobs(); return nil }),
		chromedp.Navigate(app.http.URL + "/t/northside/worklist"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=worklist]`)),
		text(`[data-testid=worklist]`, &worklist),
		screenshot("referral-worklist"),
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(picked, "Speaks the language") || !strings.Contains(picked, language) {
		t.Errorf("the directory did not open on the patient's language %s:\n%s", language, picked)
	}
	if !strings.Contains(gate, "No consent to share information is recorded") {
		t.Errorf("consent gate reads:\n%s", gate)
	}
	for _, want := range []string{"Your referral to", "Food Bank", "How to reach them", "Phone", "Open"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the patient's copy lacks %q:\n%s", want, printed)
		}
	}
	if !strings.Contains(overdue, "No answer from") {
		t.Errorf("no follow-up task on the worklist:\n%s", overdue)
	}
	if !strings.Contains(loop, "resolved") {
		t.Errorf("loop proposal reads:\n%s", loop)
	}
	if !strings.Contains(onGoal, "Referral to Alder Falls Community Food Bank") || !strings.Contains(onGoal, "Completed") {
		t.Errorf("the goal does not show its referral:\n%s", onGoal)
	}
	if n := chartInt(t, app, `select count(*) from needs where id = '`+need+`' and status = 'resolved' and patient_id = $1`, patient); n != 1 {
		t.Error("the food need was not resolved")
	}
	if n := chartInt(t, app, `select count(*) from goals where id = '`+goal+`' and status = 'achieved' and $1::uuid is not null`, patient); n != 1 {
		t.Error("the goal was not marked achieved")
	}
	if n := chartInt(t, app, `select count(*) from tasks t join referrals r on r.id = t.source_referral_id
		where r.need_id = $1 and t.source = 'referral' and t.status = 'cancelled'`, need); n != 1 {
		t.Errorf("the no-response task was not closed by the answer (%d)", n)
	}
	for _, want := range []string{"Authorisation for Dr. Anita Rao", "arrange transport"} {
		if !strings.Contains(worklist, want) {
			t.Errorf("worklist lacks %q:\n%s", want, worklist)
		}
	}
}
