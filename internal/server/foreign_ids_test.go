package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestPosts_AnotherTenantsIdsAreNotFound posts to every route of the
// table that takes an id, in the person's own organisation but with the
// ids of another organisation's records, and wants 404 from each: a
// foreign id is never a database error, and never a hint that it exists.
func TestPosts_AnotherTenantsIdsAreNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.signedIn("supervisor@northside.test")
	admin := app.signedIn("admin@northside.test")
	var routes []string
	err := chi.Walk(app.server.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodPost && strings.HasPrefix(route, "/t/{tenant}/") && strings.Contains(route, "ID}") {
			routes = append(routes, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	unfilled := regexp.MustCompile(`\{[^}]+\}`)
	for _, route := range routes {
		// Every id from riverside, the address in northside.
		if strings.Contains(route, "{invitationID}") {
			var id string
			if err := app.scanInTenant("riverside", "select id::text from invitations where tenant_id = current_setting('app.tenant_id')::uuid order by id limit 1", nil, &id); err != nil {
				t.Fatalf("a riverside invitation: %v", err)
			}
			route = strings.ReplaceAll(route, "{invitationID}", id)
		}
		if strings.Contains(route, "{userID}") {
			// A member of riverside alone (the demo has one of both).
			var id string
			if err := app.scanInTenant("riverside", `select m.user_id::text from memberships m
				 where m.tenant_id = current_setting('app.tenant_id')::uuid and not exists (select 1 from memberships n
				       join tenants t on t.id = n.tenant_id where t.slug = 'northside' and n.user_id = m.user_id)
				 order by m.user_id limit 1`, nil, &id); err != nil {
				t.Fatalf("a riverside member: %v", err)
			}
			route = strings.ReplaceAll(route, "{userID}", id)
		}
		path := strings.Replace(demoRoute(t, app, "riverside", route), "/t/riverside/", "/t/northside/", 1)
		// Items of a riverside plan (goals, interventions) and records the
		// riverside demo lacks (appointments): an id nobody has, under
		// riverside's patient and plan.
		path = unfilled.ReplaceAllString(path, "00000000-0000-4000-8000-00000000a991")
		who := c
		if strings.Contains(route, "/admin/") {
			who = admin
		}
		form := url.Values{"version": {"1"}, "title": {"A plan"}, "note": {"n"}, "status": {"done"}, "active": {"no"}, "role": {"coordinator"}}
		if res := who.post(path, form); res.status != http.StatusNotFound {
			t.Errorf("POST %s with riverside's ids: status %d, want 404", route, res.status)
		}
	}
}

// TestPosts_AnotherTenantsIdInAFormIsNotFound: an id of another
// organisation's record inside a form (a need for a new plan) meets the
// foreign key that includes tenant_id, which answers 404, not 500.
func TestPosts_AnotherTenantsIdInAFormIsNotFound(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	var patient, foreignNeed string
	if err := app.scanInTenant("northside", `select p.id::text from patients p
		 where not exists (select 1 from care_plans c where c.tenant_id = p.tenant_id and c.patient_id = p.id and c.status in ('draft', 'active'))
		 order by p.id limit 1`, nil, &patient); err != nil {
		t.Fatal(err)
	}
	if err := app.scanInTenant("riverside", "select id::text from needs order by id limit 1", nil, &foreignNeed); err != nil {
		t.Fatal(err)
	}
	c := app.signedIn("coord1@northside.test")
	res := c.post("/t/northside/patients/"+patient+"/care-plans", url.Values{"title": {"A plan"}, "need_id": {foreignNeed}})
	if res.status != http.StatusNotFound {
		t.Errorf("status %d, want 404", res.status)
	}
	if n := chartInt(t, app, "select count(*) from care_plans where patient_id = $1", patient); n != 0 {
		t.Errorf("%d plans written, want none", n)
	}
}
