package tenants

import (
	"context"
	"strings"
	"unicode/utf8"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// Running tenants (issue 9): the platform admin creates, renames, suspends
// and reactivates them; a tenant admin may rename their own.

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

// Get loads one tenant.
func Get(ctx context.Context, q db.DBTX, id string) (Tenant, error) {
	rows, _ := q.Query(ctx, "select "+tenantColumns+" from tenants where id = $1", id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Tenant])
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

// SetStatus suspends (Suspended) or reactivates (Active) a tenant. A
// suspended tenant keeps all its data; its members cannot reach it.
func SetStatus(ctx context.Context, q db.DBTX, id, status string) error {
	return updateTenant(ctx, q, "update tenants set status = $2 where id = $1", id, status)
}

func updateTenant(ctx context.Context, q db.DBTX, sql, id, value string) error {
	tag, err := q.Exec(ctx, sql, id, value)
	if err == nil && tag.RowsAffected() == 0 {
		return db.ErrNotFound
	}
	return err
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

// MemberIDs lists every user with a membership in the tenant, active or not.
func MemberIDs(ctx context.Context, q db.DBTX, tenantID string) ([]string, error) {
	rows, _ := q.Query(ctx, "select user_id::text from memberships where tenant_id = $1", tenantID)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
