package server

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/demo"

	"github.com/jackc/pgx/v5"
)

// addAuditEvents writes n audit events of northside by the user with email,
// one second apart, the newest a minute ago.
func addAuditEvents(t *testing.T, app *testApp, email, action string, n int) {
	t.Helper()
	ctx := context.Background()
	actor := memberID(t, app, email)
	err := db.InTenant(ctx, app.db.Pool, app.tenantID("northside"), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			insert into audit_events (tenant_id, at, actor_id, action, entity_type)
			select $1, now() - interval '1 minute' - make_interval(secs => g), $2, $3, 'test'
			  from generate_series(1, $4) g`, app.tenantID("northside"), actor, action, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func auditRows(body string) int { return strings.Count(body, `data-testid="audit-row"`) }

func TestAuditLog_ShowsTenantEventsAndMembersSignInsOnly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.signedIn("coord1@northside.test")
	app.signedIn("coord1@riverside.test")
	addAuditEvents(t, app, "coord2@northside.test", "patient.viewed", 1)
	page := app.signedIn("admin@northside.test").get("/t/northside/admin/audit")
	if page.status != http.StatusOK {
		t.Fatalf("status %d", page.status)
	}
	mustContain(t, "audit log", page.body, "Maya Okafor", "Signed in", "Liam Chen", "Patient viewed", "patient.viewed")
	mustNotContain(t, "audit log", page.body, "Daniel Reyes", "riverside.test")
}

func TestAuditLog_FiltersByUserActionPatientAndDate(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	// The float coordinator did nothing in the demo data: the demo's
	// contacts and plans are audited as done by the coordinators.
	addAuditEvents(t, app, demo.FloatEmail, "patient.viewed", 3)
	addAuditEvents(t, app, "coord1@northside.test", "patient.updated", 2)
	p := chartPatient(t, app)
	app.signedIn("coord1@northside.test").get("/t/northside/patients/" + p)
	admin := app.signedIn("admin@northside.test")
	base := "/t/northside/admin/audit?"
	float := memberID(t, app, demo.FloatEmail)
	today := time.Now().Format("2006-01-02")
	tests := []struct {
		name, query string
		want        int
	}{
		{"user", "user=" + float, 3},
		{"action", "action=patient.updated", 2},
		{"user and action", "user=" + float + "&action=patient.updated", 0},
		{"patient", "patient=" + p, 1},
		{"today", "from=" + today + "&to=" + today + "&action=patient.viewed", 4},
		{"tomorrow on", "from=" + time.Now().AddDate(0, 0, 1).Format("2006-01-02") + "&action=patient.viewed", 0},
	}
	for _, tt := range tests {
		res := admin.get(base + tt.query)
		if got := auditRows(res.body); res.status != http.StatusOK || got != tt.want {
			t.Errorf("%s: status %d, %d rows, want %d", tt.name, res.status, got, tt.want)
		}
	}
	// A filter that can't be used is set aside with a message; the log shows.
	res := admin.get(base + "from=31/12/2026&user=" + strings.Repeat("0", 8))
	mustContain(t, "bad filters", res.body, `data-testid="error-from"`, `data-testid="error-user"`, `data-testid="audit-row"`)
}

// TestAuditLog_DoesNotTellWhetherAnMRNExists: an MRN nobody has and the
// MRN of a patient with no events give the same page.
func TestAuditLog_DoesNotTellWhetherAnMRNExists(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var mrn string
	if err := app.scanInTenant("northside", `select p.external_id from patients p where p.external_id <> ''
		 and not exists (select 1 from audit_events a where a.patient_id = p.id) order by p.id limit 1`, nil, &mrn); err != nil {
		t.Fatal(err)
	}
	admin := app.signedIn("admin@northside.test")
	page := func(q string) string {
		body := admin.get("/t/northside/admin/audit?patient=" + url.QueryEscape(q)).body
		return strings.ReplaceAll(body, q, "")
	}
	known, unknown := page(mrn), page("NO-SUCH-MRN")
	if auditRows(known) != 0 || auditRows(unknown) != 0 || strings.Contains(unknown, `data-testid="error-patient"`) {
		t.Errorf("known MRN: %d rows; unknown: %d rows, message shown: %v", auditRows(known), auditRows(unknown), strings.Contains(unknown, `data-testid="error-patient"`))
	}
	stripIDs := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}|csrf[^"]*|name="form_token" value="[^"]*"`)
	if stripIDs.ReplaceAllString(known, "") != stripIDs.ReplaceAllString(unknown, "") {
		t.Errorf("the pages differ for a known and an unknown MRN")
	}
}

