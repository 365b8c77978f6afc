package server

import (
	"encoding/json"
	"net/http"
	"strings"

	"carecoord/internal/mail"
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
// else on the host the request came to.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if s.baseURL != "" {
		return s.baseURL + path
	}
	scheme := "http"
	if r.TLS != nil || s.secureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
