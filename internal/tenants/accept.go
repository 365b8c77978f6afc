package tenants

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"

	"github.com/jackc/pgx/v5"
)

// Accepting an invitation (issue 9). The link's token is the only proof
// the visitor has. A new person sets a name and password; a person who
// already has an account (of another tenant) confirms with its password,
// or with one click when signed in as that account, and gains a
// membership, not a second account.

// Why an invitation's link no longer works, each with what to do instead.
var (
	ErrInvitationUsed = fail.Precondition("This invitation was accepted already, and each invitation works only once. " +
		"Sign in with your email and password.")
	ErrInvitationWithdrawn = fail.Precondition("This invitation was withdrawn or replaced by a newer one.")
	ErrInvitationExpired   = fail.Precondition("This invitation has expired.")
	ErrTenantUnavailable   = fail.Precondition("The organisation of this invitation is not available at the moment.")
	// errInvitationSpent: the link was used up while its page was open.
	errInvitationSpent = fail.Precondition("This invitation can no longer be accepted.")
)

// ErrOtherAccount means the visitor is signed in as someone the invitation
// is not for.
var ErrOtherAccount = fail.Conflict("This invitation is for another account: sign out first, then open the link again.")

// Closed is why the invitation can't be accepted at now, or nil while it
// is open.
func (i Invitation) Closed(now time.Time) error {
	by := i.InvitedByName
	if by == "" {
		by = "the organisation's administrator"
	}
	ask := " Ask " + by + " for a new invitation."
	switch i.State(now) {
	case InvitationAccepted:
		return ErrInvitationUsed
	case InvitationRevoked:
		return ErrInvitationWithdrawn.Because(ErrInvitationWithdrawn.Message + ask)
	case InvitationExpired:
		return ErrInvitationExpired.Because("This invitation expired on " + i.ExpiresAt.Local().Format(calendar.DayTime) + "." + ask)
	case InvitationSuspended:
		return ErrTenantUnavailable
	}
	return nil
}

// Offer is what an invitation's link offers while it is open.
type Offer struct {
	Invitation
	// Account is the invited email's account, or nil for a new person.
	Account *auth.User
}

// Offer is the open invitation of the link with token: db.ErrNotFound for
// a token that never existed, the invitation's Closed error for one that
// can no longer be used.
func (s *Service) Offer(ctx context.Context, a Actor, token string) (Offer, error) {
	inv, err := InvitationByToken(ctx, s.pool, token)
	if err != nil {
		return Offer{}, err
	}
	if err := inv.Closed(a.At); err != nil {
		return Offer{}, err
	}
	o := Offer{Invitation: inv}
	u, err := auth.UserByEmail(ctx, s.pool, inv.Email)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return o, err
	default:
		o.Account = &u
	}
	return o, nil
}

// AcceptForm is the invitation page's form as typed: a name and a new
// password twice for a new person, or the password of an existing
// account.
type AcceptForm struct {
	Name     string
	Password string
	New      auth.PasswordForm
}

// ParseAcceptForm reads a posted invitation form.
func ParseAcceptForm(v url.Values) AcceptForm {
	return AcceptForm{Name: strings.TrimSpace(v.Get("name")), Password: v.Get("password"), New: auth.ParsePasswordForm(v)}
}

// Accepted is an invitation accepted: who joined which organisation, and
// whether they are to be signed in on this browser (they were not yet).
type Accepted struct {
	Tenant Tenant
	User   auth.User
	SignIn bool
}

// AcceptInvitation accepts the invitation of the link with token in the
// way its page offers: for a's signed-in account when it is the invited
// one, with the existing account's password, or with a new account made
// from f. Spending the link is one conditional update, so of two uses only
// one succeeds.
func (s *Service) AcceptInvitation(ctx context.Context, a Actor, token string, f AcceptForm) (Accepted, error) {
	o, err := s.Offer(ctx, a, token)
	if err != nil {
		return Accepted{}, err
	}
	var done Accepted
	switch {
	case a.UserID != "" && o.Account != nil && o.Account.ID == a.UserID:
		done, err = s.join(ctx, a, o, *o.Account, false)
	case a.UserID != "":
		return Accepted{}, ErrOtherAccount
	case o.Account != nil:
		done, err = s.acceptWithPassword(ctx, a, o, f.Password)
	default:
		done, err = s.acceptWithNewAccount(ctx, a, o, f)
	}
	if errors.Is(err, errInvitationSpent) {
		// Say why, as the link itself now would.
		if inv, lookupErr := InvitationByToken(ctx, s.pool, token); lookupErr == nil {
			if closed := inv.Closed(a.At); closed != nil {
				err = closed
			}
		}
	}
	return done, err
}

