package server

import (
	"net/http"
	"strings"

	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
)

// The tenant's closure days: days it is closed besides weekends and
// federal holidays. Adding or removing one is an audit event.

// closuresPage lists the closure days with an empty form.
func (s *Server) closuresPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.closuresView(r, tenants.ClosureForm{}, nil)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, v)
}

// addClosure closes a day, or shows the form again as typed with a
// message beside each problem.
func (s *Server) addClosure(w http.ResponseWriter, r *http.Request) error {
	f := tenants.ParseClosureForm(r.PostForm)
	c, err := s.tenants.AddClosure(r.Context(), s.actor(r), f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.closuresView(r, f, e) })
	}
	return s.redirectWith(w, r, tenantPath(r, "/admin/closures"), "Closed on "+longDate(c.Day)+".")
}

// removeClosure opens a closed day again.
func (s *Server) removeClosure(w http.ResponseWriter, r *http.Request) error {
	c, err := s.tenants.RemoveClosure(r.Context(), s.actor(r), chi.URLParam(r, "closureID"))
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, tenantPath(r, "/admin/closures"), "Open again on "+longDate(c.Day)+".")
}

// closuresView is the page with the closures as stored and f as typed,
// with e's messages if f could not be saved.
func (s *Server) closuresView(r *http.Request, f tenants.ClosureForm, e *fail.Error) (templ.Component, error) {
	a := s.actor(r)
	list, err := s.tenants.ClosuresPage(r.Context(), a)
	if err != nil {
		return nil, err
	}
	v := web.ClosuresView{Shell: s.shell(r), Action: tenantPath(r, "/admin/closures"), Day: f.Day, Name: f.Name}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	for _, c := range list {
		v.Rows = append(v.Rows, web.ClosureRow{Day: c.Day.Format(calendar.WeekdayDay), Name: c.Name,
			RemoveAction: tenantPath(r, "/admin/closures/"+c.ID+"/remove")})
	}
	var names []string
	for _, h := range calendar.FederalHolidays(a.At.Year()) {
		names = append(names, h.Name+" "+h.Day.Format(calendar.ShortDay))
	}
	v.Holidays = strings.Join(names, ", ")
	return web.ClosuresPage(v), nil
}
