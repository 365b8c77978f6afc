package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// patientAddress answers 404 for every request under the address of a
// patient who is not the tenant's (missing, or another tenant's), before
// any handler reads a form, so that a foreign id is the same 404
// everywhere. It records every page read there (chart, forms filled with
// the record, plans, tasks, exports) as a view of that patient before the
// page is shown, once per visit, so that no page of a record, present or
// added later, goes unaudited; posts record their own change. A malformed
// id is left to handle, which answers 404. The address of a record merged
// into another leads to the same page of the survivor (its sub-records
// moved with it), so old links and exports still resolve.
func (s *Server) patientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := chi.URLParam(r, "patientID")
		if validUUID(id) {
			var err error
			var mergedInto string
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				mergedInto, err = s.patients.Viewed(r.Context(), s.actor(r), id, r.URL.Path)
			} else {
				err = s.patients.Present(r.Context(), s.actor(r), id)
			}
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			if mergedInto != "" {
				s.toSurvivor(w, r, id, mergedInto)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// toSurvivor sends a GET of a merged-away record's page to the same page
// of the record it was merged into, saying so.
func (s *Server) toSurvivor(w http.ResponseWriter, r *http.Request, merged, survivor string) {
	to := strings.Replace(r.URL.Path, merged, survivor, 1)
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	s.flash(r, "The record you opened was merged into this one.")
	http.Redirect(w, r, to, http.StatusFound)
}
