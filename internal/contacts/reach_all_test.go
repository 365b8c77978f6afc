package contacts_test

import (
	"context"
	"testing"
	"time"

	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"

	"github.com/jackc/pgx/v5"
)

// Contacts loaded in bulk leave each patient reachable or not by the same
// rule as contacts logged one by one.
func TestRecountReachAll_CountsEachPatientsContactsLikeLog(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "")
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	var tenant, author string
	if err := d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ('north', 'North') returning id").Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	if err := d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ('ann@x.test', 'Ann', 'x') returning id").Scan(&author); err != nil {
		t.Fatal(err)
	}
	type call struct {
		daysAgo        int
		party, outcome string
	}
	want := map[string]contacts.Reach{}
	err := db.InTenant(ctx, d.Pool, tenant, func(tx pgx.Tx) error {
		for name, c := range map[string]struct {
			calls []call
			reach contacts.Reach
		}{
			// Reached, then two misses since; a care-team member's miss does not count.
			"reached then missed": {[]call{{10, "patient", "reached"}, {5, "patient", "no_answer"}, {3, "patient", "left_message"},
				{1, "care_team", "no_answer"}}, contacts.Reach{LastReached: reachAt(day(10)), UnreachedAttempts: 2, LastAttempt: reachAt(day(3))}},
			// A miss before the last success is forgiven.
			"missed then declined": {[]call{{8, "patient", "wrong_number"}, {4, "patient", "declined"}},
				contacts.Reach{LastReached: reachAt(day(4)), LastAttempt: reachAt(day(8))}},
			"never reached": {[]call{{9, "patient", "no_answer"}, {6, "patient", "no_answer"}, {2, "patient", "no_answer"}},
				contacts.Reach{UnreachedAttempts: 3, LastAttempt: reachAt(day(2))}},
			"no contacts": {nil, contacts.Reach{}},
		} {
			var id string
			if err := tx.QueryRow(ctx, `insert into patients (tenant_id, given_name, family_name, date_of_birth)
				values ($1, 'Pat', $2, '1950-01-01') returning id`, tenant, name).Scan(&id); err != nil {
				return err
			}
			for _, k := range c.calls {
				if _, err := tx.Exec(ctx, `insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, outcome, author_id)
					values ($1, $2, $3, 'phone', 'outbound', $4, $5, $6)`, tenant, id, day(k.daysAgo), k.party, k.outcome, author); err != nil {
					return err
				}
			}
			want[id] = c.reach
		}
		// A patient whose contacts are gone starts again from nothing.
		if _, err := tx.Exec(ctx, "update patients set unreached_attempts = 5 where family_name = 'no contacts'"); err != nil {
			return err
		}
		n, err := contacts.RecountReachAll(ctx, tx, tenant)
		if err != nil || n != 4 {
			t.Errorf("recounted %d patients (err %v), want all 4", n, err)
		}
		for id, w := range want {
			got, err := contacts.ReachOf(ctx, tx, tenant, id)
			if err != nil {
				return err
			}
			if !sameReachTime(got.LastReached, w.LastReached) || !sameReachTime(got.LastAttempt, w.LastAttempt) || got.UnreachedAttempts != w.UnreachedAttempts {
				t.Errorf("patient %s: %+v, want %+v", id, got, w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func reachAt(t time.Time) *time.Time { return &t }

func sameReachTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}
