package db_test

import (
	"context"
	"testing"

	"carecoord/internal/db/dbtest"

	"github.com/jackc/pgx/v5"
)

// A reference from one tenant-owned row to another, (tenant_id, x_id), is
// followed from the parent by pages and by changes to the parent (merging
// a patient, a plan's interventions). Without an index that starts with
// its columns, each of those reads all of a tenant's rows of the child
// table; on the 100,000-patient scale tenant that cost a chart 350 ms.
// References to users (one column, no tenant_id) are left out: users are
// never deleted and nothing lists a user's rows by them.
func TestForeignKeys_WithinATenantHaveAnIndex(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	rows, err := d.Pool.Query(context.Background(), `
		select c.conrelid::regclass::text || ' (' ||
		       array_to_string(array(select a.attname from unnest(c.conkey) with ordinality k(n, i)
		                               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n
		                              order by k.i), ', ') || ')'
		  from pg_constraint c
		 where c.contype = 'f'
		   and c.connamespace = 'public'::regnamespace
		   and cardinality(c.conkey) > 1
		   and not exists (
		         select 1 from pg_index i
		          where i.indrelid = c.conrelid
		            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
		            and c.conkey @> (i.indkey::int2[])[0:cardinality(c.conkey) - 1])
		 order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("foreign key %s has no index starting with its columns: add one in a migration (see 00029)", m)
	}
}
