package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A scale tenant is a large organisation for measuring pages against: many
// patients spread over many coordinators, one of them carrying a full
// caseload (300 patients by default), weeks of contacts, open and overdue
// tasks, and assessments falling due. Everything is generated set by set
// (generate_series), seeded so that two runs give the same shape, and
// loaded in one transaction through the application role, so row-level
// security and every constraint apply as in production. Where a rule
// decides a value, its owner's bulk function sets it: the reach state
// (contacts.RecountReachAll), tasks (tasks.CreateMany, CompleteMany), an
// assessment's band (the instrument's bands); patients and contacts
// themselves carry no rule beyond the schema's.
//
//	carecoord seed scale -tenant bigcare -patients 100000 -coordinators 30
//
// Every person signs in with Password: coord1@<tenant>.test (the full
// caseload), coord2… , supervisor@<tenant>.test, admin@<tenant>.test.

// ScaleOptions size a scale tenant.
type ScaleOptions struct {
	Slug         string
	Patients     int
	Coordinators int
	// Caseload is how many patients coord1 carries; the rest are spread
	// evenly over the other coordinators.
	Caseload int
	// Owner is a connection as the schema's owner, to analyze the tables
	// once loaded (the app role may not, and autovacuum may be off); nil
	// leaves them to autovacuum.
	Owner db.DBTX
	// Clock times the steps; nil is the system's.
	Clock calendar.Clock
}

// ScaleResult says what was loaded.
type ScaleResult struct {
	TenantID    string
	Patients    int
	Contacts    int
	OpenTasks   int
	Assessments int
	Took        time.Duration
	// Steps says how long each part took, for tuning the load.
	Steps []string
}

// ErrScaleTenantExists means a tenant with the slug is already there; a
// scale tenant is loaded once, into a database that does not have it.
var ErrScaleTenantExists = errors.New("a tenant with that slug already exists")

// Validate checks the options, filling in the default caseload.
func (o *ScaleOptions) Validate() error {
	if o.Caseload == 0 {
		o.Caseload = 300
	}
	switch {
	case o.Slug == "":
		return errors.New("-tenant is required")
	case o.Patients < 10 || o.Patients > 2_000_000:
		return errors.New("-patients must be between 10 and 2,000,000")
	case o.Coordinators < 2 || o.Coordinators > 1000:
		return errors.New("-coordinators must be between 2 and 1,000")
	case o.Caseload < 1:
		return errors.New("-caseload must be at least 1")
	}
	o.Caseload = min(o.Caseload, o.Patients/2)
	return nil
}

// LoadScale adds a scale tenant.
func LoadScale(ctx context.Context, pool *pgxpool.Pool, o ScaleOptions) (ScaleResult, error) {
	if err := o.Validate(); err != nil {
		return ScaleResult{}, err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return ScaleResult{}, err
	}
	if o.Clock == nil {
		o.Clock = calendar.System
	}
	start := o.Clock()
	var res ScaleResult
	// timed runs one step of the load, noting how long it took.
	timed := func(what string, load func() (int, error)) (int, error) {
		began := o.Clock()
		n, err := load()
		res.Steps = append(res.Steps, what+" "+o.Clock().Sub(began).Round(10*time.Millisecond).String())
		if err != nil {
			return n, fmt.Errorf("scale %s: %w", what, err)
		}
		return n, nil
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		t, err := tenants.Create(ctx, tx, o.Slug, "Scale test ("+o.Slug+")")
		if errors.Is(err, tenants.ErrSlugTaken) {
			return ErrScaleTenantExists
		}
		if err != nil {
			return err
		}
		res.TenantID = t.ID
		coords, err := scaleUsers(ctx, tx, t.ID, o, hash)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true), setseed(0.7)", t.ID); err != nil {
			return err
		}
		exec := func(sql string, args ...any) func() (int, error) {
			return func() (int, error) {
				tag, err := tx.Exec(ctx, sql, args...)
				return int(tag.RowsAffected()), err
			}
		}
		steps := []struct {
			what string
			n    *int
			load func() (int, error)
		}{
			{"patients", &res.Patients, exec(scalePatientsSQL, t.ID, o.Patients, o.Caseload, coords, scaleGiven, scaleFamily)},
			{"contacts", &res.Contacts, exec(scaleContactsSQL, t.ID)},
			{"reach", new(int), func() (int, error) { return contacts.RecountReachAll(ctx, tx, t.ID) }},
			{"tasks", &res.OpenTasks, func() (int, error) { return scaleTasks(ctx, tx, t.ID) }},
			{"assessments", &res.Assessments, func() (int, error) { return scaleAssessments(ctx, tx, t.ID) }},
		}
		for _, s := range steps {
			if *s.n, err = timed(s.what, s.load); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && o.Owner != nil {
		_, err = timed("analyze", func() (int, error) { return 0, analyzeScale(ctx, o.Owner) })
	}
	res.Took = o.Clock().Sub(start)
	return res, err
}

