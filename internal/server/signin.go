package server

import (
	"net"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"carecoord/internal/auth"
	"carecoord/internal/fail"
	"carecoord/web"

	"github.com/a-h/templ"
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

// login checks the credentials and starts a session; every attempt is
// recorded.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	f, next := auth.ParseSignInForm(r.PostForm), safeNext(r.PostForm.Get("next"))
	u, err := s.accounts.SignIn(r.Context(), clientIP(r), f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return web.LoginPage(web.LoginView{Email: f.Email, Next: next, Errors: e.Fields, Problem: problemOf(e)}), nil
		})
	}
	return s.afterPassword(w, r, u, next)
}

// logout ends the session: its data is deleted and the browser gets a fresh,
// empty token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	ctx := r.Context()
	if err := s.accounts.SignOut(ctx, clientIP(r), u); err != nil {
		return err
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/login", "You have signed out.")
}

// showPage renders at 200 the page a view builder made, or returns the error
// that kept it from being built: showPage(w, r)(s.usersView(r, …)).
func showPage(w http.ResponseWriter, r *http.Request) func(templ.Component, error) error {
	return func(c templ.Component, err error) error {
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, c)
	}
}

// problemOf is what a form says above its fields about e: its sentence,
// unless the fields carry the failure.
func problemOf(e *fail.Error) string {
	if len(e.Fields) > 0 {
		return ""
	}
	return e.Message
}

// safeNext accepts only a path on this site as the place to go after sign-in,
// so that the sign-in page cannot be used to send people elsewhere: one
// leading slash followed by a path character, and nothing a browser would
// drop or turn into a slash (control characters, spaces, backslashes), so
// that what is checked is what the browser follows.
func safeNext(next string) string {
	if len(next) < 2 || next[0] != '/' || !pathChar(next[1]) || !utf8.ValidString(next) ||
		strings.ContainsFunc(next, func(c rune) bool { return c == '\\' || unicode.IsControl(c) || unicode.IsSpace(c) }) {
		return ""
	}
	return next
}

// pathChar reports whether c may begin a path segment (RFC 3986 pchar,
// without '%', whose escapes browsers may undo).
func pathChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
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
	if classify(err) == errTooLarge {
		return errTooLarge
	}
	return errBadRequest
}
