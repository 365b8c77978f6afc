package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// resourceID is a northside resource's id by name.
func resourceID(t *testing.T, app *testApp, name string) string {
	t.Helper()
	var id string
	if err := app.scanInTenant("northside", `select id from resources where name = $1`, []any{name}, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResources_AdminMaintainsTheDirectoryAndSeesNoPatientData(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	food := resourceID(t, app, "Alder Falls Community Food Bank")

	list := admin.get("/t/northside/resources?domain=food")
	page := admin.get("/t/northside/resources/" + food)
	if list.status != http.StatusOK || page.status != http.StatusOK {
		t.Fatalf("admin: list %d, resource %d", list.status, page.status)
	}
	mustContain(t, "admin's directory", list.body, "Alder Falls Community Food Bank", "Add a resource")
	// Referral records and patients are patient work: an admin sees neither.
	for _, body := range []string{list.body, page.body} {
		mustNotContain(t, "admin's directory", body, "Referred", "No referrals yet", "Your patients referred here", "This patient:")
	}
	var patientNames []string
	if err := app.scanInTenant("northside", `select array_agg(given_name || ' ' || family_name) from patients`, nil, &patientNames); err != nil {
		t.Fatal(err)
	}
	for _, n := range patientNames {
		mustNotContain(t, "admin's resource page", page.body, n)
	}

	res := admin.post("/t/northside/resources", url.Values{
		"name": {"Eastgate Diaper Bank"}, "services": {"Diapers and wipes for families"}, "domains": {"food", "financial"},
		"phone": {"(612) 555-0177"}, "languages": {"english, spanish"}, "cost": {"free"}, "refer_by": {"phone"},
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("admin adds a resource: %d\n%s", res.status, res.body)
	}
	if n := chartInt(t, app, `select count(*) from audit_events where action = 'resource.created' and $1::text <> ''`, "x"); n != 1 {
		t.Errorf("%d audit events for the new resource, want 1", n)
	}
	if n := chartInt(t, app, `select count(*) from resources where name = 'Eastgate Diaper Bank' and languages = '{English,Spanish}' and $1::text <> ''`, "x"); n != 1 {
		t.Error("the resource was not stored with its languages")
	}

	// Coordinators read the directory but do not maintain it.
	coord := app.signedIn("coord1@northside.test")
	if res := coord.get("/t/northside/resources/new"); res.status != http.StatusForbidden {
		t.Errorf("coordinator GET new resource: %d, want 403", res.status)
	}
	if res := coord.post("/t/northside/resources/"+food+"/active", url.Values{"version": {"1"}}); res.status != http.StatusForbidden {
		t.Errorf("coordinator archives a resource: %d, want 403", res.status)
	}
	mustContain(t, "coordinator's directory", coord.get("/t/northside/resources?domain=food").body, "Referred")
}

func TestResources_InvalidEntryIsShownAgainWithWhatWasTyped(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	sup := app.signedIn("supervisor@northside.test")
	res := sup.post("/t/northside/resources", url.Values{
		"services": {"Warm coats every winter"}, "website": {"coats.example.org"}, "cost": {"priceless"}, "domains": {"weather"},
	})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	mustContain(t, "form", res.body, "Warm coats every winter", "Enter the organisation", "starting with https://",
		"Choose what it costs.", "Choose the needs from the list.")
	if n := chartInt(t, app, `select count(*) from resources where services = $1`, "Warm coats every winter"); n != 0 {
		t.Error("an invalid resource was stored")
	}
	// A stale edit is refused with the typed values kept.
	food := resourceID(t, app, "Mesa Abierta Food Pantry")
	form := url.Values{"name": {"Mesa Abierta Food Pantry"}, "domains": {"food"}, "phone": {"(651) 555-0101"}, "cost": {"free"}, "version": {"1"}}
	if res := sup.post("/t/northside/resources/"+food, form); res.status != http.StatusSeeOther {
		t.Fatalf("first edit: %d", res.status)
	}
	form.Set("services", "Typed by the second person")
	res = sup.post("/t/northside/resources/"+food, form)
	if res.status != http.StatusConflict {
		t.Errorf("stale edit: %d, want 409", res.status)
	}
	mustContain(t, "conflict", res.body, "Typed by the second person", "Someone else changed this resource")
}

// draftReferral writes a draft referral of the journey patient's food need
// to a food bank through the form, and returns its address.
func draftReferral(t *testing.T, app *testApp, c *client) (patient, href string) {
	t.Helper()
	patient, need, _, _ := foodNeedPatient(t, app)
	res := c.post("/t/northside/patients/"+patient+"/referrals", url.Values{
		"need_id": {need}, "resource_id": {resourceID(t, app, "Alder Falls Community Food Bank")}, "reason": {"Weekly groceries"},
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("draft referral: %d\n%s", res.status, res.body)
	}
	return patient, res.location()
}

func TestReferrals_SendingWithoutConsentIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	patient, href := draftReferral(t, app, c)
	res := c.post(href+"/send", url.Values{"version": {"1"}, "share": {"contact"}, "party_agreed": {"yes"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("send without consent: %d, want 422", res.status)
	}
	mustContain(t, "refusal", res.body, "Not sent: No consent to share information is recorded",
		"consents/new?kind=information_sharing&amp;return=referrals/")
	if n := chartInt(t, app, `select count(*) from referrals where patient_id = $1 and status = 'draft' and sent_at is null`, patient); n != 1 {
		t.Error("the refused referral changed")
	}

	// With consent recorded (and back to the referral), it goes.
	id := href[strings.LastIndex(href, "/")+1:]
	res = c.post("/t/northside/patients/"+patient+"/consents?return=referrals/"+id, url.Values{
		"kind": {"information_sharing"}, "given_on": {time.Now().Format("2006-01-02")}, "given_by": {"The patient"},
	})
	if res.status != http.StatusSeeOther || res.location() != href {
		t.Fatalf("consent: %d to %q, want back to %s", res.status, res.location(), href)
	}
	// The resource is not on the care team: the patient's agreement to it
	// is confirmed when sending.
	res = c.post(href+"/send", url.Values{"version": {"1"}, "share": {"contact"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("send without the patient's agreement: %d, want 422", res.status)
	}
	res = c.post(href+"/send", url.Values{"version": {"1"}, "share": {"contact", "ssn"}, "party_agreed": {"yes"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown field to share: %d, want 422", res.status)
	}
	res = c.post(href+"/send", url.Values{"version": {"1"}, "share": {"contact"}, "party_agreed": {"yes"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("send with consent: %d\n%s", res.status, res.body)
	}
	if n := chartInt(t, app, `select count(*) from referrals where patient_id = $1 and status = 'sent' and shared_fields = '{contact}'
		and consent_basis like 'Consent to share information given%'`, patient); n != 1 {
		t.Error("the sent referral does not record what was shared and on what consent")
	}
	if n := chartInt(t, app, `select count(*) from patient_events where patient_id = $1 and kind = 'referral'`, patient); n != 2 {
		t.Errorf("%d referral lines on the timeline, want written and sent", n)
	}

	// The organisation's summary shows only what was shared, while the
	// consent holds.
	org := c.get(href + "/print?copy=organisation")
	mustContain(t, "organisation's summary", org.body, "Phone")
	mustNotContain(t, "organisation's summary", org.body, "Date of birth", "Address</dt>")
	app.execInTenant("northside", `update consents set revoked_on = current_date where patient_id = $1`, patient)
	org = c.get(href + "/print?copy=organisation")
	mustContain(t, "summary after revocation", org.body, "The patient&#39;s details are left out")
	mustNotContain(t, "summary after revocation", org.body, "<dt>Phone</dt>")
}

// A consent revoked after the page was read stops the sending at the
// gate: the page comes back with the reason and changes nothing.
func TestReferrals_SendAfterConsentWasRevokedAnswersWithItsReasonAndChangesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	patient, href := draftReferral(t, app, c)
	id := href[strings.LastIndex(href, "/")+1:]
	c.post("/t/northside/patients/"+patient+"/consents?return=referrals/"+id, url.Values{
		"kind": {"information_sharing"}, "given_on": {time.Now().AddDate(0, 0, -3).Format("2006-01-02")}, "given_by": {"The patient"},
	})
	mustNotContain(t, "referral page with consent", c.get(href).body, "data-testid=\"consent-gate\"")
	app.execInTenant("northside", `update consents set revoked_on = current_date where patient_id = $1`, patient)
	referral := func() string {
		var s string
		chartRow(t, app, `select concat_ws('|', status, version, sent_at, shared_fields, consent_basis,
			(select count(*) from referral_events e where e.referral_id = r.id),
			(select count(*) from tasks k where k.patient_id = r.patient_id))
			from referrals r where r.id = $1`, []any{id}, &s)
		return s
	}
	before, beforeChart := referral(), chartState(t, app, patient)

	res := c.post(href+"/send", url.Values{"version": {"1"}, "share": {"contact", "address"}, "party_agreed": {"yes"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("send after the consent was revoked: %d, want 422\n%s", res.status, res.body)
	}
	mustContain(t, "refusal", res.body, "data-testid=\"form-problem\">Not sent: ", "revoked their consent to share information on "+
		time.Now().Format("2 Jan 2006"), "consents/new?kind=information_sharing&amp;return=referrals/"+id)
	if after := referral(); after != before {
		t.Errorf("the refused referral changed:\n%s\n%s", before, after)
	}
	if after := chartState(t, app, patient); after != beforeChart {
		t.Errorf("the refusal changed the chart:\n%s\n%s", beforeChart, after)
	}
}

func TestReferrals_ProviderWithoutAgreementToShareIsRefused(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	patient, _, _, _ := foodNeedPatient(t, app)
	base := "/t/northside/patients/" + patient
	c.post(base+"/consents", url.Values{"kind": {"information_sharing"}, "given_on": {time.Now().Format("2006-01-02")}, "given_by": {"The patient"}})
	if res := c.post(base+"/care-team", url.Values{"kind": {"specialist"}, "name": {"Dr. Peter Vogel"}}); res.status != http.StatusSeeOther {
		t.Fatalf("add specialist: %d", res.status)
	}
	var member string
	if err := app.scanInTenant("northside", `select id from care_team_members where patient_id = $1 and name = 'Dr. Peter Vogel'`, []any{patient}, &member); err != nil {
		t.Fatal(err)
	}
	res := c.post(base+"/referrals", url.Values{"member_id": {member}, "reason": {"Kidney function"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("clinical referral without a need: %d\n%s", res.status, res.body)
	}
	href := res.location()
	res = c.post(href+"/send", url.Values{"version": {"1"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("send to a provider the patient did not agree to share with: %d", res.status)
	}
	mustContain(t, "refusal", res.body, "has not agreed to share information with Dr. Peter Vogel", "/care-team/"+member+"/edit")
}

func TestReferrals_StepsFollowTheLifecycle(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	_, href := draftReferral(t, app, c)
	tests := []struct {
		name string
		form url.Values
		want int
	}{
		{"accepted before it was sent", url.Values{"status": {"accepted"}, "version": {"1"}}, http.StatusUnprocessableEntity},
		{"sent through the status form", url.Values{"status": {"sent"}, "version": {"1"}}, http.StatusUnprocessableEntity},
		{"cancelled without a reason", url.Values{"status": {"cancelled"}, "version": {"1"}}, http.StatusUnprocessableEntity},
		{"stale version", url.Values{"status": {"cancelled"}, "note": {"Duplicate"}, "version": {"7"}}, http.StatusConflict},
		{"cancelled with a reason", url.Values{"status": {"cancelled"}, "note": {"Duplicate"}, "version": {"1"}}, http.StatusSeeOther},
		{"anything after it ended", url.Values{"status": {"completed"}, "outcome": {"met"}, "version": {"2"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		if res := c.post(href+"/status", tt.form); res.status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, res.status, tt.want)
		}
	}
	if res := c.post(href+"/close-loop", url.Values{}); res.status != http.StatusConflict {
		t.Errorf("closing the loop of a cancelled referral: %d, want 409", res.status)
	}
}

func TestAppointments_MissedRaisesOneTaskAndTheCalendarIsValid(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	patient, _, _, _ := foodNeedPatient(t, app)
	base := "/t/northside/patients/" + patient
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	res := c.post(base+"/appointments", url.Values{"with": {"other"}, "with_name": {"Eastside Clinic, Suite 4"},
		"date": {tomorrow}, "time": {"09:15"}, "minutes": {"30"}, "purpose": {"Flu shot; bring card"}, "interpreter": {"yes"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%s", res.status, res.body)
	}
	if res := c.post(base+"/appointments", url.Values{"with": {"other"}, "date": {"2020-01-01"}, "time": {"25:00"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("bad appointment: %d, want 422", res.status)
	}

	cal := c.get(base + "/appointments.ics")
	if cal.status != http.StatusOK || !strings.HasPrefix(cal.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar: %d %s", cal.status, cal.header.Get("Content-Type"))
	}
	start := time.Date(time.Now().Year(), time.Now().Month(), time.Now().Day()+1, 9, 15, 0, 0, time.Local).UTC().Format("20060102T150405Z")
	mustContain(t, "calendar", cal.body, "BEGIN:VCALENDAR\r\n", "DTSTART:"+start+"\r\n", `SUMMARY:Flu shot\; bring card — Eastside Clinic\, Suite 4`,
		"An interpreter is needed.")
	mustNotContain(t, "calendar", cal.body, "Morales", "Herrera")

	var id string
	var version int
	if err := app.scanInTenant("northside", `select id, version from appointments where patient_id = $1 and purpose like 'Flu shot%'`, []any{patient}, &id, &version); err != nil {
		t.Fatal(err)
	}
	// Not yet begun: it cannot be recorded as missed.
	if res := c.post(base+"/appointments/"+id, url.Values{"mark": {"missed"}, "version": {strconv.Itoa(version)}}); res.status != http.StatusConflict {
		t.Errorf("missed before it began: %d, want 409", res.status)
	}
	app.execInTenant("northside", `update appointments set starts_at = now() - interval '2 hours' where id = $1`, id)
	res = c.post(base+"/appointments/"+id, url.Values{"mark": {"missed"}, "note": {"No ride"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("missed: %d", res.status)
	}
	if res := c.post(base+"/appointments/"+id, url.Values{"mark": {"missed"}, "version": {strconv.Itoa(version + 1)}}); res.status != http.StatusConflict {
		t.Errorf("missed twice: %d, want 409", res.status)
	}
	if n := chartInt(t, app, `select count(*) from tasks where source = 'appointment' and source_appointment_id = '`+id+`' and patient_id = $1`, patient); n != 1 {
		t.Errorf("%d follow-up tasks for the missed appointment, want 1", n)
	}
}

func TestReferrals_ForeignIDsAreNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var riversideReferral, riversidePatient, riversideResource string
	if err := app.scanInTenant("riverside", `select id, patient_id from referrals limit 1`, nil, &riversideReferral, &riversidePatient); err != nil {
		t.Fatal(err)
	}
	if err := app.scanInTenant("riverside", `select id from resources limit 1`, nil, &riversideResource); err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("coord1@northside.test")
	patient, _, _, _ := foodNeedPatient(t, app)
	for _, path := range []string{
		"/t/northside/patients/" + patient + "/referrals/" + riversideReferral,
		"/t/northside/patients/" + riversidePatient + "/referrals/" + riversideReferral,
		"/t/northside/resources/" + riversideResource,
		"/t/northside/patients/" + patient + "/referrals/new?resource=" + riversideResource,
	} {
		if res := c.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
	res := c.post("/t/northside/patients/"+patient+"/referrals", url.Values{"resource_id": {riversideResource}, "reason": {"x"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("referral to another tenant's resource: %d, want 422", res.status)
	}
}
