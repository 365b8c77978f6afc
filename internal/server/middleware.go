package server

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/tenants"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

type contextKey int

const (
	userKey contextKey = iota
	membershipKey
	membershipsKey
	signedInKey
)

// logRequests writes one line per request. It logs the path but never the
// query string or body, where patient names and search terms would be, nor
// the secret token of an invitation or password-reset link.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.InfoContext(r.Context(), "request",
			"request_id", middleware.GetReqID(r.Context()),
			"method", r.Method, "path", loggedPath(r.URL.Path),
			"status", ww.Status(), "bytes", ww.BytesWritten(),
			"ms", time.Since(start).Milliseconds())
	})
}

// tokenPaths are the pages whose last path segment is a secret.
var tokenPaths = []string{"/invitations/", "/password-reset/"}

// loggedPath is the path with any link token replaced.
func loggedPath(p string) string {
	for _, prefix := range tokenPaths {
		if strings.HasPrefix(p, prefix) {
			return prefix + "[token]"
		}
	}
	return p
}

// recoverPanics turns a panic into the 500 page and a logged stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.renderError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders keeps pages out of frames and caches and forbids inline
// script: everything the browser runs comes from /static. Served over
// HTTPS (secure cookies), it also tells browsers to use nothing else for
// two years (HSTS).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.secureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// limitBody caps what a request may send; reading past it fails, and the
// failure is shown as 413.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses unsafe requests that a browser marks as
// coming from another site (Go's CSRF protection: Sec-Fetch-Site, Origin).
func (s *Server) crossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errCrossOrigin)
	}))
	return cop.Handler(next)
}

// staticFiles serves the embedded assets; they change only with a release.
// Directories are not listed: they answer 404 like anything else absent.
func (s *Server) staticFiles(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimSuffix(r.URL.Path, "/")
		if name == "" {
			name = "."
		}
		if st, err := fs.Stat(fsys, name); err != nil || st.IsDir() {
			s.renderError(w, r, errNotFound)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// preload reads the request's session, its user and their memberships in
// one round trip, before the session middleware and loadUser, which then
// find them in the context instead of asking the database one by one.
func (s *Server) preload(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(s.sessions.Cookie.Name)
		if err != nil || ck.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		si, err := tenants.LoadSignedIn(r.Context(), s.pool, ck.Value)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		ctx := context.WithValue(auth.WithPreloaded(r.Context(), &si.Preloaded), signedInKey, si)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// preloadedUser is the user preload read, when the session is signed in as id.
func preloadedUser(r *http.Request, id string) (auth.User, bool) {
	si, ok := r.Context().Value(signedInKey).(*tenants.SignedIn)
	if !ok {
		return auth.User{}, false
	}
	return si.UserOf(id)
}

// memberships are the user's active memberships, as preload read them or
// from the database.
func (s *Server) memberships(r *http.Request, u auth.User) ([]tenants.Membership, error) {
	if si, ok := r.Context().Value(signedInKey).(*tenants.SignedIn); ok {
		if _, same := si.UserOf(u.ID); same {
			return si.Memberships, nil
		}
	}
	return tenants.Memberships(r.Context(), s.pool, u.ID)
}

// loadUser puts the signed-in user, if any, into the request context. A
// session whose user was disabled or removed, whose sessions were ended
// since it began, or that was idle too long, is destroyed here, on its
// next request. Only those end it: when the user cannot be loaded for
// another reason (the database not answering) the page says so and the
// session stays, so that nobody is signed out by a passing fault.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := s.sessions.GetString(ctx, sessionUserID)
		if id == "" {
			next.ServeHTTP(w, r)
			return
		}
		now := s.now()
		idle, expired := s.idleExpired(r, now)
		u, ok := preloadedUser(r, id)
		var err error
		if !ok {
			u, err = auth.UserByID(ctx, s.pool, id)
		}
		if err != nil && !userGone(err) {
			s.renderError(w, r, err)
			return
		}
		if err != nil || u.Disabled || u.SessionVersion != s.sessions.GetInt(ctx, sessionVersion) || expired {
			if err := s.sessions.Destroy(ctx); err != nil {
				s.renderError(w, r, err)
				return
			}
			if expired {
				s.flash(r, "You were signed out after "+strconv.Itoa(int(idle/time.Minute))+" minutes without activity, to protect your patients' information. Sign in to carry on.")
			}
			next.ServeHTTP(w, r)
			return
		}
		s.touch(r, now)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, userKey, u)))
	})
}

// requireUser sends visitors who are not signed in to the sign-in page,
// remembering where they were going.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := currentUser(r); !ok {
			target := "/login"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + r.URL.Path
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requirePlatformAdmin hides the platform pages from everyone else.
func (s *Server) requirePlatformAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _ := currentUser(r); !u.PlatformAdmin {
			s.renderError(w, r, errNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireMembership resolves the tenant in the URL against the user's active
// memberships. A tenant the user does not belong to answers exactly like one
// that does not exist. Platform admins are never members: they do not see
// patient data (DESIGN.md section 3).
func (s *Server) requireMembership(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		u, _ := currentUser(r)
		if u.PlatformAdmin {
			return errNotFound
		}
		all, err := s.memberships(r, u)
		if err != nil {
			return err
		}
		slug := chi.URLParam(r, "tenant")
		for _, m := range all {
			if m.Tenant.Slug == slug {
				s.useIdleTimeout(r, m.Settings.IdleTimeoutMinutes)
				ctx := context.WithValue(r.Context(), membershipKey, m)
				ctx = context.WithValue(ctx, membershipsKey, all)
				next.ServeHTTP(w, r.WithContext(ctx))
				return nil
			}
		}
		return errNotFound
	})
}

// requireRole lets the request through only when the user's role in the
// current tenant has the capability.
func (s *Server) requireRole(can func(auth.Role) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if m, ok := currentMembership(r); !ok || !can(m.Role) {
				s.renderError(w, r, errForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func currentUser(r *http.Request) (auth.User, bool) {
	u, ok := r.Context().Value(userKey).(auth.User)
	return u, ok
}

func currentMembership(r *http.Request) (tenants.Membership, bool) {
	m, ok := r.Context().Value(membershipKey).(tenants.Membership)
	return m, ok
}

func currentMemberships(r *http.Request) []tenants.Membership {
	all, _ := r.Context().Value(membershipsKey).([]tenants.Membership)
	return all
}
