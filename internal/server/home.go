package server

import (
	"net/http"

	"carecoord/internal/tenants"
	"carecoord/web"
)

// home sends each user to where their work is: platform admins to the
// tenants, members of one tenant into it, members of several to the picker.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	if u.PlatformAdmin {
		return redirect(w, r, "/platform/tenants")
	}
	all, err := tenants.Memberships(r.Context(), s.pool, u.ID)
	if err != nil {
		return err
	}
	if len(all) == 1 {
		return redirect(w, r, "/t/"+all[0].Tenant.Slug+"/")
	}
	return redirect(w, r, "/tenants")
}

// tenantPicker lists the tenants the user may work in.
func (s *Server) tenantPicker(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	all, err := tenants.Memberships(r.Context(), s.pool, u.ID)
	if err != nil {
		return err
	}
	choices := make([]web.TenantChoice, len(all))
	for i, m := range all {
		choices[i] = web.TenantChoice{Name: m.Tenant.Name, Href: "/t/" + m.Tenant.Slug + "/", RoleLabel: m.Role.Label()}
	}
	return render(w, r, http.StatusOK, web.TenantPickerPage(s.shell(r), choices))
}

// tenantHome is the start page inside a tenant, by role.
func (s *Server) tenantHome(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	base := "/t/" + m.Tenant.Slug
	if m.Role.WorksWithPatients() {
		return redirect(w, r, base+"/worklist")
	}
	return redirect(w, r, base+"/admin/users")
}
