package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}

// The demo sign-ins are a contract: the README, the issues and other checks
// name them.
func TestLoad_EveryDemoSignInWorksWithItsRole(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	for _, slug := range []string{"northside", "riverside"} {
		for local, role := range map[string]auth.Role{
			"coord1": auth.Coordinator, "coord2": auth.Coordinator,
			"supervisor": auth.Supervisor, "admin": auth.TenantAdmin,
		} {
			email := demo.Email(local, slug)
			u, err := auth.SignIn(ctx, d.Pool, email, "demo-password")
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			got, err := tenants.Memberships(ctx, d.Pool, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Tenant.Slug != slug || got[0].Role != role {
				t.Errorf("%s: memberships %+v, want %s in %s", email, got, role, slug)
			}
		}
	}
	u, err := auth.SignIn(ctx, d.Pool, "platform@demo.test", "demo-password")
	if err != nil || !u.PlatformAdmin {
		t.Errorf("platform admin: %+v %v", u, err)
	}
}

func TestLoad_TenantsHaveTheirNames(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	all, err := tenants.List(context.Background(), d.Pool)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.Slug+": "+s.Name)
	}
	want := []string{"northside: Northside Health Partners", "riverside: Riverside Community Care"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
}

func TestLoad_RefusesADatabaseThatHasTenants(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	if err := demo.Load(context.Background(), d.Pool); err != demo.ErrNotEmpty {
		t.Errorf("err = %v, want ErrNotEmpty", err)
	}
}

// tenantRows runs query inside slug's tenant transaction, as the app does,
// and returns the single text column of every row.
func tenantRows(t *testing.T, pool *pgxpool.Pool, slug, query string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	tn, err := tenants.BySlug(ctx, pool, slug)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = db.InTenant(ctx, pool, tn.ID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, query, args...)
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countOf(values []string) map[string]int {
	m := map[string]int{}
	for _, v := range values {
		m[v]++
	}
	return m
}

func TestLoad_EachTenantHasAboutSixtyPatientsInEveryStatusAndTier(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		statuses := countOf(tenantRows(t, d.Pool, slug, "select status from patients"))
		tiers := countOf(tenantRows(t, d.Pool, slug, "select risk_tier from patients"))
		n := 0
		for _, c := range statuses {
			n += c
		}
		if n < 50 || n > 70 {
			t.Errorf("%s: %d patients, want 50 to 70", slug, n)
		}
		for _, s := range patients.Statuses.Values() {
			if statuses[string(s)] == 0 {
				t.Errorf("%s: no %s patient; statuses %v", slug, s, statuses)
			}
		}
		if statuses["active"]*2 < n {
			t.Errorf("%s: %d of %d patients active, want most", slug, statuses["active"], n)
		}
		for _, r := range patients.RiskTiers.Values() {
			if tiers[string(r)] < 5 {
				t.Errorf("%s: %d %s-risk patients, want at least 5; tiers %v", slug, tiers[string(r)], r, tiers)
			}
		}
	}
}

func TestLoad_BothCoordinatorsCarryPatientsAndTheSupervisorAFew(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		by := countOf(tenantRows(t, d.Pool, slug, `
			select coalesce(u.email, 'unassigned') from patients p left join users u on u.id = p.assigned_coordinator_id`))
		for _, local := range []string{"coord1", "coord2"} {
			if n := by[demo.Email(local, slug)]; n < 20 {
				t.Errorf("%s: %s carries %d patients, want at least 20; caseloads %v", slug, local, n, by)
			}
		}
		if n := by[demo.Email("supervisor", slug)]; n < 1 || n > 10 {
			t.Errorf("%s: supervisor carries %d patients, want a few; caseloads %v", slug, n, by)
		}
	}
}

func TestLoad_EveryPatientHasACareTeamAndOnePrimaryCoverageWhenCovered(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		noTeam := tenantRows(t, d.Pool, slug, `
			select given_name || ' ' || family_name from patients p
			 where not exists (select 1 from care_team_members m where m.tenant_id = p.tenant_id and m.patient_id = p.id)`)
		if len(noTeam) > 0 {
			t.Errorf("%s: patients without a care team: %v", slug, noTeam)
		}
		badPrimary := tenantRows(t, d.Pool, slug, `
			select p.given_name || ' ' || p.family_name from patients p join coverages c on c.tenant_id = p.tenant_id and c.patient_id = p.id
			 group by p.tenant_id, p.id having count(*) filter (where c.is_primary) <> 1`)
		if len(badPrimary) > 0 {
			t.Errorf("%s: covered patients without exactly one primary coverage: %v", slug, badPrimary)
		}
		secondaries := tenantRows(t, d.Pool, slug, "select payer from coverages where not is_primary")
		caregivers := tenantRows(t, d.Pool, slug, "select relationship from care_team_members where kind = 'caregiver'")
		if len(secondaries) == 0 || len(caregivers) == 0 {
			t.Errorf("%s: %d secondary coverages and %d caregivers, want some of each", slug, len(secondaries), len(caregivers))
		}
		for _, r := range caregivers {
			if r == "" {
				t.Errorf("%s: a caregiver without a relationship", slug)
			}
		}
	}
}

