package tenants

import (
	"context"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// The tenant admin's people (issue 9): the users page, one member's page,
// and what an admin may do to a member. Admins see people, never
// patients.

// RecentSignIns is how many sign-in events a person's page lists.
const RecentSignIns = 10

// ErrResetRefused means no reset link can be made for the member; their
// page says why (MemberPage.ResetRefused).
var ErrResetRefused = fail.Conflict("No reset link was made: see why under Password.")

// UsersPage is the tenant's members and the invitations not yet accepted.
type UsersPage struct {
	Members     []Member
	Invitations []Invitation
}

// Users reads a's tenant's users page.
func (s *Service) Users(ctx context.Context, a Actor) (UsersPage, error) {
	var p UsersPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Members, err = Members(ctx, tx, a.TenantID); err != nil {
			return err
		}
		p.Invitations, err = OpenInvitations(ctx, tx, a.TenantID)
		return err
	})
	return p, err
}

// MemberPage is one member as their admin sees them.
type MemberPage struct {
	Member
	// Caseload counts the patients they coordinate who are not discharged.
	Caseload int
	// ResetRefused says why no password-reset link can be made for them,
	// or is "".
	ResetRefused string
	SignIns      []audit.SignInEvent
	// MFAEnrolled: they have an authenticator app set up.
	MFAEnrolled bool
}

// MemberPage reads one member's page of a's tenant.
func (s *Service) MemberPage(ctx context.Context, a Actor, userID string) (MemberPage, error) {
	var p MemberPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Member, p.ResetRefused, err = memberForReset(ctx, tx, a.TenantID, userID); err != nil {
			return err
		}
		if p.Caseload, err = s.patients.CaseloadCount(ctx, tx, a.TenantID, userID); err != nil {
			return err
		}
		if p.MFAEnrolled, err = auth.MFAEnrolled(ctx, tx, userID); err != nil {
			return err
		}
		p.SignIns, err = audit.RecentSignIns(ctx, tx, userID, RecentSignIns)
		return err
	})
	return p, err
}

// memberForReset loads a member and why their admin may not make them a
// password-reset link, if so: an account shared with another organisation
// is not one admin's to take over.
func memberForReset(ctx context.Context, q db.DBTX, tenantID, userID string) (Member, string, error) {
	mb, err := MemberOf(ctx, q, tenantID, userID)
	if err != nil {
		return mb, "", err
	}
	others, err := OtherTenants(ctx, q, tenantID, userID)
	switch {
	case err != nil:
		return mb, "", err
	case others > 0:
		return mb, "This person also works for another organisation on CareCoord, so their password is not this organisation's to reset. " +
			"They can change it on their account page; if they can't sign in, ask the CareCoord platform administrator.", nil
	case !mb.Active:
		return mb, "Reactivate this person before resetting their password.", nil
	}
	return mb, "", nil
}

// RoleChange is a member's role before and after a change.
type RoleChange struct {
	From, To auth.Role
}

// ChangeMemberRole gives a member of a's tenant another role, with the
// member.role_changed event. ErrLastAdmin keeps the tenant's last active
// administrator from stepping down.
func (s *Service) ChangeMemberRole(ctx context.Context, a Actor, userID, role string) (RoleChange, error) {
	c := RoleChange{To: auth.Role(role)}
	if !c.To.Valid() {
		return c, fail.Invalid(Errors{"role": "Choose one of the roles."}, "")
	}
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		c.From, err = ChangeRole(ctx, tx, a.TenantID, userID, c.To)
		if err != nil || c.From == c.To {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "member.role_changed", EntityType: "user", EntityID: userID,
			Detail: map[string]any{"from": string(c.From), "to": string(c.To)}})
	})
	return c, err
}

// ActiveChange is what (de)activating a member did.
type ActiveChange struct {
	Name    string
	Changed bool
}

// SetMemberActive deactivates or reactivates a member of a's tenant. A
// deactivated member's next request in the tenant is refused; when it was
// their only organisation all their sessions end at once. ErrLastAdmin
// keeps the last active administrator.
func (s *Service) SetMemberActive(ctx context.Context, a Actor, userID string, active bool) (ActiveChange, error) {
	var c ActiveChange
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if c.Changed, err = SetActive(ctx, tx, a.TenantID, userID, active); err != nil || !c.Changed {
			return err
		}
		mb, err := MemberOf(ctx, tx, a.TenantID, userID)
		if err != nil {
			return err
		}
		c.Name = mb.Name
		action := "member.reactivated"
		if !active {
			action = "member.deactivated"
			if err := EndSessionsWithoutTenant(ctx, tx, []string{userID}); err != nil {
				return err
			}
		}
		return a.Audit(ctx, tx, audit.Event{Action: action, EntityType: "user", EntityID: userID})
	})
	return c, err
}

// ResetLink is a password-reset link just made, for the member.
type ResetLink struct {
	Member
	Token string
}

// MakeResetLink makes a single-use password-reset link for a member of
// a's tenant whose only organisation it is (ErrResetRefused otherwise),
// with the password_reset.created event. Older links stop working.
func (s *Service) MakeResetLink(ctx context.Context, a Actor, userID string) (ResetLink, error) {
	var l ResetLink
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		var refused string
		if l.Member, refused, err = memberForReset(ctx, tx, a.TenantID, userID); err != nil {
			return err
		}
		if refused != "" {
			return ErrResetRefused
		}
		if l.Token, err = auth.CreateReset(ctx, tx, userID, a.UserID); err != nil {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "password_reset.created", EntityType: "user", EntityID: userID})
	})
	return l, err
}

// ErrMFAResetRefused means the member's two-step sign-in is not this
// admin's to reset, for the reason their page gives under Password.
var ErrMFAResetRefused = fail.Conflict("Two-step sign-in was not reset: see why under Password.")

// ResetMemberMFA removes the authenticator app of a member of a's tenant,
// so that they set up a new one at their next sign-in (when they must
// have one), and ends their sessions; with the member.mfa_reset event. It
// reports whether there was one. Like a password reset it is refused for
// an account shared with another organisation.
func (s *Service) ResetMemberMFA(ctx context.Context, a Actor, userID string) (bool, error) {
	var reset bool
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		_, refused, err := memberForReset(ctx, tx, a.TenantID, userID)
		if err != nil {
			return err
		}
		if refused != "" {
			return ErrMFAResetRefused
		}
		if reset, err = auth.ResetMFA(ctx, tx, userID, a.IP); err != nil || !reset {
			return err
		}
		return a.Audit(ctx, tx, audit.Event{Action: "member.mfa_reset", EntityType: "user", EntityID: userID})
	})
	return reset, err
}

// Account is a person's own account page: where they work and their
// latest sign-ins.
type Account struct {
	Memberships []Membership
	SignIns     []audit.SignInEvent
}

// Account reads a's own account page.
func (s *Service) Account(ctx context.Context, a Actor) (Account, error) {
	var acc Account
	var err error
	if acc.Memberships, err = Memberships(ctx, s.pool, a.UserID); err != nil {
		return acc, err
	}
	acc.SignIns, err = audit.RecentSignIns(ctx, s.pool, a.UserID, RecentSignIns)
	return acc, err
}
