package server

import (
	"errors"
	"net/http"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// One member's page for the tenant admin: role, deactivation and
// reactivation, and a password-reset link.

// memberReq is a request about one member of the current tenant.
type memberReq struct {
	tenantID string
	userID   string
	actor    auth.User
	base     string
}

func memberRequest(r *http.Request) (memberReq, error) {
	id, err := uuidParam(r, "userID")
	if err != nil {
		return memberReq{}, err
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return memberReq{tenantID: m.Tenant.ID, userID: id, actor: u, base: tenantPath(r, "/admin/users/"+id)}, nil
}

func postedMemberRequest(r *http.Request) (memberReq, error) {
	mr, err := memberRequest(r)
	if err != nil {
		return mr, err
	}
	if err := r.ParseForm(); err != nil {
		return mr, formError(err)
	}
	return mr, nil
}

// memberPage shows one member of the tenant.
func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) error {
	mr, err := memberRequest(r)
	if err != nil {
		return err
	}
	return s.renderMember(w, r, mr, http.StatusOK, "", nil)
}

// recentSignIns is how many sign-in events a person's page lists.
const recentSignIns = 10

func (s *Server) renderMember(w http.ResponseWriter, r *http.Request, mr memberReq, code int, problem string, errs tenants.Errors) error {
	v := web.MemberView{Shell: s.shell(r), UsersHref: tenantPath(r, "/admin/users"), Shown: s.popShownLink(r),
		Problem: problem, Errors: web.FieldErrors(errs), Roles: roleOptions(), IsSelf: mr.userID == mr.actor.ID,
		RoleAction: mr.base + "/role", StateAction: mr.base + "/active", ResetAction: mr.base + "/reset-link"}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		ctx := r.Context()
		mb, err := tenants.MemberOf(ctx, tx, mr.tenantID, mr.userID)
		if err != nil {
			return err
		}
		v.Name, v.Email, v.Role, v.RoleLabel, v.Active = mb.Name, mb.Email, string(mb.Role), mb.Role.Label(), mb.Active
		v.LastSignIn = lastSignIn(mb.LastSignIn)
		if v.Caseload, err = patients.CaseloadCount(ctx, tx, mr.tenantID, mr.userID); err != nil {
			return err
		}
		others, err := tenants.OtherTenants(ctx, tx, mr.tenantID, mr.userID)
		if err != nil {
			return err
		}
		switch {
		case others > 0:
			v.ResetBlocked = "This person also works for another organisation on CareCoord, so their password is not this organisation's to reset. They can change it on their account page; if they can't sign in, ask the CareCoord platform administrator."
		case !mb.Active:
			v.ResetBlocked = "Reactivate this person before resetting their password."
		}
		events, err := audit.RecentSignIns(ctx, tx, mr.userID, recentSignIns)
		v.SignIns = signInRows(events)
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, code, web.MemberPage(v))
}

func signInRows(events []audit.SignInEvent) []web.SignInRow {
	rows := make([]web.SignInRow, len(events))
	for i, e := range events {
		rows[i] = web.SignInRow{When: dateTime(e.At), Action: audit.Label(e.Action), IP: e.IP,
			Failed: e.Action == audit.SignInFailed || e.Action == audit.SignInLocked || e.Action == audit.SignInRefused}
	}
	return rows
}

// lastAdminProblem is why the last administrator cannot step down.
const lastAdminProblem = "Nobody else is an active administrator of this organisation, so this would leave it without one. Make someone else an administrator first."

// changeMemberRole gives a member another role.
func (s *Server) changeMemberRole(w http.ResponseWriter, r *http.Request) error {
	mr, err := postedMemberRequest(r)
	if err != nil {
		return err
	}
	role := auth.Role(r.PostForm.Get("role"))
	if !role.Valid() {
		return s.renderMember(w, r, mr, http.StatusUnprocessableEntity, "", tenants.Errors{"role": "Choose one of the roles."})
	}
	var from auth.Role
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		from, err = tenants.ChangeRole(r.Context(), tx, mr.tenantID, mr.userID, role)
		if err != nil || from == role {
			return err
		}
		return s.audit(r, tx, audited{action: "member.role_changed", entityType: "user", entityID: mr.userID,
			detail: map[string]any{"from": string(from), "to": string(role)}})
	})
	switch {
	case errors.Is(err, tenants.ErrLastAdmin):
		return s.renderMember(w, r, mr, http.StatusConflict, lastAdminProblem, nil)
	case err != nil:
		return err
	case from == role:
		s.flash(r, "The role is unchanged.")
	default:
		s.flash(r, "Role changed to "+role.Label()+".")
	}
	return s.afterMemberChange(w, r, mr)
}

