package server

import (
	"net/http"
	"strings"

	"carecoord/internal/auth"
	"carecoord/web"
)

// Session keys.
const (
	sessionUserID  = "user_id"
	sessionVersion = "session_version"
	sessionFlash   = "flash"
)

// flash leaves a message for the next page the user sees (after a redirect).
func (s *Server) flash(r *http.Request, msg string) {
	s.sessions.Put(r.Context(), sessionFlash, msg)
}

// shell builds the frame of a signed-in page: who, where, and the navigation
// that the user's role allows. It takes the flash message, if any.
func (s *Server) shell(r *http.Request) web.Shell {
	u, _ := currentUser(r)
	sh := web.Shell{
		UserName: u.Name,
		Flash:    s.sessions.PopString(r.Context(), sessionFlash),
	}
	if u.PlatformAdmin {
		sh.RoleLabel = "Platform administrator"
		sh.Nav = navFor(r, []web.NavItem{{Label: "Organisations", Href: "/platform/tenants"}})
		return sh
	}
	m, ok := currentMembership(r)
	if !ok {
		return sh
	}
	sh.TenantName = m.Tenant.Name
	sh.RoleLabel = m.Role.Label()
	sh.CanSwitchTenant = len(currentMemberships(r)) > 1
	base := "/t/" + m.Tenant.Slug
	var items []web.NavItem
	if m.Role.WorksWithPatients() {
		items = append(items,
			web.NavItem{Label: "Worklist", Href: base + "/worklist"},
			web.NavItem{Label: "Patients", Href: base + "/patients"},
			web.NavItem{Label: "New patient", Href: base + "/patients/new"})
	}
	if m.Role.ReviewsCaseloads() {
		items = append(items, web.NavItem{Label: "Plan approvals", Href: base + "/approvals"})
	}
	if m.Role.Administers() {
		items = append(items, web.NavItem{Label: "Users", Href: base + "/admin/users"})
	}
	sh.Nav = navFor(r, items)
	return sh
}

// shellIfSignedIn is the frame for error pages, which may be reached signed
// out.
func (s *Server) shellIfSignedIn(r *http.Request) (web.Shell, bool) {
	if _, ok := currentUser(r); !ok {
		return web.Shell{}, false
	}
	return s.shell(r), true
}

// navFor marks the item the request is under as the current page: the one
// with the longest matching path, so /patients/new is "New patient", not
// "Patients".
func navFor(r *http.Request, items []web.NavItem) []web.NavItem {
	best := -1
	for i, it := range items {
		if (r.URL.Path == it.Href || strings.HasPrefix(r.URL.Path, it.Href+"/")) && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Active = true
	}
	return items
}

// firstName is how the worklist greets a user.
func firstName(u auth.User) string {
	first, _, _ := strings.Cut(u.Name, " ")
	return first
}
