package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A scale tenant is a large organisation with a year of history, for
// measuring pages against: by default 100,000 patients, about a million
// contacts, 300,000 assessments, 200,000 tasks, 80,000 care plans with
// their needs, goals and interventions, 50,000 referrals and 20,000
// transitions of care. It is shaped like a real programme: activity is
// skewed (a minority of patients, the high-risk ones mostly, hold most of
// the contacts), 30 coordinators carry uneven loads (coord1 a full
// caseload of 300, the others between one and two and a half times each
// other's), and names follow a real-world frequency (see scalenames.go).
//
// The population is drawn in Go from a seeded generator (two runs give the
// same shape, relative to the day they run) and loaded with COPY (pgx
// CopyFrom) in one transaction through the application role, so row-level
// security and every constraint and trigger apply as in production (the
// name search keys are the patients table's trigger's). Where a rule
// decides a value, its owner's function decides it: the reach state
// (contacts.RecountReachAll), tasks (tasks.CreateMany, CompleteMany), an
// assessment's total, band and interpretation (the instrument's Score), a
// plan revision's snapshot (careplans.SnapshotOf), a referral's follow-up
// day (referrals.FollowUpDay), a discharge's kept follow-up engagement
// (contacts.WorkOutFollowUps). Once loaded the tables are analyzed as the
// schema's owner, since autovacuum may be off.
//
//	carecoord seed scale                          # bigcare (100,000) and smallcare (1,000)
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
	// unevenly over the other coordinators.
	Caseload int
	// Owner is a connection as the schema's owner. With it the load runs
	// as the owner (row-level security binds the owner too: every tenant
	// table FORCEs it), so that it may analyze each table as it fills
	// (see copyThrough) and all of them once loaded: the app role may
	// not, and autovacuum may be off. nil loads as pool's role and leaves
	// the statistics to autovacuum.
	Owner OwnerConn
	// Clock times the steps and places the history; nil is the system's.
	Clock calendar.Clock
	// Progress, when set, gets a line for each table loaded: rows and
	// seconds.
	Progress io.Writer
}

// OwnerConn is a connection as the schema's owner.
type OwnerConn interface {
	db.DBTX
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ScaleResult says what was loaded.
type ScaleResult struct {
	TenantID      string
	Patients      int
	Contacts      int
	Assessments   int
	Tasks         int
	OpenTasks     int
	CarePlans     int
	Goals         int
	Interventions int
	Referrals     int
	Transitions   int
	Took          time.Duration
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

// ScaleExists reports whether a tenant with the slug is there already.
func ScaleExists(ctx context.Context, q db.DBTX, slug string) (bool, error) {
	_, err := tenants.BySlug(ctx, q, slug)
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
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
	l := &scaleLoad{o: o, res: &ScaleResult{}}
	var conn interface {
		Begin(ctx context.Context) (pgx.Tx, error)
	} = pool
	if o.Owner != nil {
		conn = o.Owner
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		t, err := tenants.Create(ctx, tx, o.Slug, "Scale test ("+o.Slug+")")
		if errors.Is(err, tenants.ErrSlugTaken) {
			return ErrScaleTenantExists
		}
		if err != nil {
			return err
		}
		l.res.TenantID = t.ID
		staff, err := scaleUsers(ctx, tx, t.ID, o, hash)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true)", t.ID); err != nil {
			return err
		}
		var tenantID pgtype.UUID
		if err := tenantID.Scan(t.ID); err != nil {
			return err
		}
		l.g = drawScale(o, tenantID, staff, start)
		l.g.note, l.g.clock = l.note, o.Clock
		return l.run(ctx, tx)
	})
	if err == nil && o.Owner != nil {
		err = l.step("analyze", func() (int, error) { return 0, AnalyzeScale(ctx, o.Owner) })
	}
	l.res.Took = o.Clock().Sub(start)
	return *l.res, err
}

// scaleLoad loads one drawn tenant, step by step, noting each step.
type scaleLoad struct {
	o   ScaleOptions
	g   *scaleGen
	res *ScaleResult
}

