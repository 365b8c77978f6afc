// Package tenants holds the organisations that use CareCoord and the
// memberships that give users a role in them.
package tenants

import (
	"context"
	"regexp"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Tenant status values.
const (
	Active    = "active"
	Suspended = "suspended"
)

// Statuses are a tenant's statuses with their names on screen.
var Statuses = forms.Choices[string]{{Value: Active, Label: "Active"}, {Value: Suspended, Label: "Suspended"}}

// Tenant is one organisation; all of its patient data is keyed by its ID.
type Tenant struct {
	ID     string
	Slug   string
	Name   string
	Status string
}

// ErrSlugTaken means another tenant already uses the slug.
var ErrSlugTaken = fail.Invalid(map[string]string{"slug": "Another organisation already uses this address. Choose another."}, "")

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// ValidSlug reports whether s can name a tenant in URLs: 3 to 40 lowercase
// letters, digits and inner hyphens.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

const tenantColumns = "id, slug, name, status"

// BySlug loads the tenant a URL names.
func BySlug(ctx context.Context, q db.DBTX, slug string) (Tenant, error) {
	rows, _ := q.Query(ctx, "select "+tenantColumns+" from tenants where slug = $1", slug)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Tenant])
	return t, db.NotFound(err)
}

// Create adds a tenant.
func Create(ctx context.Context, q db.DBTX, slug, name string) (Tenant, error) {
	rows, _ := q.Query(ctx, "insert into tenants (slug, name) values ($1, $2) returning "+tenantColumns, slug, name)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Tenant])
	if db.IsUniqueViolation(err, "tenants_slug_key") {
		return Tenant{}, ErrSlugTaken
	}
	return t, err
}

// Count returns how many tenants exist.
func Count(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, "select count(*) from tenants").Scan(&n)
	return n, err
}

// Summary is a tenant as the platform admin's list shows it: no patient data.
type Summary struct {
	Tenant
	ActiveUsers int
	CreatedAt   time.Time
}

const summarySQL = `
		select t.id, t.slug, t.name, t.status,
		       (select count(*) from memberships m join users u on u.id = m.user_id
		         where m.tenant_id = t.id and m.active and not u.disabled) as active_users,
		       t.created_at
		  from tenants t`

// List returns every tenant with its number of active members, by name.
func List(ctx context.Context, q db.DBTX) ([]Summary, error) {
	rows, _ := q.Query(ctx, summarySQL+" order by t.name, t.id")
	return pgx.CollectRows(rows, scanSummary)
}

func scanSummary(row pgx.CollectableRow) (Summary, error) {
	var s Summary
	err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Status, &s.ActiveUsers, &s.CreatedAt)
	return s, err
}

// Membership is a user's role in one tenant.
type Membership struct {
	Tenant Tenant
	Role   auth.Role
	// Settings are the tenant's, read with the membership: every request
	// inside a tenant resolves its membership, and the idle timeout is
	// needed there.
	Settings Settings
}

// Memberships lists the active tenants a user may work in, by tenant name.
func Memberships(ctx context.Context, q db.DBTX, userID string) ([]Membership, error) {
	rows, _ := q.Query(ctx, `
		select t.id, t.slug, t.name, t.status, m.role, t.settings
		  from memberships m join tenants t on t.id = m.tenant_id
		 where m.user_id = $1 and m.active and t.status = 'active'
		 order by t.name, t.id`, userID)
	return pgx.CollectRows(rows, scanMembership)
}

// SignedIn is what every request of a signed-in user needs first: the
// session, its user, and the tenants they may work in.
type SignedIn struct {
	auth.Preloaded
	Memberships []Membership
}

