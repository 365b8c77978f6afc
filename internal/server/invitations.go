package server

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// Accepting an invitation (issue 9). The link's token is the only proof
// the visitor has; the page answers whether or not they are signed in. A
// new person sets a name and password; a person who already has an account
// (of another tenant) confirms with its password, or with one click when
// signed in as that account, and gains a membership, not a second account.

// invitationReq is the invitation a link leads to, while it can be used.
type invitationReq struct {
	token  string
	inv    tenants.Invitation
	action string
	// existing is the invited account, when the email already has one.
	existing *auth.User
}

// invitationRequest resolves the link. A token that never existed is 404;
// one that did but can no longer be used says why, with 410.
func (s *Server) invitationRequest(r *http.Request) (invitationReq, error) {
	token := chi.URLParam(r, "token")
	ir := invitationReq{token: token, action: "/invitations/" + token}
	inv, err := tenants.InvitationByToken(r.Context(), s.pool, token)
	if err != nil {
		return ir, err
	}
	ir.inv = inv
	if err := invitationClosed(inv, inv.State(s.now())); err != nil {
		return ir, err
	}
	u, err := auth.UserByEmail(r.Context(), s.pool, inv.Email)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return ir, err
	default:
		ir.existing = &u
	}
	return ir, nil
}

// invitationClosed is the page for an invitation in state st, or nil when
// it is open.
func invitationClosed(inv tenants.Invitation, st tenants.InvitationState) error {
	ask := "Ask " + orText(inv.InvitedByName, "the organisation's administrator") + " for a new invitation."
	switch st {
	case tenants.InvitationAccepted:
		return &httpError{http.StatusGone, "Invitation already used",
			"This invitation was accepted already, and each invitation works only once. Sign in with your email and password."}
	case tenants.InvitationRevoked:
		return &httpError{http.StatusGone, "Invitation withdrawn", "This invitation was withdrawn or replaced by a newer one. " + ask}
	case tenants.InvitationExpired:
		return &httpError{http.StatusGone, "Invitation expired", "This invitation expired on " + dateTime(inv.ExpiresAt) + ". " + ask}
	case tenants.InvitationSuspended:
		return &httpError{http.StatusGone, "Organisation not available", "The organisation of this invitation is not available at the moment."}
	}
	return nil
}

// invitationPage shows what the invitation offers and what it needs.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	ir, err := s.invitationRequest(r)
	if err != nil {
		return err
	}
	return s.renderInvitation(w, r, ir, http.StatusOK, web.InvitationView{})
}

func (s *Server) renderInvitation(w http.ResponseWriter, r *http.Request, ir invitationReq, code int, v web.InvitationView) error {
	inv := ir.inv
	v.Action, v.TenantName, v.RoleLabel, v.Email = ir.action, inv.Tenant.Name, strings.ToLower(inv.Role.Label()), inv.Email
	v.InvitedBy, v.Expires = orText(inv.InvitedByName, "CareCoord"), dateTime(inv.ExpiresAt)
	v.Mode = web.InviteNewAccount
	if u, ok := currentUser(r); ok {
		v.Mode, v.SignedInAs = web.InviteOtherUser, u.Email
		if ir.existing != nil && ir.existing.ID == u.ID {
			v.Mode = web.InviteConfirm
		}
	} else if ir.existing != nil {
		v.Mode = web.InviteSignIn
	}
	if v.Errors == nil {
		v.Errors = web.FieldErrors{}
	}
	return render(w, r, code, web.InvitationPage(v))
}

// acceptInvitation accepts the invitation in the way the page offered.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	ir, err := s.invitationRequest(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	cur, signedIn := currentUser(r)
	switch {
	case signedIn && ir.existing != nil && ir.existing.ID == cur.ID:
		return s.joinTenant(w, r, ir, cur, false)
	case signedIn:
		return s.renderInvitation(w, r, ir, http.StatusConflict, web.InvitationView{})
	case ir.existing != nil:
		return s.acceptWithPassword(w, r, ir)
	}
	return s.acceptWithNewAccount(w, r, ir)
}

