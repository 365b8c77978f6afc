// Package demo loads the demonstration organisations and people that a new
// installation offers, so that every page has something realistic to show.
// Other checks rely on these exact names and passwords.
package demo

import (
	"context"
	"fmt"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Password is every demo account's password.
const Password = "demo-password"

// PlatformAdminEmail is the demo platform admin's sign-in.
const PlatformAdminEmail = "platform@demo.test"

// FloatEmail is a coordinator who works for both demo tenants, to show the
// tenant picker and switching.
const FloatEmail = "float@demo.test"

// Tenants are the demo organisations, by slug.
var Tenants = []struct{ Slug, Name string }{
	{"northside", "Northside Health Partners"},
	{"riverside", "Riverside Community Care"},
}

// person is a demo member of every demo tenant; the email's domain is the
// tenant's slug.
type person struct {
	local string
	name  map[string]string // by tenant slug: different people in each tenant
	role  auth.Role
}

var people = []person{
	{"coord1", map[string]string{"northside": "Maya Okafor", "riverside": "Daniel Reyes"}, auth.Coordinator},
	{"coord2", map[string]string{"northside": "Liam Chen", "riverside": "Priya Natarajan"}, auth.Coordinator},
	{"supervisor", map[string]string{"northside": "Grace Whitfield", "riverside": "Tomás Alvarez"}, auth.Supervisor},
	{"admin", map[string]string{"northside": "Sam Patel", "riverside": "Hannah Berg"}, auth.TenantAdmin},
}

// Each demo tenant also shows the two ends of a membership: someone who
// left (deactivated, so they cannot sign in) and someone invited who has
// not accepted yet. The invitation's link was never shown to anyone; the
// admin can make a new one from the users page.
var (
	formerNames = map[string]string{"northside": "Ruth Adebayo", "riverside": "Marcus Lindqvist"}
	// FormerLocal and InvitedLocal name the deactivated member and the
	// pending invitation in each tenant (e.g. former@northside.test).
	FormerLocal  = "former"
	InvitedLocal = "newhire"
)

// ErrNotEmpty means the database already has tenants; demo data is only ever
// loaded into an empty one.
var ErrNotEmpty = fmt.Errorf("the database already has tenants: demo data is only loaded into an empty database")

// Email is the sign-in of a demo person in a demo tenant, e.g. coord1@northside.test.
func Email(local, slug string) string { return local + "@" + slug + ".test" }

// Load adds the demo tenants, users, memberships, patients, their
// assessments, needs, care plans, contacts and tasks, resource directory and
// referrals in one transaction.
func Load(ctx context.Context, pool *pgxpool.Pool) error { return LoadAt(ctx, pool, calendar.System()) }

// LoadAt is Load as if it ran at now: the demo's history is laid out
// backwards from that moment.
func LoadAt(ctx context.Context, pool *pgxpool.Pool, now time.Time) error {
	// One hash for all: hashing is deliberately slow, and these accounts
	// share a published password anyway.
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		n, err := tenants.Count(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		if _, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: PlatformAdminEmail, Name: "Platform Administrator", PlatformAdmin: true}, hash); err != nil {
			return err
		}
		float, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: FloatEmail, Name: "Jordan Ellis"}, hash)
		if err != nil {
			return err
		}
		for i, dt := range Tenants {
			t, err := loadTenant(ctx, tx, dt.Slug, dt.Name, hash)
			if err != nil {
				return fmt.Errorf("demo tenant %s: %w", dt.Slug, err)
			}
			// The tenant's day, on its own clock.
			now := now.In(t.Settings.Location())
			y, m, d := now.Date()
			today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			if err := tenants.AddMember(ctx, tx, t.ID, float.ID, auth.Coordinator); err != nil {
				return err
			}
			ps, err := loadPatients(ctx, tx, i, t, today)
			if err != nil {
				return fmt.Errorf("demo patients of %s: %w", dt.Slug, err)
			}
			// loadPatients left the tenant bound to the transaction.
			if err := loadAssessments(ctx, tx, t, ps, today); err != nil {
				return fmt.Errorf("demo assessments of %s: %w", dt.Slug, err)
			}
			if err := loadCarePlans(ctx, tx, t, ps, today); err != nil {
				return fmt.Errorf("demo care plans of %s: %w", dt.Slug, err)
			}
			if err := loadContacts(ctx, tx, t, ps, today); err != nil {
				return fmt.Errorf("demo contacts of %s: %w", dt.Slug, err)
			}
			if err := loadResources(ctx, tx, t, dt.Slug); err != nil {
				return fmt.Errorf("demo resources of %s: %w", dt.Slug, err)
			}
			if err := loadReferrals(ctx, tx, t, now); err != nil {
				return fmt.Errorf("demo referrals of %s: %w", dt.Slug, err)
			}
		}
		return nil
	})
}

// seededTenant is a demo tenant with its people's user IDs by local part
// ("coord1"), for the tenant's demo data to refer to.
type seededTenant struct {
	tenants.Tenant
	users    map[string]string
	Settings tenants.Settings
}

func loadTenant(ctx context.Context, tx pgx.Tx, slug, name, hash string) (seededTenant, error) {
	t, err := tenants.Create(ctx, tx, slug, name)
	st := seededTenant{Tenant: t, users: map[string]string{}}
	if err != nil {
		return st, err
	}
	if st.Settings, err = tenants.LoadSettings(ctx, tx, t.ID); err != nil {
		return st, err
	}
	for _, p := range people {
		u, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: Email(p.local, slug), Name: p.name[slug]}, hash)
		if err != nil {
			return st, err
		}
		if err := tenants.AddMember(ctx, tx, t.ID, u.ID, p.role); err != nil {
			return st, err
		}
		st.users[p.local] = u.ID
	}
	former, err := auth.CreateUserWithHash(ctx, tx, auth.NewUser{Email: Email(FormerLocal, slug), Name: formerNames[slug]}, hash)
	if err != nil {
		return st, err
	}
	if err := tenants.AddMember(ctx, tx, t.ID, former.ID, auth.Coordinator); err != nil {
		return st, err
	}
	if _, err := tenants.SetActive(ctx, tx, t.ID, former.ID, false); err != nil {
		return st, err
	}
	_, _, err = tenants.Invite(ctx, tx, t.ID, Email(InvitedLocal, slug), auth.Coordinator, st.users["admin"])
	return st, err
}
