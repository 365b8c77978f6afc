package server

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"carecoord/internal/caseload"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statementCounter counts the statements sent on a pool (a pgx tracer).
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// withCountedStatements makes the server use a pool over the same test
// database whose statements counter counts; the test's own setup keeps
// using app.db.Pool, so only what the pages send is counted.
func withCountedStatements(t *testing.T, counter *statementCounter) func(*Options) {
	return func(o *Options) {
		cfg, err := pgxpool.ParseConfig(o.Pool.Config().ConnString())
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.Tracer = counter
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		o.Pool = pool
	}
}

// The heavy pages send a fixed number of statements whatever the number of
// rows they show: with ten more plans awaiting approval, ten more overdue
// tasks and ten more patients on a coordinator's caseload, each page sends
// exactly as many as before (no statement per row, no N+1).
func TestStatements_HeavyPagesDoNotGrowWithTheRowsTheyShow(t *testing.T) {
	t.Parallel()
	var counter statementCounter
	app := newTestApp(t, withCountedStatements(t, &counter))
	grace := app.signedIn("supervisor@northside.test")
	coord := app.signedIn("coord1@northside.test")
	coordID := app.listUserID("coord1@northside.test")
	var chartPatient string
	if err := app.scanInTenant("northside", `
		select p.id from patients p join care_plans c on c.tenant_id = p.tenant_id and c.patient_id = p.id
		 where c.status = 'active' and p.assigned_coordinator_id = $1 order by p.id limit 1`,
		[]any{coordID}, &chartPatient); err != nil {
		t.Fatal(err)
	}
	type page struct {
		who  *client
		path string
	}
	pages := []page{
		{coord, "/t/northside/patients/" + chartPatient},
		{coord, "/t/northside/worklist"},
		{grace, "/t/northside/caseload"},
		{grace, "/t/northside/caseload/patients"},
		{grace, "/t/northside/caseload/patients?coordinator=" + coordID},
		{grace, "/t/northside/caseload/measures"},
		{grace, "/t/northside/approvals"},
	}
	for _, f := range caseload.Flags {
		pages = append(pages, page{grace, "/t/northside/caseload/patients?flag=" + string(f.Value)})
	}
	count := func() map[string]int64 {
		out := map[string]int64{}
		for _, p := range pages {
			p.who.get(p.path) // the first request warms per-process caches
			before := counter.n.Load()
			res := p.who.get(p.path)
			if res.status != 200 {
				t.Fatalf("%s: status %d", p.path, res.status)
			}
			out[p.path] = counter.n.Load() - before
		}
		return out
	}
	before := count()

	app.addListPatients("northside", tenMore()...)
	app.execInTenant("northside", `
		insert into care_plans (tenant_id, patient_id, title, stage, submitted_at, submitted_by)
		select p.tenant_id, p.id, 'Plan to approve', 'submitted', now(), $1
		  from patients p
		 where not exists (select 1 from care_plans c where c.tenant_id = p.tenant_id and c.patient_id = p.id
		                      and c.status in ('draft', 'active'))
		 order by p.id limit 10`, coordID)
	app.execInTenant("northside", `
		insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, source)
		select p.tenant_id, p.id, 'Call back', now() - interval '2 days', $1, 'manual'
		  from patients p where p.assigned_coordinator_id = $1 order by p.id = $2 desc, p.id limit 10`, coordID, chartPatient)

	after := count()
	for _, p := range pages {
		if after[p.path] != before[p.path] {
			t.Errorf("%s: %d statements with more rows, %d before", p.path, after[p.path], before[p.path])
		}
	}
	var added int
	if err := app.scanInTenant("northside", `select count(*) from care_plans where stage = 'submitted' and title = 'Plan to approve'`,
		nil, &added); err != nil || added != 10 {
		t.Fatalf("%d plans added, want 10 (%v)", added, err)
	}
}

// tenMore are ten more patients on coord1's caseload.
func tenMore() []listPatient {
	var out []listPatient
	for i := range 10 {
		out = append(out, listPatient{given: "Extra", family: fmt.Sprintf("Statements%02d", i), coordinator: "coord1@northside.test"})
	}
	return out
}
