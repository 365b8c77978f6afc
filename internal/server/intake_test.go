package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func intakeEssentials(kv ...string) url.Values {
	v := url.Values{"given_name": {"Rosa"}, "family_name": {"Delgado"}, "date_of_birth": {"1956-04-02"}, "phone": {"555-010-2233"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// intakeCount counts the rows of a tenant-owned table in both demo tenants:
// what really reached the database.
func intakeCount(t *testing.T, app *testApp, table string) int {
	t.Helper()
	total := 0
	for _, slug := range []string{"northside", "riverside"} {
		var n int
		if err := app.scanInTenant(slug, "select count(*) from "+table, nil, &n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

func intakeCounts(t *testing.T, app *testApp, tables ...string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, tb := range tables {
		counts[tb] = intakeCount(t, app, tb)
	}
	return counts
}

func TestIntake_FormOffersEverySectionAssignedToTheIntaker(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	res := app.signedIn("coord1@northside.test").get("/t/northside/patients/new")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	mustContain(t, "intake form", res.body, "Identity", "Contact", "Language", "Referral", "Insurance coverage", "Care team", "Consents",
		`name="given_name"`, `name="coverage.1.payer"`, `name="team.2.kind"`, `name="consent.text_messages.given_by"`,
		`selected>Maya Okafor (Care coordinator)`)
	mustNotContain(t, "intake form", res.body, "Daniel Reyes")
}

func TestIntake_EssentialsCreateThePatientWithAuditAndTimeline(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	before := intakeCounts(t, app, "coverages", "care_team_members", "patient_events")
	var me string
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = 'coord1@northside.test'").Scan(&me); err != nil {
		t.Fatal(err)
	}
	res := c.post("/t/northside/patients", intakeEssentials("coordinator_id", me, "coverage.0.payer", "Medicaid", "team.0.kind", "caregiver", "team.0.name", "Ana Delgado"))
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/t/northside/patients/") {
		t.Fatalf("status %d location %q\n%s", res.status, res.location(), res.body)
	}
	id := strings.TrimPrefix(res.location(), "/t/northside/patients/")
	var name, coord string
	if err := app.scanInTenant("northside", `select p.given_name || ' ' || p.family_name, u.email from patients p join users u on u.id = p.assigned_coordinator_id where p.id = $1`, []any{id}, &name, &coord); err != nil {
		t.Fatal(err)
	}
	if name != "Rosa Delgado" || coord != "coord1@northside.test" {
		t.Errorf("stored %q assigned to %q", name, coord)
	}
	for table, n := range before {
		if got := intakeCount(t, app, table); got != n+1 {
			t.Errorf("%s: %d new rows, want 1", table, got-n)
		}
	}
	var action string
	if err := app.scanInTenant("northside", "select action from audit_events where patient_id = $1", []any{id}, &action); err != nil || action != "patient.created" {
		t.Errorf("audit event %q, %v", action, err)
	}
}

func TestIntake_BadDateIsShownBesideItsFieldAndEverythingTypedIsKept(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	before := intakeCount(t, app, "patients")
	form := intakeEssentials("date_of_birth", "2099-01-01", "preferred_name", "Rosie", "team.0.name", "Ana Delgado", "team.0.kind", "caregiver", "referral_reason", "Falls at home <b>twice</b>")
	res := c.post("/t/northside/patients", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "intake page", res.body,
		`data-testid="error-date_of_birth"`, "Date of birth can&#39;t be in the future.",
		`value="2099-01-01"`, `value="Rosie"`, `value="Ana Delgado"`, `value="555-010-2233"`,
		"Falls at home &lt;b&gt;twice&lt;/b&gt;", `<option value="caregiver" selected>`)
	if n := intakeCount(t, app, "patients"); n != before {
		t.Errorf("%d patients stored from an invalid intake", n-before)
	}
}

func TestIntake_LikelyDuplicateIsShownBeforeSaving(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	before := intakeCount(t, app, "patients")
	first := c.post("/t/northside/patients", intakeEssentials())
	if first.status != http.StatusSeeOther {
		t.Fatalf("first intake: %d", first.status)
	}
	res := c.post("/t/northside/patients", intakeEssentials("given_name", "Roza", "family_name", "Delgato"))
	if res.status != http.StatusOK {
		t.Fatalf("second intake: status %d, want the form again with duplicates", res.status)
	}
	mustContain(t, "intake page", res.body, `data-testid="duplicates"`, "Rosa Delgado", `href="`+first.location()+`"`, `value="Roza"`)
	if n := intakeCount(t, app, "patients"); n != before+1 {
		t.Fatalf("%d new patients after the warning, want 1", n-before)
	}
	// A different name on the same birthday is not a duplicate.
	if res := c.post("/t/northside/patients", intakeEssentials("given_name", "Walter", "family_name", "Nguyen")); res.status != http.StatusSeeOther {
		t.Errorf("unrelated person: status %d", res.status)
	}
	confirmed := c.post("/t/northside/patients", intakeEssentials("given_name", "Roza", "family_name", "Delgato", "confirmed_new", "yes"))
	if confirmed.status != http.StatusSeeOther {
		t.Fatalf("confirmed new person: status %d", confirmed.status)
	}
	if n := intakeCount(t, app, "patients"); n != before+3 {
		t.Errorf("%d new patients, want 3", n-before)
	}
}

func TestIntake_DuplicatesNeverComeFromAnotherTenant(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	if res := app.signedIn("coord1@riverside.test").post("/t/riverside/patients", intakeEssentials()); res.status != http.StatusSeeOther {
		t.Fatalf("riverside intake: %d", res.status)
	}
	res := app.signedIn("coord1@northside.test").post("/t/northside/patients", intakeEssentials())
	if res.status != http.StatusSeeOther {
		t.Errorf("northside intake of a namesake: status %d, want saved without a duplicate warning", res.status)
	}
}

func TestIntake_ExternalIDIsUniqueWithinTheTenant(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	c.post("/t/northside/patients", intakeEssentials("external_id", "NH-1"))
	coverages := intakeCount(t, app, "coverages")
	res := c.post("/t/northside/patients", intakeEssentials("given_name", "Someone", "family_name", "Else", "date_of_birth", "1970-01-01", "external_id", "NH-1", "coverage.0.payer", "Medicaid"))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "intake page", res.body, `data-testid="error-external_id"`, `value="Someone"`)
	if n := intakeCount(t, app, "coverages"); n != coverages {
		t.Errorf("a rejected intake left %d coverages", n-coverages)
	}
	// Another tenant may use the same id.
	if res := app.signedIn("coord1@riverside.test").post("/t/riverside/patients", intakeEssentials("external_id", "NH-1")); res.status != http.StatusSeeOther {
		t.Errorf("riverside with the same external id: status %d", res.status)
	}
}

func TestIntake_CannotAssignToSomeoneOutsideTheTenant(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var foreign string
	if err := app.db.Pool.QueryRow(context.Background(), "select id from users where email = 'coord1@riverside.test'").Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	res := app.signedIn("coord1@northside.test").post("/t/northside/patients", intakeEssentials("coordinator_id", foreign))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "intake page", res.body, `data-testid="error-coordinator_id"`)
}

func TestIntake_IsForCoordinatorsAndSupervisorsOnly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	if res := app.signedIn("supervisor@northside.test").post("/t/northside/patients", intakeEssentials()); res.status != http.StatusSeeOther {
		t.Errorf("supervisor intake: %d", res.status)
	}
	if res := app.signedIn("admin@northside.test").post("/t/northside/patients", intakeEssentials("given_name", "Admin")); res.status != http.StatusForbidden {
		t.Errorf("tenant admin intake: %d, want 403", res.status)
	}
	var n int
	if err := app.scanInTenant("northside", "select count(*) from patients where given_name = 'Admin'", nil, &n); err != nil || n != 0 {
		t.Error("the tenant admin's intake was stored")
	}
}
