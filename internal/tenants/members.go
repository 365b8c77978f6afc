package tenants

import (
	"context"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// ErrLastAdmin means the change would leave the tenant without an active
// administrator, and nobody could then manage its users. It is a conflict
// (409): most often another admin stepped down a moment earlier.
var ErrLastAdmin = fail.Conflict("Nobody else is an active administrator of this organisation, so this would leave it without one. " +
	"Make someone else an administrator first.")

// MemberOf loads one member of the tenant as the admin's pages show them.
func MemberOf(ctx context.Context, q db.DBTX, tenantID, userID string) (Member, error) {
	rows, _ := q.Query(ctx, memberSQL+" where m.tenant_id = $1 and m.user_id = $2", tenantID, userID)
	mb, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Member])
	return mb, db.NotFound(err)
}

// OtherTenants counts the other tenants the user has a membership in,
// active or not.
func OtherTenants(ctx context.Context, q db.DBTX, tenantID, userID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, "select count(*) from memberships where user_id = $1 and tenant_id <> $2", userID, tenantID).Scan(&n)
	return n, err
}

// ChangeRole gives a member another role and returns the one they had. An
// administrator cannot be given another role when no other active
// administrator would remain.
func ChangeRole(ctx context.Context, q db.DBTX, tenantID, userID string, role auth.Role) (auth.Role, error) {
	m, err := lockMember(ctx, q, tenantID, userID)
	if err != nil || m.Role == role {
		return m.Role, err
	}
	if m.Role == auth.TenantAdmin && m.Active {
		if err := anotherAdmin(ctx, q, tenantID, userID); err != nil {
			return m.Role, err
		}
	}
	_, err = q.Exec(ctx, "update memberships set role = $3 where tenant_id = $1 and user_id = $2", tenantID, userID, role)
	return m.Role, err
}

// SetActive deactivates or reactivates a member. It reports whether
// anything changed. The last active administrator cannot be deactivated.
func SetActive(ctx context.Context, q db.DBTX, tenantID, userID string, active bool) (bool, error) {
	m, err := lockMember(ctx, q, tenantID, userID)
	if err != nil || m.Active == active {
		return false, err
	}
	if !active && m.Role == auth.TenantAdmin {
		if err := anotherAdmin(ctx, q, tenantID, userID); err != nil {
			return false, err
		}
	}
	_, err = q.Exec(ctx, "update memberships set active = $3 where tenant_id = $1 and user_id = $2", tenantID, userID, active)
	return err == nil, err
}

type lockedMember struct {
	Role   auth.Role
	Active bool
}

// lockMember reads a membership for a change. It first locks the tenant's
// row, so that changes to one tenant's members happen one after another:
// two admins demoting each other at the same moment cannot both succeed.
func lockMember(ctx context.Context, q db.DBTX, tenantID, userID string) (lockedMember, error) {
	if _, err := q.Exec(ctx, "select 1 from tenants where id = $1 for update", tenantID); err != nil {
		return lockedMember{}, err
	}
	var m lockedMember
	err := q.QueryRow(ctx, "select role, active from memberships where tenant_id = $1 and user_id = $2", tenantID, userID).Scan(&m.Role, &m.Active)
	return m, db.NotFound(err)
}

// anotherAdmin returns ErrLastAdmin unless an active administrator other
// than userID remains.
func anotherAdmin(ctx context.Context, q db.DBTX, tenantID, userID string) error {
	var others int
	err := q.QueryRow(ctx, `
		select count(*) from memberships m join users u on u.id = m.user_id
		 where m.tenant_id = $1 and m.user_id <> $2 and m.role = 'tenant_admin' and m.active and not u.disabled`,
		tenantID, userID).Scan(&others)
	if err == nil && others == 0 {
		return ErrLastAdmin
	}
	return err
}
