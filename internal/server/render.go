package server

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
)

// render writes a component as the whole response with the given status.
// Once the status is sent the page is finished even if the request's
// deadline passes meanwhile: rendering waits on nothing but memory, and
// templ would otherwise stop at the deadline and leave the page cut off.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	return c.Render(context.WithoutCancel(r.Context()), w)
}

// redirect ends a successful POST (POST → redirect → GET).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// redirectWith ends a successful POST with a flash message for the page it
// leads to.
func (s *Server) redirectWith(w http.ResponseWriter, r *http.Request, to, flash string) error {
	s.flash(r, flash)
	return redirect(w, r, to)
}
