package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// twoTenants makes tenants a and b, each with one audit event named after it.
func twoTenants(t *testing.T, pool *pgxpool.Pool) (a, b string) {
	t.Helper()
	ctx := context.Background()
	for _, slug := range []string{"tenant-a", "tenant-b"} {
		var id string
		if err := pool.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		err := db.InTenant(ctx, pool, id, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "insert into audit_events (tenant_id, action) values ($1, $2)", id, "event of "+slug)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if slug == "tenant-a" {
			a = id
		} else {
			b = id
		}
	}
	return a, b
}

func actions(t *testing.T, q db.DBTX) []string {
	t.Helper()
	rows, err := q.Query(context.Background(), "select action from audit_events order by action")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRowLevelSecurity_WithoutTenantNoRowsAreVisible(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	twoTenants(t, d.Pool)
	if got := actions(t, d.Pool); len(got) != 0 {
		t.Errorf("without a tenant the app role sees %v, want nothing", got)
	}
}

// A transaction that creates its tenant begins bound to none (InTenant with
// ""), sees nothing, and binds the tenant once it exists; any other id that
// is not a UUID is refused before it reaches the SQL.
func TestInTenant_NoTenantYetSeesNothingAndOtherIdsAreRefused(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	twoTenants(t, d.Pool)
	err := db.InTenant(context.Background(), d.Pool, "", func(tx pgx.Tx) error {
		if got := actions(t, tx); len(got) != 0 {
			t.Errorf("bound to no tenant the transaction sees %v, want nothing", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTenant(context.Background(), d.Pool, "x'); drop table patients; --", func(pgx.Tx) error { return nil })
	if err == nil {
		t.Fatal("a tenant id that is not a UUID was accepted")
	}
}

func TestRowLevelSecurity_InTenantSeesOnlyThatTenant(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, b := twoTenants(t, d.Pool)
	for id, want := range map[string][]string{a: {"event of tenant-a"}, b: {"event of tenant-b"}} {
		err := db.InTenant(context.Background(), d.Pool, id, func(tx pgx.Tx) error {
			if diff := cmp.Diff(want, actions(t, tx)); diff != "" {
				t.Errorf("rows seen (-want +got):\n%s", diff)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRowLevelSecurity_CannotWriteIntoAnotherTenant(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, b := twoTenants(t, d.Pool)
	ctx := context.Background()
	err := db.InTenant(ctx, d.Pool, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "insert into audit_events (tenant_id, action) values ($1, 'smuggled')", b)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("insert into another tenant: err = %v, want a row-level security violation", err)
	}
}

func TestInTenant_SettingDoesNotOutliveTheTransaction(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, _ := twoTenants(t, d.Pool)
	ctx := context.Background()
	// One connection, so the next query surely reuses the one the tenant
	// transaction ran on.
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "select set_config('app.tenant_id', $1, true)", a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(t, conn); len(got) != 0 {
		t.Errorf("after the tenant transaction the connection still sees %v", got)
	}
}

func TestInTenant_ErrorRollsBack(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, _ := twoTenants(t, d.Pool)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InTenant(ctx, d.Pool, a, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "insert into audit_events (tenant_id, action) values ($1, 'rolled back')", a); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	_ = db.InTenant(ctx, d.Pool, a, func(tx pgx.Tx) error {
		if diff := cmp.Diff([]string{"event of tenant-a"}, actions(t, tx)); diff != "" {
			t.Errorf("rows after rollback (-want +got):\n%s", diff)
		}
		return nil
	})
}

func TestInTenant_JoiningMakesAllOrNothingOfManyUseCases(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, b := twoTenants(t, d.Pool)
	ctx := context.Background()
	insert := func(ctx context.Context, tenant, action string, fail bool) error {
		return db.InTenant(ctx, d.Pool, tenant, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "insert into audit_events (tenant_id, action) values ($1, $2)", tenant, action); err != nil {
				return err
			}
			if fail {
				return errors.New("refused")
			}
			return nil
		})
	}
	boom := errors.New("boom")
	err := pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		joined := db.Joining(ctx, tx)
		if err := insert(joined, a, "joined a", false); err != nil {
			return err
		}
		// A failed use case undoes only itself, as it would alone.
		if err := insert(joined, b, "refused b", true); err == nil {
			t.Error("the refused insert reported success")
		}
		if err := insert(joined, b, "joined b", false); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "select count(*) from audit_events where action like 'joined %'").Scan(&n); err != nil || n != 1 {
			t.Errorf("inside the transaction, the tenant bound last sees %d joined events (err %v), want its own 1", n, err)
		}
		return boom // the loader fails after all: nothing stays
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	for _, tenant := range []string{a, b} {
		_ = db.InTenant(ctx, d.Pool, tenant, func(tx pgx.Tx) error {
			if got := actions(t, tx); len(got) != 1 {
				t.Errorf("tenant %s after the rollback has %v, want only its first event", tenant, got)
			}
			return nil
		})
	}
}

func TestAppRole_IsNeitherSuperuserNorBypassRLS(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	var super, bypass bool
	err := d.Pool.QueryRow(context.Background(),
		"select rolsuper, rolbypassrls from pg_roles where rolname = current_user").Scan(&super, &bypass)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Errorf("app role superuser=%v bypassrls=%v, want neither", super, bypass)
	}
}

func TestAuditEvents_AppRoleCannotUpdateOrDelete(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	a, _ := twoTenants(t, d.Pool)
	ctx := context.Background()
	for _, stmt := range []string{
		"update audit_events set action = 'rewritten'",
		"delete from audit_events",
		"update auth_events set email = 'x'",
		"delete from auth_events",
		"truncate audit_events",
	} {
		err := db.InTenant(ctx, d.Pool, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: err = %v, want permission denied", stmt, err)
		}
	}
}

func TestTenantTables_HaveForcedRowLevelSecurityAndTenantLedKeys(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	// Every table with a tenant_id column, other than the global memberships
	// and invitations (read before a tenant is chosen), must be tenant-owned
	// in the full sense of DESIGN.md section 5.
	rows, err := d.Pool.Query(context.Background(), `
		select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as force,
		       (select a.attname from pg_index i
		          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
		         where i.indrelid = c.oid and i.indisprimary) = 'tenant_id' as key
		  from pg_class c
		  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
		 where c.relkind = 'r' and c.relname not in ('memberships', 'invitations')
		   and exists (select 1 from pg_attribute where attrelid = c.oid and attname = 'tenant_id')`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		Name            string
		RLS, Force, Key bool
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByName[table])
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) == 0 {
		t.Fatal("found no tenant-owned tables")
	}
	for _, tb := range tables {
		if !tb.RLS || !tb.Force || !tb.Key {
			t.Errorf("%s: rls=%v force=%v tenant-led key=%v, want all true", tb.Name, tb.RLS, tb.Force, tb.Key)
		}
	}
}

func TestOpenLimited_EveryConnectionCarriesTheLimits(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	ctx := context.Background()
	pool, err := db.OpenLimited(ctx, d.URL, db.Limits{ConnectTimeout: time.Second, MaxConns: 3,
		StatementTimeout: 1500 * time.Millisecond, LockTimeout: time.Second, IdleInTransactionTimeout: 7 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var got [4]string
	err = pool.QueryRow(ctx, "select current_setting('statement_timeout'), current_setting('lock_timeout'), current_setting('idle_in_transaction_session_timeout'), current_setting('jit')").Scan(&got[0], &got[1], &got[2], &got[3])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([4]string{"1500ms", "1s", "7s", "off"}, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if n := pool.Config().MaxConns; n != 3 {
		t.Errorf("pool size %d, want 3", n)
	}
}

func TestUnavailable_TimeoutsAndLostConnectionsButNotRefusals(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	ctx := context.Background()
	pool, err := db.OpenLimited(ctx, d.URL, db.Limits{StatementTimeout: 100 * time.Millisecond, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, deadline := d.Pool.Exec(short, "select pg_sleep(1)")
	_, statement := pool.Exec(ctx, "select pg_sleep(1)")
	_, unique := d.Pool.Exec(ctx, "insert into tenants (slug, name) values ('a', 'a'), ('a', 'b')")
	_, syntax := d.Pool.Exec(ctx, "select nonsense from")
	_, refused := db.Open(ctx, "postgres://nobody@127.0.0.1:1/none")
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"request deadline", deadline, true},
		{"statement timeout", statement, true},
		{"connection refused", refused, true},
		{"unique violation", unique, false},
		{"bad SQL", syntax, false},
		{"not found", db.ErrNotFound, false},
		{"no error", nil, false},
	} {
		if got := db.Unavailable(tt.err); got != tt.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