func TestLoad_ConsentsAreDatedBeforeTodayAndMostPatientsConsentedToCare(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		future := tenantRows(t, d.Pool, slug, "select kind from consents where given_on >= current_date")
		if len(future) > 0 {
			t.Errorf("%s: %d consents dated today or later", slug, len(future))
		}
		kinds := countOf(tenantRows(t, d.Pool, slug, "select kind from consents"))
		patientCount := len(tenantRows(t, d.Pool, slug, "select id::text from patients"))
		if kinds["treatment"]*10 < patientCount*7 || kinds["information_sharing"] == 0 || kinds["text_messages"] == 0 {
			t.Errorf("%s: consents %v for %d patients, want treatment for most and some of each kind", slug, kinds, patientCount)
		}
	}
}

func TestLoad_LanguagesAreMostlyEnglishAndMostOthersHaveAnInterpreter(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		langs := countOf(tenantRows(t, d.Pool, slug, "select preferred_language from patients"))
		others := countOf(tenantRows(t, d.Pool, slug, "select interpreter_needed::text from patients where preferred_language <> 'English'"))
		total := 0
		for _, n := range langs {
			total += n
		}
		if langs["English"]*2 <= total || len(langs) < 4 {
			t.Errorf("%s: languages %v, want mostly English and at least three others", slug, langs)
		}
		if others["true"] <= others["false"] {
			t.Errorf("%s: interpreter needed among non-English speakers %v, want most", slug, others)
		}
	}
}

func TestLoad_NoPatientNameIsInBothTenants(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, q := range []string{
		"select given_name || ' ' || family_name from patients",
		"select family_name from patients",
		"select name from care_team_members where kind = 'caregiver'",
	} {
		north := countOf(tenantRows(t, d.Pool, "northside", q))
		river := tenantRows(t, d.Pool, "riverside", q)
		if len(north) < 20 || len(river) < 20 {
			t.Fatalf("%q: %d and %d names, want many in each tenant", q, len(north), len(river))
		}
		for _, name := range river {
			if north[name] > 0 {
				t.Errorf("%q: %q is in both tenants", q, name)
			}
		}
	}
}

func TestLoad_ExternalIDsAreUniqueAndCarryTheTenantsPrefix(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for slug, prefix := range map[string]string{"northside": "NH-", "riverside": "RC-"} {
		ids := tenantRows(t, d.Pool, slug, "select external_id from patients where external_id <> ''")
		if len(ids) < 40 {
			t.Errorf("%s: %d external ids, want most patients to have one", slug, len(ids))
		}
		for id, n := range countOf(ids) {
			if n > 1 || !strings.HasPrefix(id, prefix) {
				t.Errorf("%s: external id %q used %d times, want once with prefix %s", slug, id, n, prefix)
			}
		}
	}
}

func TestLoad_ATenantsTransactionSeesOnlyItsOwnPatients(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	north, err := tenants.BySlug(ctx, d.Pool, "northside")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"patients", "care_team_members", "coverages", "consents", "patient_events"} {
		q := "select tenant_id::text from " + table
		seen := countOf(tenantRows(t, d.Pool, "northside", q))
		if len(seen) != 1 || seen[north.ID] == 0 {
			t.Errorf("%s under northside: rows of tenants %v, want only northside %s", table, seen, north.ID)
		}
		var unbound int
		if err := d.Pool.QueryRow(ctx, "select count(*) from "+table).Scan(&unbound); err != nil || unbound != 0 {
			t.Errorf("%s without a tenant: %d rows (%v), want none", table, unbound, err)
		}
	}
}

// The demo must look the same on every machine and every run.
func TestLoad_GivesTheSamePatientsEveryTime(t *testing.T) {
	t.Parallel()
	seeded := dbtest.New(t, "demo")
	fresh := dbtest.New(t, "")
	if err := demo.Load(context.Background(), fresh.Pool); err != nil {
		t.Fatal(err)
	}
	q := `select external_id || ' ' || given_name || ' ' || family_name || ' ' || date_of_birth || ' ' || status || ' ' || risk_tier
	        from patients order by given_name, family_name`
	for _, slug := range []string{"northside", "riverside"} {
		want := tenantRows(t, seeded.Pool, slug, q)
		if diff := cmp.Diff(want, tenantRows(t, fresh.Pool, slug, q)); diff != "" || len(want) == 0 {
			t.Errorf("%s: a second load differs (-first +second):\n%s", slug, diff)
		}
	}
}

