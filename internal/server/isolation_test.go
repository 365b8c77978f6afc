package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// tenantRoutes lists every method and path of the route table under
// /t/{tenant}, with the tenant filled in and any other parameter given a
// well-formed ID, so that new routes are covered as soon as they exist.
func tenantRoutes(t *testing.T, s *Server, slug string) [][2]string {
	t.Helper()
	param := regexp.MustCompile(`\{[^}]+\}`)
	var routes [][2]string
	err := chi.Walk(s.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/t/{tenant}") {
			return nil
		}
		path := strings.Replace(route, "{tenant}", slug, 1)
		path = param.ReplaceAllString(path, "00000000-0000-4000-8000-000000000001")
		path = strings.ReplaceAll(path, "/*", "/")
		routes = append(routes, [2]string{method, path})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) < 3 {
		t.Fatalf("found only %d tenant routes", len(routes))
	}
	return routes
}

func TestIsolation_AnotherTenantsMemberGetsNotFoundEverywhere(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	for _, email := range []string{"coord1@riverside.test", "supervisor@riverside.test", "admin@riverside.test"} {
		c := app.signedIn(email)
		for _, rt := range tenantRoutes(t, app.server, "northside") {
			var res response
			if rt[0] == http.MethodGet {
				res = c.get(rt[1])
			} else {
				req, _ := http.NewRequest(rt[0], app.http.URL+rt[1], strings.NewReader(url.Values{"x": {"y"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				res = c.do(req)
			}
			if res.status != http.StatusNotFound {
				t.Errorf("%s %s %s: status %d, want 404", email, rt[0], rt[1], res.status)
			}
			mustNotContain(t, rt[1], res.body, "Northside", "Maya Okafor", "Liam Chen", "Grace Whitfield", "Sam Patel")
		}
	}
}

func TestIsolation_UnknownTenantLooksLikeAForeignOne(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@riverside.test")
	foreign, missing := c.get("/t/northside/worklist"), c.get("/t/no-such-tenant/worklist")
	if foreign.status != http.StatusNotFound || missing.status != http.StatusNotFound {
		t.Errorf("foreign %d, missing %d; want both 404", foreign.status, missing.status)
	}
}

func TestIsolation_SuspendedTenantIsClosedToItsMembers(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("coord1@northside.test")
	if _, err := app.db.Pool.Exec(t.Context(), "update tenants set status = 'suspended' where slug = 'northside'"); err != nil {
		t.Fatal(err)
	}
	if res := c.get("/t/northside/worklist"); res.status != http.StatusNotFound {
		t.Errorf("suspended tenant: status %d, want 404", res.status)
	}
}

func TestRoles_EachGroupAdmitsOnlyItsRoles(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	tests := []struct {
		email, path string
		want        int
	}{
		{"coord1@northside.test", "/t/northside/admin/users", http.StatusForbidden},
		{"supervisor@northside.test", "/t/northside/admin/users", http.StatusForbidden},
		{"admin@northside.test", "/t/northside/worklist", http.StatusForbidden},
		{"admin@northside.test", "/t/northside/admin/users", http.StatusOK},
		{"coord1@northside.test", "/platform/tenants", http.StatusNotFound},
		{"admin@northside.test", "/platform/tenants", http.StatusNotFound},
		// Platform admins never see patient data, not even an empty worklist.
		{"platform@demo.test", "/t/northside/worklist", http.StatusNotFound},
		{"platform@demo.test", "/t/northside/admin/users", http.StatusNotFound},
	}
	for _, tt := range tests {
		if res := app.signedIn(tt.email).get(tt.path); res.status != tt.want {
			t.Errorf("%s GET %s: status %d, want %d", tt.email, tt.path, res.status, tt.want)
		}
	}
}

func TestAdminUsers_ListsOnlyThisTenantsPeople(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	res := app.signedIn("admin@northside.test").get("/t/northside/admin/users")
	mustContain(t, "users page", res.body, "Maya Okafor", "coord1@northside.test", "Care coordinator", "Jordan Ellis")
	mustNotContain(t, "users page", res.body, "riverside.test", "Daniel Reyes", "platform@demo.test")
}

func TestPlatformTenants_ShowsTenantsWithUserCountsAndNoPeople(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	res := app.signedIn("platform@demo.test").get("/platform/tenants")
	mustContain(t, "tenants page", res.body, "Northside Health Partners", "Riverside Community Care", "<td class=\"num\">5</td>")
	mustNotContain(t, "tenants page", res.body, "Maya Okafor", "coord1@")
}
