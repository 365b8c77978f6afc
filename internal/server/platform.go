package server

import (
	"net/http"

	"carecoord/internal/tenants"
	"carecoord/web"
)

// platformTenants lists every tenant with its number of users.
func (s *Server) platformTenants(w http.ResponseWriter, r *http.Request) error {
	all, err := tenants.List(r.Context(), s.pool)
	if err != nil {
		return err
	}
	rows := make([]web.TenantRow, len(all))
	for i, t := range all {
		rows[i] = web.TenantRow{Name: t.Name, Slug: t.Slug, Status: t.Status, ActiveUsers: t.ActiveUsers, Created: t.CreatedAt.Format("2 Jan 2006")}
	}
	return render(w, r, http.StatusOK, web.PlatformTenantsPage(s.shell(r), rows))
}
