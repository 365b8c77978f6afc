package server

import (
	"time"

	"net/http"
	"strings"

	"carecoord/internal/fail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
)

// Accepting an invitation (issue 9). The page answers whether or not the
// visitor is signed in: a new person sets a name and password, a person
// with an account confirms with its password, or with one click when
// signed in as that account. A link that never existed is 404; one that
// did but can no longer be used says why, with 410.

// invitationPage shows what the invitation offers and what it needs.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	return showPage(w, r)(s.invitationView(r, chi.URLParam(r, "token"), web.InvitationView{}))
}

// acceptInvitation accepts the invitation in the way the page offered and
// takes the new member into the organisation.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	token, f := chi.URLParam(r, "token"), tenants.ParseAcceptForm(r.PostForm)
	done, err := s.tenants.AcceptInvitation(r.Context(), s.actor(r), token, f)
	if err != nil {
		return s.showAgain(w, r, spentLink(err), func(e *fail.Error) (templ.Component, error) {
			return s.invitationView(r, token, web.InvitationView{Name: f.Name, Errors: e.Fields, Problem: problemOf(e)})
		})
	}
	home := "/t/" + done.Tenant.Slug + "/"
	if !done.SignIn {
		return s.redirectWith(w, r, home, "You now work in "+done.Tenant.Name+" too.")
	}
	// Signing in here takes the same second step as at the sign-in page.
	s.flash(r, "Welcome to "+done.Tenant.Name+".")
	return s.afterPassword(w, r, done.User, home)
}

// invitationView is the page of the invitation with token, asking what
// this visitor needs to give, with v's input and messages.
func (s *Server) invitationView(r *http.Request, token string, v web.InvitationView) (templ.Component, error) {
	o, err := s.tenants.Offer(r.Context(), s.actor(r), token)
	if err != nil {
		return nil, spentLink(err)
	}
	v.Action, v.TenantName, v.RoleLabel, v.Email = "/invitations/"+token, o.Tenant.Name, strings.ToLower(o.Role.Label()), o.Email
	v.InvitedBy, v.Expires = orText(o.InvitedByName, "CareCoord"), dateTime(o.ExpiresAt, time.Local)
	v.Mode = web.InviteNewAccount
	if u, ok := currentUser(r); ok {
		v.Mode, v.SignedInAs = web.InviteOtherUser, u.Email
		if o.Account != nil && o.Account.ID == u.ID {
			v.Mode = web.InviteConfirm
		} else {
			v.Problem = "" // the page's notice says it already
		}
	} else if o.Account != nil {
		v.Mode = web.InviteSignIn
	}
	return web.InvitationPage(v), nil
}
