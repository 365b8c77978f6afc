package server

import (
	"errors"
	"net"
	"net/http"
	"strings"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/tenants"
	"carecoord/web"
)

// loginForm shows the sign-in page, or sends a signed-in user home.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := currentUser(r); ok {
		return redirect(w, r, "/")
	}
	v := web.LoginView{
		Next:  safeNext(r.URL.Query().Get("next")),
		Flash: s.sessions.PopString(r.Context(), sessionFlash),
	}
	return render(w, r, http.StatusOK, web.LoginPage(v))
}

// login checks the credentials, records the attempt and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	v := web.LoginView{
		Email:  strings.TrimSpace(r.PostForm.Get("email")),
		Next:   safeNext(r.PostForm.Get("next")),
		Errors: web.FieldErrors{},
	}
	password := r.PostForm.Get("password")
	if v.Email == "" {
		v.Errors["email"] = "Enter your email address."
	}
	if password == "" {
		v.Errors["password"] = "Enter your password."
	}
	if len(v.Errors) > 0 {
		return render(w, r, http.StatusUnprocessableEntity, web.LoginPage(v))
	}

	ctx := r.Context()
	u, err := auth.SignIn(ctx, s.pool, v.Email, password)
	event := audit.AuthEvent{UserID: u.ID, Email: auth.NormalizeEmail(v.Email), Action: audit.SignIn, IP: clientIP(r)}
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		event.Action, v.Problem = audit.SignInFailed, "That email and password don't match an account. Check them and try again."
	case errors.Is(err, auth.ErrLocked):
		event.Action, v.Problem = audit.SignInLocked, "Too many unsuccessful attempts. For safety this account is locked for 15 minutes; try again after that, or ask your administrator."
	case err != nil:
		return err
	case !u.PlatformAdmin:
		// The password was right; say so only now. A member who was
		// deactivated everywhere, or whose organisation is suspended,
		// has nowhere to work.
		ok, err := tenants.HasActiveTenant(ctx, s.pool, u.ID)
		if err != nil {
			return err
		}
		if !ok {
			event.Action, v.Problem = audit.SignInRefused, "Your account is not active in any organisation at the moment, so you can't sign in. If you think this is a mistake, ask your organisation's administrator."
		}
	}
	if err := audit.RecordAuth(ctx, s.pool, event); err != nil {
		return err
	}
	if v.Problem != "" {
		return render(w, r, http.StatusUnprocessableEntity, web.LoginPage(v))
	}
	if err := s.startSession(r, u); err != nil {
		return err
	}
	if v.Next != "" {
		return redirect(w, r, v.Next)
	}
	return redirect(w, r, "/")
}

// logout ends the session: its data is deleted and the browser gets a fresh,
// empty token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	ctx := r.Context()
	if err := audit.RecordAuth(ctx, s.pool, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignOut, IP: clientIP(r)}); err != nil {
		return err
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.flash(r, "You have signed out.")
	return redirect(w, r, "/login")
}

// safeNext accepts only a path on this site as the place to go after sign-in,
// so that the sign-in page cannot be used to send people elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}

// clientIP is the peer address. Behind a proxy, the proxy is expected to
// rewrite RemoteAddr (it is not taken from headers a client could forge).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// formError reports a body that could not be parsed: too large, or garbled.
func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errTooLarge
	}
	return errBadRequest
}
