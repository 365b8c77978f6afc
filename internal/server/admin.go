package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Tenant administration (issue 9): users and their invitations here;
// one member's page in admin_member.go, settings and the audit log in
// their own files. Admins see people, never patients.

// adminUsers lists the tenant's users, the invitation form and the
// invitations not yet accepted.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, s.inviteFormView(r, tenants.InviteForm{}, nil))
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, code int, invite web.InviteFormView) error {
	m, _ := currentMembership(r)
	v := web.UsersView{Shell: s.shell(r), Invite: invite, Shown: s.popShownLink(r)}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		members, err := tenants.Members(r.Context(), tx, m.Tenant.ID)
		if err != nil {
			return err
		}
		for _, mb := range members {
			v.Rows = append(v.Rows, web.MemberRow{Name: mb.Name, Href: tenantPath(r, "/admin/users/"+mb.UserID), Email: mb.Email,
				RoleLabel: mb.Role.Label(), Active: mb.Active, LastSignIn: lastSignIn(mb.LastSignIn)})
		}
		v.Invitations, err = s.invitationRows(r, tx, m.Tenant.ID, tenantPath(r, "/admin/invitations/"))
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, code, web.UsersPage(v))
}

func lastSignIn(t *time.Time) string {
	if t == nil {
		return "Never"
	}
	return dateTime(*t)
}

// dateTime is how admin pages show a moment.
func dateTime(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04") }

// roleOptions are the roles a tenant admin can give.
func roleOptions() []web.SelectOption {
	out := make([]web.SelectOption, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = web.SelectOption{Value: string(r), Label: r.Label()}
	}
	return out
}

func (s *Server) inviteFormView(r *http.Request, f tenants.InviteForm, errs tenants.Errors) web.InviteFormView {
	return web.InviteFormView{Action: tenantPath(r, "/admin/invitations"), Email: f.Email, Role: f.Role, Roles: roleOptions(), Errors: web.FieldErrors(errs)}
}

// invitationRows lists a tenant's open invitations, with their actions
// under base (which ends in "/").
func (s *Server) invitationRows(r *http.Request, tx pgx.Tx, tenantID, base string) ([]web.InvitationRow, error) {
	open, err := tenants.OpenInvitations(r.Context(), tx, tenantID)
	rows := make([]web.InvitationRow, len(open))
	now := s.now()
	for i, inv := range open {
		rows[i] = web.InvitationRow{
			Email: inv.Email, RoleLabel: inv.Role.Label(), InvitedBy: orText(inv.InvitedByName, "CareCoord"),
			Sent: longDate(inv.CreatedAt.Local()), Expires: dateTime(inv.ExpiresAt),
			Expired:     inv.State(now) == tenants.InvitationExpired,
			RenewAction: base + inv.ID + "/renew", RevokeAction: base + inv.ID + "/revoke",
		}
	}
	return rows, err
}

// invite invites a person to the tenant with a role.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	f := tenants.ParseInviteForm(r.PostForm)
	errs := tenants.Errors{}
	email, role := f.Validate(errs)
	var (
		inv   tenants.Invitation
		token string
	)
	if len(errs) == 0 {
		err := s.inTenant(r, func(tx pgx.Tx) (err error) {
			inv, token, err = s.createInvitation(r, tx, m.Tenant.ID, u.ID, email, role)
			return err
		})
		if err := inviteProblem(err, errs); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, s.inviteFormView(r, f, errs))
	}
	s.deliverInvitation(r, u, inv, token)
	return redirect(w, r, tenantPath(r, "/admin/users"))
}

// inviteProblem puts the reasons an invitation could not be made beside
// the email field; other errors are returned.
func inviteProblem(err error, errs tenants.Errors) error {
	switch {
	case err == nil:
	case errors.Is(err, tenants.ErrAlreadyMember):
		errs["email"] = "This person already has access to the organisation."
	case errors.Is(err, tenants.ErrDeactivatedMember):
		errs["email"] = "This person was deactivated. Open their page in the list above to reactivate them."
	case errors.Is(err, tenants.ErrPlatformAdmin):
		errs["email"] = "This is a platform administrator's account, which can't belong to an organisation. Invite another email address."
	case errors.Is(err, db.ErrConflict):
		errs["email"] = "Someone invited this person at the same moment. Check the open invitations."
	default:
		return err
	}
	return nil
}

