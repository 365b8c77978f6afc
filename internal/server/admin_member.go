package server

import (
	"time"

	"net/http"

	"carecoord/internal/audit"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
)

// One member's page for the tenant admin: role, deactivation and
// reactivation, and a password-reset link.

// memberPage shows one member of the tenant.
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "userID")
	return showPage(w, r)(s.memberView(r, id, nil))
}

// memberView is the page of the member with id, with e's messages if a
// change failed.
func (s *Server) memberView(r *http.Request, id string, e *fail.Error) (templ.Component, error) {
	a := s.actor(r)
	p, err := s.tenants.MemberPage(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	base := tenantPath(r, "/admin/users/"+id)
	v := web.MemberView{Shell: s.shell(r), UsersHref: tenantPath(r, "/admin/users"), Shown: s.popShownLink(r),
		Roles: roleOptions(), IsSelf: id == a.UserID,
		RoleAction: base + "/role", StateAction: base + "/active", ResetAction: base + "/reset-link",
		Name: p.Name, Email: p.Email, Role: string(p.Role), RoleLabel: p.Role.Label(), Active: p.Active,
		LastSignIn: lastSignIn(p.LastSignIn, zone(r)), Caseload: p.Caseload, ResetBlocked: p.ResetRefused, SignIns: signInRows(p.SignIns, zone(r)),
		MFAEnrolled: p.MFAEnrolled, MFAResetAction: base + "/mfa-reset"}
	if e != nil {
		v.Problem, v.Errors = problemOf(e), e.Fields
	}
	return web.MemberPage(v), nil
}

func signInRows(events []audit.SignInEvent, loc *time.Location) []web.SignInRow {
	rows := make([]web.SignInRow, len(events))
	for i, e := range events {
		rows[i] = web.SignInRow{When: dateTime(e.At, loc), Action: audit.Label(e.Action), IP: e.IP, Failed: e.Failed()}
	}
	return rows
}

// changeMemberRole gives a member another role.
func (s *Server) changeMemberRole(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "userID")
	c, err := s.tenants.ChangeMemberRole(r.Context(), s.actor(r), id, r.PostForm.Get("role"))
	if err != nil {
		return s.memberAgain(w, r, id, err)
	}
	if c.From == c.To {
		return s.afterMemberChange(w, r, id, "The role is unchanged.")
	}
	return s.afterMemberChange(w, r, id, "Role changed to "+c.To.Label()+".")
}

// setMemberActive deactivates or reactivates a member.
func (s *Server) setMemberActive(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "userID")
	active, ok := map[string]bool{"yes": true, "no": false}[r.PostForm.Get("active")]
	if !ok {
		return errBadRequest
	}
	c, err := s.tenants.SetMemberActive(r.Context(), s.actor(r), id, active)
	switch {
	case err != nil:
		return s.memberAgain(w, r, id, err)
	case !c.Changed:
		return s.afterMemberChange(w, r, id, "Nothing changed.")
	case active:
		return s.afterMemberChange(w, r, id, c.Name+" is active again.")
	}
	return s.afterMemberChange(w, r, id, c.Name+" is deactivated: their access here ended at once.")
}

// createResetLink makes a password-reset link for a member and delivers
// it.
func (s *Server) createResetLink(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "userID")
	l, err := s.tenants.MakeResetLink(r.Context(), s.actor(r), id)
	if err != nil {
		return s.memberAgain(w, r, id, err)
	}
	s.deliverResetLink(r, l)
	return redirect(w, r, tenantPath(r, "/admin/users/"+id))
}

// memberAgain shows the member's page again with the change that failed.
func (s *Server) memberAgain(w http.ResponseWriter, r *http.Request, id string, err error) error {
	return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.memberView(r, id, e) })
}

// afterMemberChange goes back to the member's page with flash, unless
// admins changed their own access so that they no longer have that page.
func (s *Server) afterMemberChange(w http.ResponseWriter, r *http.Request, id, flash string) error {
	if id == s.actor(r).UserID {
		return s.redirectWith(w, r, "/", flash)
	}
	return s.redirectWith(w, r, tenantPath(r, "/admin/users/"+id), flash)
}

// resetMemberMFA removes a member's authenticator app, so that they set up
// a new one at their next sign-in.
func (s *Server) resetMemberMFA(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "userID")
	reset, err := s.tenants.ResetMemberMFA(r.Context(), s.actor(r), id)
	if err != nil {
		return s.memberAgain(w, r, id, err)
	}
	if !reset {
		return s.afterMemberChange(w, r, id, "Nothing changed: no authenticator app was set up.")
	}
	return s.afterMemberChange(w, r, id, "Two-step sign-in was reset. They set up a new authenticator app at their next sign-in.")
}