// acceptWithNewAccount makes the invitee's account and membership, and
// signs them in.
func (s *Service) acceptWithNewAccount(ctx context.Context, a Actor, o Offer, f AcceptForm) (Accepted, error) {
	errs := Errors{}
	errs.Required("name", f.Name, "Enter your name.")
	if utf8.RuneCountInString(f.Name) > 200 {
		errs.Add("name", "Use at most 200 characters.")
	}
	auth.CheckNewPasswords(errs, f.New.New, f.New.Confirm, o.Email)
	if len(errs) > 0 {
		return Accepted{}, fail.Invalid(errs, "")
	}
	var u auth.User
	err := db.InTenant(ctx, s.pool, o.Tenant.ID, func(tx pgx.Tx) (err error) {
		if u, err = auth.CreateUser(ctx, tx, auth.NewUser{Email: o.Email, Name: f.Name, Password: f.New.New}); err != nil {
			return err
		}
		if err := accept(ctx, tx, a, o.Invitation, u, true); err != nil {
			return err
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignIn, IP: a.IP})
	})
	if errors.Is(err, auth.ErrEmailTaken) {
		// Another use of the link made the account a moment ago.
		return Accepted{}, auth.ErrEmailTaken.Because("An account with this email was created a moment ago. Confirm with its password below.")
	}
	if err != nil {
		return Accepted{}, err
	}
	return Accepted{Tenant: o.Tenant, User: u, SignIn: true}, nil
}

// acceptWithPassword checks the existing account's password, throttled
// and recorded as at sign-in, and adds the membership.
func (s *Service) acceptWithPassword(ctx context.Context, a Actor, o Offer, password string) (Accepted, error) {
	if password == "" {
		return Accepted{}, fail.Invalid(Errors{"password": "Enter your password."}, "")
	}
	var refused error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, refused = auth.SignIn(ctx, tx, o.Email, password)
		action := auth.FailedAction(refused)
		if action == "" {
			return refused
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: o.Account.ID, Email: o.Email, Action: action, IP: a.IP})
	})
	switch {
	case err != nil:
		return Accepted{}, err
	case errors.Is(refused, auth.ErrLocked):
		return Accepted{}, auth.ErrLocked.Because("Too many unsuccessful attempts. For safety this account is locked for 15 minutes; try again after that.")
	case refused != nil:
		return Accepted{}, auth.ErrInvalidCredentials.WithFields(map[string]string{"password": "That is not the password of this account."})
	}
	return s.join(ctx, a, o, *o.Account, true)
}

// join adds the membership of u, an existing account, and with signIn
// records u signing in.
func (s *Service) join(ctx context.Context, a Actor, o Offer, u auth.User, signIn bool) (Accepted, error) {
	err := db.InTenant(ctx, s.pool, o.Tenant.ID, func(tx pgx.Tx) error {
		if err := accept(ctx, tx, a, o.Invitation, u, false); err != nil || !signIn {
			return err
		}
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignIn, IP: a.IP})
	})
	return Accepted{Tenant: o.Tenant, User: u, SignIn: signIn}, err
}

// accept spends the invitation for u and gives them its role in the
// tenant, in one step: an expired or revoked link, or one to a suspended
// tenant, does nothing (errInvitationSpent). The event is u's, in the
// invitation's tenant.
func accept(ctx context.Context, q db.DBTX, a Actor, inv Invitation, u auth.User, newAccount bool) error {
	tag, err := q.Exec(ctx, `
		update invitations i set accepted_at = now(), accepted_by = $2
		  from tenants t
		 where i.id = $1 and t.id = i.tenant_id and t.status = 'active'
		   and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`, inv.ID, u.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return errInvitationSpent
	}
	// A membership made since the invitation (there is no other way in
	// today) is left as it is.
	if _, err := q.Exec(ctx, `
		insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)
		on conflict (tenant_id, user_id) do nothing`, inv.Tenant.ID, u.ID, inv.Role); err != nil {
		return err
	}
	a.TenantID, a.UserID, a.UserName = inv.Tenant.ID, u.ID, u.Name
	return a.Audit(ctx, q, audit.Event{Action: "invitation.accepted", EntityType: "invitation", EntityID: inv.ID,
		Detail: map[string]any{"user": u.ID, "role": string(inv.Role), "new_account": newAccount}})
}
