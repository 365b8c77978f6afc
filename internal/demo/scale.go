package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A scale tenant is a large organisation for measuring pages against: many
// patients spread over many coordinators, one of them carrying a full
// caseload (300 patients by default), weeks of contacts, open and overdue
// tasks, and assessments falling due. Everything is generated with
// set-based SQL (generate_series), seeded so that two runs give the same
// shape, and loaded in one transaction through the application role, so
// row-level security and every constraint apply as in production.
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
	start := time.Now()
	var res ScaleResult
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
		steps := []struct {
			what string
			n    *int
			sql  string
			args []any
		}{
			{"patients", &res.Patients, scalePatientsSQL, []any{t.ID, o.Patients, o.Caseload, coords, scaleGiven, scaleFamily}},
			{"contacts", &res.Contacts, scaleContactsSQL, []any{t.ID}},
			{"reach", nil, scaleReachSQL, []any{t.ID}},
			{"tasks", &res.OpenTasks, scaleTasksSQL, []any{t.ID}},
			{"assessments", &res.Assessments, scaleAssessmentsSQL, []any{t.ID, phq9Version()}},
		}
		for _, s := range steps {
			began := time.Now()
			tag, err := tx.Exec(ctx, s.sql, s.args...)
			res.Steps = append(res.Steps, s.what+" "+time.Since(began).Round(10*time.Millisecond).String())
			if err != nil {
				return fmt.Errorf("scale %s: %w", s.what, err)
			}
			if s.n != nil {
				*s.n = int(tag.RowsAffected())
			}
		}
		return tx.QueryRow(ctx, "select count(*) from tasks where tenant_id = $1 and status = 'open'", t.ID).Scan(&res.OpenTasks)
	})
	res.Took = time.Since(start)
	return res, err
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

func phq9Version() string {
	in, _ := assessments.Current("PHQ-9")
	return in.Version
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

// Reach: what logging a contact (contacts.Service) keeps per patient,
// worked out for all at once in one sorted pass over the contacts (a
// window, then a group), so the plan stays linear even before the new rows
// have statistics.
const scaleReachSQL = `
	with c as (
		select patient_id, occurred_at, outcome in ('left_message', 'no_answer', 'wrong_number') as miss,
		       max(occurred_at) filter (where outcome in ('reached', 'declined')) over (partition by patient_id) as last_ok
		  from contacts where tenant_id = $1 and party = 'patient'
	), r as (
		select patient_id, max(last_ok) as last_ok, max(occurred_at) filter (where miss) as last_miss,
		       count(*) filter (where miss and (last_ok is null or occurred_at > last_ok)) as misses
		  from c group by patient_id
	)
	update patients p set last_reached_at = r.last_ok, last_attempt_at = r.last_miss, unreached_attempts = r.misses
	  from r
	 where p.tenant_id = $1 and p.id = r.patient_id`

// Tasks: a follow-up for about a third of the patients followed, due from
// ten days ago to two weeks ahead; one in ten already done.
const scaleTasksSQL = `
	insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, status, priority, source, completed_by, completed_at, created_at)
	select tenant_id, id, 'Follow up on the last call', due, assigned_coordinator_id,
	       case when done then 'done' else 'open' end, case when urgent then 'urgent' else 'normal' end, 'contact',
	       case when done then assigned_coordinator_id end, case when done then due - interval '1 hour' end,
	       due - interval '5 days'
	  from (select tenant_id, id, assigned_coordinator_id, random() < 0.1 as done, random() < 0.03 as urgent,
	               date_trunc('day', now()) + interval '1 day' * (-10 + (random() * 24)::int) + interval '23 hours 59 minutes' as due
	          from patients
	         where tenant_id = $1 and status in ('active', 'referred') and assigned_coordinator_id is not null and random() < 0.35) p`

// Assessments: a completed PHQ-9 for about a third of active patients,
// some moderate or worse and older than 90 days, so re-assessments fall due.
const scaleAssessmentsSQL = `
	insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, status, total, band, severity,
		method, administered_by, started_at, completed_at)
	select tenant_id, id, 'PHQ-9', $2, 'completed', total, '', least(4, total / 5), 'phone', assigned_coordinator_id, at, at
	  from (select tenant_id, id, assigned_coordinator_id, (random() * 27)::int as total,
	               now() - interval '1 day' * (10 + (random() * 200)::int) as at
	          from patients where tenant_id = $1 and status = 'active' and random() < 0.33) p`
