package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

func TestPlatform_CreatesATenantWithAnInvitationForItsFirstAdmin(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	platform := app.signedIn("platform@demo.test")
	mustContain(t, "new tenant form", platform.get("/platform/tenants/new").body, `name="slug"`, `name="admin_email"`)
	res := platform.post("/platform/tenants", url.Values{"name": {"Harbour Care Collective"}, "slug": {"harbour"}, "admin_email": {"lee@harbour.test"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/platform/tenants/") {
		t.Fatalf("create: status %d\n%s", res.status, res.body)
	}
	link := shownLinkPath(t, app, platform, res.location())
	lee := app.client()
	if r := newAccount(lee, link, "Lee Morgan", goodPassword); r.status != http.StatusSeeOther || r.location() != "/t/harbour/" {
		t.Fatalf("accept: status %d to %s", r.status, r.location())
	}
	users := followToPage(t, lee, "/t/harbour/")
	if users.path != "/t/harbour/admin/users" {
		t.Fatalf("the new admin starts at %s", users.path)
	}
	mustContain(t, "users page", users.body, "Lee Morgan", "Administrator")
	var created int
	if err := app.scanInTenant("harbour", "select count(*) from audit_events where action in ('tenant.created', 'invitation.created', 'invitation.accepted')", nil, &created); err != nil || created != 3 {
		t.Errorf("audit events of the new tenant: %d (%v), want 3", created, err)
	}
	mustContain(t, "tenant list", platform.get("/platform/tenants").body, "Harbour Care Collective", "/t/harbour")
}

func TestPlatform_NewTenantNeedsAFreeWellFormedSlugAndAnEmail(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	platform := app.signedIn("platform@demo.test")
	tests := []struct{ name, slug, email, field, want string }{
		{"taken slug", "northside", "lee@harbour.test", "slug", "already uses this address"},
		{"capitals and spaces", "Harbour Care", "lee@harbour.test", "slug", "lowercase letters"},
		{"too short", "hc", "lee@harbour.test", "slug", "3 to 40"},
		{"no email", "harbour", "", "admin_email", "email address"},
		{"platform admin", "harbour", "platform@demo.test", "admin_email", "platform administrator"},
	}
	for _, tt := range tests {
		res := platform.post("/platform/tenants", url.Values{"name": {"Harbour Care"}, "slug": {tt.slug}, "admin_email": {tt.email}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tt.name, res.status)
		}
		mustContain(t, tt.name, res.body, `data-testid="error-`+tt.field+`"`, tt.want, `value="Harbour Care"`)
	}
	if n := app.queryInt("select count(*) from tenants"); n != 2 {
		t.Errorf("tenants: %d, want the 2 demo ones", n)
	}
}

func TestPlatform_RenamesATenant(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	platform := app.signedIn("platform@demo.test")
	if res := platform.post(platformPath(app, "northside", "/name"), url.Values{"name": {""}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("empty name: status %d", res.status)
	}
	if res := platform.post(platformPath(app, "northside", "/name"), url.Values{"name": {"Northside Health"}}); res.status != http.StatusSeeOther {
		t.Fatalf("rename: status %d", res.status)
	}
	mustContain(t, "worklist", followToPage(t, app.signedIn("coord1@northside.test"), "/").body, "Northside Health")
}

// patientFacts are strings that identify northside's and riverside's
// patients: names and MRNs.
func patientFacts(t *testing.T, app *testApp) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, slug := range []string{"northside", "riverside"} {
		err := db.InTenant(ctx, app.db.Pool, app.tenantID(slug), func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, "select family_name from patients union select external_id from patients where external_id <> ''")
			names, err := pgx.CollectRows(rows, pgx.RowTo[string])
			out = append(out, names...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d patient facts", len(out))
	}
	return out
}

func TestPlatform_NoPageShowsPatientData(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	platform := app.signedIn("platform@demo.test")
	// A patient changed by a coordinator leaves audit events with ids.
	p := chartPatient(t, app)
	app.signedIn("coord1@northside.test").get("/t/northside/patients/" + p)
	facts := append(patientFacts(t, app), p)
	for _, path := range []string{"/platform/tenants", "/platform/tenants/new", platformPath(app, "northside", "/"), platformPath(app, "riverside", "/"), "/account"} {
		res := platform.get(path)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d", path, res.status)
		}
		for _, f := range facts {
			if strings.Contains(res.body, ">"+f+"<") || strings.Contains(res.body, " "+f+" ") || strings.Contains(res.body, f+"</") {
				t.Errorf("%s shows patient data %q", path, f)
			}
		}
	}
}

func TestRoles_AdminPagesRefuseOtherRolesAndOtherTenants(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	member := "/t/northside/admin/users/" + memberID(t, app, "coord2@northside.test")
	var inv string
	if err := app.db.Pool.QueryRow(t.Context(), "select id from invitations where email = 'newhire@northside.test'").Scan(&inv); err != nil {
		t.Fatal(err)
	}
	pages := [][2]string{
		{"GET", "/t/northside/admin/users"}, {"GET", member}, {"POST", member + "/role"}, {"POST", member + "/active"},
		{"POST", member + "/reset-link"}, {"POST", "/t/northside/admin/invitations"},
		{"POST", "/t/northside/admin/invitations/" + inv + "/renew"}, {"POST", "/t/northside/admin/invitations/" + inv + "/revoke"},
		{"GET", "/t/northside/admin/settings"}, {"POST", "/t/northside/admin/settings"},
		{"GET", "/t/northside/admin/audit"}, {"GET", "/t/northside/admin/audit.csv"},
	}
	for who, want := range map[string]int{
		"coord1@northside.test": http.StatusForbidden, "supervisor@northside.test": http.StatusForbidden,
		"admin@riverside.test": http.StatusNotFound, "platform@demo.test": http.StatusNotFound,
	} {
		c := app.signedIn(who)
		for _, p := range pages {
			var res response
			if p[0] == "GET" {
				res = c.get(p[1])
			} else {
				res = c.post(p[1], url.Values{"role": {"tenant_admin"}, "active": {"no"}, "email": {"x@y.test"}})
			}
			if res.status != want {
				t.Errorf("%s %s %s: status %d, want %d", who, p[0], p[1], res.status, want)
			}
		}
	}
	// Nothing was changed by the refused requests.
	if n := app.queryInt("select count(*) from memberships where role = 'tenant_admin'"); n != 2 {
		t.Errorf("tenant admins: %d, want 2", n)
	}
}

func TestRoles_PlatformPagesAreHiddenFromEveryoneElse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	north := platformPath(app, "northside", "")
	pages := [][2]string{
		{"GET", "/platform/tenants"}, {"GET", "/platform/tenants/new"}, {"POST", "/platform/tenants"},
		{"GET", north + "/"}, {"POST", north + "/name"}, {"POST", north + "/status"}, {"POST", north + "/invitations"},
	}
	for _, who := range []string{"coord1@northside.test", "admin@northside.test"} {
		c := app.signedIn(who)
		for _, p := range pages {
			var res response
			if p[0] == "GET" {
				res = c.get(p[1])
			} else {
				res = c.post(p[1], url.Values{"status": {"suspended"}, "name": {"Taken over"}, "slug": {"taken"}, "admin_email": {"x@y.test"}})
			}
			if res.status != http.StatusNotFound {
				t.Errorf("%s %s %s: status %d, want 404", who, p[0], p[1], res.status)
			}
		}
	}
	if n := app.queryInt("select count(*) from tenants where status = 'active' and name <> 'Taken over'"); n != 2 {
		t.Errorf("active, unrenamed tenants: %d, want 2", n)
	}
}
