package caseload_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/referrals"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// scaleShape is the scale seed's shape in miniature: enough patients,
// contacts, tasks and assessments that a sequential scan of one of them
// costs the planner more than an index does, loaded in seconds.
func loadScaleShape(ctx context.Context, pool *pgxpool.Pool, owner *pgx.Conn) error {
	_, err := demo.LoadScale(ctx, pool, demo.ScaleOptions{Slug: "shape", Patients: 5000, Coordinators: 10, Caseload: 300, Owner: owner})
	return err
}

// statement is one statement a page sent, with its arguments.
type statement struct {
	sql  string
	args []any
}

// recorder keeps every statement sent on a pool (a pgx tracer).
type recorder struct {
	mu   sync.Mutex
	sent []statement
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, statement{d.SQL, d.Args})
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// largeTables are the tenant-owned tables that grow with the organisation
// and hold, in the test's database, more rows than fit a few pages (the
// shape has no plans or referrals, which the planner rightly reads whole).
var largeTables = map[string]bool{}

// largeCandidates are the tables that grow with the organisation.
var largeCandidates = []string{"patients", "contacts", "assessments", "tasks", "care_plans", "referrals",
	"patient_events", "audit_events", "patient_name_keys"}

// The supervisor's patient lists, every flag, order and scope, and the
// open-referrals list with its next page, read nothing whole: each statement they send is planned without a sequential
// scan of a large tenant-owned table, on fresh statistics of the scale
// seed's shape (5,000 patients).
func TestExplain_PatientListsScanNoLargeTableWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t, "scale")
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, "analyze"); err != nil {
		t.Fatal(err)
	}
	for _, rel := range largeCandidates {
		var rows float64
		if err := owner.QueryRow(ctx, `select reltuples from pg_class where relname = $1 and relkind = 'r'`, rel).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		largeTables[rel] = rows >= 1000
	}
	var tenant, sue, coord string
	if err := owner.QueryRow(ctx, `select id from tenants where slug = 'shape'`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	// The coordinator with the most patients, and a supervisor.
	if err := owner.QueryRow(ctx, `
		select set_config('app.tenant_id', $1, false),
		       (select m.user_id::text from memberships m where m.tenant_id = $1::uuid and m.role = 'supervisor' limit 1),
		       (select p.assigned_coordinator_id::text from patients p where p.tenant_id = $1::uuid and p.assigned_coordinator_id is not null
		         group by 1 order by count(*) desc limit 1)`, tenant).Scan(nil, &sue, &coord); err != nil {
		t.Fatal(err)
	}

	rec := &recorder{}
	cfg, err := pgxpool.ParseConfig(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	svc := caseload.NewService(pool)
	a := tenants.Actor{TenantID: tenant, UserID: sue, Role: auth.Supervisor, Settings: tenants.DefaultSettings(), At: calendar.System()}
	var filters []caseload.Filter
	for _, who := range []*string{nil, &coord} {
		for _, f := range append([]caseload.Flag{""}, flagValues()...) {
			for _, s := range []caseload.Sort{caseload.ByName, caseload.ByRisk, caseload.ByContact} {
				filters = append(filters, caseload.Filter{Coordinator: who, Flag: f, Sort: s})
			}
		}
	}
	for _, f := range filters {
		page, err := svc.PatientList(ctx, a, f)
		if err != nil {
			t.Fatal(err)
		}
		if page.Next != "" { // and the next page, from a cursor
			f.After = page.Next
			if _, err := svc.PatientList(ctx, a, f); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The open-referrals list, the team's and a coordinator's, and its
	// next page: read in referrals_open_order_idx's order from the cursor.
	refs := referrals.NewService(pool)
	asCoord := a
	asCoord.UserID, asCoord.Role = coord, auth.Coordinator
	for _, who := range []tenants.Actor{a, asCoord} {
		l, err := refs.OpenReferrals(ctx, who, "")
		if err != nil {
			t.Fatal(err)
		}
		if l.Next == "" && who.UserID == sue {
			t.Fatalf("the team's open referrals fit one page: the shape has too few to explain the next")
		}
		if l.Next != "" {
			if _, err := refs.OpenReferrals(ctx, who, l.Next); err != nil {
				t.Fatal(err)
			}
		}
	}

	explained, counts := 0, 0
	for _, s := range rec.sent {
		q := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s.sql), "/* bounded count */")))
		if !strings.HasPrefix(q, "select") && !strings.HasPrefix(q, "with") {
			continue
		}
		var plan []byte
		err := db.InTenant(ctx, d.Pool, tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "explain (format json) "+s.sql, s.args...).Scan(&plan)
		})
		if err != nil {
			t.Fatalf("explain: %v\n%s", err, s.sql)
		}
		explained++
		var nodes []struct{ Plan planNode }
		if err := json.Unmarshal(plan, &nodes); err != nil {
			t.Fatal(err)
		}
		// The list's count of matches stops at its cap (a Limit): it may
		// read patients in table order, never more than the cap's worth
		// of matches.
		bounded := strings.HasPrefix(strings.TrimSpace(s.sql), "/* bounded count */")
		if bounded {
			counts++
		}
		for _, n := range nodes {
			rel := n.Plan.seqScanned(bounded)
			if rel != "" {
				t.Errorf("sequential scan of %s in:\n%s\n%s", rel, s.sql, plan)
			}
		}
	}
	if explained < len(filters) || counts == 0 {
		t.Fatalf("only %d statements (%d counts) explained for %d lists", explained, counts, len(filters))
	}
}

