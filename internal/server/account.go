package server

import (
	"time"

	"context"
	"net/http"

	"carecoord/internal/auth"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
)

// Everyone's account page (issue 9): a new password, with the current one,
// and the recent sign-ins; and the page a password-reset link opens.

// accountPage shows the signed-in user's account.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return showPage(w, r)(s.accountView(r, web.AccountView{}))
}

// accountView is the account page, with v's problem and field errors.
func (s *Server) accountView(r *http.Request, v web.AccountView) (templ.Component, error) {
	u, _ := currentUser(r)
	acc, err := s.tenants.Account(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	if all := acc.Memberships; len(all) == 1 {
		// Framed by the one organisation the user works in, so that its
		// navigation is a click away.
		r = r.WithContext(context.WithValue(context.WithValue(r.Context(), membershipKey, all[0]), membershipsKey, all))
	}
	v.Shell, v.Name, v.Email, v.Action, v.SignIns = s.shell(r), u.Name, u.Email, "/account/password", signInRows(acc.SignIns, time.Local)
	if v.MFA, err = s.mfaCard(r, u.ID); err != nil {
		return nil, err
	}
	for _, m := range acc.Memberships {
		v.Organisations = append(v.Organisations, web.TenantChoice{Name: m.Tenant.Name, Href: "/t/" + m.Tenant.Slug + "/", RoleLabel: m.Role.Label()})
	}
	return web.AccountPage(v), nil
}

// changePassword sets a new password once the current one is confirmed.
// Every other session of the user ends; this one carries on under a new
// token.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	u, err := s.accounts.ChangePassword(r.Context(), clientIP(r), u, auth.ParsePasswordForm(r.PostForm))
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.accountView(r, web.AccountView{Problem: problemOf(e), Errors: e.Fields})
		})
	}
	if err := s.startSession(r, u); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/account", "Password changed. You stay signed in here and were signed out everywhere else.")
}

// passwordResetPage asks for the new password: 404 for a link that never
// existed, 410 for one used or out of date.
func (s *Server) passwordResetPage(w http.ResponseWriter, r *http.Request) error {
	return showPage(w, r)(s.resetView(r, chi.URLParam(r, "token"), nil))
}

// resetView is the reset link's page, with errs beside the fields.
func (s *Server) resetView(r *http.Request, token string, errs map[string]string) (templ.Component, error) {
	u, err := s.accounts.ResetLink(r.Context(), token)
	if err != nil {
		return nil, spentLink(err)
	}
	return web.PasswordResetPage(web.PasswordResetView{Action: "/password-reset/" + token, Email: u.Email, Errors: errs}), nil
}

// resetPassword sets the new password and spends the link; the person then
// signs in with it.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if err := s.accounts.ResetPassword(r.Context(), clientIP(r), token, auth.ParsePasswordForm(r.PostForm)); err != nil {
		return s.showAgain(w, r, spentLink(err), func(e *fail.Error) (templ.Component, error) { return s.resetView(r, token, e.Fields) })
	}
	// Whoever was signed in on this browser is signed out: the next step
	// is signing in as the person whose password this is.
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/login", "Your new password is set. Sign in with it.")
}
