package server

import (
	"errors"
	"net/http"
	"net/url"

	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// patientList is the patient list and search: the signed-in user's caseload
// unless the filter bar asks for more. A filter value that cannot be used
// is dropped with a message beside it; the list still shows.
func (s *Server) patientList(w http.ResponseWriter, r *http.Request) error {
	u, _ := currentUser(r)
	m, _ := currentMembership(r)
	typed := patients.ParseListForm(r.URL.Query())
	var v web.PatientListView
	err := s.inTenant(r, func(tx pgx.Tx) error {
		people, err := s.coordinatorOptions(r, tx)
		if err != nil {
			return err
		}
		filter, applied, errs := typed.Validate(u.ID, idsOf(people))
		page, err := patients.List(r.Context(), tx, m.Tenant.ID, filter)
		if errors.Is(err, patients.ErrBadCursor) {
			errs["after"] = "That page link no longer works, so the list starts again from the first page."
			applied.After, filter.After = "", nil
			page, err = patients.List(r.Context(), tx, m.Tenant.ID, filter)
		}
		if err != nil {
			return err
		}
		v = s.patientListView(r, typed, applied, errs, people, page)
		v.Ranked = filter.Name != nil || filter.ExternalID != nil
		return nil
	})
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.PatientListPage(v))
}

// patientListView shows the search box as typed but every other filter as
// applied, and builds the links from the applied filters so they keep
// working.
func (s *Server) patientListView(r *http.Request, typed, applied patients.ListForm, errs patients.Errors,
	people []web.SelectOption, page patients.ListPage) web.PatientListView {
	base := tenantPath(r, "/patients")
	v := web.PatientListView{
		Shell: s.shell(r), Action: base, NewPatientHref: base + "/new",
		Q: typed.Q, Coordinator: applied.Coordinator, Status: applied.Status, Risk: applied.Risk,
		Coordinators: append([]web.SelectOption{
			{Value: "", Label: "My caseload"},
			{Value: patients.EveryCoordinator, Label: "Everyone"},
		}, people...),
		Errors: errs, Searching: typed.Searching(), Scope: scopeOf(applied.Coordinator, people),
	}
	if page.Next != "" {
		next := applied
		next.After = page.Next
		v.NextHref = withQuery(base, next.Values())
	}
	if applied.After != "" {
		first := applied
		first.After = ""
		v.FirstHref = withQuery(base, first.Values())
	}
	if len(page.Patients) == 0 && applied.Searching() && applied.Coordinator != patients.EveryCoordinator {
		everyone := applied
		everyone.Coordinator, everyone.After = patients.EveryCoordinator, ""
		v.EveryoneHref = withQuery(base, everyone.Values())
	}
	now := today()
	for _, p := range page.Patients {
		row := web.PatientListRow{
			Name: p.FamilyName + ", " + p.GivenName, Href: patientPath(r, p.ID),
			DateOfBirth: p.DateOfBirth.Format("2 Jan 2006"), Age: patients.Age(p.DateOfBirth, now),
			Status: p.Status, Risk: p.RiskTier, Coordinator: orText(p.CoordinatorName, "Unassigned"), Phone: p.Phone,
		}
		if p.PreferredName != p.GivenName {
			row.PreferredName = p.PreferredName
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// scopeOf says whose patients the list holds.
func scopeOf(coordinator string, people []web.SelectOption) string {
	switch coordinator {
	case "":
		return "Your caseload"
	case patients.EveryCoordinator:
		return "Everyone's patients"
	}
	for _, p := range people {
		if p.Value == coordinator {
			return "Caseload of " + p.Label
		}
	}
	return "Patients"
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
