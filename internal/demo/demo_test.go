package demo_test

import (
	"context"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/demo"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, dbtest.Seed{Name: "demo", Load: demo.Load})
}

// The demo sign-ins are a contract: the README, the issues and other checks
// name them.
func TestLoad_EveryDemoSignInWorksWithItsRole(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	ctx := context.Background()
	for _, slug := range []string{"northside", "riverside"} {
		for local, role := range map[string]auth.Role{
			"coord1": auth.Coordinator, "coord2": auth.Coordinator,
			"supervisor": auth.Supervisor, "admin": auth.TenantAdmin,
		} {
			email := demo.Email(local, slug)
			u, err := auth.SignIn(ctx, d.Pool, email, "demo-password")
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			got, err := tenants.Memberships(ctx, d.Pool, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Tenant.Slug != slug || got[0].Role != role {
				t.Errorf("%s: memberships %+v, want %s in %s", email, got, role, slug)
			}
		}
	}
	u, err := auth.SignIn(ctx, d.Pool, "platform@demo.test", "demo-password")
	if err != nil || !u.PlatformAdmin {
		t.Errorf("platform admin: %+v %v", u, err)
	}
}

func TestLoad_TenantsHaveTheirNames(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	all, err := tenants.List(context.Background(), d.Pool)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.Slug+": "+s.Name)
	}
	want := []string{"northside: Northside Health Partners", "riverside: Riverside Community Care"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tenants (-want +got):\n%s", diff)
	}
}

func TestLoad_RefusesADatabaseThatHasTenants(t *testing.T) {
	t.Parallel()
	d := dbtest.New(t, "demo")
	if err := demo.Load(context.Background(), d.Pool); err != demo.ErrNotEmpty {
		t.Errorf("err = %v, want ErrNotEmpty", err)
	}
}
