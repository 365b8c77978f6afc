package tenants

import (
	"context"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// InvitationValidFor is how long an invitation link works.
const InvitationValidFor = 7 * 24 * time.Hour

// Reasons an invitation cannot be made.
var (
	ErrAlreadyMember     = errors.New("already a member")
	ErrDeactivatedMember = errors.New("a deactivated member")
	ErrPlatformAdmin     = errors.New("a platform administrator")
	// ErrInvitationClosed means the invitation was accepted, revoked or
	// replaced, has expired, or its tenant is suspended.
	ErrInvitationClosed = errors.New("invitation no longer open")
)

// InvitationState is where an invitation stands.
type InvitationState string

// Invitation states.
const (
	InvitationOpen      InvitationState = "open"
	InvitationAccepted  InvitationState = "accepted"
	InvitationRevoked   InvitationState = "revoked"
	InvitationExpired   InvitationState = "expired"
	InvitationSuspended InvitationState = "tenant_suspended"
)

// Invitation is a pending membership: a person, by email, offered a role in
// a tenant through a single-use link.
type Invitation struct {
	ID            string
	Tenant        Tenant
	Email         string
	Role          auth.Role
	InvitedByName string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	AcceptedAt    *time.Time
	RevokedAt     *time.Time
}

// State says whether the invitation can still be accepted at now, and if
// not, why.
func (i Invitation) State(now time.Time) InvitationState {
	switch {
	case i.AcceptedAt != nil:
		return InvitationAccepted
	case i.RevokedAt != nil:
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	case i.Tenant.Status != Active:
		return InvitationSuspended
	}
	return InvitationOpen
}

// InviteForm is the invitation form as typed.
type InviteForm struct {
	Email string
	Role  string
}

// ParseInviteForm reads a posted invitation form.
func ParseInviteForm(v url.Values) InviteForm {
	return InviteForm{Email: strings.TrimSpace(v.Get("email")), Role: v.Get("role")}
}

// Validate checks the form, filling errs, and returns what it holds.
func (f InviteForm) Validate(errs Errors) (string, auth.Role) {
	if msg := CheckEmail(f.Email); msg != "" {
		errs["email"] = msg
	}
	role := auth.Role(f.Role)
	if !role.Valid() {
		errs["role"] = "Choose the role this person will have."
	}
	return auth.NormalizeEmail(f.Email), role
}

// CheckEmail returns why s is not a usable email address, or "".
func CheckEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Enter the person's email address."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "Enter an email address like name@example.org."
	}
	return ""
}

// Invite makes an invitation for email to join the tenant with role, and
// returns it with the token for its link. An open invitation for the same
// person is replaced. A person who already has an account keeps it: on
// accepting they gain a membership, not a second account.
func Invite(ctx context.Context, q db.DBTX, tenantID, email string, role auth.Role, invitedBy string) (Invitation, string, error) {
	email = auth.NormalizeEmail(email)
	var platformAdmin bool
	var active *bool
	err := q.QueryRow(ctx, `
		select u.platform_admin, m.active
		  from users u left join memberships m on m.user_id = u.id and m.tenant_id = $1
		 where u.email = $2`, tenantID, email).Scan(&platformAdmin, &active)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Invitation{}, "", err
	case platformAdmin:
		return Invitation{}, "", ErrPlatformAdmin
	case active != nil && *active:
		return Invitation{}, "", ErrAlreadyMember
	case active != nil:
		return Invitation{}, "", ErrDeactivatedMember
	}
	if _, err := q.Exec(ctx, `
		update invitations set revoked_at = now()
		 where tenant_id = $1 and email = $2 and accepted_at is null and revoked_at is null`, tenantID, email); err != nil {
		return Invitation{}, "", err
	}
	token, hash := auth.NewToken()
	var id string
	err = q.QueryRow(ctx, `
		insert into invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
		values ($1, $2, $3, $4, nullif($5, '')::uuid, now() + make_interval(secs => $6))
		returning id`, tenantID, email, role, hash, invitedBy, InvitationValidFor.Seconds()).Scan(&id)
	if db.IsUniqueViolation(err, "invitations_open_key") {
		// Someone invited the same person at the same moment.
		return Invitation{}, "", db.ErrConflict
	}
	if err != nil {
		return Invitation{}, "", err
	}
	inv, err := InvitationOf(ctx, q, tenantID, id)
	return inv, token, err
}

