package server

import (
	"net/http"
	"strings"
	"time"

	"carecoord/internal/auth"
	"carecoord/web"
)

// Session keys.
const (
	sessionUserID  = auth.SessionUserKey
	sessionVersion = "session_version"
	sessionFlash   = "flash"
	// sessionLastSeen is the Unix time of the session's last request, and
	// sessionIdleMinutes the idle timeout of the tenant last worked in.
	sessionLastSeen    = "last_seen"
	sessionIdleMinutes = "idle_minutes"
	// sessionShownLink is a link just made for an admin to pass on, shown
	// once on the next page (see showLink).
	sessionShownLink = "shown_link"
	// While a second step of sign-in is due (see mfa.go): whose password
	// was right, their session version, since when, and where they were
	// going. Nobody is signed in until it is done.
	sessionPendingUser    = "pending_user_id"
	sessionPendingVersion = "pending_session_version"
	sessionPendingAt      = "pending_at"
	sessionPendingNext    = "pending_next"
)

// Idle timeouts per tenant (issue 9). The session store can only have one
// idle timeout, so it keeps sessions for the longest a tenant may set, and
// each session remembers its last request and the idle timeout of the
// tenant it last worked in: a session idle for longer than that ends on its
// next request. Outside any tenant the default applies.

// idleExpired reports the session's idle timeout and whether the session
// has been idle longer than that at now.
func (s *Server) idleExpired(r *http.Request, now time.Time) (time.Duration, bool) {
	idle := defaultIdleTimeout
	if m := s.sessions.GetInt(r.Context(), sessionIdleMinutes); m > 0 {
		idle = time.Duration(m) * time.Minute
	}
	last := s.sessions.GetInt64(r.Context(), sessionLastSeen)
	return idle, last > 0 && now.Sub(time.Unix(last, 0)) > idle
}

// touchWindow is how stale a session's last request may grow before it is
// written down again: a GET saves its session at most once a minute, so
// idle timeouts hold to within a minute and most pages write nothing.
const touchWindow = time.Minute

// touch records a request at now in the session, unless the last one
// recorded is within touchWindow.
func (s *Server) touch(r *http.Request, now time.Time) {
	last := s.sessions.GetInt64(r.Context(), sessionLastSeen)
	if now.Sub(time.Unix(last, 0)) >= touchWindow {
		s.sessions.Put(r.Context(), sessionLastSeen, now.Unix())
	}
}

// useIdleTimeout makes the tenant's idle timeout the session's from now on.
func (s *Server) useIdleTimeout(r *http.Request, minutes int) {
	if minutes > 0 && s.sessions.GetInt(r.Context(), sessionIdleMinutes) != minutes {
		s.sessions.Put(r.Context(), sessionIdleMinutes, minutes)
	}
}

// startSession signs u in on this browser under a new session token, so
// that a token planted before sign-in is worthless.
func (s *Server) startSession(r *http.Request, u auth.User) error {
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUserID, u.ID)
	s.sessions.Put(ctx, sessionVersion, u.SessionVersion)
	s.sessions.Put(ctx, sessionLastSeen, s.now().Unix())
	return nil
}

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
			web.NavItem{Label: "New patient", Href: base + "/patients/new"},
			web.NavItem{Label: "Referrals", Href: base + "/referrals"})
	}
	items = append(items, web.NavItem{Label: "Resource directory", Href: base + "/resources"})
	if m.Role.ReviewsCaseloads() {
		items = append(items, web.NavItem{Label: "Caseload", Href: base + "/caseload"},
			web.NavItem{Label: "Plan approvals", Href: base + "/approvals"})
	}
	if m.Role.Administers() {
		items = append(items,
			web.NavItem{Label: "Users", Href: base + "/admin/users"},
			web.NavItem{Label: "Settings", Href: base + "/admin/settings"},
			web.NavItem{Label: "Closure days", Href: base + "/admin/closures"},
			web.NavItem{Label: "Audit log", Href: base + "/admin/audit"})
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
