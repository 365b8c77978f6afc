package tenants

import (
	"context"
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// InvitationValidFor is how long an invitation link works.
const InvitationValidFor = 7 * 24 * time.Hour

// Reasons an invitation cannot be made, said beside the email it was for.
var (
	ErrAlreadyMember     = fail.Precondition("This person already has access to the organisation.")
	ErrDeactivatedMember = fail.Precondition("This person was deactivated. Open their page in the list above to reactivate them.")
	ErrPlatformAdmin     = fail.Precondition("This is a platform administrator's account, which can't belong to an organisation. Invite another email address.")
	// ErrInvitedMeanwhile: two admins invited the same person at once.
	ErrInvitedMeanwhile = fail.Precondition("Someone invited this person at the same moment. Check the open invitations.")
	// ErrInvitationNotOpen means an invitation to renew or revoke was
	// accepted or revoked already.
	ErrInvitationNotOpen = fail.Precondition("That invitation was already accepted or withdrawn.")
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

// Invited is an invitation just made, with the token of its link: shown
// or sent once, and never stored.
type Invited struct {
	Invitation
	Token string
}

// Invite invites the person of f to a's tenant with f's role, with the
// invitation.created event. A reason the person can't be invited is said
// beside the form's email field.
func (s *Service) Invite(ctx context.Context, a Actor, f InviteForm) (Invited, error) {
	errs := Errors{}
	email, role := f.Validate(errs)
	if len(errs) > 0 {
		return Invited{}, fail.Invalid(errs, "")
	}
	var out Invited
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if _, err := Get(ctx, tx, a.TenantID); err != nil {
			return err
		}
		out, err = invite(ctx, tx, a, email, role)
		return err
	})
	return out, beside("email", err)
}

// invite makes the invitation in q's transaction and records it in a's
// tenant's log.
func invite(ctx context.Context, q db.DBTX, a Actor, email string, role auth.Role) (Invited, error) {
	inv, token, err := Invite(ctx, q, a.TenantID, email, role, a.UserID)
	if err != nil {
		return Invited{}, err
	}
	return Invited{Invitation: inv, Token: token}, a.Audit(ctx, q, audit.Event{Action: "invitation.created", EntityType: "invitation",
		EntityID: inv.ID, Detail: map[string]any{"email": inv.Email, "role": string(inv.Role)}})
}

// beside puts a precondition's message beside the form's field, where the
// page shows it; other errors pass.
func beside(field string, err error) error {
	if e, ok := fail.As(err); ok && e.Kind == fail.KindPrecondition && len(e.Fields) == 0 {
		return e.WithFields(map[string]string{field: e.Message})
	}
	return err
}

// RenewInvitation replaces an open or expired invitation with a new one
// for the same person and role, valid for another InvitationValidFor.
func (s *Service) RenewInvitation(ctx context.Context, a Actor, id string) (Invited, error) {
	var out Invited
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		old, err := InvitationOf(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if old.AcceptedAt != nil || old.RevokedAt != nil {
			return ErrInvitationNotOpen
		}
		inv, token, err := Invite(ctx, tx, a.TenantID, old.Email, old.Role, a.UserID)
		if err != nil {
			return err
		}
		out = Invited{Invitation: inv, Token: token}
		return a.Audit(ctx, tx, audit.Event{Action: "invitation.renewed", EntityType: "invitation", EntityID: inv.ID,
			Detail: map[string]any{"replaces": id, "email": inv.Email, "role": string(inv.Role)}})
	})
	return out, err
}

// RevokeInvitation withdraws an invitation that was not accepted yet.
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, id string) (Invitation, error) {
	var inv Invitation
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			update invitations set revoked_at = now()
			 where tenant_id = $1 and id = $2 and accepted_at is null and revoked_at is null`, a.TenantID, id)
		if err != nil {
			return err
		}
		if inv, err = InvitationOf(ctx, tx, a.TenantID, id); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrInvitationNotOpen
		}
		return a.Audit(ctx, tx, audit.Event{Action: "invitation.revoked", EntityType: "invitation", EntityID: id,
			Detail: map[string]any{"email": inv.Email}})
	})
	return inv, err
}

// Invite makes an invitation for email to join the tenant with role, and
// returns it with the token for its link. An open invitation for the same
// person is replaced. A person who already has an account keeps it: on
// accepting they gain a membership, not a second account. The audit event
// is the caller's (Service.Invite); loaders call this directly.
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
		return Invitation{}, "", ErrInvitedMeanwhile
	}
	if err != nil {
		return Invitation{}, "", err
	}
	inv, err := InvitationOf(ctx, q, tenantID, id)
	return inv, token, err
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
