package server

import (
	"net/http"
	"strings"

	"carecoord/internal/auth"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// The platform admin's pages (issue 9): organisations, their names and
// status, and the invitations of their administrators. Platform admins
// never see patient data. They act outside any tenant, but each change is
// recorded in the audit log of the tenant it changes: their Actor carries
// that tenant's id (platformActor).

// platformTenants lists every tenant with its number of users.
func (s *Server) platformTenants(w http.ResponseWriter, r *http.Request) error {
	all, err := s.tenants.Tenants(r.Context())
	if err != nil {
		return err
	}
	v := web.PlatformTenantsView{Shell: s.shell(r), NewHref: "/platform/tenants/new"}
	for _, t := range all {
		v.Rows = append(v.Rows, web.TenantRow{Name: t.Name, Href: "/platform/tenants/" + t.ID, Slug: t.Slug, Status: t.Status,
			ActiveUsers: t.ActiveUsers, Created: longDate(t.CreatedAt.Local())})
	}
	return render(w, r, http.StatusOK, web.PlatformTenantsPage(v))
}

// newTenantForm is the empty form for a new organisation.
func (s *Server) newTenantForm(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, s.newTenantView(r, tenants.NewTenantForm{}, nil))
}

func (s *Server) newTenantView(r *http.Request, f tenants.NewTenantForm, errs map[string]string) templ.Component {
	return web.NewTenantPage(web.NewTenantView{Shell: s.shell(r), Action: "/platform/tenants", CancelHref: "/platform/tenants",
		Name: f.Name, Slug: f.Slug, AdminEmail: f.AdminEmail, Errors: errs})
}

// createTenant creates an organisation and invites its first
// administrator, in one transaction.
func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	a, f := s.actor(r), tenants.ParseNewTenantForm(r.PostForm)
	t, err := s.tenants.CreateTenant(r.Context(), a, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.newTenantView(r, f, e.Fields), nil })
	}
	s.deliverInvitation(r, a.UserName, t.Invited)
	return s.redirectWith(w, r, "/platform/tenants/"+t.ID, t.Name+" is ready. Its first administrator can now accept the invitation.")
}

// platformActor is the platform admin acting on the tenant of the URL,
// and that tenant's page.
func (s *Server) platformActor(r *http.Request) (tenants.Actor, string) {
	id := urlID(r, "tenantID")
	a := s.actor(r)
	a.TenantID = id
	return a, "/platform/tenants/" + id
}

// platformTenant shows one tenant.
func (s *Server) platformTenant(w http.ResponseWriter, r *http.Request) error {
	a, base := s.platformActor(r)
	return showPage(w, r)(s.platformTenantView(r, a, base, platformForms{}))
}

// platformForms are the forms of a tenant's page as typed, when one comes
// back with the failure e.
type platformForms struct {
	rename      *string
	inviteEmail string
	e           *fail.Error
}

func (s *Server) platformTenantView(r *http.Request, a tenants.Actor, base string, f platformForms) (templ.Component, error) {
	t, err := s.tenants.TenantPage(r.Context(), a)
	if err != nil {
		return nil, err
	}
	v := web.PlatformTenantView{
		Shell: s.shell(r), BackHref: "/platform/tenants", Name: t.Name, Slug: t.Slug, Status: t.Status,
		Created: longDate(t.CreatedAt.Local()), ActiveUsers: t.ActiveUsers, RenameValue: t.Name,
		RenameAction: base + "/name", StatusAction: base + "/status", Shown: s.popShownLink(r),
		Invite: web.InviteFormView{Action: base + "/invitations", Email: f.inviteEmail,
			Roles: []web.SelectOption{{Value: string(auth.TenantAdmin), Label: auth.TenantAdmin.Label()}}},
		Invitations: invitationRows(t.Invitations, a.At, base+"/invitations/"),
	}
	if f.rename != nil {
		v.RenameValue = *f.rename
	}
	if f.e != nil {
		v.Errors, v.Invite.Errors, v.Problem = f.e.Fields, f.e.Fields, problemOf(f.e)
	}
	return web.PlatformTenantPage(v), nil
}

// renameTenant gives a tenant a new name.
func (s *Server) renameTenant(w http.ResponseWriter, r *http.Request) error {
	a, base := s.platformActor(r)
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if err := s.tenants.RenameTenant(r.Context(), a, name); err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.platformTenantView(r, a, base, platformForms{rename: &name, e: e})
		})
	}
	return s.redirectWith(w, r, base, "Renamed to "+name+".")
}

// setTenantStatus suspends or reactivates a tenant.
func (s *Server) setTenantStatus(w http.ResponseWriter, r *http.Request) error {
	a, base := s.platformActor(r)
	status := r.PostForm.Get("status")
	if !tenants.Statuses.Has(status) {
		return errBadRequest // only the page's two buttons post here
	}
	t, err := s.tenants.SetTenantStatus(r.Context(), a, status)
	switch {
	case err != nil:
		return err
	case status == tenants.Suspended:
		return s.redirectWith(w, r, base, t.Name+" is suspended. Its users can no longer reach it; its data is kept.")
	}
	return s.redirectWith(w, r, base, t.Name+" is active again.")
}

// inviteTenantAdmin invites an administrator to a tenant, for when it has
// none who can sign in.
func (s *Server) inviteTenantAdmin(w http.ResponseWriter, r *http.Request) error {
	a, base := s.platformActor(r)
	f := tenants.ParseInviteForm(r.PostForm)
	f.Role = string(auth.TenantAdmin)
	inv, err := s.tenants.Invite(r.Context(), a, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.platformTenantView(r, a, base, platformForms{inviteEmail: f.Email, e: e})
		})
	}
	s.deliverInvitation(r, a.UserName, inv)
	return redirect(w, r, base)
}

// renewTenantInvitation and revokeTenantInvitation are the platform admin's
// way to the tenant admin's invitation actions.
func (s *Server) renewTenantInvitation(w http.ResponseWriter, r *http.Request) error {
	return s.asPlatform(w, r, s.renewInvitationAs)
}

func (s *Server) revokeTenantInvitation(w http.ResponseWriter, r *http.Request) error {
	return s.asPlatform(w, r, s.revokeInvitationAs)
}

// asPlatform runs h as the platform admin acting on the URL's tenant,
// going back to its page.
func (s *Server) asPlatform(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request, tenants.Actor, string) error) error {
	a, base := s.platformActor(r)
	return h(w, r, a, base)
}
