package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// auditPatientViews records every page read under a patient's address
// (chart, forms filled with the record, plans, tasks, exports) as a view of
// that patient before the page is shown, once per visit, so that no page
// of a record, present or added later, goes unaudited. Posts record their
// own change; a malformed id is left to handle, which answers 404.
func (s *Server) auditPatientViews(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := chi.URLParam(r, "patientID")
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) && validUUID(id) {
			if err := s.patients.Viewed(r.Context(), s.actor(r), id, r.URL.Path); err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