// planNode is one node of a JSON plan.
type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

// seqScanned names the first large table the plan reads whole, or "";
// with bounded, a scan below a Limit is not counted.
func (n planNode) seqScanned(bounded bool) string {
	if bounded && n.NodeType == "Limit" {
		return ""
	}
	if n.NodeType == "Seq Scan" && largeTables[n.Relation] {
		return n.Relation
	}
	for _, c := range n.Plans {
		if rel := c.seqScanned(bounded); rel != "" {
			return rel
		}
	}
	return ""
}

func flagValues() []caseload.Flag {
	var out []caseload.Flag
	for _, f := range caseload.Flags {
		out = append(out, f.Value)
	}
	return out
}

// The measures read nothing whole either: each statement caseload.Measures
// sends for the last 30 days and each month of the trend, with some discharges
// not worked out yet (read from their contacts) and without, is planned
// without a sequential scan of contacts, care_transitions or another large
// tenant-owned table, on fresh statistics of the scale seed's shape.
func TestExplain_MeasuresScanNoLargeTableWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.New(t, "scale")
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var tenant string
	if err := owner.QueryRow(ctx, `select id from tenants where slug = 'shape'`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, "analyze"); err != nil {
		t.Fatal(err)
	}
	large := map[string]bool{}
	for _, rel := range append(largeCandidates, "care_transitions") {
		var rows float64
		if err := owner.QueryRow(ctx, `select reltuples from pg_class where relname = $1 and relkind = 'r'`, rel).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		large[rel] = rows >= 500
	}
	if !large["care_transitions"] || !large["contacts"] {
		t.Fatalf("the shape has too few transitions or contacts to explain: %v", large)
	}

	rec := &recorder{}
	cfg, err := pgxpool.ParseConfig(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	today := calendar.DateOf(calendar.System())
	cadence := map[string]int{"high": 7, "moderate": 14, "low": 30}
	measure := func(from time.Time) {
		to := from.AddDate(0, 1, -1)
		if from.Day() != 1 || to.After(today) {
			to = today
		}
		err := db.InTenant(ctx, pool, tenant, func(tx pgx.Tx) error {
			_, err := caseload.Measures(ctx, tx, tenant, caseload.Period{From: from, To: to}, cadence)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The periods the page computes: the last 30 days and each month of
	// the trend (six months at once would be most of the shape's
	// discharges, which the planner rightly reads whole).
	measure(today.AddDate(0, 0, -29))
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := caseload.TrendMonths - 1; i >= 0; i-- {
		measure(first.AddDate(0, -i, 0))
	}
	// Discharges a loader copied and the job has not worked out yet.
	if _, err := owner.Exec(ctx, `select set_config('app.tenant_id', $1, false)`, tenant); err != nil {
		t.Fatal(err)
	}
	tag, err := owner.Exec(ctx, `update care_transitions set follow_up = null, followed_up_at = null
		 where tenant_id = $1 and kind = 'discharge' and occurred_on >= $2`, tenant, today.AddDate(0, 0, -29))
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("unknown discharges: %v, %d", err, tag.RowsAffected())
	}
	measure(today.AddDate(0, 0, -29))

	explained := map[string]bool{}
	for _, s := range rec.sent {
		q := strings.ToLower(strings.TrimSpace(s.sql))
		if !strings.HasPrefix(q, "select") && !strings.HasPrefix(q, "with") {
			continue
		}
		var plan []byte
		err := db.InTenant(ctx, d.Pool, tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "explain (format json) "+s.sql, s.args...).Scan(&plan)
		})
		if err != nil {
			t.Fatalf("explain: %v\n%s", err, s.sql)
		}
		explained[s.sql] = true
		var nodes []struct{ Plan planNode }
		if err := json.Unmarshal(plan, &nodes); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			if rel := n.Plan.seqScannedOf(large); rel != "" {
				t.Errorf("sequential scan of %s in:\n%s\n%s", rel, s.sql, plan)
			}
		}
	}
	discharge := 0
	for sql := range explained {
		if strings.Contains(sql, "care_transitions") {
			discharge++
		}
	}
	if discharge < 2 {
		t.Fatalf("%d statements of the discharge measure explained, want its count and its reading of discharges not worked out", discharge)
	}
}

// seqScannedOf names the first table of large the plan reads whole, or "".
func (n planNode) seqScannedOf(large map[string]bool) string {
	if n.NodeType == "Seq Scan" && large[n.Relation] {
		return n.Relation
	}
	for _, c := range n.Plans {
		if rel := c.seqScannedOf(large); rel != "" {
			return rel
		}
	}
	return ""
}
