package server

import (
	"context"
	"net/http"
	"time"

	"carecoord/internal/once"
	"carecoord/web"

	"github.com/go-chi/chi/v5/middleware"
)

// errStillSaving answers a repeated post whose first is still running after
// the wait: the person should look before sending it again.
var errStillSaving = &httpError{http.StatusConflict, "Already being saved",
	"This form was sent more than once and the first is still being saved. Open the page again in a moment to see it before sending anything again."}

// onceWait is how long a repeated post waits for the first to finish.
var onceWait = once.DefaultWait

// oncePerForm makes a signed-in person's post take effect once (issue 21):
// the first post of a form's one-time token (web.Once) runs, and its
// repeats — a double click, a page sent again — do not run but answer with
// the first one's redirect, after waiting for it to finish. A post that
// fails (anything but a redirect) gives the token up, so the form can be
// corrected and sent again. A post without a token runs as it always did.
func (s *Server) oncePerForm(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, signedIn := currentUser(r)
		if r.Method != http.MethodPost || !signedIn {
			next.ServeHTTP(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, formError(err))
			return
		}
		token := r.PostForm.Get(web.OnceField)
		// Handlers never see the token: some read every field of a form.
		r.PostForm.Del(web.OnceField)
		r.Form.Del(web.OnceField)
		if !once.Valid(token) {
			next.ServeHTTP(w, r)
			return
		}
		o, mine, err := once.Take(r.Context(), s.pool, u.ID, token, onceWait)
		switch {
		case err != nil:
			s.renderError(w, r, err)
		case mine:
			s.firstPost(w, r, next, u.ID, token)
		case o.State == once.Done:
			// The browser follows this answer, not the first one's, so it
			// carries the first one's message too.
			if o.Flash != "" {
				s.flash(r, o.Flash)
			}
			http.Redirect(w, r, o.Location, http.StatusSeeOther)
		default:
			s.renderError(w, r, errStillSaving)
		}
	})
}

// firstPost runs the post that claimed token and records how it ended: a
// redirect is kept for its repeats; anything else (a form shown again with
// its errors, an error page, a panic) gives the token up.
func (s *Server) firstPost(w http.ResponseWriter, r *http.Request, next http.Handler, userID, token string) {
	// The record outlives a visitor who has gone away, but not a database
	// that does not answer.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	finished := false
	defer func() {
		if !finished {
			if err := once.Release(ctx, s.pool, userID, token); err != nil {
				s.log.ErrorContext(ctx, "release form token", "request_id", middleware.GetReqID(ctx), "err", err)
			}
		}
	}()
	ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
	next.ServeHTTP(ww, r)
	if st := ww.Status(); st >= 300 && st < 400 && w.Header().Get("Location") != "" {
		// Done, recorded or not: were the record lost, a repeat would wait
		// and be told to look, never run the post again.
		finished = true
		flash := s.sessions.GetString(r.Context(), sessionFlash)
		if err := once.Finish(ctx, s.pool, userID, token, w.Header().Get("Location"), flash); err != nil {
			s.log.ErrorContext(ctx, "record form post", "request_id", middleware.GetReqID(ctx), "err", err)
		}
	}
}