func TestAuditLog_PagesFromNewestToOldest(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	addAuditEvents(t, app, "coord2@northside.test", "patient.viewed", auditPageSize+7)
	admin := app.signedIn("admin@northside.test")
	first := admin.get("/t/northside/admin/audit?action=patient.viewed")
	if n := auditRows(first.body); n != auditPageSize {
		t.Fatalf("first page: %d rows", n)
	}
	second := admin.get(nextPage(t, first.body))
	if n := auditRows(second.body); n != 7 {
		t.Errorf("second page: %d rows, want 7", n)
	}
	mustNotContain(t, "second page", second.body, `rel="next"`)
	mustContain(t, "second page", second.body, "Newest entries")
}

func TestAuditLog_CSVExportEscapesFormulasAndIsItselfAudited(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	if _, err := app.db.Pool.Exec(t.Context(), "update users set name = '=HYPERLINK(\"http://evil.example\")' where email = 'coord2@northside.test'"); err != nil {
		t.Fatal(err)
	}
	addAuditEvents(t, app, "coord2@northside.test", "patient.viewed", 3)
	admin := app.signedIn("admin@northside.test")
	res := admin.get("/t/northside/admin/audit.csv?action=patient.viewed")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.header.Get("Content-Disposition"), `filename="audit-northside-`) {
		t.Fatalf("status %d, headers %v", res.status, res.header)
	}
	records, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 || strings.Join(records[0], ",") != "time,source,user_email,user_name,action,entity_type,entity_id,patient_id,ip,request_id,detail" {
		t.Fatalf("csv:\n%s", res.body)
	}
	for _, rec := range records[1:] {
		if rec[3] != `'=HYPERLINK("http://evil.example")` || rec[4] != "patient.viewed" {
			t.Errorf("row %v: the name is not escaped", rec)
		}
	}
	var exports int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'audit.exported'", nil, &exports); err != nil || exports != 1 {
		t.Errorf("audit.exported events: %d (%v), want 1", exports, err)
	}
}

func TestAuditEvents_AppRoleCannotChangeThoseThePagesWrote(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	admin := app.signedIn("admin@northside.test")
	invite(t, app, admin, "northside", "ana@northside.test", "coordinator")
	ctx := context.Background()
	for _, stmt := range []string{
		"update audit_events set action = 'nothing.happened' where action = 'invitation.created'",
		"delete from audit_events where action = 'invitation.created'",
		"truncate audit_events",
		"update auth_events set ip = '' where email = 'admin@northside.test'",
		"delete from auth_events where email = 'admin@northside.test'",
	} {
		err := db.InTenant(ctx, app.db.Pool, app.tenantID("northside"), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: err = %v, want permission denied", stmt, err)
		}
	}
	var n int
	if err := app.scanInTenant("northside", "select count(*) from audit_events where action = 'invitation.created'", nil, &n); err != nil || n != 1 {
		t.Errorf("invitation.created events after the attempts: %d (%v)", n, err)
	}
}

var nextPagePattern = regexp.MustCompile(`href="([^"]+)" rel="next"`)

// nextPage is the address of the page's "next" link.
func nextPage(t *testing.T, body string) string {
	t.Helper()
	m := nextPagePattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no next link")
	}
	return html.UnescapeString(m[1])
}
