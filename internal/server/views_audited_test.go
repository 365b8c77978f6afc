package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// showsNoPatientData are the pages of the route table that show no
// patient's details, each with the reason. Every other page is requested
// by TestPages_EveryPatientPageIsAudited and must write an audit event, so
// a new page is either audited or listed here on purpose.
var showsNoPatientData = map[string]string{
	"/healthz":                      "a probe",
	"/readyz":                       "a probe",
	"/login":                        "the sign-in form",
	"/":                             "redirects to the person's start page",
	"/tenants":                      "the organisations a person belongs to",
	"/account":                      "the person's own account",
	"/account/mfa":                  "setting up the person's own authenticator app",
	"/login/code":                   "the sign-in's second step",
	"/login/enrol":                  "setting up an authenticator app at sign-in",
	"/invitations/{token}":          "an invitation: the invitee's email and the organisation",
	"/password-reset/{token}":       "a reset link: the account's email",
	"/platform/tenants":             "platform admins never see patient data",
	"/platform/tenants/new":         "platform admins never see patient data",
	"/platform/tenants/{tenantID}/": "platform admins never see patient data",
	"/t/{tenant}/":                  "redirects to the role's start page",
	"/t/{tenant}/patients/new":      "an empty intake form",
	"/t/{tenant}/caseload":          "counts per coordinator, no patient",
	"/t/{tenant}/caseload.csv":      "the dashboard's counts per coordinator, no patient",
	"/t/{tenant}/caseload/measures": "the team's measures: numbers only",
	"/t/{tenant}/resources/":        "the directory: organisations, not patients",
	"/t/{tenant}/resources/new":     "an empty resource form",
	"/t/{tenant}/resources/{resourceID}/edit": "a resource's details",
	"/t/{tenant}/admin/users":                 "staff, not patients",
	"/t/{tenant}/admin/users/{userID}":        "a member: their role and patient count, no patient",
	"/t/{tenant}/admin/settings":              "the organisation's settings",
	"/t/{tenant}/admin/closures":              "the organisation's closure days",
	"/t/{tenant}/admin/audit":                 "the audit log: patients by id only, for admins who see no PHI",
	"/t/{tenant}/admin/audit.csv":             "the audit log's export: patients by id only",
}

