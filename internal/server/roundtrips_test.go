package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statementLog records every statement and batch the app's pool sends: each
// is one round trip to PostgreSQL.
type statementLog struct {
	mu    sync.Mutex
	trips []string
}

type traceKey struct{}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if ctx.Value(traceKey{}) == nil { // not a statement of a batch
		l.add(d.SQL)
	}
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	var sqls []string
	for _, q := range d.Batch.QueuedQueries {
		sqls = append(sqls, q.SQL)
	}
	l.add("batch[" + strings.Join(sqls, "; ") + "]")
	return context.WithValue(ctx, traceKey{}, true)
}

func (l *statementLog) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (l *statementLog) add(sql string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trips = append(l.trips, strings.Join(strings.Fields(sql), " "))
}

// take returns the round trips since the last take.
func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.trips
	l.trips = nil
	return t
}

// newTracedApp is the test app with every statement of its pool recorded.
func newTracedApp(t *testing.T, opts ...func(*Options)) (*testApp, *statementLog) {
	t.Helper()
	log := &statementLog{}
	app := newTestApp(t, append(opts, func(o *Options) {
		cfg := o.Pool.Config()
		cfg.ConnConfig.Tracer = log
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		o.Pool = pool
	})...)
	return app, log
}

// countPrefixed is how many of trips start with prefix.
func countPrefixed(trips []string, prefix string) int {
	n := 0
	for _, s := range trips {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func TestSessions_GETsSaveTheSessionAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	app, log := newTracedApp(t, func(o *Options) { o.Now = clock })
	c := app.signedIn("coord1@northside.test")
	const save = "insert into sessions"
	writes := func(pages ...string) int {
		t.Helper()
		log.take()
		for _, p := range pages {
			if res := c.get(p); res.status != http.StatusOK {
				t.Fatalf("GET %s: status %d", p, res.status)
			}
		}
		return countPrefixed(log.take(), save)
	}
	writes("/t/northside/worklist") // the first tenant page records the tenant's idle timeout
	if n := writes("/t/northside/worklist", "/t/northside/patients"); n != 0 {
		t.Errorf("two more GETs within the minute saved the session %d times, want 0", n)
	}
	advance(2 * time.Minute)
	if n := writes("/t/northside/worklist", "/t/northside/patients"); n != 1 {
		t.Errorf("two GETs two minutes later saved the session %d times, want once", n)
	}
	advance(30 * time.Second)
	if n := writes("/t/northside/worklist"); n != 0 {
		t.Errorf("a GET half a minute after the save saved it %d times, want 0", n)
	}
	var expiresIn time.Duration
	if err := app.db.Pool.QueryRow(t.Context(), "select max(expiry) - now() from sessions").Scan(&expiresIn); err != nil {
		t.Fatal(err)
	}
	if expiresIn > storeIdleTimeout+touchWindow || expiresIn < storeIdleTimeout {
		t.Errorf("a saved session expires in %s, want the longest idle timeout plus the touch window", expiresIn)
	}
}

// fixedCost are the statements every signed-in tenant page makes whatever
// it shows: reading the session, user and memberships, opening and binding
// the tenant transaction, committing it, saving the session.
var fixedCost = []string{"batch[select data from sessions", "begin", "select set_config", "commit", "select data from sessions",
	"select id, email, name", "select t.id, t.slug", "insert into sessions"}

func isFixedCost(sql string) bool {
	for _, p := range fixedCost {
		if strings.HasPrefix(sql, p) {
			return true
		}
	}
	return false
}

// Issue 22: the fixed part of a request is at most two round trips before
// the page's own statements (one batch for session, user and memberships;
// one for BEGIN and binding the tenant), and the commit after them.
func TestRoundTrips_ASignedInPageCostsTwoRoundTripsBeforeItsOwn(t *testing.T) {
	t.Parallel()
	app, log := newTracedApp(t)
	c := app.signedIn("coord1@northside.test")
	c.get("/t/northside/worklist") // the first tenant page saves the tenant's idle timeout
	for _, page := range []string{"/t/northside/worklist", "/t/northside/patients", "/t/northside/resources", "/t/northside/referrals"} {
		log.take()
		if res := c.get(page); res.status != http.StatusOK {
			t.Fatalf("%s: status %d", page, res.status)
		}
		trips := log.take()
		var fixed []string
		for _, sql := range trips {
			if isFixedCost(sql) {
				fixed = append(fixed, sql)
			}
		}
		ok := len(fixed) == 3 && len(trips) > 3 &&
			trips[0] == fixed[0] && strings.HasPrefix(fixed[0], "batch[select data from sessions") &&
			trips[1] == fixed[1] && strings.HasPrefix(fixed[1], "begin; select set_config('app.tenant_id'") &&
			trips[len(trips)-1] == fixed[2] && fixed[2] == "commit"
		if !ok {
			t.Errorf("%s: the fixed part is %d round trips, want 3 (batch, begin+bind first, commit last); all %d:\n%s",
				page, len(fixed), len(trips), strings.Join(trips, "\n"))
		}
	}
}

// Issue 22: the chart's own reads are batched. A chart with an open,
// approved plan costs eight round trips in all: the signed-in batch; the
// patient address's transaction (begin+bind, one batch finding the patient
// and recording the view, commit); the chart's transaction (begin+bind,
// one batch of every independent read, one of the plan's parts, commit).
// Unbatched it was 29.
func TestRoundTrips_TheChartIsEightRoundTripsWithAnOpenPlan(t *testing.T) {
	t.Parallel()
	app, log := newTracedApp(t)
	c := app.signedIn("coord1@northside.test")
	var patientID string
	if err := app.scanInTenant("northside", `
		select p.id from patients p join care_plans c on c.tenant_id = p.tenant_id and c.patient_id = p.id
		 where c.status = 'active' order by p.id limit 1`, nil, &patientID); err != nil {
		t.Fatal(err)
	}
	page := "/t/northside/patients/" + patientID
	c.get(page) // the first look records the view; the second finds it
	for range 2 {
		log.take()
		if res := c.get(page); res.status != http.StatusOK {
			t.Fatalf("%s: status %d", page, res.status)
		}
		trips := log.take()
		batches := countPrefixed(trips, "batch[")
		if len(trips) != 8 || batches != 4 || countPrefixed(trips, "begin;") != 2 || countPrefixed(trips, "commit") != 2 {
			t.Errorf("the chart took %d round trips (%d batches), want 8 (4 batches, 2 transactions):\n%s",
				len(trips), batches, strings.Join(trips, "\n"))
		}
	}
}

// Issue 22: the worklist's six reads are independent and sent as one
// batch: its request is the signed-in batch, begin+bind, that batch, the
// audit of the patients it names, and the commit (it was ten).
func TestRoundTrips_TheWorklistReadsInOneBatch(t *testing.T) {
	t.Parallel()
	app, log := newTracedApp(t)
	c := app.signedIn("supervisor@northside.test")
	c.get("/t/northside/worklist")
	log.take()
	if res := c.get("/t/northside/worklist"); res.status != http.StatusOK {
		t.Fatalf("worklist: status %d", res.status)
	}
	if trips := log.take(); len(trips) > 5 || countPrefixed(trips, "batch[") != 2 {
		t.Errorf("the worklist took %d round trips, want at most 5 with 2 batches:\n%s", len(trips), strings.Join(trips, "\n"))
	}
}
