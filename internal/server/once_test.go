package server

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"carecoord/internal/demo"
	"carecoord/web"
)

// withToken is form with a one-time token, as a page of ours renders it.
func withToken(form url.Values, token string) url.Values {
	v := url.Values{}
	for k, vs := range form {
		v[k] = append([]string(nil), vs...)
	}
	v.Set(web.OnceField, token)
	return v
}

// together sends the forms from goroutines released at the same moment, as
// a double click or two tabs would, and returns the responses in order.
func (c *client) together(path string, forms ...url.Values) []response {
	c.app.t.Helper()
	out := make([]response, len(forms))
	errs := make([]error, len(forms))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, form := range forms {
		req, _ := http.NewRequest(http.MethodPost, c.app.http.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		wg.Go(func() {
			<-start
			res, err := c.c.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			out[i] = response{status: res.StatusCode, header: res.Header, body: string(b)}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			c.app.t.Fatal(err)
		}
	}
	return out
}

// twice posts form twice at once with the same one-time token.
func (c *client) twice(path string, form url.Values) []response {
	c.app.t.Helper()
	form = withToken(form, rand.Text())
	return c.together(path, form, form)
}

// onceCase is one action that creates something: where its form posts,
// what it posts, and the counts of the rows one post of it writes.
type onceCase struct {
	name string
	as   string
	// prepare makes what the action needs and returns its path, its form
	// and the counts that one post raises by exactly one.
	prepare func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int)
}

// inNorthside counts rows of northside for each query, all taking args.
func inNorthside(t *testing.T, app *testApp, args []any, queries ...string) func() []int {
	return func() []int {
		n := make([]int, len(queries))
		for i, q := range queries {
			chartRow(t, app, q, args, &n[i])
		}
		return n
	}
}

// withNeeds takes in a patient with a food need and no care plan, so that
// the demo's few unplanned patients do not run out.
func withNeeds(t *testing.T, app *testApp, c *client) string {
	t.Helper()
	p := chartPatient(t, app)
	if res := needsDecide(c, p, needsAHC(t, c, p), "decision", "accept", "domain", "food", "description", "Runs out of food", "priority", "high"); res.status != http.StatusSeeOther {
		t.Fatalf("accept need: %d", res.status)
	}
	return p
}

var onceCases = []onceCase{
	{"intake", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		return "/t/northside/patients", intakeEssentials("given_name", "Olive", "family_name", "Twice", "date_of_birth", "1949-03-08"),
			inNorthside(t, app, []any{"Twice"}, "select count(*) from patients where family_name = $1")
	}},
	{"contact with a follow-up task", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		form := contactPost("outcome", "no_answer", "summary", "", "follow_up_title", "Call again",
			"follow_up_due", time.Now().AddDate(0, 0, 1).Format("2006-01-02"), "follow_up_assignee", chartMaya(t, app))
		return "/t/northside/patients/" + p + "/contacts", form, inNorthside(t, app, []any{p},
			"select count(*) from contacts where patient_id = $1", "select count(*) from tasks where patient_id = $1",
			"select count(*) from audit_events where patient_id = $1 and action = 'contact.logged'")
	}},
	{"discharge", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		day := time.Now().AddDate(0, 0, -2)
		form := url.Values{"kind": {"discharge"}, "facility": {"Mercy General Hospital"},
			"occurred_on": {day.Format("2006-01-02")}, "admitted_on": {day.AddDate(0, 0, -4).Format("2006-01-02")}}
		return "/t/northside/patients/" + p + "/transitions", form, inNorthside(t, app, []any{p},
			"select count(*) from care_transitions where patient_id = $1", "select count(*) from tasks where patient_id = $1")
	}},
	{"appointment", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p, _, _, _ := foodNeedPatient(t, app)
		form := url.Values{"with": {"other"}, "with_name": {"Eastside Clinic"}, "date": {time.Now().AddDate(0, 0, 3).Format("2006-01-02")},
			"time": {"09:15"}, "minutes": {"30"}, "purpose": {"Flu shot"}}
		return "/t/northside/patients/" + p + "/appointments", form, inNorthside(t, app, []any{p},
			"select count(*) from appointments where patient_id = $1")
	}},
	{"care-team member", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		return "/t/northside/patients/" + p + "/care-team", url.Values{"kind": {"caregiver"}, "name": {"Ana Delgado"}, "relationship": {"Daughter"}},
			inNorthside(t, app, []any{p}, "select count(*) from care_team_members where patient_id = $1")
	}},
	{"coverage", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		return "/t/northside/patients/" + p + "/coverage", url.Values{"payer": {"Medicare"}, "plan_name": {"Part A"}},
			inNorthside(t, app, []any{p}, "select count(*) from coverages where patient_id = $1")
	}},
	{"consent", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		return "/t/northside/patients/" + p + "/consents", url.Values{"kind": {"text_messages"}, "given_on": {"2026-01-05"}, "given_by": {"Rosa Delgado"}},
			inNorthside(t, app, []any{p}, "select count(*) from consents where patient_id = $1")
	}},
	{"referral draft", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p, need, _, _ := foodNeedPatient(t, app)
		form := url.Values{"need_id": {need}, "resource_id": {resourceID(t, app, "Alder Falls Community Food Bank")}, "reason": {"Weekly groceries"}}
		return "/t/northside/patients/" + p + "/referrals", form, inNorthside(t, app, []any{p},
			"select count(*) from referrals where patient_id = $1")
	}},
	{"assessment", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		return asmPath(p, ""), url.Values{"instrument": {"PHQ-9"}, "method": {"phone"}},
			inNorthside(t, app, []any{p}, "select count(*) from assessments where patient_id = $1")
	}},
	{"need accepted from a screening", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		id := needsAHC(t, c, p)
		form := url.Values{"decision": {"accept"}, "domain": {"food"}, "description": {"Runs out of food before payday"}, "priority": {"high"}}
		return asmPath(p, "/"+id+"/needs"), form, inNorthside(t, app, []any{p}, "select count(*) from needs where patient_id = $1")
	}},
	{"care plan", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := withNeeds(t, app, c)
		chart := "/t/northside/patients/" + p
		form := url.Values{"title": {"Plan with the patient"}}
		for _, m := range regexp.MustCompile(`name="need_id" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(c.get(chart+"/care-plan").body, -1) {
			form.Add("need_id", m[1])
		}
		return chart + "/care-plans", form, inNorthside(t, app, []any{p}, "select count(*) from care_plans where patient_id = $1")
	}},
	{"need added to a plan", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		withNeeds(t, app, c)
		_, plan := startedPlan(t, app, c)
		form := url.Values{"version": {planVersion(t, c.get(plan).body)}, "domain": {"transportation"},
			"description": {"No way to reach the clinic"}, "priority": {"medium"}}
		return plan + "/needs", form, inNorthside(t, app, []any{planID(plan)}, "select count(*) from care_plan_needs where plan_id = $1")
	}},
	{"goal", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		withNeeds(t, app, c)
		_, plan := startedPlan(t, app, c)
		page := c.get(plan).body
		need := needSection.FindStringSubmatch(page)[1]
		form := url.Values{"version": {planVersion(t, page)}, "patient_words": {"I want to be ok"}, "target": {"Says so at two calls running"},
			"target_date": {time.Now().AddDate(0, 0, 10).Format("2006-01-02")}, "priority": {"high"}}
		return plan + "/needs/" + need + "/goals", form, inNorthside(t, app, []any{planID(plan)}, "select count(*) from goals where plan_id = $1")
	}},
	{"intervention", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		withNeeds(t, app, c)
		_, plan := writtenPlan(t, app, c)
		page := c.get(plan).body
		goal := goalSection.FindStringSubmatch(page)[1]
		form := url.Values{"version": {planVersion(t, page)}, "action": {"Drive her to the food bank"},
			"responsible": {"coordinator:" + coordinatorID(t, app, "coord1@northside.test")}, "due_date": {time.Now().AddDate(0, 0, 5).Format("2006-01-02")}}
		return plan + "/goals/" + goal + "/interventions", form, inNorthside(t, app, []any{goal}, "select count(*) from interventions where goal_id = $1")
	}},
	{"goal progress note", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		withNeeds(t, app, c)
		_, plan := writtenPlan(t, app, c)
		goal := goalSection.FindStringSubmatch(c.get(plan).body)[1]
		return plan + "/goals/" + goal + "/notes", url.Values{"note": {"Got a food box on Tuesday"}},
			inNorthside(t, app, []any{goal}, "select count(*) from goal_progress_notes where goal_id = $1")
	}},
	{"contact addendum", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		logContact(t, c, p, "summary", "Talked about the pharmacy.")
		id := lastContact(t, app, p)
		return "/t/northside/patients/" + p + "/contacts/" + id + "/addenda", url.Values{"note": {"Pharmacy confirmed the refill."}},
			inNorthside(t, app, []any{id}, "select count(*) from contact_addenda where contact_id = $1")
	}},
	{"invitation", "admin@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		return "/t/northside/admin/invitations", url.Values{"email": {"twice@northside.test"}, "role": {"coordinator"}},
			inNorthside(t, app, []any{"twice@northside.test"}, "select count(*) from invitations where email = $1")
	}},
	{"resource", "supervisor@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		form := url.Values{"name": {"Twice Diaper Bank"}, "services": {"Diapers and wipes"}, "domains": {"food"},
			"phone": {"(612) 555-0177"}, "cost": {"free"}, "refer_by": {"phone"}}
		return "/t/northside/resources", form, inNorthside(t, app, []any{"Twice Diaper Bank"}, "select count(*) from resources where name = $1")
	}},
	{"organisation", demo.PlatformAdminEmail, func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		form := url.Values{"name": {"Twice Care"}, "slug": {"twice"}, "admin_email": {"lee@twice.test"}}
		return "/platform/tenants", form, func() []int { return []int{app.queryInt("select count(*) from tenants where slug = 'twice'")} }
	}},
	{"patient enrolled", "coord1@northside.test", func(t *testing.T, app *testApp, c *client) (string, url.Values, func() []int) {
		p := chartPatient(t, app)
		// A change under a version: without the token the second post would
		// meet a new version and be refused as a conflict.
		return "/t/northside/patients/" + p + "/status", url.Values{"action": {"enrol"}, "version": {"1"}},
			inNorthside(t, app, []any{p}, "select version from patients where id = $1", "select count(*) from patient_events where patient_id = $1")
	}},
}

// TestOnce_EveryCreateActionPostedTwiceAtOnceWritesOnce posts each action's
// form twice at the same moment with the same one-time token: one post
// writes, and both answer with the same redirect.
func TestOnce_EveryCreateActionPostedTwiceAtOnceWritesOnce(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	clients := map[string]*client{}
	for _, tc := range onceCases {
		t.Run(tc.name, func(t *testing.T) {
			c := clients[tc.as]
			if c == nil {
				c = app.signedIn(tc.as)
				clients[tc.as] = c
			}
			path, form, count := tc.prepare(t, app, c)
			before := count()
			res := c.twice(path, form)
			after := count()
			for i := range before {
				if after[i] != before[i]+1 {
					t.Errorf("count %d: %d before, %d after two posts, want one more", i, before[i], after[i])
				}
			}
			if res[0].status != http.StatusSeeOther || res[1].status != http.StatusSeeOther {
				t.Fatalf("statuses %d and %d, want 303 twice\n%s\n%s", res[0].status, res[1].status, res[0].body, res[1].body)
			}
			if res[0].location() != res[1].location() || res[0].location() == "" {
				t.Errorf("redirects to %q and %q, want the same", res[0].location(), res[1].location())
			}
		})
	}
}

// TestOnce_TwoIntakesOfOnePersonAtOnceWithoutTokenTakeInOne: an API client
// posts without a token, and still the duplicate check cannot race: of two
// intakes of one person at once, one takes the person in and the other is
// shown them as a possible duplicate. Several people, as the race is a
// matter of timing.
func TestOnce_TwoIntakesOfOnePersonAtOnceWithoutTokenTakeInOne(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	for i := range 8 {
		family := "Racer" + string(rune('a'+i))
		form := intakeEssentials("given_name", "Odette", "family_name", family, "date_of_birth", fmt.Sprintf("1944-11-%02d", i+1))
		res := c.together("/t/northside/patients", form, form)
		if n := chartInt(t, app, "select count(*) from patients where family_name = $1", family); n != 1 {
			t.Errorf("%s: %d patients, want 1", family, n)
		}
		created, warned := 0, 0
		for _, r := range res {
			switch {
			case r.status == http.StatusSeeOther:
				created++
			case r.status == http.StatusOK && strings.Contains(r.body, `data-testid="duplicates"`):
				warned++
			}
		}
		if created != 1 || warned != 1 {
			t.Errorf("%s: %d created, %d warned, want one each", family, created, warned)
		}
	}
}

// TestOnce_AFailedPostCanBeCorrectedAndSentAgain: the token of a post that
// failed is given up, so the same form, corrected, is saved.
func TestOnce_AFailedPostCanBeCorrectedAndSentAgain(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	token := rand.Text()
	bad := c.post("/t/northside/patients", withToken(intakeEssentials("family_name", "", "given_name", "Fixme"), token))
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid intake: %d", bad.status)
	}
	good := c.post("/t/northside/patients", withToken(intakeEssentials("family_name", "Fixed", "given_name", "Fixme"), token))
	if good.status != http.StatusSeeOther {
		t.Fatalf("corrected intake with the same token: %d\n%s", good.status, good.body)
	}
	if n := chartInt(t, app, "select count(*) from patients where family_name = 'Fixed' and $1::text <> ''", "x"); n != 1 {
		t.Errorf("%d patients, want 1", n)
	}
}

// TestOnce_APageSentAgainLaterAnswersAsTheFirstTime: the browser's form
// carries a fresh token each time it is shown; sending the same page again
// later (back, resend) does nothing more and leads to the same place, with
// the same message.
func TestOnce_APageSentAgainLaterAnswersAsTheFirstTime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	p := chartPatient(t, app)
	form := c.get("/t/northside/patients/" + p + "/care-team/new").body
	tokens := regexp.MustCompile(`name="`+web.OnceField+`" value="([A-Z2-7]{26})"`).FindAllStringSubmatch(form, -1)
	again := regexp.MustCompile(`name="`+web.OnceField+`" value="([A-Z2-7]{26})"`).FindAllStringSubmatch(c.get("/t/northside/patients/"+p+"/care-team/new").body, -1)
	if len(tokens) < 2 || len(again) != len(tokens) {
		t.Fatalf("care-team page: %d and %d tokens, want one per form (sign-out and the member form)", len(tokens), len(again))
	}
	seen := map[string]bool{}
	for _, m := range append(tokens, again...) {
		if seen[m[1]] {
			t.Fatalf("token %s rendered twice", m[1])
		}
		seen[m[1]] = true
	}
	post := withToken(url.Values{"kind": {"caregiver"}, "name": {"Ana Delgado"}, "relationship": {"Daughter"}}, tokens[len(tokens)-1][1])
	first := c.post("/t/northside/patients/"+p+"/care-team", post)
	mustContain(t, "page after the first post", c.get(first.location()).body, "Ana Delgado")
	second := c.post("/t/northside/patients/"+p+"/care-team", post)
	if first.status != http.StatusSeeOther || second.status != http.StatusSeeOther || second.location() != first.location() {
		t.Fatalf("first %d %s, again %d %s", first.status, first.location(), second.status, second.location())
	}
	if n := chartInt(t, app, "select count(*) from care_team_members where patient_id = $1", p); n != 1 {
		t.Errorf("%d care-team members, want 1", n)
	}
	mustContain(t, "page after the repeat", c.get(second.location()).body, `data-testid="flash"`)
}

// TestOnce_ARepeatOfAPostStillRunningIsNeverRun: when the first post of a
// token has not finished within the wait (here: it never will, as if its
// process died), the repeat is told to look, and does not run.
func TestOnce_ARepeatOfAPostStillRunningIsNeverRun(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	p := chartPatient(t, app)
	token := rand.Text()
	if _, err := app.db.Pool.Exec(t.Context(), `insert into form_posts (user_id, token) values ($1, $2)`, chartMaya(t, app), token); err != nil {
		t.Fatal(err)
	}
	res := c.post("/t/northside/patients/"+p+"/care-team", withToken(url.Values{"kind": {"caregiver"}, "name": {"Ana Delgado"}}, token))
	if res.status != http.StatusConflict || !strings.Contains(res.body, "still being saved") {
		t.Fatalf("status %d, want 409 saying it is being saved\n%s", res.status, res.body)
	}
	if n := chartInt(t, app, "select count(*) from care_team_members where patient_id = $1", p); n != 0 {
		t.Errorf("%d care-team members, want none", n)
	}
}
