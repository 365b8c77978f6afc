package server

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"

	"carecoord/internal/auth"
	"carecoord/internal/fail"
	"carecoord/internal/mail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/go-chi/chi/v5/middleware"
)

// Invitation and password-reset links carry a secret token that is stored
// only as a hash, so a link can be shown once, right after it is made, and
// never again. When SMTP is configured it is emailed to the person instead
// and the admin never sees it; otherwise the admin passes it on.

// linkMail is a link to deliver and the email that would carry it.
type linkMail struct {
	to, subject, body string
	// title and note describe the link to the admin who made it.
	title, note string
	url         string
}

// deliverInvitation emails the invitation made by byName, or shows its
// link to them.
func (s *Server) deliverInvitation(r *http.Request, byName string, inv tenants.Invited) {
	until := longDate(inv.ExpiresAt.Local())
	s.deliverLink(r, linkMail{
		to:      inv.Email,
		subject: "Invitation to " + inv.Tenant.Name + " on CareCoord",
		body: "Hello,\n\n" + byName + " has invited you to work in " + inv.Tenant.Name + " on CareCoord as " +
			strings.ToLower(inv.Role.Label()) + ".\n\nOpen this link to accept. It works once, until " + until + ":\n\n{link}\n\n" +
			"If you did not expect this invitation, you can ignore this email.\n",
		title: "Invitation for " + inv.Email,
		note:  "The link works once, until " + until + ". Anyone who has it can accept, so pass it on only to " + inv.Email + ".",
		url:   s.absoluteURL(r, "/invitations/"+inv.Token),
	})
}

// deliverResetLink emails a member their password-reset link, or shows it
// to their admin.
func (s *Server) deliverResetLink(r *http.Request, l tenants.ResetLink) {
	s.deliverLink(r, linkMail{
		to:      l.Email,
		subject: "Choose a new CareCoord password",
		body: "Hello " + l.Name + ",\n\nYour administrator made a link for you to choose a new CareCoord password. " +
			"It works once, within the next hour:\n\n{link}\n\nIf you did not ask for this, tell your administrator.\n",
		title: "Password-reset link for " + l.Name,
		note:  "It works once, for one hour, and signs " + l.Name + " out everywhere. Pass it on only to them.",
		url:   s.absoluteURL(r, "/password-reset/"+l.Token),
	})
}

// deliverLink emails the link when mail is configured and shows it to the
// admin on the next page otherwise, or when the email could not be sent.
func (s *Server) deliverLink(r *http.Request, l linkMail) {
	shown := web.ShownLink{Title: l.title, Note: l.note}
	if s.mailer == nil {
		shown.URL = l.url
		s.showLink(r, shown)
		return
	}
	err := s.mailer.Send(r.Context(), mail.Message{To: l.to, Subject: l.subject, Body: strings.ReplaceAll(l.body, "{link}", l.url)})
	if err != nil {
		s.log.ErrorContext(r.Context(), "send link email", "request_id", middleware.GetReqID(r.Context()), "err", err)
		shown.URL = l.url
		shown.Note = "The email could not be sent, so pass this link on yourself. " + l.note
	} else {
		shown.Emailed = true
		shown.Note = "Emailed to " + l.to + ". " + l.note
	}
	s.showLink(r, shown)
}

// showLink keeps l for the next page the admin sees, once.
func (s *Server) showLink(r *http.Request, l web.ShownLink) {
	b, _ := json.Marshal(l)
	s.sessions.Put(r.Context(), sessionShownLink, string(b))
}

// popShownLink returns the link made by the previous request, if any.
func (s *Server) popShownLink(r *http.Request) *web.ShownLink {
	raw := s.sessions.PopString(r.Context(), sessionShownLink)
	if raw == "" {
		return nil
	}
	var l web.ShownLink
	if json.Unmarshal([]byte(raw), &l) != nil {
		return nil
	}
	return &l
}

// absoluteURL is path as a full address: under BASE_URL when it is set,
// else on the host the request came to when that host is one of
// ALLOWED_HOSTS (or this machine itself). The Host header is the
// visitor's to write, so any other host gives the path alone: a forged
// Host never reaches a link that is emailed or passed on.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if s.baseURL != "" {
		return s.baseURL + path
	}
	if !s.allowedHost(r.Host) {
		return path
	}
	scheme := "http"
	if r.TLS != nil || s.secureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// allowedHost reports whether host (host or host:port, as in a Host
// header) is one CareCoord may name in a link: listed in ALLOWED_HOSTS
// with or without its port, or a loopback address (a developer's machine,
// and the tests).
func (s *Server) allowedHost(host string) bool {
	host = strings.ToLower(host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if slices.Contains(s.allowedHosts, host) || slices.Contains(s.allowedHosts, name) {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return name == "localhost" || (ip != nil && ip.IsLoopback())
}

// spentLinks are the failures of a link that worked once and never will
// again, with the title of their page.
var spentLinks = []struct {
	err   error
	title string
}{
	{tenants.ErrInvitationUsed, "Invitation already used"},
	{tenants.ErrInvitationWithdrawn, "Invitation withdrawn"},
	{tenants.ErrInvitationExpired, "Invitation expired"},
	{tenants.ErrTenantUnavailable, "Organisation not available"},
	{auth.ErrLinkExpired, "Link no longer valid"},
}

// spentLink answers a spent link with 410 Gone and the use case's
// sentence; other errors pass. 410 is no kind of failure (it is a
// precondition everywhere else), so this is the one place these handlers
// tell domain failures apart: an exception issue 14 allows.
func spentLink(err error) error {
	for _, l := range spentLinks {
		if e, ok := fail.As(err); ok && errors.Is(err, l.err) {
			return &httpError{http.StatusGone, l.title, e.Message}
		}
	}
	return err
}
