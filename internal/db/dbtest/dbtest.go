// Package dbtest gives each test its own PostgreSQL database, cloned from a
// template that is migrated (and optionally seeded) once per test process, so
// tests run in parallel against the real schema without seeing each other.
package dbtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Seed fills a freshly migrated template database, connected as the app role.
type Seed struct {
	Name string
	Load func(ctx context.Context, pool *pgxpool.Pool) error
	// Owner, when set, is given a connection to the template as the
	// schema's owner too (for a bulk load that analyzes as it goes: see
	// demo.ScaleOptions.Owner).
	Owner func(ctx context.Context, pool *pgxpool.Pool, owner *pgx.Conn) error
}

// The roles are the ones .ci/postgres.sh creates. The owner may create
// databases; tests then connect to their clone as the app role, so row-level
// security is as binding in tests as in production.
var (
	adminURL = envOr("CARECOORD_TEST_ADMIN_URL", "postgres://carecoord_owner:carecoord_owner@127.0.0.1:5432/postgres")
	appUser  = envOr("CARECOORD_TEST_APP_USER", "carecoord_app:carecoord_app")
)

// Test processes are separate, so each keeps its own templates and names
// every database after its pid: a crashed run's leftovers can be recognised.
var (
	mu        sync.Mutex
	seeds     = map[string]Seed{}
	templates = map[string]*tpl{}
	leftovers sync.Once
	counter   atomic.Int64
	prefix    = fmt.Sprintf("carecoord_test_%d_", os.Getpid())
)

// tpl is one seed's template, built once by the first test that asks for
// it. Each seed has its own: a test of the empty schema does not wait
// while a large seed loads.
type tpl struct {
	once sync.Once
	name string
	err  error
}

// Main runs the package's tests, then drops the databases they left to the
// dropper and the templates. Call it from TestMain, naming the seeds the
// package's tests ask for.
func Main(m *testing.M, withSeeds ...Seed) {
	for _, s := range withSeeds {
		seeds[s.Name] = s
	}
	code := m.Run()
	if err := dropped.wait(); err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
		code = max(code, 1)
	}
	dropAll()
	os.Exit(code)
}

// DB is one test's private database.
type DB struct {
	// Pool connects as the application role.
	Pool *pgxpool.Pool
	// URL connects as the application role, for code that opens its own pool.
	URL string
	// OwnerURL connects as the schema owner, for tests about privileges.
	OwnerURL string
}

// New clones a fresh database for t from the template named seed ("" for a
// migrated, empty one) and drops it when t ends.
func New(t testing.TB, seed string) DB {
	t.Helper()
	ctx := context.Background()
	tpl, err := template(ctx, seed)
	if err != nil {
		t.Fatalf("prepare test template: %v\n(run `make test`, or .ci/postgres.sh, to prepare PostgreSQL)", err)
	}
	name := prefix + strconv.FormatInt(counter.Add(1), 10)
	if err := adminPatiently(fmt.Sprintf("create database %s template %s", name, tpl)); err != nil {
		t.Fatalf("clone test database: %v", err)
	}
	appURL := dbURL(name, appUser)
	pool, err := db.Open(ctx, appURL+"&pool_max_conns=6")
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		dropped.add(name)
	})
	return DB{Pool: pool, URL: appURL, OwnerURL: dbURL(name, "")}
}

// template returns the name of the template for seed, creating it on first
// use; tests asking for another seed meanwhile are not held up.
func template(ctx context.Context, seed string) (string, error) {
	leftovers.Do(func() { dropLeftovers(ctx) })
	mu.Lock()
	tp, ok := templates[seed]
	if !ok {
		tp = &tpl{}
		templates[seed] = tp
	}
	mu.Unlock()
	tp.once.Do(func() {
		name := prefix + "tpl_" + strings.ToLower(strings.ReplaceAll(seed, "-", "_"))
		if seed == "" {
			name = prefix + "tpl"
		}
		if err := buildTemplate(ctx, name, seed); err != nil {
			_ = dropDatabase(name)
			tp.err = err
			return
		}
		tp.name = name
	})
	return tp.name, tp.err
}

