package server

import (
	"net/http"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/tenants"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5"
)

// inTenant runs fn in the request's tenant transaction: every query of a
// tenant page goes through here, so row-level security always sees the
// tenant from the URL and nothing else.
func (s *Server) inTenant(r *http.Request, fn func(tx pgx.Tx) error) error {
	m, _ := currentMembership(r)
	return db.InTenant(r.Context(), s.pool, m.Tenant.ID, fn)
}

// audited describes an action for the audit log; the request fills in who,
// where and when.
type audited struct {
	action     string
	entityType string
	entityID   string
	patientID  string
	detail     map[string]any
}

// audit records a in the tenant transaction tx, so that the event exists if
// and only if the change does.
func (s *Server) audit(r *http.Request, tx pgx.Tx, a audited) error {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return audit.Record(r.Context(), tx, eventOf(r, m.Tenant.ID, u.ID, a))
}

func eventOf(r *http.Request, tenantID, actorID string, a audited) audit.Event {
	return audit.Event{
		TenantID: tenantID, ActorID: actorID, Action: a.action,
		EntityType: a.entityType, EntityID: a.entityID, PatientID: a.patientID,
		IP: clientIP(r), RequestID: middleware.GetReqID(r.Context()), Detail: a.detail,
	}
}

// actor is who makes the request, in the tenant of its URL, at the
// server's clock reading: what every use case is called with.
func (s *Server) actor(r *http.Request) tenants.Actor {
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	return tenants.Actor{TenantID: m.Tenant.ID, UserID: u.ID, UserName: u.Name, Role: m.Role, Settings: m.Settings,
		At: s.now(), IP: clientIP(r), RequestID: middleware.GetReqID(r.Context())}
}
