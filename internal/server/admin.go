package server

import (
	"net/http"

	"carecoord/internal/tenants"
	"carecoord/web"
)

// adminUsers lists the tenant's users for its administrator.
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	members, err := tenants.Members(r.Context(), s.pool, m.Tenant.ID)
	if err != nil {
		return err
	}
	rows := make([]web.MemberRow, len(members))
	for i, mb := range members {
		rows[i] = web.MemberRow{Name: mb.Name, Email: mb.Email, RoleLabel: mb.Role.Label(), Active: mb.Active, LastSignIn: "Never"}
		if mb.LastSignIn != nil {
			rows[i].LastSignIn = mb.LastSignIn.Format("2 Jan 2006, 15:04")
		}
	}
	return render(w, r, http.StatusOK, web.UsersPage(s.shell(r), rows))
}
