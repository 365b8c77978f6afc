package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// httpError is an error with the page a person should see for it.
type httpError struct {
	status  int
	title   string
	message string
}

func (e *httpError) Error() string { return e.title }

var (
	errNotFound = &httpError{http.StatusNotFound, "Page not found",
		"There is nothing here, or you do not have access to it. Check the address, or start again from your start page."}
	errForbidden = &httpError{http.StatusForbidden, "Not available to your role",
		"Your role in this organisation does not include this page. If you need it, ask your administrator."}
	errConflict = &httpError{http.StatusConflict, "Changed by someone else",
		"Someone changed this while you were working on it. Reload to see their change, then make yours again."}
	errMethodNotAllowed = &httpError{http.StatusMethodNotAllowed, "Not allowed",
		"This page cannot be used that way."}
	errTooLarge = &httpError{http.StatusRequestEntityTooLarge, "Too much data",
		"What you sent is larger than CareCoord accepts. Shorten it and try again."}
	errBadRequest = &httpError{http.StatusBadRequest, "Could not read the form",
		"What you sent could not be read. Go back and try again."}
	errUnstorable = &httpError{http.StatusUnprocessableEntity, "Not saved",
		"Something typed or pasted holds characters CareCoord cannot keep (a null character, or text that is not valid Unicode). Go back, retype it and try again. Nothing was saved."}
	errCrossOrigin = &httpError{http.StatusForbidden, "Request refused",
		"This request came from another site, so CareCoord refused it to protect your patients' information."}
	// errUnavailable is a database that did not answer in time or could
	// not be reached: it passes, so the page says so calmly and asks for
	// another try (with Retry-After), and the session is kept.
	errUnavailable = &httpError{http.StatusServiceUnavailable, "Please try again in a moment",
		"CareCoord can't reach its database just now, so this page can't be shown. Your work and your sign-in are safe: try again in a moment. If you were saving something, check whether it was saved before entering it again."}
	errInternal = &httpError{http.StatusInternalServerError, "Something went wrong",
		"CareCoord could not finish this request. Nothing you did caused it; please try again in a moment. If it keeps happening, tell your administrator the time it happened."}
)

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts h to net/http: it reads the request (see readRequest)
// before h runs, and a returned error becomes an error page.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := readRequest(r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	}
}

// readRequest checks every id of the URL once for all handlers — a
// malformed one is a page that does not exist, never a database error —
// and reads a posted form. Text the database cannot store (a NUL byte,
// invalid UTF-8) in the query or the form is refused here, once for every
// field, as 422 rather than a database error.
func readRequest(r *http.Request) error {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		for i, k := range rc.URLParams.Keys {
			if strings.HasSuffix(k, "ID") && !validUUID(rc.URLParams.Values[i]) {
				return errNotFound
			}
		}
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			return formError(err)
		}
		if !storable(r.PostForm) {
			return errUnstorable
		}
	}
	if !storable(r.URL.Query()) {
		return errUnstorable
	}
	return nil
}

// storable reports whether every name and value of vs is text PostgreSQL
// can store: valid UTF-8 without NUL bytes.
func storable(vs url.Values) bool {
	for k, values := range vs {
		if !storableText(k) {
			return false
		}
		for _, v := range values {
			if !storableText(v) {
				return false
			}
		}
	}
	return true
}

func storableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// renderError is the one place errors meet the visitor: known errors map to
// their status, anything else is logged and shown as a plain 500, so that no
// internal text ever reaches the page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	he := classify(err)
	switch he {
	case errInternal:
		s.log.ErrorContext(r.Context(), "request failed",
			"request_id", middleware.GetReqID(r.Context()), "path", loggedPath(r.URL.Path), "err", err)
	case errUnavailable:
		s.log.WarnContext(r.Context(), "database unavailable",
			"request_id", middleware.GetReqID(r.Context()), "path", loggedPath(r.URL.Path), "err", err)
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	v := web.ErrorView{Status: he.status, Title: he.title, Message: he.message}
	if sh, ok := s.shellIfSignedIn(r); ok {
		v.Shell = &sh
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(he.status)
	// The error may be the request's deadline: the page is still written.
	_ = web.ErrorPage(v).Render(context.WithoutCancel(r.Context()), w)
}

// retryAfterSeconds is the Retry-After of a 503: a database that stopped
// answering is usually back within seconds (a restart, a failover).
const retryAfterSeconds = "5"

// userGone reports whether loading the signed-in user failed because the
// account no longer exists: the only failure that ends a session. Any
// other (the database not answering) is shown as such, and the session
// stays for the next try (issue 21).
func userGone(err error) bool {
	e, ok := fail.As(err)
	return ok && e.Kind == fail.KindNotFound
}

// kindPages is how each kind of use-case failure is answered when no form
// shows it: the one table from failure to status code.
var kindPages = map[fail.Kind]*httpError{
	fail.KindInvalid: {http.StatusUnprocessableEntity, "Not saved",
		"What you sent could not be accepted. Go back, check it and try again."},
	fail.KindNotFound:  errNotFound,
	fail.KindConflict:  errConflict,
	fail.KindForbidden: errForbidden,
	fail.KindPrecondition: {http.StatusUnprocessableEntity, "Not done",
		"That does not apply to this record as it is now. Nothing was changed."},
}

// statusOf is the status code a kind of failure answers with.
func statusOf(k fail.Kind) int {
	if he, ok := kindPages[k]; ok {
		return he.status
	}
	return http.StatusInternalServerError
}

// classify turns any error into the page to show. A use case's message is
// written for people, so it replaces the kind's usual one; not-found pages
// always say the same, so that they reveal nothing.
func classify(err error) *httpError {
	var he *httpError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &tooLarge):
		return errTooLarge
	case db.Unavailable(err):
		return errUnavailable
	}
	e, ok := fail.As(err)
	if !ok {
		return errInternal
	}
	page, ok := kindPages[e.Kind]
	if !ok {
		return errInternal
	}
	if e.Message != "" && e.Kind != fail.KindNotFound {
		p := *page
		p.message = e.Message
		return &p
	}
	return page
}

// redisplayed are the failures a form answers by showing itself again:
// about what was typed, or about what changed while the person typed.
var redisplayed = map[fail.Kind]bool{fail.KindInvalid: true, fail.KindConflict: true, fail.KindPrecondition: true}

// showAgain answers a use case's failure on a form. When the failure is
// about what the person typed or what changed meanwhile, page renders the
// form again with e's messages and every typed value, at the kind's
// status; any other failure becomes the error page.
func (s *Server) showAgain(w http.ResponseWriter, r *http.Request, err error, page func(e *fail.Error) (templ.Component, error)) error {
	e, ok := fail.As(err)
	if !ok || !redisplayed[e.Kind] {
		return err
	}
	c, err := page(e)
	if err != nil {
		return err
	}
	return render(w, r, statusOf(e.Kind), c)
}

// flashFailure answers the failure of a one-click action (a button, no
// form to keep): a precondition or conflict is said in a flash on the page
// at to; any other failure becomes the error page.
func (s *Server) flashFailure(w http.ResponseWriter, r *http.Request, err error, to string) error {
	e, ok := fail.As(err)
	if !ok || (e.Kind != fail.KindPrecondition && e.Kind != fail.KindConflict) {
		return err
	}
	s.flash(r, e.Message)
	return redirect(w, r, to)
}