// Renew replaces an open or expired invitation with a new one for the same
// person and role, valid for another InvitationValidFor.
func Renew(ctx context.Context, q db.DBTX, tenantID, id, invitedBy string) (Invitation, string, error) {
	old, err := InvitationOf(ctx, q, tenantID, id)
	if err != nil {
		return Invitation{}, "", err
	}
	if old.AcceptedAt != nil || old.RevokedAt != nil {
		return Invitation{}, "", ErrInvitationClosed
	}
	return Invite(ctx, q, tenantID, old.Email, old.Role, invitedBy)
}

// Revoke withdraws an invitation that was not accepted yet.
func Revoke(ctx context.Context, q db.DBTX, tenantID, id string) (Invitation, error) {
	tag, err := q.Exec(ctx, `
		update invitations set revoked_at = now()
		 where tenant_id = $1 and id = $2 and accepted_at is null and revoked_at is null`, tenantID, id)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := InvitationOf(ctx, q, tenantID, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrInvitationClosed
	}
	return inv, err
}

const invitationSQL = `
		select i.id, t.id, t.slug, t.name, t.status, i.email, i.role, coalesce(u.name, ''),
		       i.created_at, i.expires_at, i.accepted_at, i.revoked_at
		  from invitations i join tenants t on t.id = i.tenant_id
		  left join users u on u.id = i.invited_by`

func scanInvitation(row pgx.CollectableRow) (Invitation, error) {
	var i Invitation
	err := row.Scan(&i.ID, &i.Tenant.ID, &i.Tenant.Slug, &i.Tenant.Name, &i.Tenant.Status, &i.Email, &i.Role, &i.InvitedByName,
		&i.CreatedAt, &i.ExpiresAt, &i.AcceptedAt, &i.RevokedAt)
	return i, err
}

// InvitationOf loads one of the tenant's invitations.
func InvitationOf(ctx context.Context, q db.DBTX, tenantID, id string) (Invitation, error) {
	rows, _ := q.Query(ctx, invitationSQL+" where i.tenant_id = $1 and i.id = $2", tenantID, id)
	i, err := pgx.CollectExactlyOneRow(rows, scanInvitation)
	return i, db.NotFound(err)
}

// InvitationByToken finds the invitation a link leads to, whatever its
// state; ErrNotFound when no invitation ever had the token.
func InvitationByToken(ctx context.Context, q db.DBTX, token string) (Invitation, error) {
	rows, _ := q.Query(ctx, invitationSQL+" where i.token_hash = $1", auth.HashToken(token))
	i, err := pgx.CollectExactlyOneRow(rows, scanInvitation)
	return i, db.NotFound(err)
}

// OpenInvitations lists the tenant's invitations that were neither accepted
// nor revoked, newest first; expired ones are included, to be renewed.
func OpenInvitations(ctx context.Context, q db.DBTX, tenantID string) ([]Invitation, error) {
	rows, _ := q.Query(ctx, invitationSQL+`
		 where i.tenant_id = $1 and i.accepted_at is null and i.revoked_at is null
		 order by i.created_at desc, i.id`, tenantID)
	return pgx.CollectRows(rows, scanInvitation)
}

// Accept spends the invitation for userID and gives them its role in the
// tenant, in one step: of two uses of one link only one succeeds, and an
// expired or revoked link, or one to a suspended tenant, does nothing
// (ErrInvitationClosed).
func Accept(ctx context.Context, q db.DBTX, inv Invitation, userID string) error {
	tag, err := q.Exec(ctx, `
		update invitations i set accepted_at = now(), accepted_by = $2
		  from tenants t
		 where i.id = $1 and t.id = i.tenant_id and t.status = 'active'
		   and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`, inv.ID, userID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrInvitationClosed
	}
	// A membership made since the invitation (there is no other way in
	// today) is left as it is.
	_, err = q.Exec(ctx, `
		insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)
		on conflict (tenant_id, user_id) do nothing`, inv.Tenant.ID, userID, inv.Role)
	return err
}