// acceptWithNewAccount creates the invitee's account and membership.
func (s *Server) acceptWithNewAccount(w http.ResponseWriter, r *http.Request, ir invitationReq) error {
	v := web.InvitationView{Name: strings.TrimSpace(r.PostForm.Get("name")), Errors: web.FieldErrors{}}
	password := r.PostForm.Get("new_password")
	switch {
	case v.Name == "":
		v.Errors["name"] = "Enter your name."
	case utf8.RuneCountInString(v.Name) > 200:
		v.Errors["name"] = "Use at most 200 characters."
	}
	newPasswordErrors(password, r.PostForm.Get("confirm_password"), ir.inv.Email, v.Errors)
	if len(v.Errors) > 0 {
		return s.renderInvitation(w, r, ir, http.StatusUnprocessableEntity, v)
	}
	var u auth.User
	err := db.InTenant(r.Context(), s.pool, ir.inv.Tenant.ID, func(tx pgx.Tx) (err error) {
		u, err = auth.CreateUser(r.Context(), tx, auth.NewUser{Email: ir.inv.Email, Name: v.Name, Password: password})
		if err != nil {
			return err
		}
		return s.spendInvitation(r, tx, ir, u, true)
	})
	if errors.Is(err, auth.ErrEmailTaken) {
		// The account was made a moment ago, by another use of the link.
		v.Problem = "An account with this email was created a moment ago. Confirm with its password below."
		ir.existing = &u
		return s.renderInvitation(w, r, ir, http.StatusConflict, v)
	}
	if err != nil {
		return s.closedOr(r, err, ir)
	}
	if err := audit.RecordAuth(r.Context(), s.pool, audit.AuthEvent{UserID: u.ID, Email: u.Email, Action: audit.SignIn, IP: clientIP(r)}); err != nil {
		return err
	}
	return s.welcome(w, r, ir, u)
}

// acceptWithPassword signs the invitee in with their existing account and
// adds the membership. Failures count towards the account's lock as at
// sign-in.
func (s *Server) acceptWithPassword(w http.ResponseWriter, r *http.Request, ir invitationReq) error {
	v := web.InvitationView{Errors: web.FieldErrors{}}
	password := r.PostForm.Get("password")
	if password == "" {
		v.Errors["password"] = "Enter your password."
		return s.renderInvitation(w, r, ir, http.StatusUnprocessableEntity, v)
	}
	u, err := auth.SignIn(r.Context(), s.pool, ir.inv.Email, password)
	event := audit.AuthEvent{UserID: ir.existing.ID, Email: ir.inv.Email, Action: audit.SignIn, IP: clientIP(r)}
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		event.Action, v.Errors["password"] = audit.SignInFailed, "That is not the password of this account."
	case errors.Is(err, auth.ErrLocked):
		event.Action, v.Problem = audit.SignInLocked, "Too many unsuccessful attempts. For safety this account is locked for 15 minutes; try again after that."
	case err != nil:
		return err
	}
	if err := audit.RecordAuth(r.Context(), s.pool, event); err != nil {
		return err
	}
	if len(v.Errors) > 0 || v.Problem != "" {
		return s.renderInvitation(w, r, ir, http.StatusUnprocessableEntity, v)
	}
	return s.joinTenant(w, r, ir, u, true)
}

// joinTenant adds the membership of an existing account and signs it in
// when it was not already.
func (s *Server) joinTenant(w http.ResponseWriter, r *http.Request, ir invitationReq, u auth.User, startSession bool) error {
	err := db.InTenant(r.Context(), s.pool, ir.inv.Tenant.ID, func(tx pgx.Tx) error {
		return s.spendInvitation(r, tx, ir, u, false)
	})
	if err != nil {
		return s.closedOr(r, err, ir)
	}
	if !startSession {
		s.flash(r, "You now work in "+ir.inv.Tenant.Name+" too.")
		return redirect(w, r, "/t/"+ir.inv.Tenant.Slug+"/")
	}
	return s.welcome(w, r, ir, u)
}

// spendInvitation accepts the invitation for u in tx and records it.
func (s *Server) spendInvitation(r *http.Request, tx pgx.Tx, ir invitationReq, u auth.User, newAccount bool) error {
	if err := tenants.Accept(r.Context(), tx, ir.inv, u.ID); err != nil {
		return err
	}
	return s.auditAs(r, tx, ir.inv.Tenant.ID, u.ID, audited{action: "invitation.accepted", entityType: "invitation", entityID: ir.inv.ID,
		detail: map[string]any{"user": u.ID, "role": string(ir.inv.Role), "new_account": newAccount}})
}

// closedOr turns an invitation that closed while the invitee was on the
// page into its page; other errors pass.
func (s *Server) closedOr(r *http.Request, err error, ir invitationReq) error {
	if errors.Is(err, tenants.ErrInvitationClosed) {
		inv, lookupErr := tenants.InvitationByToken(r.Context(), s.pool, ir.token)
		if lookupErr != nil {
			return lookupErr
		}
		if closed := invitationClosed(inv, inv.State(s.now())); closed != nil {
			return closed
		}
	}
	return err
}

// welcome signs the new member in and takes them into the tenant.
func (s *Server) welcome(w http.ResponseWriter, r *http.Request, ir invitationReq, u auth.User) error {
	if err := s.startSession(r, u); err != nil {
		return err
	}
	s.flash(r, "Welcome to "+ir.inv.Tenant.Name+".")
	return redirect(w, r, "/t/"+ir.inv.Tenant.Slug+"/")
}

// newPasswordErrors checks a new password and its confirmation.
func newPasswordErrors(password, confirm, email string, errs web.FieldErrors) {
	if msg := auth.CheckNewPassword(password, email); msg != "" {
		errs["new_password"] = msg
	} else if confirm != password {
		errs["confirm_password"] = "The two passwords are different. Type the same password twice."
	}
}
