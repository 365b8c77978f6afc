package server

import (
	"net/http"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Tenant administration (issue 9): users and their invitations here;
// one member's page in admin_member.go, settings and the audit log in
// their own files. Admins see people, never patients.

// adminUsers lists the tenant's users, the invitation form and the
// invitations not yet accepted.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	return showPage(w, r)(s.usersView(r, s.inviteFormView(r, tenants.InviteForm{}, nil)))
}

// usersView is the users page with invite as its invitation form.
func (s *Server) usersView(r *http.Request, invite web.InviteFormView) (templ.Component, error) {
	a := s.actor(r)
	p, err := s.tenants.Users(r.Context(), a)
	if err != nil {
		return nil, err
	}
	v := web.UsersView{Shell: s.shell(r), Invite: invite, Shown: s.popShownLink(r),
		Invitations: invitationRows(p.Invitations, a.At, tenantPath(r, "/admin/invitations/"))}
	for _, mb := range p.Members {
		v.Rows = append(v.Rows, web.MemberRow{Name: mb.Name, Href: tenantPath(r, "/admin/users/"+mb.UserID), Email: mb.Email,
			RoleLabel: mb.Role.Label(), Active: mb.Active, LastSignIn: lastSignIn(mb.LastSignIn, a.At.Location())})
	}
	return web.UsersPage(v), nil
}

func lastSignIn(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "Never"
	}
	return dateTime(*t, loc)
}

// dateTime is how admin pages show a moment.
func dateTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(calendar.DayTime) }

// roleOptions are the roles a tenant admin can give.
func roleOptions() []web.SelectOption {
	out := make([]web.SelectOption, len(auth.Roles))
	for i, c := range auth.Roles {
		out[i] = web.SelectOption{Value: string(c.Value), Label: c.Label}
	}
	return out
}

func (s *Server) inviteFormView(r *http.Request, f tenants.InviteForm, errs map[string]string) web.InviteFormView {
	return web.InviteFormView{Action: tenantPath(r, "/admin/invitations"), Email: f.Email, Role: f.Role, Roles: roleOptions(), Errors: errs}
}

// invitationRows are open invitations as lists show them at now, with
// their actions under base (which ends in "/").
func invitationRows(open []tenants.Invitation, now time.Time, base string) []web.InvitationRow {
	rows := make([]web.InvitationRow, len(open))
	for i, inv := range open {
		rows[i] = web.InvitationRow{
			Email: inv.Email, RoleLabel: inv.Role.Label(), InvitedBy: orText(inv.InvitedByName, "CareCoord"),
			Sent: longDate(inv.CreatedAt.In(now.Location())), Expires: dateTime(inv.ExpiresAt, now.Location()),
			Expired:     inv.State(now) == tenants.InvitationExpired,
			RenewAction: base + inv.ID + "/renew", RevokeAction: base + inv.ID + "/revoke",
		}
	}
	return rows
}

// invite invites a person to the tenant with a role.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	a, f := s.actor(r), tenants.ParseInviteForm(r.PostForm)
	inv, err := s.tenants.Invite(r.Context(), a, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.usersView(r, s.inviteFormView(r, f, e.Fields))
		})
	}
	s.deliverInvitation(r, a.UserName, inv)
	return redirect(w, r, tenantPath(r, "/admin/users"))
}

// renewInvitation replaces an invitation's link with a new one, valid for
// another seven days.
func (s *Server) renewInvitation(w http.ResponseWriter, r *http.Request) error {
	return s.renewInvitationAs(w, r, s.actor(r), tenantPath(r, "/admin/users"))
}

// revokeInvitation withdraws an invitation.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	return s.revokeInvitationAs(w, r, s.actor(r), tenantPath(r, "/admin/users"))
}

// renewInvitationAs renews an invitation of a's tenant, then goes back.
func (s *Server) renewInvitationAs(w http.ResponseWriter, r *http.Request, a tenants.Actor, back string) error {
	id := urlID(r, "invitationID")
	inv, err := s.tenants.RenewInvitation(r.Context(), a, id)
	if err != nil {
		return s.flashFailure(w, r, err, back)
	}
	s.deliverInvitation(r, a.UserName, inv)
	return redirect(w, r, back)
}

// revokeInvitationAs withdraws an invitation of a's tenant, then goes back.
func (s *Server) revokeInvitationAs(w http.ResponseWriter, r *http.Request, a tenants.Actor, back string) error {
	id := urlID(r, "invitationID")
	inv, err := s.tenants.RevokeInvitation(r.Context(), a, id)
	if err != nil {
		return s.flashFailure(w, r, err, back)
	}
	return s.redirectWith(w, r, back, "The invitation for "+inv.Email+" is withdrawn; its link no longer works.")
}