// createInvitation makes the invitation in tx and records it in the
// tenant's audit log as done by actorID. The caller delivers its link once
// the transaction has committed.
func (s *Server) createInvitation(r *http.Request, tx pgx.Tx, tenantID, actorID, email string, role auth.Role) (tenants.Invitation, string, error) {
	inv, token, err := tenants.Invite(r.Context(), tx, tenantID, email, role, actorID)
	if err != nil {
		return inv, "", err
	}
	err = s.auditAs(r, tx, tenantID, actorID, audited{action: "invitation.created", entityType: "invitation", entityID: inv.ID,
		detail: map[string]any{"email": inv.Email, "role": string(inv.Role)}})
	return inv, token, err
}

// deliverInvitation emails the invitation or shows its link to the admin.
func (s *Server) deliverInvitation(r *http.Request, by auth.User, inv tenants.Invitation, token string) {
	until := longDate(inv.ExpiresAt.Local())
	s.deliverLink(r, linkMail{
		to:      inv.Email,
		subject: "Invitation to " + inv.Tenant.Name + " on CareCoord",
		body: "Hello,\n\n" + by.Name + " has invited you to work in " + inv.Tenant.Name + " on CareCoord as " +
			strings.ToLower(inv.Role.Label()) + ".\n\nOpen this link to accept. It works once, until " + until + ":\n\n{link}\n\n" +
			"If you did not expect this invitation, you can ignore this email.\n",
		title: "Invitation for " + inv.Email,
		note:  "The link works once, until " + until + ". Anyone who has it can accept, so pass it on only to " + inv.Email + ".",
		url:   s.absoluteURL(r, "/invitations/"+token),
	})
}

// renewInvitation replaces an invitation's link with a new one, valid for
// another seven days.
func (s *Server) renewInvitation(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	return s.renewInvitationOf(w, r, m.Tenant.ID, tenantPath(r, "/admin/users"), s.inTenant)
}

// revokeInvitation withdraws an invitation.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	return s.revokeInvitationOf(w, r, m.Tenant.ID, tenantPath(r, "/admin/users"), s.inTenant)
}

// txRunner runs fn in a transaction bound to the right tenant.
type txRunner func(r *http.Request, fn func(tx pgx.Tx) error) error

func (s *Server) renewInvitationOf(w http.ResponseWriter, r *http.Request, tenantID, back string, run txRunner) error {
	id, err := uuidParam(r, "invitationID")
	if err != nil {
		return err
	}
	u, _ := currentUser(r)
	var (
		inv   tenants.Invitation
		token string
	)
	err = run(r, func(tx pgx.Tx) (err error) {
		inv, token, err = tenants.Renew(r.Context(), tx, tenantID, id, u.ID)
		if err != nil {
			return err
		}
		return s.auditAs(r, tx, tenantID, u.ID, audited{action: "invitation.renewed", entityType: "invitation", entityID: inv.ID,
			detail: map[string]any{"replaces": id, "email": inv.Email, "role": string(inv.Role)}})
	})
	errs := tenants.Errors{}
	switch {
	case errors.Is(err, tenants.ErrInvitationClosed):
		s.flash(r, "That invitation was already accepted or withdrawn.")
	case inviteProblem(err, errs) != nil:
		return err
	case errs["email"] != "":
		s.flash(r, errs["email"])
	default:
		s.deliverInvitation(r, u, inv, token)
	}
	return redirect(w, r, back)
}

func (s *Server) revokeInvitationOf(w http.ResponseWriter, r *http.Request, tenantID, back string, run txRunner) error {
	id, err := uuidParam(r, "invitationID")
	if err != nil {
		return err
	}
	u, _ := currentUser(r)
	var inv tenants.Invitation
	err = run(r, func(tx pgx.Tx) (err error) {
		inv, err = tenants.Revoke(r.Context(), tx, tenantID, id)
		if err != nil {
			return err
		}
		return s.auditAs(r, tx, tenantID, u.ID, audited{action: "invitation.revoked", entityType: "invitation", entityID: id,
			detail: map[string]any{"email": inv.Email}})
	})
	switch {
	case errors.Is(err, tenants.ErrInvitationClosed):
		s.flash(r, "That invitation was already accepted or withdrawn.")
	case err != nil:
		return err
	default:
		s.flash(r, "The invitation for "+inv.Email+" is withdrawn; its link no longer works.")
	}
	return redirect(w, r, back)
}