// analyzeScale gathers the planner's statistics on the tables a scale
// tenant fills, as autovacuum would by the time anyone signs in.
func analyzeScale(ctx context.Context, owner db.DBTX) error {
	_, err := owner.Exec(ctx, `analyze users, memberships, patients, patient_name_keys, contacts, tasks, task_events, assessments`)
	return err
}

// scaleUsers adds coord1…coordN, a supervisor and an admin, and returns
// the coordinators' ids in order.
func scaleUsers(ctx context.Context, tx pgx.Tx, tenantID string, o ScaleOptions, hash string) ([]string, error) {
	rows, _ := tx.Query(ctx, `
		with u as (
			insert into users (email, name, password_hash)
			select 'coord' || i || '@' || $1 || '.test', 'Coordinator ' || i, $3 from generate_series(1, $2) i
			returning id, email
		)
		insert into memberships (tenant_id, user_id, role)
		select $4, id, 'coordinator' from u
		returning user_id::text`, o.Slug, o.Coordinators, hash, tenantID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	// Returned in insert order, which is generate_series order; sort by
	// email to be sure coord1 comes first.
	rows, _ = tx.Query(ctx, `
		select u.id::text from users u where u.id = any($1::uuid[])
		 order by length(u.email), u.email`, ids)
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		local string
		role  auth.Role
	}{{"supervisor", auth.Supervisor}, {"admin", auth.TenantAdmin}} {
		u, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: Email(p.local, o.Slug), Name: "Scale " + p.local}, hash)
		if err != nil {
			return nil, err
		}
		if err := tenants.AddMember(ctx, tx, tenantID, u.ID, p.role); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

var (
	scaleGiven = []string{"Margaret", "Patricia", "Linda", "Barbara", "Dorothy", "Ruth", "Helen", "Rosa", "Aisha", "Mei",
		"James", "Robert", "Walter", "Harold", "George", "Arjun", "Kwame", "Diego", "Tomas", "Olga"}
	scaleFamily = []string{"Smith", "Johnson", "Garcia", "Nguyen", "Okafor", "Patel", "Kowalski", "Reyes", "Hall", "Kim",
		"Brooks", "Murphy", "Tanaka", "Ivanova", "Silva", "Mensah", "Lindqvist", "Haddad", "Byrne", "Cruz"}
)

// Patients: the first Caseload go to coord1, the rest round the other
// coordinators; one in forty referrals is left unassigned. Statuses and
// tiers in the proportions of a working programme.
const scalePatientsSQL = `
	insert into patients (tenant_id, given_name, family_name, date_of_birth, phone, external_id, status, risk_tier,
		assigned_coordinator_id, referral_date, created_at)
	select $1, ($5::text[])[1 + (i * 7) % cardinality($5)], ($6::text[])[1 + (i * 13 / 7) % cardinality($6)],
	       date '1935-01-01' + (random() * 25000)::int, '555-' || lpad((i % 10000)::text, 4, '0'),
	       'S' || lpad(i::text, 8, '0'), status, tier,
	       case when i <= $3 then ($4::uuid[])[1]
	            when status = 'referred' and i % 40 = 0 then null
	            else ($4::uuid[])[2 + i % (cardinality($4) - 1)] end,
	       case when status = 'referred' then current_date - (random() * 10)::int else current_date - 30 - (random() * 500)::int end,
	       now() - interval '1 day' * (random() * 30)
	  from (select i,
	               case when s < 0.08 then 'referred' when s < 0.78 then 'active' when s < 0.85 then 'on_hold' else 'discharged' end as status,
	               case when r < 0.2 then 'high' when r < 0.65 then 'moderate' else 'low' end as tier
	          from (select i, random() s, random() r from generate_series(1, $2) i) x) y`