// afterMemberChange goes back to the member's page, unless admins changed
// their own access so that they no longer have that page.
func (s *Server) afterMemberChange(w http.ResponseWriter, r *http.Request, mr memberReq) error {
	if mr.userID == mr.actor.ID {
		return redirect(w, r, "/")
	}
	return redirect(w, r, mr.base)
}

// setMemberActive deactivates or reactivates a member. A deactivated
// member's next request in this tenant is refused; when this was their only
// organisation all their sessions end at once.
func (s *Server) setMemberActive(w http.ResponseWriter, r *http.Request) error {
	mr, err := postedMemberRequest(r)
	if err != nil {
		return err
	}
	var active bool
	switch r.PostForm.Get("active") {
	case "yes":
		active = true
	case "no":
	default:
		return errBadRequest
	}
	var (
		changed bool
		name    string
	)
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		ctx := r.Context()
		changed, err = tenants.SetActive(ctx, tx, mr.tenantID, mr.userID, active)
		if err != nil || !changed {
			return err
		}
		mb, err := tenants.MemberOf(ctx, tx, mr.tenantID, mr.userID)
		if err != nil {
			return err
		}
		name = mb.Name
		action := "member.reactivated"
		if !active {
			action = "member.deactivated"
			if err := tenants.EndSessionsWithoutTenant(ctx, tx, []string{mr.userID}); err != nil {
				return err
			}
		}
		return s.audit(r, tx, audited{action: action, entityType: "user", entityID: mr.userID})
	})
	switch {
	case errors.Is(err, tenants.ErrLastAdmin):
		return s.renderMember(w, r, mr, http.StatusConflict, lastAdminProblem, nil)
	case err != nil:
		return err
	case !changed:
		s.flash(r, "Nothing changed.")
	case active:
		s.flash(r, name+" is active again.")
	default:
		s.flash(r, name+" is deactivated: their access here ended at once.")
	}
	return s.afterMemberChange(w, r, mr)
}

// createResetLink makes a password-reset link for a member whose only
// organisation is this one: an account shared with another organisation is
// not this admin's to take over.
func (s *Server) createResetLink(w http.ResponseWriter, r *http.Request) error {
	mr, err := postedMemberRequest(r)
	if err != nil {
		return err
	}
	var (
		mb      tenants.Member
		token   string
		refused bool
	)
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		ctx := r.Context()
		if mb, err = tenants.MemberOf(ctx, tx, mr.tenantID, mr.userID); err != nil {
			return err
		}
		others, err := tenants.OtherTenants(ctx, tx, mr.tenantID, mr.userID)
		if err != nil || others > 0 || !mb.Active {
			refused = true
			return err
		}
		if token, err = auth.CreateReset(ctx, tx, mr.userID, mr.actor.ID); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "password_reset.created", entityType: "user", entityID: mr.userID})
	})
	if err != nil {
		return err
	}
	if refused {
		return s.renderMember(w, r, mr, http.StatusConflict, "No reset link was made: see why under Password.", nil)
	}
	s.deliverLink(r, linkMail{
		to:      mb.Email,
		subject: "Choose a new CareCoord password",
		body: "Hello " + mb.Name + ",\n\nYour administrator made a link for you to choose a new CareCoord password. " +
			"It works once, within the next hour:\n\n{link}\n\nIf you did not ask for this, tell your administrator.\n",
		title: "Password-reset link for " + mb.Name,
		note:  "It works once, for one hour, and signs " + mb.Name + " out everywhere. Pass it on only to them.",
		url:   s.absoluteURL(r, "/password-reset/"+token),
	})
	return redirect(w, r, mr.base)
}