func TestLoad_EachTenantHasADeactivatedMemberAndAPendingInvitation(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	for _, slug := range []string{"northside", "riverside"} {
		tn, err := tenants.BySlug(ctx, d.Pool, slug)
		if err != nil {
			t.Fatal(err)
		}
		members, err := tenants.Members(ctx, d.Pool, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		var inactive, inactiveIDs []string
		for _, m := range members {
			if !m.Active {
				inactive, inactiveIDs = append(inactive, m.Email), append(inactiveIDs, m.UserID)
			}
		}
		if diff := cmp.Diff([]string{demo.Email(demo.FormerLocal, slug)}, inactive); diff != "" {
			t.Errorf("%s: deactivated members (-want +got):\n%s", slug, diff)
		}
		if _, err := auth.SignIn(ctx, d.Pool, demo.Email(demo.FormerLocal, slug), demo.Password); err != nil {
			t.Errorf("%s: the former member's password should still be right: %v", slug, err)
		}
		for _, id := range inactiveIDs {
			if ok, err := tenants.HasActiveTenant(ctx, d.Pool, id); ok || err != nil {
				t.Errorf("%s: the former member still has an active organisation (%v)", slug, err)
			}
		}
		open, err := tenants.OpenInvitations(ctx, d.Pool, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 || open[0].Email != demo.Email(demo.InvitedLocal, slug) || open[0].State(time.Now()) != tenants.InvitationOpen {
			t.Errorf("%s: open invitations %+v, want one for %s", slug, open, demo.Email(demo.InvitedLocal, slug))
		}
	}
}

func TestLoad_ContactsOverSeveralWeeksWithMixedOutcomes(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		outcomes := countOf(tenantRows(t, d.Pool, slug, "select outcome from contacts"))
		for _, o := range []string{"reached", "no_answer", "left_message", "sent"} {
			if outcomes[o] == 0 {
				t.Errorf("%s: no %s contact; outcomes %v", slug, o, outcomes)
			}
		}
		weeks := tenantRows(t, d.Pool, slug, "select distinct date_trunc('week', occurred_at)::date::text from contacts where occurred_at > now() - interval '8 weeks'")
		if len(weeks) < 5 {
			t.Errorf("%s: contacts in %d weeks of the last eight, want several", slug, len(weeks))
		}
		future := tenantRows(t, d.Pool, slug, "select id::text from contacts where occurred_at > now() or created_at > now()")
		if len(future) > 0 {
			t.Errorf("%s: %d contacts in the future", slug, len(future))
		}
	}
}

func TestLoad_EachCoordinatorHasAnUnreachablePatientAndARecentDischarge(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		for _, local := range []string{"coord1", "coord2"} {
			email := demo.Email(local, slug)
			unreachable := tenantRows(t, d.Pool, slug, `
				select p.id::text from patients p join users u on u.id = p.assigned_coordinator_id
				 where u.email = $1 and p.unreached_attempts >= 3`, email)
			if len(unreachable) != 1 {
				t.Errorf("%s %s: %d unreachable patients, want 1", slug, local, len(unreachable))
			}
			open := tenantRows(t, d.Pool, slug, `
				select t.due_at::date::text from tasks t join care_transitions tr on tr.tenant_id = t.tenant_id and tr.id = t.source_transition_id
				  join users u on u.id = t.assignee_id
				 where u.email = $1 and t.status = 'open' and tr.kind = 'discharge' and tr.occurred_on >= current_date - 7`, email)
			if len(open) != 1 {
				t.Errorf("%s %s: %d open follow-ups of a recent discharge, want 1", slug, local, len(open))
			}
		}
	}
}

func TestLoad_TasksAreOpenOverdueAndDone(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	for _, slug := range []string{"northside", "riverside"} {
		kinds := countOf(tenantRows(t, d.Pool, slug, `
			select case when status = 'done' then 'done' when due_at < now() then 'overdue' else 'open' end
			  from tasks where source = 'contact'`))
		for _, k := range []string{"done", "overdue", "open"} {
			if kinds[k] == 0 {
				t.Errorf("%s: no %s follow-up task; %v", slug, k, kinds)
			}
		}
	}
}
