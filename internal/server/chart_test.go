package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/chromedp/chromedp"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// chartDetails is the edit-details form for the patient chartPatient makes,
// with kv pairs replacing fields.
func chartDetails(kv ...string) url.Values {
	v := url.Values{
		"given_name": {"Rosa"}, "family_name": {"Delgado"}, "date_of_birth": {"1958-03-21"},
		"phone": {"555-201-3344"}, "pronouns": {"she/her"}, "preferred_language": {"Spanish"},
		"interpreter_needed": {"yes"}, "risk_tier": {"high"}, "version": {"1"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// chartPatient stores a northside patient the way intake does, assigned to
// coord1 (Maya Okafor), with Medicaid as primary coverage and consent to
// care coordination; kv pairs replace intake fields.
func chartPatient(t *testing.T, app *testApp, kv ...string) string {
	t.Helper()
	ctx := context.Background()
	coord := chartMaya(t, app)
	v := chartDetails(append([]string{
		"coordinator_id", coord, "coverage.0.payer", "Medicaid", "coverage.0.plan_name", "Community Plan",
		"consent.treatment.given_on", "2025-01-10", "consent.treatment.given_by", "Rosa Delgado",
	}, kv...)...)
	np, errs := patients.ParseIntake(v).Validate(time.Now(), map[string]bool{coord: true})
	if len(errs) > 0 {
		t.Fatalf("test patient: %v", errs)
	}
	tenant := app.tenantID("northside")
	var id string
	err := db.InTenant(ctx, app.db.Pool, tenant, func(tx pgx.Tx) (err error) {
		id, err = patients.Create(ctx, tx, tenant, coord, np)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// chartMaya is the id of coord1@northside.test, Maya Okafor.
func chartMaya(t *testing.T, app *testApp) string {
	t.Helper()
	var id string
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = 'coord1@northside.test'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// chartRow reads one row of northside's data, under row-level security.
func chartRow(t *testing.T, app *testApp, sql string, args []any, dest ...any) {
	t.Helper()
	if err := app.scanInTenant("northside", sql, args, dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// chartInt reads one number of northside's data.
func chartInt(t *testing.T, app *testApp, sql string, args ...any) int {
	t.Helper()
	var n int
	chartRow(t, app, sql, args, &n)
	return n
}

// chartState is everything a request could change about a patient: if it
// is equal before and after, nothing happened.
func chartState(t *testing.T, app *testApp, id string) string {
	t.Helper()
	var s string
	chartRow(t, app, `
		select concat_ws('|', p.version, p.status, p.phone,
			(select count(*) from patient_events e where e.patient_id = p.id),
			(select count(*) from audit_events a where a.patient_id = p.id),
			(select string_agg(name || kind, ',' order by id) from care_team_members m where m.patient_id = p.id),
			(select string_agg(payer || is_primary, ',' order by id) from coverages c where c.patient_id = p.id),
			(select string_agg(kind || coalesce(revoked_on::text, '-'), ',' order by id) from consents c where c.patient_id = p.id))
		  from patients p where p.id = $1`, []any{id}, &s)
	return s
}

// chartAuditCount counts a patient's audit events with the given action.
func chartAuditCount(t *testing.T, app *testApp, patientID, action string) int {
	t.Helper()
	return chartInt(t, app, "select count(*) from audit_events where patient_id = $1 and action = $2", patientID, action)
}

func TestChart_ShowsTheNameAsHeadingAndTheKeyFacts(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	res := app.signedIn("coord2@northside.test").get("/t/northside/patients/" + id)
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	dob := time.Date(1958, 3, 21, 0, 0, 0, 0, time.UTC)
	mustContain(t, "chart", res.body,
		`<h1 id="patient-name">Rosa Delgado</h1>`,
		"Age "+strconv.Itoa(patients.Age(dob, time.Now())), "born 21 Mar 1958", "she/her",
		`data-testid="patient-language">Spanish<`, `data-testid="interpreter">Interpreter needed<`,
		`data-testid="patient-risk">High risk<`, `data-testid="patient-status">Referred<`,
		`data-testid="patient-coordinator">Maya Okafor<`, `data-testid="patient-coverage">Medicaid · Community Plan<`,
		`data-testid="timeline"`, "Taken in by intake", `data-testid="care-team"`, `data-testid="coverage"`, `data-testid="consents"`,
		`data-testid="contact"`, "555-201-3344")
	// The consent status names every kind: given, and the two not recorded.
	consent := chartBetween(res.body, `data-testid="consent-status"`, "</dl>")
	mustContain(t, "consent status", consent, "Consent to care coordination", "Given", "Text messages", "Not recorded")
	// Only the actions a referred patient can take are offered.
	actions := chartBetween(res.body, `data-testid="status-actions"`, "</section>")
	mustContain(t, "status actions", actions, `value="enrol"`, `value="discharge"`)
	mustNotContain(t, "status actions", actions, `value="hold"`, `value="reopen"`)
}

// chartBetween is the part of s from the first start to the next end after it.
func chartBetween(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	part, _, _ := strings.Cut(after, end)
	return part
}

func TestChart_ViewingWritesAnAuditEventOncePerVisit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord2@northside.test")
	c.get("/t/northside/patients/" + id)
	c.get("/t/northside/patients/" + id)
	c.get("/t/northside/patients/" + id + "/edit")
	var actor, entity, detail string
	chartRow(t, app, `select u.email, a.entity_type || ':' || a.entity_id, a.detail::text from audit_events a join users u on u.id = a.actor_id
		 where a.patient_id = $1 and a.action = 'patient.viewed' limit 1`, []any{id}, &actor, &entity, &detail)
	want := `{"page": "/t/northside/patients/` + id + `"}`
	if n := chartAuditCount(t, app, id, "patient.viewed"); n != 1 || actor != "coord2@northside.test" || entity != "patient:"+id || detail != want {
		t.Errorf("%d view events, first by %s on %s with detail %s; want 1 (one visit) by coord2 on the patient, detail %s", n, actor, entity, detail, want)
	}
	app.signedIn("supervisor@northside.test").get("/t/northside/patients/" + id + "/edit")
	if n := chartAuditCount(t, app, id, "patient.viewed"); n != 2 {
		t.Errorf("%d view events after another person's visit, want 2", n)
	}
}

func TestChart_EditSavesTheDetailsAndNamesTheChangedFields(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	form := c.get("/t/northside/patients/" + id + "/edit")
	mustContain(t, "edit form", form.body, `name="version" value="1"`, `value="555-201-3344"`, `<option value="high" selected>`)
	res := c.post("/t/northside/patients/"+id+"/edit", chartDetails("phone", "555-201-9999", "city", "Springfield", "address_line1", "1 Main St", "coordinator_id", chartMaya(t, app)))
	if res.status != http.StatusSeeOther || res.location() != "/t/northside/patients/"+id {
		t.Fatalf("status %d location %q\n%s", res.status, res.location(), res.body)
	}
	chart := c.get(res.location())
	mustContain(t, "chart after edit", chart.body, "Details saved.", "555-201-9999", "Details edited: phone, street address, town or city<")
	var phone, detail string
	var version int
	chartRow(t, app, "select phone, version from patients where id = $1", []any{id}, &phone, &version)
	chartRow(t, app, "select detail->>'fields' from audit_events where patient_id = $1 and action = 'patient.updated'", []any{id}, &detail)
	if phone != "555-201-9999" || version != 2 || detail != `["phone", "street address", "town or city"]` {
		t.Errorf("stored phone %s version %d, audit fields %s", phone, version, detail)
	}
	mustNotContain(t, "audit detail", detail, "555")
}

func TestChart_EditFromAStaleVersionKeepsTheInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	maya, liam := app.signedIn("coord1@northside.test"), app.signedIn("coord2@northside.test")
	// Both open the form at version 1; Liam saves first.
	if res := liam.post("/t/northside/patients/"+id+"/edit", chartDetails("phone", "555-201-1111")); res.status != http.StatusSeeOther {
		t.Fatalf("first save: status %d", res.status)
	}
	before := chartState(t, app, id)
	res := maya.post("/t/northside/patients/"+id+"/edit", chartDetails("phone", "555-201-2222", "pronouns", "they/them"))
	if res.status != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409\n%s", res.status, res.body)
	}
	mustContain(t, "conflict page", res.body, `data-testid="form-problem"`, "Someone else saved changes to this patient while you were editing, so nothing was saved.",
		"differs from them in: pronouns, phone", `value="555-201-2222"`, `value="they/them"`, `name="version" value="2"`)
	if after := chartState(t, app, id); after != before {
		t.Errorf("a stale save changed the patient: %s → %s", before, after)
	}
}

func TestChart_EditWithABadDateShowsTheMessageBesideTheField(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	before := chartState(t, app, id)
	res := app.signedIn("coord1@northside.test").post("/t/northside/patients/"+id+"/edit",
		chartDetails("date_of_birth", "1958-02-30", "phone", "555-201-7777"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	field := chartBetween(res.body, `id="f-date_of_birth"`, "</div>")
	mustContain(t, "date of birth field", field, `value="1958-02-30"`, `data-testid="error-date_of_birth"`, "Enter a real date")
	mustContain(t, "edit page", res.body, `value="555-201-7777"`)
	if after := chartState(t, app, id); after != before {
		t.Errorf("an invalid edit changed the patient: %s → %s", before, after)
	}
}

func TestChart_StatusActionsAreRecordedOnTheTimeline(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	steps := []struct {
		action, reason string
		want           patients.Status
	}{
		{"enrol", "", patients.Active},
		{"hold", "In hospital for two weeks", patients.OnHold},
		{"reopen", "", patients.Active},
		{"discharge", "Goals met", patients.Discharged},
		{"reopen", "", patients.Active},
	}
	for i, st := range steps {
		res := c.post("/t/northside/patients/"+id+"/status", url.Values{"action": {st.action}, "reason": {st.reason}, "version": {strconv.Itoa(i + 1)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("%s: status %d\n%s", st.action, res.status, res.body)
		}
		var status string
		chartRow(t, app, "select status from patients where id = $1", []any{id}, &status)
		if patients.Status(status) != st.want {
			t.Fatalf("after %s: status %s, want %s", st.action, status, st.want)
		}
	}
	chart := c.get("/t/northside/patients/" + id)
	timeline := chartBetween(chart.body, `data-testid="timeline"`, "</section>")
	// Newest first, each with who did it.
	want := []string{"Re-opened", "Discharged: Goals met", "Re-opened", "Put on hold: In hospital for two weeks", "Enrolled", "Taken in by intake"}
	if got := regexp.MustCompile(`<p class="what">([^<]*)</p>`).FindAllStringSubmatch(timeline, -1); len(got) != len(want) {
		t.Errorf("timeline has %d entries, want %d:\n%s", len(got), len(want), timeline)
	} else {
		for i := range want {
			if got[i][1] != want[i] {
				t.Errorf("timeline entry %d = %q, want %q", i, got[i][1], want[i])
			}
		}
	}
	mustContain(t, "timeline", timeline, "Maya Okafor")
	mustContain(t, "chart", chart.body, `data-testid="patient-status">Active<`)
	var detail string
	chartRow(t, app, "select detail::text from audit_events where patient_id = $1 and action = 'patient.status_changed' order by at limit 1", []any{id}, &detail)
	if n := chartAuditCount(t, app, id, "patient.status_changed"); n != 5 || detail != `{"to": "active", "from": "referred", "action": "enrol"}` {
		t.Errorf("%d status audit events, first detail %s", n, detail)
	}
}

func TestChart_DischargeWithoutAReasonIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	before := chartState(t, app, id)
	res := app.signedIn("coord1@northside.test").post("/t/northside/patients/"+id+"/status", url.Values{"action": {"discharge"}, "reason": {"  "}, "version": {"1"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	// The discharge form is open, with the message beside its reason.
	discharge := chartBetween(res.body, "<details open", "</details>")
	mustContain(t, "discharge form", discharge, `data-testid="error-reason-discharge"`, "Say why", `value="discharge"`)
	if after := chartState(t, app, id); after != before {
		t.Errorf("a refused discharge changed the patient: %s → %s", before, after)
	}
}

func TestChart_StatusChangeThatDoesNotApplyIsExplained(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	before := chartState(t, app, id)
	res := c.post("/t/northside/patients/"+id+"/status", url.Values{"action": {"hold"}, "reason": {"Away"}, "version": {"1"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("hold a referred patient: status %d, want 422", res.status)
	}
	mustContain(t, "chart", res.body, `data-testid="form-problem"`, "The patient is referred, so “Put on hold” does not apply.")
	stale := c.post("/t/northside/patients/"+id+"/status", url.Values{"action": {"enrol"}, "version": {"9"}})
	if stale.status != http.StatusConflict {
		t.Fatalf("enrol from a stale page: status %d, want 409", stale.status)
	}
	mustContain(t, "chart", stale.body, "Someone changed this patient while you were working, so the status was not changed.")
	if after := chartState(t, app, id); after != before {
		t.Errorf("refused status changes changed the patient: %s → %s", before, after)
	}
}

func TestChart_CareTeamMembersAreAddedEditedAndRemoved(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	base := "/t/northside/patients/" + id

	bad := c.post(base+"/care-team", url.Values{"kind": {"caregiver"}, "name": {""}, "phone": {"call me"}, "relationship": {"Daughter"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid member: status %d, want 422", bad.status)
	}
	mustContain(t, "member form", bad.body, `data-testid="error-name"`, "Enter the person&#39;s name.", `data-testid="error-phone"`,
		`value="Daughter"`, `value="call me"`, `<option value="caregiver" selected>`)
	if n := chartInt(t, app, "select count(*) from care_team_members where patient_id = $1", id); n != 0 {
		t.Fatalf("%d members stored from an invalid form", n)
	}

	add := c.post(base+"/care-team", url.Values{"kind": {"caregiver"}, "name": {"Ana Delgado"}, "relationship": {"Daughter"}, "emergency_contact": {"yes"}})
	if add.status != http.StatusSeeOther || add.location() != base {
		t.Fatalf("add member: status %d location %q\n%s", add.status, add.location(), add.body)
	}
	var member string
	chartRow(t, app, "select id from care_team_members where patient_id = $1", []any{id}, &member)

	edit := c.get(base + "/care-team/" + member + "/edit")
	mustContain(t, "edit member form", edit.body, `value="Ana Delgado"`, `name="emergency_contact" value="yes" checked`)
	if res := c.post(base+"/care-team/"+member, url.Values{"kind": {"caregiver"}, "name": {"Ana Delgado-Ruiz"}, "phone": {"555-201-4455"}}); res.status != http.StatusSeeOther {
		t.Fatalf("update member: status %d\n%s", res.status, res.body)
	}
	chart := c.get(base)
	mustContain(t, "care team", chartBetween(chart.body, `data-testid="care-team"`, "</section>"), "Ana Delgado-Ruiz", "Family or caregiver", "555-201-4455")

	if res := c.post(base+"/care-team/"+member+"/remove", nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove member: status %d", res.status)
	}
	chart = c.get(base)
	mustNotContain(t, "care team", chartBetween(chart.body, `data-testid="care-team"`, "</section>"), "Ana Delgado")
	mustContain(t, "timeline", chartBetween(chart.body, `data-testid="timeline"`, "</section>"),
		"Added Ana Delgado (Family or caregiver) to the care team", "Updated Ana Delgado-Ruiz on the care team",
		"Removed Ana Delgado-Ruiz (Family or caregiver) from the care team")
	for _, action := range []string{"care_team.added", "care_team.updated", "care_team.removed"} {
		if n := chartAuditCount(t, app, id, action); n != 1 {
			t.Errorf("%d %s audit events, want 1", n, action)
		}
	}
}

func TestChart_NewPrimaryCoverageTakesThePlaceOfTheOld(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	base := "/t/northside/patients/" + id

	bad := c.post(base+"/coverage", url.Values{"payer": {"Medicare"}, "effective_from": {"2026-05-01"}, "effective_to": {"2026-01-01"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid coverage: status %d, want 422", bad.status)
	}
	mustContain(t, "coverage form", bad.body, `data-testid="error-effective_to"`, `value="Medicare"`)

	if res := c.post(base+"/coverage", url.Values{"payer": {"Medicare"}, "plan_name": {"Part A"}, "primary": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("add coverage: status %d\n%s", res.status, res.body)
	}
	var primaries string
	chartRow(t, app, "select string_agg(payer, ',') from coverages where patient_id = $1 and is_primary", []any{id}, &primaries)
	if primaries != "Medicare" {
		t.Errorf("primary coverage = %q, want only Medicare", primaries)
	}
	chart := c.get(base)
	mustContain(t, "chart", chart.body, `data-testid="patient-coverage">Medicare · Part A<`, "Added coverage: Medicare (primary)")

	// Marking Medicaid primary again moves the mark back.
	var medicaid string
	chartRow(t, app, "select id from coverages where patient_id = $1 and payer = 'Medicaid'", []any{id}, &medicaid)
	if res := c.post(base+"/coverage/"+medicaid, url.Values{"payer": {"Medicaid"}, "member_id": {"M-123"}, "primary": {"yes"}}); res.status != http.StatusSeeOther {
		t.Fatalf("update coverage: status %d\n%s", res.status, res.body)
	}
	chartRow(t, app, "select string_agg(payer || '/' || member_id, ',') from coverages where patient_id = $1 and is_primary", []any{id}, &primaries)
	if primaries != "Medicaid/M-123" {
		t.Errorf("primary coverage = %q, want Medicaid/M-123", primaries)
	}
	// Removing the primary leaves none primary.
	if res := c.post(base+"/coverage/"+medicaid+"/remove", nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove coverage: status %d", res.status)
	}
	if n := chartInt(t, app, "select count(*) from coverages where patient_id = $1 and is_primary", id); n != 0 {
		t.Errorf("%d primary coverages after removing the primary, want 0", n)
	}
	mustContain(t, "chart", c.get(base).body, `data-testid="patient-coverage">None recorded<`)
	if n := chartAuditCount(t, app, id, "coverage.added") + chartAuditCount(t, app, id, "coverage.updated") + chartAuditCount(t, app, id, "coverage.removed"); n != 3 {
		t.Errorf("%d coverage audit events, want 3", n)
	}
}

func TestChart_ConsentIsRecordedAndRevoked(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	base := "/t/northside/patients/" + id

	bad := c.post(base+"/consents", url.Values{"kind": {"text_messages"}, "given_on": {"2099-01-01"}, "given_by": {"Rosa"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("future consent: status %d, want 422", bad.status)
	}
	mustContain(t, "consent form", bad.body, `data-testid="error-given_on"`, `value="2099-01-01"`)

	if res := c.post(base+"/consents", url.Values{"kind": {"text_messages"}, "given_on": {"2026-01-05"}, "given_by": {"Rosa Delgado"}}); res.status != http.StatusSeeOther {
		t.Fatalf("add consent: status %d\n%s", res.status, res.body)
	}
	chart := c.get(base)
	mustContain(t, "consent status", chartBetween(chart.body, `data-testid="consent-status"`, "</dl>"), "Text messages</dt><dd><span class=\"badge badge-ok\">Given")

	var consent string
	chartRow(t, app, "select id from consents where patient_id = $1 and kind = 'text_messages'", []any{id}, &consent)
	if res := c.post(base+"/consents/"+consent+"/revoke", nil); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", res.status)
	}
	var revoked string
	chartRow(t, app, "select coalesce(revoked_on::text, '') from consents where id = $1", []any{consent}, &revoked)
	if revoked != time.Now().Format(time.DateOnly) {
		t.Errorf("revoked_on = %q, want today", revoked)
	}
	chart = c.get(base)
	mustContain(t, "consent status", chartBetween(chart.body, `data-testid="consent-status"`, "</dl>"), "Text messages</dt><dd><span class=\"badge badge-danger\">Revoked")
	mustContain(t, "timeline", chartBetween(chart.body, `data-testid="timeline"`, "</section>"), "Consent recorded: Text messages", "Consent revoked: Text messages")
	if n := chartAuditCount(t, app, id, "consent.added") + chartAuditCount(t, app, id, "consent.revoked"); n != 2 {
		t.Errorf("%d consent audit events, want 2", n)
	}
}

// chartRoutes lists every route of one patient's chart, with the patient
// and row ids filled in from ids.
func chartRoutes(t *testing.T, app *testApp, ids map[string]string) [][2]string {
	t.Helper()
	var routes [][2]string
	err := chi.Walk(app.server.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/t/{tenant}/patients/{patientID}") {
			return nil
		}
		path := strings.TrimSuffix(route, "/")
		for param, id := range ids {
			path = strings.ReplaceAll(path, "{"+param+"}", id)
		}
		routes = append(routes, [2]string{method, path})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) < 17 {
		t.Fatalf("found only %d chart routes", len(routes))
	}
	return routes
}

// chartPostBody is a form that every chart post would accept, so that a
// missing check would show as a change.
var chartPostBody = chartDetails("action", "discharge", "reason", "Moved", "kind", "caregiver", "name", "Intruder",
	"payer", "Intruder Health", "primary", "yes", "given_on", "2025-01-01", "given_by", "Intruder")

func TestChart_AnotherTenantsMemberGetsNotFoundAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app, "team.0.kind", "caregiver", "team.0.name", "Ana Delgado")
	ids := map[string]string{"tenant": "northside", "patientID": id}
	for param, table := range map[string]string{"memberID": "care_team_members", "coverageID": "coverages", "consentID": "consents"} {
		var rowID string
		chartRow(t, app, "select id from "+table+" where patient_id = $1", []any{id}, &rowID)
		ids[param] = rowID
	}
	before := chartState(t, app, id)
	for _, email := range []string{"coord1@riverside.test", "supervisor@riverside.test"} {
		c := app.signedIn(email)
		for _, rt := range chartRoutes(t, app, ids) {
			var res response
			if rt[0] == http.MethodGet {
				res = c.get(rt[1])
			} else {
				res = c.post(rt[1], chartPostBody)
			}
			if res.status != http.StatusNotFound {
				t.Errorf("%s %s %s: status %d, want 404", email, rt[0], rt[1], res.status)
			}
			mustNotContain(t, rt[1], res.body, "Rosa", "Delgado", "Medicaid")
		}
	}
	if after := chartState(t, app, id); after != before {
		t.Errorf("requests from another tenant changed the patient: %s → %s", before, after)
	}
}

func TestChart_RowOfAnotherPatientIsNotFoundThroughThisPatientsAddress(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	rosa := chartPatient(t, app, "team.0.kind", "caregiver", "team.0.name", "Ana Delgado")
	walter := chartPatient(t, app, "given_name", "Walter", "family_name", "Nguyen")
	ids := map[string]string{}
	for param, table := range map[string]string{"memberID": "care_team_members", "coverageID": "coverages", "consentID": "consents"} {
		var rowID string
		chartRow(t, app, "select id from "+table+" where patient_id = $1", []any{rosa}, &rowID)
		ids[param] = rowID
	}
	before := chartState(t, app, rosa)
	c := app.signedIn("coord1@northside.test")
	base := "/t/northside/patients/" + walter
	requests := [][2]string{
		{http.MethodGet, "/care-team/" + ids["memberID"] + "/edit"},
		{http.MethodPost, "/care-team/" + ids["memberID"]},
		{http.MethodPost, "/care-team/" + ids["memberID"] + "/remove"},
		{http.MethodGet, "/coverage/" + ids["coverageID"] + "/edit"},
		{http.MethodPost, "/coverage/" + ids["coverageID"]},
		{http.MethodPost, "/coverage/" + ids["coverageID"] + "/remove"},
		{http.MethodPost, "/consents/" + ids["consentID"] + "/revoke"},
	}
	for _, rq := range requests {
		var res response
		if rq[0] == http.MethodGet {
			res = c.get(base + rq[1])
		} else {
			res = c.post(base+rq[1], chartPostBody)
		}
		if res.status != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", rq[0], rq[1], res.status)
		}
	}
	if after := chartState(t, app, rosa); after != before {
		t.Errorf("requests through another patient's address changed Rosa: %s → %s", before, after)
	}
}

func TestChart_MalformedIDsAreNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord1@northside.test")
	for _, path := range []string{
		"/t/northside/patients/not-a-uuid",
		"/t/northside/patients/" + strings.ToUpper(id[:35]) + "g",
		"/t/northside/patients/" + id + "/care-team/123/edit",
		"/t/northside/patients/00000000-0000-4000-8000-000000000001",
	} {
		if res := c.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
		}
	}
	if res := c.post("/t/northside/patients/"+id+"/consents/x'--/revoke", nil); res.status != http.StatusNotFound {
		t.Errorf("revoke with a malformed id: status %d, want 404", res.status)
	}
}

func TestChartJourney_CoordinatorDischargesWithAReasonInTheBrowser(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app, "team.0.kind", "caregiver", "team.0.name", "Ana Delgado", "team.0.relationship", "Daughter",
		"team.0.phone", "555-201-0001", "team.0.emergency_contact", "yes", "address_line1", "14 Elm Street", "city", "Springfield",
		"referral_source", "Springfield Family Practice", "referral_reason", "Two falls at home since January")
	ctx := browser(t)
	chart := app.http.URL + "/t/northside/patients/" + id
	var status, problem string
	err := chromedp.Do(ctx,
		signInInBrowser(app, "coord1@northside.test"),
		chromedp.Navigate(chart),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)),
		screenshot("chart"),
		// Discharge without a reason: the form stays open with the message.
		// (Blanks get past the browser's own check of the required box.)
		chromedp.Click(chromedp.CSS(`details:last-of-type summary`)),
		chromedp.SendKeys(chromedp.CSS(`details[open] textarea[name=reason]`), "   "),
		chromedp.Click(chromedp.CSS(`details[open] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-reason-discharge]`)),
		screenshot("chart-discharge-error"),
		chromedp.SendKeys(chromedp.CSS(`details[open] textarea[name=reason]`), "Moved to her daughter's home out of state"),
		chromedp.Click(chromedp.CSS(`details[open] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)),
		text(`[data-testid=patient-status]`, &status),
		screenshot("chart-discharged"),
		chromedp.Navigate(chart+"/edit"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=given_name]`)),
		screenshot("chart-edit"),
		chromedp.Navigate(chart+"/care-team/new"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name]`)),
		chromedp.Click(chromedp.CSS(`form button[type=submit].button-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-problem]`)),
		text(`[data-testid=form-problem]`, &problem),
		screenshot("chart-member-error"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "Discharged" || !strings.Contains(problem, "need another look") {
		t.Errorf("status %q after discharge, member form problem %q", status, problem)
	}
}