// Contacts: nought to six for each patient still followed, over the last
// eight weeks, mostly reached, some missed; the author is the coordinator.
const scaleContactsSQL = `
	insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, outcome, minutes, summary, author_id, created_at)
	select p.tenant_id, p.id, at,
	       (array['phone', 'phone', 'phone', 'home_visit', 'video', 'text'])[1 + (g * 5 + length(p.family_name)) % 6],
	       'outbound', 'patient', outcome,
	       case when outcome = 'reached' then 5 + (random() * 40)::int end,
	       case when outcome = 'reached' then 'Checked in; no new concerns.' else '' end,
	       p.assigned_coordinator_id, at + interval '15 minutes'
	  from (select tenant_id, id, family_name, assigned_coordinator_id, (random() * 6)::int as k
	          from patients where tenant_id = $1 and status <> 'discharged' and assigned_coordinator_id is not null) p
	  cross join lateral generate_series(1, p.k) g
	  -- Volatile values in a select list are drawn per row; the reference
	  -- to g keeps the planner from drawing them once for all.
	  cross join lateral (select now() - interval '1 minute' * (60 + (random() * 80000)::int) as at,
	                             (array['reached', 'reached', 'reached', 'reached', 'reached', 'reached', 'no_answer',
	                                    'no_answer', 'left_message', 'wrong_number'])[1 + (random() * 9)::int] as outcome
	                       where g > 0) c`

// scaleTasks gives about a third of the patients followed a follow-up
// task, due from ten days ago to two weeks ahead, made as every task is
// (tasks.CreateMany); one in ten is done already (tasks.CompleteMany). It
// returns how many are open.
func scaleTasks(ctx context.Context, tx pgx.Tx, tenantID string) (int, error) {
	type drawn struct {
		PatientID, CoordinatorID string
		Done, Urgent             bool
		Due                      time.Time
	}
	rows, _ := tx.Query(ctx, scaleTasksSQL, tenantID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[drawn])
	if err != nil {
		return 0, err
	}
	ts := make([]tasks.NewTask, len(list))
	for i, d := range list {
		ts[i] = tasks.NewTask{PatientID: d.PatientID, Title: "Follow up on the last call", DueAt: d.Due, AssigneeID: d.CoordinatorID,
			Priority: tasks.Normal, Source: tasks.FromContact}
		if d.Urgent {
			ts[i].Priority = tasks.Urgent
		}
	}
	ids, err := tasks.CreateMany(ctx, tx, tenantID, ts)
	if err != nil {
		return 0, err
	}
	var done []tasks.Completion
	for i, d := range list {
		if d.Done {
			done = append(done, tasks.Completion{TaskID: ids[i], ActorID: d.CoordinatorID, At: d.Due.Add(-time.Hour)})
		}
	}
	n, err := tasks.CompleteMany(ctx, tx, tenantID, done)
	return len(list) - n, err
}

// scaleTasksSQL draws the patients who have a task, and each task's fate.
const scaleTasksSQL = `
	select id::text as patient_id, assigned_coordinator_id::text as coordinator_id, random() < 0.1 as done, random() < 0.03 as urgent,
	       date_trunc('day', now()) + interval '1 day' * (-10 + (random() * 24)::int) + interval '23 hours 59 minutes' as due
	  from patients
	 where tenant_id = $1 and status in ('active', 'referred') and assigned_coordinator_id is not null and random() < 0.35`

// scaleAssessments gives about a third of active patients a completed
// PHQ-9, some moderate or worse and older than 90 days, so re-assessments
// fall due. Each result's band, severity and interpretation are the
// instrument's for its total.
func scaleAssessments(ctx context.Context, tx pgx.Tx, tenantID string) (int, error) {
	in, _ := assessments.Current("PHQ-9")
	maxTotal := 0
	for _, b := range in.Bands {
		maxTotal = max(maxTotal, b.Max)
	}
	labels, severities, meanings := make([]string, maxTotal+1), make([]int, maxTotal+1), make([]string, maxTotal+1)
	for _, b := range in.Bands {
		for total := b.Min; total <= b.Max; total++ {
			labels[total], severities[total], meanings[total] = b.Label, int(b.Severity), b.Interpretation
		}
	}
	tag, err := tx.Exec(ctx, scaleAssessmentsSQL, tenantID, in.Version, maxTotal, labels, severities, meanings)
	return int(tag.RowsAffected()), err
}

const scaleAssessmentsSQL = `
	insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, status, total, band, severity,
		interpretation, method, administered_by, started_at, completed_at)
	select tenant_id, id, 'PHQ-9', $2, 'completed', total, ($4::text[])[total + 1], ($5::int[])[total + 1], ($6::text[])[total + 1],
	       'phone', assigned_coordinator_id, at, at
	  from (select tenant_id, id, assigned_coordinator_id, (random() * $3)::int as total,
	               now() - interval '1 day' * (10 + (random() * 200)::int) as at
	          from patients where tenant_id = $1 and status = 'active' and random() < 0.33) p`
