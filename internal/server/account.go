package server

import (
	"context"
	"errors"
	"net/http"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// Everyone's account page (issue 9): a new password, with the current one,
// and the recent sign-ins; and the page a password-reset link opens.

// accountPage shows the signed-in user's account.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, "", web.FieldErrors{})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, code int, problem string, errs web.FieldErrors) error {
	ctx := r.Context()
	u, _ := currentUser(r)
	all, err := tenants.Memberships(ctx, s.pool, u.ID)
	if err != nil {
		return err
	}
	if len(all) == 1 {
		// Framed by the one organisation the user works in, so that its
		// navigation is a click away.
		r = r.WithContext(context.WithValue(context.WithValue(ctx, membershipKey, all[0]), membershipsKey, all))
	}
	v := web.AccountView{Shell: s.shell(r), Name: u.Name, Email: u.Email, Action: "/account/password", Problem: problem, Errors: errs}
	for _, m := range all {
		v.Organisations = append(v.Organisations, web.TenantChoice{Name: m.Tenant.Name, Href: "/t/" + m.Tenant.Slug + "/", RoleLabel: m.Role.Label()})
	}
	events, err := audit.RecentSignIns(ctx, s.pool, u.ID, recentSignIns)
	if err != nil {
		return err
	}
	v.SignIns = signInRows(events)
	return render(w, r, code, web.AccountPage(v))
}

// changePassword sets a new password once the current one is confirmed.
// The current password is checked like a sign-in, so guesses from an
// unattended session count towards the account's lock. Every other session
// of the user ends; this one carries on under a new token.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	ctx := r.Context()
	u, _ := currentUser(r)
	errs := web.FieldErrors{}
	current := r.PostForm.Get("current_password")
	if current == "" {
		errs["current_password"] = "Enter your current password."
	}
	newPasswordErrors(r.PostForm.Get("new_password"), r.PostForm.Get("confirm_password"), u.Email, errs)
	if len(errs) > 0 {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, "", errs)
	}
	_, err := auth.SignIn(ctx, s.pool, u.Email, current)
	problem := ""
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		errs["current_password"] = "That is not your current password."
	case errors.Is(err, auth.ErrLocked):
		problem = "Too many wrong passwords. For safety this account is locked for 15 minutes."
	case err != nil:
		return err
	}
	if problem != "" || len(errs) > 0 {
		if err := audit.RecordAuth(ctx, s.pool, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignInFailed, IP: clientIP(r)}); err != nil {
			return err
		}
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, problem, errs)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		version, err := auth.SetPassword(ctx, tx, u.ID, r.PostForm.Get("new_password"))
		if err != nil {
			return err
		}
		u.SessionVersion = version
		return audit.RecordAuth(ctx, tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.PasswordChanged, IP: clientIP(r)})
	})
	if err != nil {
		return err
	}
	if err := s.startSession(r, u); err != nil {
		return err
	}
	s.flash(r, "Password changed. You stay signed in here and were signed out everywhere else.")
	return redirect(w, r, "/account")
}

// resetToken resolves a password-reset link: 404 for a token that never
// existed, 410 for one used or out of date.
func (s *Server) resetToken(r *http.Request) (string, auth.User, error) {
	token := chi.URLParam(r, "token")
	u, err := auth.ResetUser(r.Context(), s.pool, token)
	if errors.Is(err, auth.ErrLinkExpired) {
		return token, u, errResetExpired
	}
	return token, u, err
}

var errResetExpired = &httpError{http.StatusGone, "Link no longer valid",
	"This password-reset link was used already or has expired: each link works once, for one hour. Ask your administrator for a new one."}

// passwordResetPage asks for the new password.
func (s *Server) passwordResetPage(w http.ResponseWriter, r *http.Request) error {
	token, u, err := s.resetToken(r)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.PasswordResetPage(web.PasswordResetView{Action: "/password-reset/" + token, Email: u.Email, Errors: web.FieldErrors{}}))
}

// resetPassword sets the new password and spends the link; the person then
// signs in with it.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	token, u, err := s.resetToken(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	v := web.PasswordResetView{Action: "/password-reset/" + token, Email: u.Email, Errors: web.FieldErrors{}}
	password := r.PostForm.Get("new_password")
	newPasswordErrors(password, r.PostForm.Get("confirm_password"), u.Email, v.Errors)
	if len(v.Errors) > 0 {
		return render(w, r, http.StatusUnprocessableEntity, web.PasswordResetPage(v))
	}
	err = pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) error {
		if _, err := auth.UseReset(r.Context(), tx, token, password); err != nil {
			return err
		}
		return audit.RecordAuth(r.Context(), tx, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.PasswordReset, IP: clientIP(r)})
	})
	switch {
	case errors.Is(err, auth.ErrLinkExpired), errors.Is(err, db.ErrNotFound):
		return errResetExpired
	case err != nil:
		return err
	}
	// Whoever was signed in on this browser is signed out: the next step
	// is signing in as the person whose password this is.
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	s.flash(r, "Your new password is set. Sign in with it.")
	return redirect(w, r, "/login")
}
