package tenants_test

import (
	"context"
	"testing"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// org is a tenant with one administrator, Sam, on a database of its own.
type org struct {
	t      *testing.T
	db     dbtest.DB
	s      *tenants.Service
	tenant tenants.Tenant
	sam    auth.User
}

func newOrg(t *testing.T) org {
	t.Helper()
	d := dbtest.New(t, "")
	ctx := context.Background()
	tn, err := tenants.Create(ctx, d.Pool, "harbour", "Harbour Care")
	if err != nil {
		t.Fatal(err)
	}
	o := org{t: t, db: d, tenant: tn, s: tenants.NewService(d.Pool, tenants.Patients{
		IDByExternalID: func(context.Context, db.DBTX, string, string) (string, error) { return "", db.ErrNotFound },
		CaseloadCount:  func(context.Context, db.DBTX, string, string) (int, error) { return 0, nil },
	})}
	o.sam = o.member("sam@harbour.test", "Sam Patel", auth.TenantAdmin)
	return o
}

// member adds a person with a role and the password "a long password".
func (o org) member(email, name string, role auth.Role) auth.User {
	o.t.Helper()
	ctx := context.Background()
	u, err := auth.CreateUser(ctx, o.db.Pool, auth.NewUser{Email: email, Name: name, Password: "a long password"})
	if err != nil {
		o.t.Fatal(err)
	}
	if err := tenants.AddMember(ctx, o.db.Pool, o.tenant.ID, u.ID, role); err != nil {
		o.t.Fatal(err)
	}
	return u
}

// as is u acting in the tenant now.
func (o org) as(u auth.User, role auth.Role) tenants.Actor {
	return tenants.Actor{TenantID: o.tenant.ID, UserID: u.ID, UserName: u.Name, Role: role, At: time.Now(), IP: "192.0.2.1"}
}

// events counts the tenant's audit events of action by actorID.
func (o org) events(action, actorID string) int {
	o.t.Helper()
	var n int
	err := db.InTenant(context.Background(), o.db.Pool, o.tenant.ID, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select count(*) from audit_events where action = $1 and actor_id = $2", action, actorID).Scan(&n)
	})
	if err != nil {
		o.t.Fatal(err)
	}
	return n
}
