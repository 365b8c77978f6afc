package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// writeWatch records every row the app writes outside the audit log and
// the session store, through row triggers the schema owner installs on a
// test's private database.
type writeWatch struct {
	t     *testing.T
	owner *pgx.Conn
}

func watchWrites(t *testing.T, app *testApp) *writeWatch {
	t.Helper()
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, app.db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(context.Background()) })
	_, err = owner.Exec(ctx, `
		create table write_log (tbl text not null, op text not null);
		create function log_write() returns trigger language plpgsql security definer as $$
		begin
			insert into write_log values (tg_table_name, tg_op);
			return null;
		end $$;
		do $$
		declare t text;
		begin
			for t in select tablename from pg_tables where schemaname = 'public'
			           and tablename not in ('write_log', 'audit_events', 'sessions', 'goose_db_version') loop
				execute format('create trigger watch_writes after insert or update or delete on %I
				                for each row execute function log_write()', t);
			end loop;
		end $$;`)
	if err != nil {
		t.Fatal(err)
	}
	return &writeWatch{t: t, owner: owner}
}

// take returns the writes since the last take, as "op table" lines.
func (w *writeWatch) take() []string {
	w.t.Helper()
	rows, _ := w.owner.Query(context.Background(), `
		with taken as (delete from write_log returning tbl, op)
		select distinct op || ' ' || tbl from taken order by 1`)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		w.t.Fatal(err)
	}
	return got
}

// demoRoute fills a route's parameters with real ids of tenant slug, each
// child record with its own patient, so that the page really reads.
func demoRoute(t *testing.T, app *testApp, slug, route string) string {
	t.Helper()
	children := map[string]string{
		"memberID": "care_team_members", "coverageID": "coverages", "assessmentID": "assessments",
		// A draft has no printout (404): a referral that was sent.
		"referralID": "referrals where status <> 'draft'", "planID": "care_plans", "contactID": "contacts", "taskID": "tasks",
		// Only a discharge has an exclusion page.
		"transitionID": "care_transitions where kind = 'discharge'",
	}
	path := strings.Replace(route, "{tenant}", slug, 1)
	for param, table := range children {
		if strings.Contains(path, "{"+param+"}") {
			var patient, id string
			if err := app.scanInTenant(slug, "select patient_id::text, id::text from "+table+" order by id limit 1", nil, &patient, &id); err != nil {
				t.Fatalf("a %s to read: %v", table, err)
			}
			path = strings.NewReplacer("{patientID}", patient, "{"+param+"}", id).Replace(path)
		}
	}
	lookups := map[string]string{
		"{patientID}":  "select id::text from patients order by id limit 1",
		"{otherID}":    "select id::text from patients order by id desc limit 1",
		"{resourceID}": "select id::text from resources order by id limit 1",
		"{userID}":     "select user_id::text from memberships where tenant_id = current_setting('app.tenant_id')::uuid order by user_id limit 1",
	}
	for param, sql := range lookups {
		if strings.Contains(path, param) {
			var id string
			if err := app.scanInTenant(slug, sql, nil, &id); err != nil {
				t.Fatalf("an id for %s: %v", param, err)
			}
			path = strings.ReplaceAll(path, param, id)
		}
	}
	return strings.ReplaceAll(path, "/*", "/")
}

// TestPages_GETWritesNothingButAuditEvents walks every page of the route
// table with real records, as each role, and fails for any row a GET
// inserted, changed or deleted: time-driven work belongs to the
// scheduler, and pages only read (an audit event of what was viewed, and
// the session store, aside).
func TestPages_GETWritesNothingButAuditEvents(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	watch := watchWrites(t, app)
	var routes []string
	err := chi.Walk(app.server.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet && !strings.HasPrefix(route, "/static") && !strings.Contains(route, "{token}") &&
			!strings.HasPrefix(route, "/platform") {
			routes = append(routes, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	unfilled := regexp.MustCompile(`\{[^}]+\}`)
	for _, email := range []string{"coord1@northside.test", "supervisor@northside.test", "admin@northside.test"} {
		c := app.signedIn(email)
		watch.take() // signing in writes; pages must not
		for _, route := range routes {
			path := demoRoute(t, app, "northside", route)
			if unfilled.MatchString(path) {
				t.Fatalf("%s: no demo record for %s", route, unfilled.FindString(path))
			}
			res := c.get(path)
			if res.status >= 500 {
				t.Errorf("%s GET %s: status %d", email, path, res.status)
			}
			if writes := watch.take(); len(writes) > 0 {
				t.Errorf("%s GET %s (%d) wrote %v", email, route, res.status, writes)
			}
		}
	}
}
