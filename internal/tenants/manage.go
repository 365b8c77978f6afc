package tenants

import (
	"context"
	"net/url"
	"strings"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// Running tenants (issue 9): the platform admin creates, renames, suspends
// and reactivates them; a tenant admin may rename their own. The platform
// admin reads no tenant-owned table: each change is an audit event in the
// log of the tenant it changes (Actor.TenantID).

// CheckName returns why name cannot be an organisation's name, or "".
func CheckName(name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "Enter the organisation's name."
	case utf8.RuneCountInString(name) > 200:
		return "Use at most 200 characters."
	}
	return ""
}

// CheckSlug returns why slug cannot be a tenant's address, or "".
func CheckSlug(slug string) string {
	if !ValidSlug(slug) {
		return "Use 3 to 40 lowercase letters, digits and hyphens, starting and ending with a letter or digit, e.g. northside-health."
	}
	return ""
}

// Tenants lists every tenant with its number of active members, by name.
func (s *Service) Tenants(ctx context.Context) ([]Summary, error) { return List(ctx, s.pool) }

// NewTenantForm is a new organisation as typed, with the email of its
// first administrator.
type NewTenantForm struct {
	Name       string
	Slug       string
	AdminEmail string
}

// ParseNewTenantForm reads a posted new organisation.
func ParseNewTenantForm(v url.Values) NewTenantForm {
	return NewTenantForm{Name: strings.TrimSpace(v.Get("name")), Slug: strings.ToLower(strings.TrimSpace(v.Get("slug"))),
		AdminEmail: strings.TrimSpace(v.Get("admin_email"))}
}

// NewTenant is an organisation just made, with its first administrator's
// invitation.
type NewTenant struct {
	Tenant
	Invited Invited
}

// CreateTenant makes an organisation and invites its first administrator,
// in one transaction, as done by a (a platform admin): the tenant.created
// and invitation.created events open the new tenant's log.
func (s *Service) CreateTenant(ctx context.Context, a Actor, f NewTenantForm) (NewTenant, error) {
	errs := Errors{}
	for field, msg := range map[string]string{"name": CheckName(f.Name), "slug": CheckSlug(f.Slug), "admin_email": CheckEmail(f.AdminEmail)} {
		if msg != "" {
			errs[field] = msg
		}
	}
	if len(errs) > 0 {
		return NewTenant{}, fail.Invalid(errs, "")
	}
	var out NewTenant
	// The tenant is not known until it is made: the transaction binds it
	// then.
	err := db.InTenant(ctx, s.pool, "", func(tx pgx.Tx) (err error) {
		if out.Tenant, err = Create(ctx, tx, f.Slug, f.Name); err != nil {
			return err
		}
		if err := db.BindTenant(ctx, tx, out.ID); err != nil {
			return err
		}
		a.TenantID = out.ID
		if err := a.Audit(ctx, tx, audit.Event{Action: "tenant.created", EntityType: "tenant", EntityID: out.ID,
			Detail: map[string]any{"slug": out.Slug, "name": out.Name}}); err != nil {
			return err
		}
		out.Invited, err = invite(ctx, tx, a, f.AdminEmail, auth.TenantAdmin)
		return err
	})
	return out, beside("admin_email", err)
}

// TenantPage is one organisation as the platform admin sees it: no
// patient data, by design.
type TenantPage struct {
	Summary
	Invitations []Invitation
}

// TenantPage reads a's tenant for the platform admin.
func (s *Service) TenantPage(ctx context.Context, a Actor) (TenantPage, error) {
	var p TenantPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Summary, err = GetSummary(ctx, tx, a.TenantID); err != nil {
			return err
		}
		p.Invitations, err = OpenInvitations(ctx, tx, a.TenantID)
		return err
	})
	return p, err
}

// RenameTenant gives a's tenant a new name, with the tenant.renamed event
// when it differs.
func (s *Service) RenameTenant(ctx context.Context, a Actor, name string) error {
	name = strings.TrimSpace(name)
	if msg := CheckName(name); msg != "" {
		return fail.Invalid(Errors{"name": msg}, "")
	}
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		_, err := rename(ctx, tx, a, name)
		return err
	})
}