// LoadSignedIn reads the session with token, its user and their active
// memberships in one round trip (one batch), the fixed cost of a request
// (issue 22).
func LoadSignedIn(ctx context.Context, pool *pgxpool.Pool, token string) (*SignedIn, error) {
	s := &SignedIn{}
	b := &pgx.Batch{}
	auth.QueueSignedIn(b, token, &s.Preloaded)
	b.Queue(`
		select t.id, t.slug, t.name, t.status, m.role, t.settings
		  from memberships m join tenants t on t.id = m.tenant_id
		 where m.user_id = (`+auth.UserOfSession+`) and m.active and t.status = 'active'
		 order by t.name, t.id`, token).Query(func(rows pgx.Rows) error {
		var err error
		s.Memberships, err = pgx.CollectRows(rows, scanMembership)
		return err
	})
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return s, nil
}

// MembershipIn returns the user's active membership in the tenant with the
// given slug. A missing tenant, a suspended one and one the user does not
// belong to are all ErrNotFound, so that a URL reveals nothing about tenants
// the user cannot see.
func MembershipIn(ctx context.Context, q db.DBTX, userID, slug string) (Membership, error) {
	rows, _ := q.Query(ctx, `
		select t.id, t.slug, t.name, t.status, m.role, t.settings
		  from memberships m join tenants t on t.id = m.tenant_id
		 where m.user_id = $1 and t.slug = $2 and m.active and t.status = 'active'`, userID, slug)
	m, err := pgx.CollectExactlyOneRow(rows, scanMembership)
	return m, db.NotFound(err)
}

func scanMembership(row pgx.CollectableRow) (Membership, error) {
	var (
		m   Membership
		raw []byte
	)
	if err := row.Scan(&m.Tenant.ID, &m.Tenant.Slug, &m.Tenant.Name, &m.Tenant.Status, &m.Role, &raw); err != nil {
		return m, err
	}
	var err error
	m.Settings, err = decodeSettings(raw)
	return m, err
}

// AddMember gives a user a role in a tenant: for loaders; people join by
// invitation (Service.AcceptInvitation).
func AddMember(ctx context.Context, q db.DBTX, tenantID, userID string, role auth.Role) error {
	_, err := q.Exec(ctx, "insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)", tenantID, userID, role)
	return err
}

// Member is a user as the tenant admin's user list shows them.
type Member struct {
	UserID     string
	Name       string
	Email      string
	Role       auth.Role
	Active     bool
	LastSignIn *time.Time
}

// memberSQL reads Members: a member is active when both the membership
// and the account are.
const memberSQL = `
		select u.id as user_id, u.name, u.email, m.role, m.active and not u.disabled as active,
		       (select max(e.at) from auth_events e where e.user_id = u.id and e.action = 'sign_in') as last_sign_in
		  from memberships m join users u on u.id = m.user_id`

// Members lists a tenant's users with their last successful sign-in, by name.
func Members(ctx context.Context, q db.DBTX, tenantID string) ([]Member, error) {
	rows, _ := q.Query(ctx, memberSQL+" where m.tenant_id = $1 order by u.name, u.id", tenantID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Member])
}

// Person is a user who can be named in a tenant's forms.
type Person struct {
	ID   string
	Name string
	Role auth.Role
}

// Coordinators lists the active people of the tenant who can carry a
// caseload (coordinators and supervisors), by name.
func Coordinators(ctx context.Context, q db.DBTX, tenantID string) ([]Person, error) {
	rows, _ := q.Query(ctx, `
		select u.id, u.name, m.role
		  from memberships m join users u on u.id = m.user_id
		 where m.tenant_id = $1 and m.active and not u.disabled
		   and m.role in ('coordinator', 'supervisor')
		 order by u.name, u.id`, tenantID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Person])
}

// Configured is a tenant with its settings.
type Configured struct {
	Tenant
	Settings Settings
}

// ListActive returns every active tenant with its settings: the tenants
// the background scheduler works for.
func ListActive(ctx context.Context, q db.DBTX) ([]Configured, error) {
	rows, _ := q.Query(ctx, "select "+tenantColumns+", settings from tenants where status = 'active' order by id")
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Configured, error) {
		var (
			c   Configured
			raw []byte
		)
		if err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Status, &raw); err != nil {
			return c, err
		}
		var err error
		c.Settings, err = decodeSettings(raw)
		return c, err
	})
}
