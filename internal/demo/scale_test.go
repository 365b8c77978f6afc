package demo_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"

	"github.com/jackc/pgx/v5"
)

// loadSmallScale loads a 500-patient scale tenant, analyzed as the owner
// as the command does.
func loadSmallScale(t *testing.T) (dbtest.DB, demo.ScaleResult) {
	d, res, _ := loadSmallScaleOwned(t)
	return d, res
}

// loadSmallScaleOwned is loadSmallScale with the owner's connection too.
func loadSmallScaleOwned(t *testing.T) (dbtest.DB, demo.ScaleResult, *pgx.Conn) {
	t.Helper()
	d := dbtest.New(t, "")
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(ctx) })
	res, err := demo.LoadScale(ctx, d.Pool, demo.ScaleOptions{Slug: "smallscale", Patients: 500, Coordinators: 6, Caseload: 60, Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	return d, res, owner
}

func TestLoadScale_ASmallRunHasTheShapeOfTheBigOne(t *testing.T) {
	t.Parallel()
	d, res := loadSmallScale(t)
	// The totals at 100,000 patients, per 500, with room for the
	// draw: 1,000,000 contacts, 300,000 assessments, 200,000 tasks,
	// 80,000 plans, 50,000 referrals, 20,000 transitions.
	for _, c := range []struct {
		table    string
		loaded   int
		min, max int
	}{
		{"patients", res.Patients, 500, 500},
		{"contacts", res.Contacts, 4500, 5500},
		{"assessments", res.Assessments, 1300, 1700},
		{"tasks", res.Tasks, 800, 1200},
		{"care_plans", res.CarePlans, 330, 470},
		{"referrals", res.Referrals, 250, 250},
		{"care_transitions", res.Transitions, 70, 130},
	} {
		stored := tenantRows(t, d.Pool, "smallscale", "select count(*)::text from "+c.table)
		if stored[0] != strconv.Itoa(c.loaded) || c.loaded < c.min || c.loaded > c.max {
			t.Errorf("%s: %d loaded, %s stored; want %d to %d", c.table, c.loaded, stored[0], c.min, c.max)
		}
	}
	if res.Goals < res.CarePlans || res.Interventions < res.Goals || res.OpenTasks == 0 || res.OpenTasks > res.Tasks/2 {
		t.Errorf("goals, interventions and open tasks out of shape: %+v", res)
	}
}

func TestLoadScale_ActivityAndCaseloadsAreSkewedLikeARealProgramme(t *testing.T) {
	t.Parallel()
	d, _ := loadSmallScale(t)
	// The busiest fifth of the patients hold most of the contacts.
	share := tenantRows(t, d.Pool, "smallscale", `
		select round(100 * sum(n) filter (where rank <= (select count(*) from patients) / 5) / sum(n))::text
		  from (select count(c.id) n, row_number() over (order by count(c.id) desc) rank
		          from patients p left join contacts c on c.tenant_id = p.tenant_id and c.patient_id = p.id
		         group by p.id) x`)
	if n, _ := strconv.Atoi(share[0]); n < 55 || n > 90 {
		t.Errorf("the busiest fifth of the patients hold %s%% of the contacts, want most (55-90%%)", share[0])
	}
	// Everyone past a new referral has a coordinator; loads differ.
	if bad := tenantRows(t, d.Pool, "smallscale", `
		select id::text from patients where assigned_coordinator_id is null and status <> 'referred'`); len(bad) > 0 {
		t.Errorf("%d patients in care with no coordinator", len(bad))
	}
	loads := countOf(tenantRows(t, d.Pool, "smallscale", `
		select u.email from patients p join users u on u.id = p.assigned_coordinator_id`))
	least, most := 1<<30, 0
	for email, n := range loads {
		if email != "coord1@smallscale.test" {
			least, most = min(least, n), max(most, n)
		}
	}
	if loads["coord1@smallscale.test"] != 60 || most < least*13/10 {
		t.Errorf("caseloads %v: want 60 for coord1 and uneven loads for the others", loads)
	}
}

func TestLoadScale_NamesHaveARealisticSpreadWithAccentsAndHyphens(t *testing.T) {
	t.Parallel()
	d, _ := loadSmallScale(t)
	got := tenantRows(t, d.Pool, "smallscale", `
		select concat_ws(' ', count(distinct family_name), count(distinct given_name),
		       count(*) filter (where given_name || family_name ~ '[^ -~]'),
		       count(*) filter (where family_name ~ '[-'' ]'),
		       (select max(n) from (select count(*) n from patients group by family_name) f)) from patients`)
	var families, givens, accented, multipart, commonest int
	if _, err := fmt.Sscan(got[0], &families, &givens, &accented, &multipart, &commonest); err != nil {
		t.Fatal(err)
	}
	// 500 patients: a register with a long tail has hundreds of family
	// names, the commonest held by a handful, not 25 each of 20.
	if families < 200 || givens < 150 || accented == 0 || multipart == 0 || commonest > 25 {
		t.Errorf("%d family names, %d given, %d accented, %d multi-part, commonest held by %d", families, givens, accented, multipart, commonest)
	}
}

func TestLoadScale_RulesDecideWhatTheyOwnAndStatisticsAreFresh(t *testing.T) {
	t.Parallel()
	d, _, owner := loadSmallScaleOwned(t)
	ctx := context.Background()
	checks := map[string]string{
		"patients whose reach state differs from their contacts": `
			select p.id::text from patients p
			 where p.last_reached_at is distinct from (select max(occurred_at) from contacts c where c.tenant_id = p.tenant_id
			        and c.patient_id = p.id and c.party = 'patient' and c.outcome in ('reached', 'declined'))`,
		"PHQ-9 results banded otherwise than the instrument": `
			select id::text from assessments where instrument_code = 'PHQ-9' and band <> case when total >= 20 then 'Severe'
			       when total >= 15 then 'Moderately severe' when total >= 10 then 'Moderate' when total >= 5 then 'Mild' else 'Minimal' end`,
		"done tasks without their completion in the history": `
			select t.id::text from tasks t where t.status = 'done'
			   and not exists (select 1 from task_events e where e.task_id = t.id and e.kind = 'completed')`,
		"interventions done whose task is open, or open whose task is done": `
			select i.id::text from interventions i join tasks t on t.tenant_id = i.tenant_id and t.source_intervention_id = i.id
			 where (i.status = 'done') <> (t.status = 'done')`,
		"plans in force without an approved revision": `
			select c.id::text from care_plans c where c.status = 'active' and not exists
			       (select 1 from care_plan_revisions r where r.plan_id = c.id and r.kind = 'approved')`,
		"patients without their name search keys": `
			select p.id::text from patients p where not exists (select 1 from patient_name_keys k where k.patient_id = p.id)`,
	}
	for what, query := range checks {
		if bad := tenantRows(t, d.Pool, "smallscale", query); len(bad) > 0 {
			t.Errorf("%d %s", len(bad), what)
		}
	}
	// ANALYZE ran: the planner knows the tables' sizes, and their columns
	// were sampled (pg_stats itself hides tables under forced row-level
	// security, even from their owner).
	rows, _ := owner.Query(ctx, `
		select c.relname from pg_class c
		 where c.relname in ('patients', 'patient_name_keys', 'contacts', 'assessments', 'tasks', 'care_plans', 'goals',
		                     'interventions', 'referrals', 'care_transitions')
		   and (c.reltuples <= 0 or not exists (select 1 from pg_stat_user_tables s where s.relid = c.oid and s.last_analyze is not null))`)
	unknown, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(unknown) > 0 {
		t.Errorf("tables without planner statistics: %v %v", unknown, err)
	}
	for _, who := range []string{"coord1", "supervisor"} {
		if _, err := auth.SignIn(ctx, d.Pool, demo.Email(who, "smallscale"), demo.Password); err != nil {
			t.Errorf("%s signs in: %v", who, err)
		}
	}
	if _, err := demo.LoadScale(ctx, d.Pool, demo.ScaleOptions{Slug: "smallscale", Patients: 20, Coordinators: 2}); !errors.Is(err, demo.ErrScaleTenantExists) {
		t.Errorf("second load: %v, want ErrScaleTenantExists", err)
	}
}
