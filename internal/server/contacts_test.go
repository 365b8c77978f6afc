package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// contactPost is a posted contact with the patient, now, with kv pairs
// replacing fields.
func contactPost(kv ...string) url.Values {
	v := url.Values{"occurred_at": {time.Now().Add(-time.Minute).Format("2006-01-02T15:04")}, "method": {"phone"},
		"direction": {"outbound"}, "with": {"patient"}, "outcome": {"reached"}, "summary": {"Talked about the week."}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func logContact(t *testing.T, c *client, patientID string, kv ...string) response {
	t.Helper()
	res := c.post("/t/northside/patients/"+patientID+"/contacts", contactPost(kv...))
	if res.status != http.StatusSeeOther {
		t.Fatalf("log contact: status %d\n%s", res.status, res.body)
	}
	return res
}

// lastContact is the id of the patient's latest contact.
func lastContact(t *testing.T, app *testApp, patientID string) string {
	t.Helper()
	var id string
	chartRow(t, app, "select id::text from contacts where patient_id = $1 order by created_at desc limit 1", []any{patientID}, &id)
	return id
}

func TestContacts_LoggedFromTheWorklistGoesBackThereAndOnTheTimeline(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	form := c.get("/t/northside/patients/" + p + "/contacts/new?return=worklist")
	mustContain(t, "contact form", form.body, `name="return" value="worklist"`, "Rosa Delgado", "Log a contact", `value="patient" selected`)

	res := logContact(t, c, p, "return", "worklist", "minutes", "12", "follow_up_title", "Send the food bank list",
		"follow_up_due", time.Now().Format("2006-01-02"), "follow_up_assignee", chartMaya(t, app))
	if res.location() != "/t/northside/worklist" {
		t.Errorf("after saving from the worklist: redirected to %s", res.location())
	}
	var outcome, author string
	var minutes int
	chartRow(t, app, "select c.outcome, u.email, c.minutes from contacts c join users u on u.id = c.author_id where c.patient_id = $1",
		[]any{p}, &outcome, &author, &minutes)
	if outcome != "reached" || author != "coord1@northside.test" || minutes != 12 {
		t.Errorf("contact: %s by %s, %d min", outcome, author, minutes)
	}
	if n := chartAuditCount(t, app, p, "contact.logged"); n != 1 {
		t.Errorf("contact.logged audit events: %d", n)
	}
	worklist := c.get("/t/northside/worklist").body
	mustContain(t, "flash", worklist, "Contact saved. The follow-up task is on the worklist.")
	mustContain(t, "due today", taskSection(t, worklist, "worklist-due-today"), "Send the food bank list", "/tasks/")
	mustNotContain(t, "new referrals", taskSection(t, worklist, "worklist-new-referrals"), p)
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart", chart, "Phone call with the patient: reached (12 min)", "Follow-up task: Send the food bank list", "Talked about the week.")
}

func TestContacts_AFormWithProblemsComesBackWithWhatWasTyped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	before := chartState(t, app, p)
	res := c.post("/t/northside/patients/"+p+"/contacts", contactPost("outcome", "", "summary", "She sounded tired.",
		"occurred_at", time.Now().Add(24*time.Hour).Format("2006-01-02T15:04"), "follow_up_title", "Call back"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "form again", res.body, "She sounded tired.", `value="Call back"`,
		`data-testid="error-outcome"`, `data-testid="error-occurred_at"`, `data-testid="error-follow_up_due"`, "nothing was saved")
	if n := chartInt(t, app, "select count(*) from contacts where patient_id = $1", p); n != 0 || chartState(t, app, p) != before {
		t.Errorf("%d contacts stored, or the patient changed", n)
	}
}

func TestContacts_ThreeMissedCallsFlagTheChartAndWorklistUntilOneSucceeds(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	for i, outcome := range []string{"no_answer", "left_message", "no_answer"} {
		at := time.Now().Add(time.Duration(i-5) * time.Hour).Format("2006-01-02T15:04")
		logContact(t, c, p, "outcome", outcome, "summary", "", "occurred_at", at)
	}
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "chart", chart, `data-testid="unreachable-flag"`, "3 attempts in a row", "Flagged unable to reach")
	worklist := c.get("/t/northside/worklist").body
	mustContain(t, "unable to reach", taskSection(t, worklist, "worklist-unreachable"), p+`/contacts/new?return=worklist`, "3 attempts in a row")
	// A patient who can't be reached is listed there only.
	mustNotContain(t, "new referrals", taskSection(t, worklist, "worklist-new-referrals"), p)

	logContact(t, c, p, "outcome", "reached")
	chart = c.get("/t/northside/patients/" + p).body
	mustNotContain(t, "chart", chart, `data-testid="unreachable-flag"`)
	mustContain(t, "timeline", chart, "Reached again: no longer flagged unable to reach")
	mustNotContain(t, "unable to reach", taskSection(t, c.get("/t/northside/worklist").body, "worklist-unreachable"), p)
}

func TestContacts_OnlyTheAuthorCorrectsWithin24HoursThenOnlyAddenda(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	maya := app.signedIn("coord1@northside.test")
	logContact(t, maya, p, "summary", "Talked about the pharmacy.")
	id := lastContact(t, app, p)
	path := "/t/northside/patients/" + p + "/contacts/" + id

	page := maya.get(path)
	mustContain(t, "contact page", page.body, "Talked about the pharmacy.", `href="`+path+`/correct"`)
	liam := app.signedIn("coord2@northside.test")
	mustNotContain(t, "colleague's contact page", liam.get(path).body, `href="`+path+`/correct"`)
	if res := liam.get(path + "/correct"); res.status != http.StatusForbidden || !strings.Contains(res.body, "Only the person who logged") {
		t.Errorf("colleague opening the correction: status %d", res.status)
	}
	if res := liam.post(path+"/correct", contactPost("summary", "Rewritten", "reason", "x", "version", "1")); res.status != http.StatusForbidden {
		t.Errorf("colleague correcting: status %d, want 403", res.status)
	}

	// Without a reason the correction comes back.
	if res := maya.post(path+"/correct", contactPost("summary", "Talked about the pharmacy and the bus pass.", "version", "1")); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, `data-testid="error-reason"`) || !strings.Contains(res.body, "the bus pass") {
		t.Errorf("correction without a reason: status %d", res.status)
	}
	res := maya.post(path+"/correct", contactPost("summary", "Talked about the pharmacy and the bus pass.", "reason", "Left out the bus pass", "version", "1"))
	if res.status != http.StatusSeeOther {
		t.Fatalf("author correcting: status %d\n%s", res.status, res.body)
	}
	page = maya.get(path)
	revisions := taskSection(t, page.body, "contact-revisions")
	mustContain(t, "before correction", revisions, "Talked about the pharmacy.", "Left out the bus pass", "Maya Okafor")
	mustContain(t, "contact", taskSection(t, page.body, "contact-detail"), "Talked about the pharmacy and the bus pass.")

	// A day later the author too can only add an addendum.
	err := db.InTenant(context.Background(), app.db.Pool, app.tenantID("northside"), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), "update contacts set created_at = now() - interval '25 hours' where id = $1", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := maya.post(path+"/correct", contactPost("summary", "Changed again", "reason", "x", "version", "2")); res.status != http.StatusForbidden {
		t.Errorf("correcting after 25 hours: status %d, want 403", res.status)
	}
	mustNotContain(t, "contact page after a day", maya.get(path).body, `href="`+path+`/correct"`)
	if res := liam.post(path+"/addenda", url.Values{"note": {""}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("empty addendum: status %d, want 422", res.status)
	}
	if res := liam.post(path+"/addenda", url.Values{"note": {"Pharmacy confirmed the refill."}}); res.status != http.StatusSeeOther {
		t.Fatalf("addendum: status %d", res.status)
	}
	page = maya.get(path)
	mustContain(t, "addenda", taskSection(t, page.body, "contact-addenda"), "Pharmacy confirmed the refill.", "Liam Chen")
	mustContain(t, "contact", taskSection(t, page.body, "contact-detail"), "Talked about the pharmacy and the bus pass.")
}

func TestTransitions_DischargeOpensAFollowUpThatASuccessfulContactMeets(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	yesterday := time.Now().AddDate(0, 0, -1)
	bad := c.post("/t/northside/patients/"+p+"/transitions", url.Values{"kind": {"discharge"}, "facility": {""},
		"occurred_on": {time.Now().AddDate(0, 0, 2).Format("2006-01-02")}, "admitted_on": {time.Now().AddDate(0, 0, 3).Format("2006-01-02")}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad transition: status %d", bad.status)
	}
	mustContain(t, "transition form", bad.body, `data-testid="error-facility"`, `data-testid="error-occurred_on"`)

	res := c.post("/t/northside/patients/"+p+"/transitions", url.Values{"kind": {"discharge"}, "facility": {"Mercy General Hospital"},
		"occurred_on": {yesterday.Format("2006-01-02")}, "admitted_on": {yesterday.AddDate(0, 0, -4).Format("2006-01-02")}, "notes": {"Heart failure."}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("record discharge: status %d\n%s", res.status, res.body)
	}
	due := longDate(yesterday.AddDate(0, 0, 7))
	chart := c.get("/t/northside/patients/" + p).body
	mustContain(t, "flash", chart, "Hospital discharge recorded. A follow-up task is due by "+due+".")
	mustContain(t, "open tasks", taskSection(t, chart, "chart-tasks"), "Follow up after discharge from Mercy General Hospital", "Due "+due)
	mustContain(t, "transitions", taskSection(t, chart, "transitions"), "Hospital discharge", "Mercy General Hospital", "Heart failure.")
	mustContain(t, "timeline", chart, "Hospital discharge: Mercy General Hospital")

	logContact(t, c, p, "outcome", "no_answer", "summary", "")
	if n := chartInt(t, app, "select count(*) from tasks where patient_id = $1 and source = 'transition' and status = 'open'", p); n != 1 {
		t.Fatalf("open follow-ups after a missed call: %d, want 1", n)
	}
	logContact(t, c, p)
	chart = c.get("/t/northside/patients/" + p).body
	mustNotContain(t, "open tasks", taskSection(t, chart, "chart-tasks"), "Follow up after discharge")
	mustContain(t, "timeline", chart, "Done: Follow up after discharge from Mercy General Hospital (Met: the patient was reached on ")
}

// taskID is the id of the patient's task with the given source.
func taskID(t *testing.T, app *testApp, patientID, source string) string {
	t.Helper()
	var id string
	chartRow(t, app, "select id::text from tasks where patient_id = $1 and source = $2", []any{patientID, source}, &id)
	return id
}

func TestTasks_CompletingASafetyAlertNeedsANoteAndStaleActionsAreRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	asmComplete(t, app, c, p, 1, 1, 1, 1, 1, 1, 1, 1, 2)
	id := taskID(t, app, p, "safety_alert")
	path := "/t/northside/patients/" + p + "/tasks/" + id

	res := c.post(path+"/complete", url.Values{"version": {"1"}, "return": {"worklist"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `data-testid="error-note"`) {
		t.Fatalf("safety alert done without a note: status %d", res.status)
	}
	res = c.post(path+"/reschedule", url.Values{"version": {"1"}, "due": {time.Now().AddDate(0, 0, 1).Format("2006-01-02")}, "reason": {"Calling her tomorrow morning"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("reschedule: status %d\n%s", res.status, res.body)
	}
	// A form read before the reschedule is refused, its note kept.
	res = c.post(path+"/complete", url.Values{"version": {"1"}, "note": {"Spoke with her; she is safe."}})
	if res.status != http.StatusConflict || !strings.Contains(res.body, "Spoke with her; she is safe.") {
		t.Fatalf("stale completion: status %d", res.status)
	}
	res = c.post(path+"/complete", url.Values{"version": {"2"}, "note": {"Spoke with her; she is safe."}, "return": {"worklist"}})
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/worklist" {
		t.Fatalf("completion: status %d to %s", res.status, res.location())
	}
	page := c.get(path).body
	mustContain(t, "task page", page, "Done", "Spoke with her; she is safe.", "Rescheduled from", "Calling her tomorrow morning")
	mustNotContain(t, "chart", c.get("/t/northside/patients/"+p).body, `data-testid="safety-flag"`)
	if res := c.post(path+"/complete", url.Values{"version": {"3"}, "note": {"again"}}); res.status != http.StatusConflict {
		t.Errorf("completing a done task: status %d, want 409", res.status)
	}
}

func TestTasks_HandedOverTaskMovesToTheColleaguesWorklist(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	maya := app.signedIn("coord1@northside.test")
	asmComplete(t, app, maya, p, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	id := taskID(t, app, p, "safety_alert")
	path := "/t/northside/patients/" + p + "/tasks/" + id
	var liam, foreign string
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = 'coord2@northside.test'").Scan(&liam); err != nil {
		t.Fatal(err)
	}
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = 'coord1@riverside.test'").Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	if res := maya.post(path+"/hand-over", url.Values{"version": {"1"}, "assignee": {foreign}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("hand-over to another organisation's coordinator: status %d, want 422", res.status)
	}
	if res := maya.post(path+"/hand-over", url.Values{"version": {"1"}, "assignee": {liam}, "handover_note": {"She asked for you"}}); res.status != http.StatusSeeOther {
		t.Fatalf("hand-over: status %d", res.status)
	}
	mustNotContain(t, "Maya's worklist", maya.get("/t/northside/worklist").body, path)
	mustContain(t, "Liam's worklist", app.signedIn("coord2@northside.test").get("/t/northside/worklist").body, path)
	mustContain(t, "task page", maya.get(path).body, "Handed over from Maya Okafor to Liam Chen", "She asked for you")
}

func TestContacts_AnotherTenantsMemberGetsNotFoundForRealRows(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	p := chartPatient(t, app)
	maya := app.signedIn("coord1@northside.test")
	logContact(t, maya, p)
	asmComplete(t, app, maya, p, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	contact, task := lastContact(t, app, p), taskID(t, app, p, "safety_alert")
	river := app.signedIn("coord1@riverside.test")
	for _, base := range []string{"/t/northside/patients/" + p, "/t/riverside/patients/" + p} {
		for _, path := range []string{base + "/contacts/new", base + "/contacts/" + contact, base + "/tasks/" + task, base + "/transitions/new"} {
			if res := river.get(path); res.status != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, res.status)
			}
		}
		posts := map[string]url.Values{
			base + "/contacts":                         contactPost(),
			base + "/contacts/" + contact + "/addenda": {"note": {"x"}},
			base + "/tasks/" + task + "/complete":      {"version": {"1"}, "note": {"x"}},
			base + "/transitions":                      {"kind": {"admission"}, "facility": {"X"}, "occurred_on": {time.Now().Format("2006-01-02")}},
		}
		for path, form := range posts {
			if res := river.post(path, form); res.status != http.StatusNotFound {
				t.Errorf("POST %s: status %d, want 404", path, res.status)
			}
		}
	}
	if n := chartInt(t, app, "select count(*) from contacts where patient_id = $1", p); n != 1 {
		t.Errorf("contacts of the patient: %d, want 1", n)
	}
	if n := chartInt(t, app, "select count(*) from tasks where id = $1 and status = 'open'", task); n != 1 {
		t.Errorf("the task was closed from another tenant")
	}
}