func (l *scaleLoad) run(ctx context.Context, tx pgx.Tx) error {
	r, g := l.res, l.g
	steps := []struct {
		what string
		n    *int
		load func() (int, error)
	}{
		{"patients", &r.Patients, func() (int, error) { return g.copyPatients(ctx, tx) }},
		{"contacts", &r.Contacts, func() (int, error) { return g.copyContacts(ctx, tx) }},
		{"reach", new(int), func() (int, error) { return contacts.RecountReachAll(ctx, tx, r.TenantID) }},
		{"assessments", &r.Assessments, func() (int, error) { return g.copyAssessments(ctx, tx) }},
		{"resources", new(int), func() (int, error) { return g.copyResources(ctx, tx) }},
		{"care plans", &r.CarePlans, func() (int, error) { return g.copyPlans(ctx, tx, r) }},
		{"referrals", &r.Referrals, func() (int, error) { return g.copyReferrals(ctx, tx) }},
		{"transitions", &r.Transitions, func() (int, error) { return g.copyTransitions(ctx, tx) }},
		{"follow-ups", new(int), func() (int, error) {
			return contacts.WorkOutFollowUps(ctx, tx, r.TenantID, tenants.DefaultSettings().Location())
		}},
		{"tasks", &r.Tasks, func() (int, error) { return g.loadTasks(ctx, tx, r) }},
	}
	for _, s := range steps {
		n := 0
		err := l.step(s.what, func() (int, error) {
			var err error
			n, err = s.load()
			return n, err
		})
		*s.n = n
		if err != nil {
			return err
		}
	}
	return nil
}

// step runs one step of the load, noting how long it took and printing
// it to Progress.
func (l *scaleLoad) step(what string, load func() (int, error)) error {
	began := l.o.Clock()
	n, err := load()
	took := l.o.Clock().Sub(began)
	l.res.Steps = append(l.res.Steps, fmt.Sprintf("%s %d rows %.1fs", what, n, took.Seconds()))
	if l.o.Progress != nil {
		fmt.Fprintf(l.o.Progress, "%-10s %-12s %9d rows %7.1f s\n", l.o.Slug, what, n, took.Seconds())
	}
	if err != nil {
		return fmt.Errorf("scale %s: %w", what, err)
	}
	return nil
}

// note prints a part of a step.
func (l *scaleLoad) note(table string, rows int, took time.Duration) {
	if l.o.Progress != nil {
		fmt.Fprintf(l.o.Progress, "%-10s   %-20s %9d rows %7.1f s\n", l.o.Slug, table, rows, took.Seconds())
	}
}

// AnalyzeScale gathers the planner's statistics on the tables a scale
// tenant fills, as autovacuum would by the time anyone signs in. owner is
// a connection as the schema's owner. Loading several tenants, analyze
// once after the last (leave ScaleOptions.Owner nil).
func AnalyzeScale(ctx context.Context, owner db.DBTX) error {
	_, err := owner.Exec(ctx, `analyze users, memberships, patients, patient_name_keys, patient_name_vocab, contacts, tasks, task_events, assessments,
		resources, resource_search_keys, needs, care_plans, care_plan_needs, goals, interventions, care_plan_revisions,
		referrals, referral_events, care_transitions`)
	return err
}

// scaleStaff are the tenant's people: the coordinators in order (coord1
// first) with their names, and the supervisor.
type scaleStaff struct {
	coords     []pgtype.UUID
	names      []string
	supervisor pgtype.UUID
}

// scaleUsers adds coord1…coordN, a supervisor and an admin.
func scaleUsers(ctx context.Context, tx pgx.Tx, tenantID string, o ScaleOptions, hash string) (scaleStaff, error) {
	rows, _ := tx.Query(ctx, `
		with u as (
			insert into users (email, name, password_hash)
			select 'coord' || i || '@' || $1 || '.test', 'Coordinator ' || i, $3 from generate_series(1, $2) i
			returning id, email, name
		), m as (
			insert into memberships (tenant_id, user_id, role)
			select $4, id, 'coordinator' from u
		)
		select id, name from u order by length(email), email`, o.Slug, o.Coordinators, hash, tenantID)
	var s scaleStaff
	var id pgtype.UUID
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		s.coords, s.names = append(s.coords, id), append(s.names, name)
		return nil
	}); err != nil {
		return s, err
	}
	for _, p := range []struct {
		local string
		role  auth.Role
	}{{"supervisor", auth.Supervisor}, {"admin", auth.TenantAdmin}} {
		u, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: Email(p.local, o.Slug), Name: "Scale " + p.local}, hash)
		if err != nil {
			return s, err
		}
		if err := tenants.AddMember(ctx, tx, tenantID, u.ID, p.role); err != nil {
			return s, err
		}
		if p.role == auth.Supervisor {
			if err := s.supervisor.Scan(u.ID); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}
