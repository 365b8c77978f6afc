package server

import (
	"time"

	"net/http"

	"carecoord/internal/tenants"

	"github.com/go-chi/chi/v5/middleware"
)

// actor is who makes the request, in the tenant of its URL, at the
// server's clock reading shown on the tenant's clock (its time zone): what
// every use case is called with.
func (s *Server) actor(r *http.Request) tenants.Actor {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return tenants.Actor{TenantID: m.Tenant.ID, UserID: u.ID, UserName: u.Name, Role: m.Role, Settings: m.Settings,
		At: s.now().In(m.Settings.Location()), IP: clientIP(r), RequestID: middleware.GetReqID(r.Context())}
}

// zone is the time zone of the tenant of r's URL: its pages show every
// moment on its clock.
func zone(r *http.Request) *time.Location {
	m, _ := currentMembership(r)
	return m.Settings.Location()
}
