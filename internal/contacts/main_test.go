package contacts_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is two tenants, each with one patient, two users who can be
// assigned tasks, and the contact log's use cases.
type fixture struct {
	t                     *testing.T
	d                     dbtest.DB
	svc                   *contacts.Service
	tenant, other         string
	patient, otherPatient string
	coord, colleague      string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{t: t, d: dbtest.New(t, "")}
	f.svc = contacts.NewService(f.d.Pool)
	f.tenant, f.patient = f.tenantWithPatient("north")
	f.other, f.otherPatient = f.tenantWithPatient("river")
	f.coord = f.user("coord@example.org", "Cora Coordinator")
	f.colleague = f.user("col@example.org", "Colin Colleague")
	return f
}

func (f fixture) user(email, name string) string {
	f.t.Helper()
	var id string
	ctx := context.Background()
	err := f.d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ($1, $2, 'x') returning id", email, name).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.d.Pool.Exec(ctx, "insert into memberships (tenant_id, user_id, role) values ($1, $2, 'coordinator')", f.tenant, id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// actor is user acting in the fixture's first tenant now.
func (f fixture) actor(user string) tenants.Actor {
	return f.actorIn(f.tenant, user)
}

func (f fixture) actorIn(tenant, user string) tenants.Actor {
	return tenants.Actor{TenantID: tenant, UserID: user, Role: auth.Coordinator, Settings: tenants.DefaultSettings(), At: time.Now()}
}

func (f fixture) tenantWithPatient(slug string) (tenant, patient string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&tenant); err != nil {
		f.t.Fatal(err)
	}
	v := url.Values{"given_name": {"Ada"}, "family_name": {"Quist"}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		f.t.Fatalf("test patient: %v", errs)
	}
	f.in(tenant, func(tx pgx.Tx) (err error) {
		patient, err = patients.Create(ctx, tx, tenant, "", np)
		return err
	})
	return tenant, patient
}

func (f fixture) in(tenant string, fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}