// TestPages_EveryPatientPageIsAudited walks the route table and requests
// every page that may show a patient, as a person allowed to see it, with
// real demo records, and fails for any that writes no audit event. The log
// is emptied before each page (the schema owner may truncate it), so a
// view folded into an earlier one cannot hide a page that records
// nothing.
func TestPages_EveryPatientPageIsAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner, err := pgx.Connect(context.Background(), app.db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(context.Background()) })
	coordinator, supervisor := app.signedIn("coord1@northside.test"), app.signedIn("supervisor@northside.test")
	var routes []string
	err = chi.Walk(app.server.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet && !strings.HasPrefix(route, "/static") {
			if _, listed := showsNoPatientData[route]; !listed {
				routes = append(routes, route)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range routes {
		c := coordinator
		if strings.Contains(route, "/caseload") || strings.HasSuffix(route, "/approvals") ||
			strings.HasSuffix(route, "/duplicates") || strings.Contains(route, "/merge/") {
			c = supervisor
		}
		path := auditedRoute(t, app, route)
		if _, err := owner.Exec(context.Background(), "truncate audit_events"); err != nil {
			t.Fatal(err)
		}
		res := c.get(path)
		var events int
		if err := app.scanInTenant("northside", "select count(*) from audit_events", nil, &events); err != nil {
			t.Fatal(err)
		}
		// A page may send on to the page it stands for (the patient's
		// current plan), itself audited.
		if (res.status != http.StatusOK && res.status != http.StatusSeeOther) || events == 0 {
			t.Errorf("GET %s: status %d, %d audit events; want 200 or 303 and at least one (or list the page in showsNoPatientData with why)", route, res.status, events)
		}
	}
}

// auditedRoute fills route with demo records that give its page patients
// to show: a resource that coord1's patients were referred to,
// a contact coord1 logged; otherwise what demoRoute picks.
func auditedRoute(t *testing.T, app *testApp, route string) string {
	t.Helper()
	if strings.Contains(route, "{resourceID}") {
		var id string
		if err := app.scanInTenant("northside", `
			select r.resource_id::text from referrals r
			  join patients p on p.tenant_id = r.tenant_id and p.id = r.patient_id
			  join users u on u.id = p.assigned_coordinator_id
			 where u.email = 'coord1@northside.test' and r.resource_id is not null
			 order by r.id limit 1`, nil, &id); err != nil {
			t.Fatalf("a resource coord1's patients were referred to: %v", err)
		}
		route = strings.ReplaceAll(route, "{resourceID}", id)
	}
	if strings.HasSuffix(route, "{contactID}/correct") {
		// Only its author may correct a contact, within a day of it.
		var patient, id string
		if err := app.scanInTenant("northside", `
			select c.patient_id::text, c.id::text from contacts c join users u on u.id = c.author_id
			 where u.email = 'coord1@northside.test' order by c.created_at desc limit 1`, nil, &patient, &id); err != nil {
			t.Fatalf("a contact coord1 logged: %v", err)
		}
		route = strings.NewReplacer("{patientID}", patient, "{contactID}", id).Replace(route)
	}
	if strings.HasSuffix(route, "/duplicates") {
		// The demo takes each person in once: give the list a pair.
		var id string
		if err := app.scanInTenant("northside", `select id::text from patients order by id limit 1`, nil, &id); err != nil {
			t.Fatal(err)
		}
		addDuplicate(t, app, id)
	}
	return demoRoute(t, app, "northside", route)
}

func TestPatientList_SearchRecordsWhichPatientsWereListed(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.addListPatients("riverside",
		listPatient{given: "Margaret", family: "Quillfeather", coordinator: floatEmail},
		listPatient{given: "Walter", family: "Brightwater", coordinator: floatEmail},
	)
	c := app.signedIn(floatEmail)
	c.get("/t/riverside/patients?q=" + url.QueryEscape("Margret Quilfeather"))
	c.get("/t/riverside/patients?q=" + url.QueryEscape("Margret Quilfeather"))
	var listed, search string
	if err := app.scanInTenant("riverside", `
		select coalesce(string_agg(p.family_name, ',' order by p.family_name), ''), coalesce(max(a.detail->>'list'), '')
		  from audit_events a join patients p on p.tenant_id = a.tenant_id and p.id = a.patient_id
		 where a.action = 'patient.listed'`, nil, &listed, &search); err != nil {
		t.Fatal(err)
	}
	// Once, for the one patient shown, however often the search ran in
	// the visit; what was typed is never recorded.
	if listed != "Quillfeather" || search != "patients" {
		t.Errorf("listed %q from %q, want Quillfeather once from patients", listed, search)
	}
	var typed int
	if err := app.scanInTenant("riverside", `select count(*) from audit_events where detail::text ilike '%marg%'`, nil, &typed); err != nil || typed != 0 {
		t.Errorf("%d events hold the search text (%v)", typed, err)
	}
}

func TestPatientPages_AViewAfterTheWindowIsANewEvent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	id := chartPatient(t, app)
	c := app.signedIn("coord2@northside.test")
	c.get("/t/northside/patients/" + id + "/edit")
	// The visit's event, moved back beyond the window by the schema owner
	// (bound by row-level security like everyone).
	owner, err := pgx.Connect(context.Background(), app.db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	ctx := context.Background()
	if _, err := owner.Exec(ctx, "select set_config('app.tenant_id', $1, false)", app.tenantID("northside")); err != nil {
		t.Fatal(err)
	}
	moved, err := owner.Exec(ctx, "update audit_events set at = at - interval '6 minutes' where patient_id = $1 and action = 'patient.viewed'", id)
	if err != nil || moved.RowsAffected() != 1 {
		t.Fatalf("moved %d events back: %v", moved.RowsAffected(), err)
	}
	c.get("/t/northside/patients/" + id + "/edit")
	if n := chartAuditCount(t, app, id, "patient.viewed"); n != 2 {
		t.Errorf("%d view events, want 2: a look after the window is a new visit", n)
	}
}