// rename gives a's tenant name, with the tenant.renamed event, and
// reports whether the name changed.
func rename(ctx context.Context, q db.DBTX, a Actor, name string) (bool, error) {
	t, err := Get(ctx, q, a.TenantID)
	if err != nil || t.Name == name {
		return false, err
	}
	if err := Rename(ctx, q, a.TenantID, name); err != nil {
		return false, err
	}
	return true, a.Audit(ctx, q, audit.Event{Action: "tenant.renamed", EntityType: "tenant", EntityID: a.TenantID,
		Detail: map[string]any{"from": t.Name, "to": name}})
}

// SetTenantStatus suspends (Suspended) or reactivates (Active) a's tenant,
// with the tenant.suspended or tenant.reactivated event, and returns it as
// it was. Suspension closes the tenant at once: its routes answer 404 to
// its members on their next request, and members with no other
// organisation are signed out. Its data is kept.
func (s *Service) SetTenantStatus(ctx context.Context, a Actor, status string) (Tenant, error) {
	if !Statuses.Has(status) {
		return Tenant{}, fail.Invalid(Errors{"status": "Choose active or suspended."}, "")
	}
	var t Tenant
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if t, err = Get(ctx, tx, a.TenantID); err != nil || t.Status == status {
			return err
		}
		if err := updateTenant(ctx, tx, "update tenants set status = $2 where id = $1", a.TenantID, status); err != nil {
			return err
		}
		action := "tenant.reactivated"
		if status == Suspended {
			action = "tenant.suspended"
			if err := endSessionsOfMembers(ctx, tx, a.TenantID); err != nil {
				return err
			}
		}
		return a.Audit(ctx, tx, audit.Event{Action: action, EntityType: "tenant", EntityID: a.TenantID})
	})
	return t, err
}

// Get loads one tenant.
func Get(ctx context.Context, q db.DBTX, id string) (Tenant, error) {
	rows, _ := q.Query(ctx, "select "+tenantColumns+" from tenants where id = $1", id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Tenant])
	return t, db.NotFound(err)
}

// GetSummary loads one tenant as the platform admin's pages show it.
func GetSummary(ctx context.Context, q db.DBTX, id string) (Summary, error) {
	rows, _ := q.Query(ctx, summarySQL+" where t.id = $1", id)
	s, err := pgx.CollectExactlyOneRow(rows, scanSummary)
	return s, db.NotFound(err)
}

// Rename gives a tenant a new name.
func Rename(ctx context.Context, q db.DBTX, id, name string) error {
	return updateTenant(ctx, q, "update tenants set name = $2 where id = $1", id, strings.TrimSpace(name))
}

func updateTenant(ctx context.Context, q db.DBTX, sql, id, value string) error {
	tag, err := q.Exec(ctx, sql, id, value)
	if err == nil && tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	return err
}

// endSessionsOfMembers signs out the tenant's members who have no other
// organisation to work in.
func endSessionsOfMembers(ctx context.Context, q db.DBTX, tenantID string) error {
	rows, _ := q.Query(ctx, "select user_id::text from memberships where tenant_id = $1", tenantID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return EndSessionsWithoutTenant(ctx, q, ids)
}

// EndSessionsWithoutTenant ends every session of those of the given users
// who are left with no active organisation to work in, so that a member
// who was deactivated, or whose only tenant was suspended, is signed out on
// the next request rather than left on a page that answers nothing. Users
// who still belong to another active tenant keep their sessions; each
// tenant route checks its membership on every request anyway.
func EndSessionsWithoutTenant(ctx context.Context, q db.DBTX, userIDs []string) error {
	_, err := q.Exec(ctx, `
		update users u set session_version = session_version + 1
		 where u.id = any($1::uuid[]) and not u.platform_admin
		   and not exists (select 1 from memberships m join tenants t on t.id = m.tenant_id
		                    where m.user_id = u.id and m.active and t.status = 'active')`, userIDs)
	return err
}

// HasActiveTenant reports whether the user may work in at least one
// organisation now.
func HasActiveTenant(ctx context.Context, q db.DBTX, userID string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `
		select exists (select 1 from memberships m join tenants t on t.id = m.tenant_id
		                where m.user_id = $1 and m.active and t.status = 'active')`, userID).Scan(&ok)
	return ok, err
}

// RequiresMFA reports whether an organisation the user works in requires
// two-step sign-in of its members.
func RequiresMFA(ctx context.Context, q db.DBTX, userID string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `
		select exists (select 1 from memberships m join tenants t on t.id = m.tenant_id
		                where m.user_id = $1 and m.active and t.status = 'active'
		                  and coalesce((t.settings->>'require_mfa')::boolean, false))`, userID).Scan(&ok)
	return ok, err
}
