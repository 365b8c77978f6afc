package server

import (
	"net/http"
	"time"

	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Two-step sign-in (issue 21). After the right password a person with an
// authenticator app, or who must set one up, is not signed in: the
// session only remembers whose password it was (sessionPendingUser), which
// loadUser ignores, so no page of the app answers until the code is right.

// pendingTimeout is how long the second step may take after the password.
const pendingTimeout = 10 * time.Minute

// pendingKeys are the session's keys while the second step is due.
var pendingKeys = []string{sessionPendingUser, sessionPendingVersion, sessionPendingAt, sessionPendingNext}

// afterPassword signs u in, or, when u has a second step to take, starts
// it and sends them to it; next is where they were going.
func (s *Server) afterPassword(w http.ResponseWriter, r *http.Request, u auth.User, next string) error {
	step, err := s.mfa.AfterPassword(r.Context(), u)
	if err != nil {
		return err
	}
	if step == auth.StepNone {
		if err := s.startSession(r, u); err != nil {
			return err
		}
		return redirect(w, r, orText(next, "/"))
	}
	ctx := r.Context()
	// A new token, as at sign-in: one planted before the password is
	// worthless afterwards.
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionPendingUser, u.ID)
	s.sessions.Put(ctx, sessionPendingVersion, u.SessionVersion)
	s.sessions.Put(ctx, sessionPendingAt, s.now().Unix())
	s.sessions.Put(ctx, sessionPendingNext, next)
	if step == auth.StepEnrol {
		return redirect(w, r, "/login/enrol")
	}
	return redirect(w, r, "/login/code")
}

// pendingUser is the person whose second step this session awaits: false
// when none does, it took too long, or the account changed meanwhile.
func (s *Server) pendingUser(r *http.Request) (auth.User, bool) {
	ctx := r.Context()
	id := s.sessions.GetString(ctx, sessionPendingUser)
	since := time.Unix(s.sessions.GetInt64(ctx, sessionPendingAt), 0)
	if id == "" || s.now().Sub(since) > pendingTimeout {
		return auth.User{}, false
	}
	u, err := auth.UserByID(ctx, s.pool, id)
	if err != nil || u.Disabled || u.SessionVersion != s.sessions.GetInt(ctx, sessionPendingVersion) {
		return auth.User{}, false
	}
	return u, true
}

// signInAgain answers a second-step page the session has no business on:
// someone signed in goes home, anyone else back to the password.
func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request) error {
	if _, ok := currentUser(r); ok {
		return redirect(w, r, "/")
	}
	for _, k := range pendingKeys {
		s.sessions.Remove(r.Context(), k)
	}
	return s.redirectWith(w, r, "/login", "Sign in again: the sign-in you started has ended.")
}

// finishSignIn signs u in once the second step is done, and returns where
// they were going.
func (s *Server) finishSignIn(r *http.Request, u auth.User) (string, error) {
	next := s.sessions.GetString(r.Context(), sessionPendingNext)
	for _, k := range pendingKeys {
		s.sessions.Remove(r.Context(), k)
	}
	return orText(next, "/"), s.startSession(r, u)
}

// codeForm asks for the code of the app after the password.
func (s *Server) codeForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := s.pendingUser(r); !ok {
		return s.signInAgain(w, r)
	}
	return render(w, r, http.StatusOK, web.CodePage(web.CodeView{Action: "/login/code"}))
}

// checkCode signs the person in when the code (or a recovery code) is
// right; wrong codes count towards the account's lock.
func (s *Server) checkCode(w http.ResponseWriter, r *http.Request) error {
	pending, ok := s.pendingUser(r)
	if !ok {
		return s.signInAgain(w, r)
	}
	u, err := s.mfa.Verify(r.Context(), clientIP(r), pending.ID, r.PostForm.Get("code"), s.now())
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return web.CodePage(web.CodeView{Action: "/login/code", Errors: e.Fields, Problem: problemOf(e)}), nil
		})
	}
	next, err := s.finishSignIn(r, u)
	if err != nil {
		return err
	}
	return redirect(w, r, next)
}

// enrolForm shows the key of the authenticator app a person must set up
// before they are signed in.
func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) error {
	u, ok := s.pendingUser(r)
	if !ok {
		return s.signInAgain(w, r)
	}
	return showPage(w, r)(s.enrolView(r, u, web.EnrolView{Action: "/login/enrol"}))
}

// enrol confirms the app with its first code, signs the person in and
// shows their recovery codes, once.
func (s *Server) enrol(w http.ResponseWriter, r *http.Request) error {
	u, ok := s.pendingUser(r)
	if !ok {
		return s.signInAgain(w, r)
	}
	codes, err := s.mfa.Confirm(r.Context(), clientIP(r), u, r.PostForm.Get("code"), s.now())
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.enrolView(r, u, web.EnrolView{Action: "/login/enrol", Errors: e.Fields, Problem: problemOf(e)})
		})
	}
	next, err := s.finishSignIn(r, u)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.RecoveryCodesPage(web.RecoveryCodesView{Codes: codes, Next: next}))
}

// enrolView is the set-up page of u's pending enrolment, in v's frame.
func (s *Server) enrolView(r *http.Request, u auth.User, v web.EnrolView) (templ.Component, error) {
	e, err := s.mfa.Pending(r.Context(), u)
	if err != nil {
		return nil, err
	}
	v.Secret, v.QR = e.Secret, e.QR
	return web.EnrolPage(v), nil
}

// beginEnrolment starts setting up an authenticator app from the account
// page.
func (s *Server) beginEnrolment(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	if err := s.mfa.Begin(r.Context(), u); err != nil {
		return s.flashFailure(w, r, err, "/account")
	}
	return redirect(w, r, "/account/mfa")
}

// accountEnrolForm shows the key of the app being set up.
func (s *Server) accountEnrolForm(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	return showPage(w, r)(s.enrolView(r, u, web.EnrolView{Shell: s.shell(r), Action: "/account/mfa"}))
}

// accountEnrol confirms the app with its first code and shows the
// recovery codes, once.
func (s *Server) accountEnrol(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	codes, err := s.mfa.Confirm(r.Context(), clientIP(r), u, r.PostForm.Get("code"), s.now())
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.enrolView(r, u, web.EnrolView{Shell: s.shell(r), Action: "/account/mfa", Errors: e.Fields, Problem: problemOf(e)})
		})
	}
	return render(w, r, http.StatusOK, web.RecoveryCodesPage(web.RecoveryCodesView{Shell: s.shell(r), Codes: codes, Next: "/account"}))
}

// mfaCard is the account page's two-step sign-in card.
func (s *Server) mfaCard(r *http.Request, userID string) (web.MFACard, error) {
	st, err := s.mfa.Status(r.Context(), userID)
	c := web.MFACard{Enrolled: st.Enrolled, CodesLeft: st.CodesLeft, BeginAction: "/account/mfa/begin"}
	if st.Enrolled {
		c.Since = st.Since.Format(calendar.Day)
	}
	return c, err
}