func buildTemplate(ctx context.Context, name, seedName string) error {
	var s Seed
	if seedName != "" {
		var ok bool
		if s, ok = seeds[seedName]; !ok {
			return fmt.Errorf("seed %q is not registered with dbtest.Main", seedName)
		}
	}
	if err := admin(ctx, "create database "+name); err != nil {
		return err
	}
	m, err := db.NewMigrator(dbURL(name, ""))
	if err != nil {
		return err
	}
	_, err = m.Up(ctx)
	m.Close()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := onUTC(ctx, name); err != nil {
		return err
	}
	if s.Load == nil && s.Owner == nil {
		return nil
	}
	pool, err := db.Open(ctx, dbURL(name, appUser))
	if err != nil {
		return err
	}
	// The pool must be closed before cloning: PostgreSQL refuses to copy a
	// database that has open connections.
	defer pool.Close()
	if s.Load != nil {
		return s.Load(ctx, pool)
	}
	owner, err := pgx.Connect(ctx, dbURL(name, ""))
	if err != nil {
		return err
	}
	defer owner.Close(ctx)
	return s.Owner(ctx, pool, owner)
}

// onUTC makes every tenant the tests create work in UTC unless the test
// sets its zone: the tests' fixed clocks are written in UTC, and a day
// they name ("due today") is then UTC's day, as it was before tenants had
// time zones. Production tenants default to calendar.DefaultZone.
func onUTC(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, dbURL(name, ""))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `alter table tenants alter column settings set default '{"time_zone": "UTC"}'::jsonb`)
	return err
}

// dropLeftovers removes databases that crashed test processes left behind.
func dropLeftovers(ctx context.Context) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "select datname from pg_database where datname like 'carecoord\\_test\\_%'")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		pid, _, _ := strings.Cut(strings.TrimPrefix(n, "carecoord_test_"), "_")
		if _, err := os.Stat("/proc/" + pid); err != nil {
			_, _ = conn.Exec(ctx, "drop database if exists "+n+" with (force)")
		}
	}
}

func dropAll() {
	for _, tp := range templates {
		if tp.name != "" {
			_ = dropDatabase(tp.name)
		}
	}
}

// dropped drops the databases of finished tests behind the tests still
// running. PostgreSQL 15 forces a checkpoint for every DROP DATABASE (2-5 s
// each on a busy two-core machine); dropping in the test's cleanup held the
// test's parallel slot for as long, and one drop after another cannot keep
// up with the tests. Drops sent together wait for the same checkpoint, so
// the dropper sends whatever has queued at once (eight databases dropped
// together took 3.4 s, one alone 2.1 s). Main waits for the last drop and
// fails the run if one failed.
var dropped dropper

// maxDropsAtOnce bounds the connections the dropper opens.
const maxDropsAtOnce = 16

type dropper struct {
	mu      sync.Mutex
	queue   []string
	running bool
	idle    *sync.Cond
	errs    []error
}

func (d *dropper) add(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queue = append(d.queue, name)
	if !d.running {
		d.running = true
		go d.run()
	}
}

func (d *dropper) run() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.queue) > 0 {
		batch := d.queue[:min(len(d.queue), maxDropsAtOnce)]
		d.queue = d.queue[len(batch):]
		d.mu.Unlock()
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		for i, name := range batch {
			wg.Go(func() {
				if err := dropDatabase(name); err != nil {
					errs[i] = fmt.Errorf("drop test database %s: %w", name, err)
				}
			})
		}
		wg.Wait()
		d.mu.Lock()
		d.errs = append(d.errs, errs...)
	}
	d.running = false
	if d.idle != nil {
		d.idle.Broadcast()
	}
}

// wait returns once every database handed to the dropper is gone.
func (d *dropper) wait() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.idle == nil {
		d.idle = sync.NewCond(&d.mu)
	}
	for d.running {
		d.idle.Wait()
	}
	return errors.Join(d.errs...)
}

// dropDatabase drops a test database, waiting for its connections to go.
func dropDatabase(name string) error {
	return adminPatiently("drop database if exists " + name + " with (force)")
}

// adminPatiently runs sql, trying again for a few seconds while connections
// to the database it names are still going away: a closed pool's backends
// take a moment to exit, a template with a backend left cannot be cloned
// (object_in_use), and the owner may not terminate the app role's backends
// itself (insufficient_privilege).
func adminPatiently(sql string) error {
	var err error
	for range 50 {
		err = admin(context.Background(), sql)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || (pgErr.Code != "42501" && pgErr.Code != "55006") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// dbURL points adminURL at database name, as userinfo when given. Its
// sessions commit without waiting for the commit's WAL to reach the disk
// (synchronous_commit off): a test database does not outlive a crash, and
// every test's many small transactions then do not queue behind the
// disk's flushes. What they see of each other's commits is unchanged.
func dbURL(name, userinfo string) string {
	u, _ := url.Parse(adminURL)
	u.Path = "/" + name
	if userinfo != "" {
		user, pass, _ := strings.Cut(userinfo, ":")
		u.User = url.UserPassword(user, pass)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
