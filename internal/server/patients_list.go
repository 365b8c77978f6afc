package server

import (
	"net/http"
	"net/url"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/patients"
	"carecoord/web"
)

// patientList is the patient list and search: the signed-in user's caseload
// unless the filter bar asks for more. A filter value that cannot be used
// is dropped with a message beside it; the list still shows.
func (s *Server) patientList(w http.ResponseWriter, r *http.Request) error {
	a := s.actor(r)
	typed := patients.ParseListForm(r.URL.Query())
	list, err := s.patients.PatientList(r.Context(), a, typed)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.PatientListPage(s.patientListView(r, typed, list, a.Today())))
}

// patientListView shows the search box as typed but every other filter as
// applied, and builds the links from the applied filters so they keep
// working.
func (s *Server) patientListView(r *http.Request, typed patients.ListForm, list patients.PatientList, today time.Time) web.PatientListView {
	base, applied, people := tenantPath(r, "/patients"), list.Applied, personOptions(list.Coordinators)
	v := web.PatientListView{
		Shell: s.shell(r), Action: base, NewPatientHref: base + "/new",
		Q: typed.Q, Coordinator: applied.Coordinator, Status: applied.Status, Risk: applied.Risk,
		Coordinators: append([]web.SelectOption{
			{Value: "", Label: "My caseload"},
			{Value: patients.EveryCoordinator, Label: "Everyone"},
		}, people...),
		Errors: list.Errors, Searching: typed.Searching(), Scope: scopeOf(applied.Coordinator, people), Ranked: list.Ranked,
	}
	if list.Next != "" {
		next := applied
		next.After = list.Next
		v.NextHref = withQuery(base, next.Values())
	}
	if applied.After != "" {
		first := applied
		first.After = ""
		v.FirstHref = withQuery(base, first.Values())
	}
	if len(list.Patients) == 0 && applied.Searching() && applied.Coordinator != patients.EveryCoordinator {
		everyone := applied
		everyone.Coordinator, everyone.After = patients.EveryCoordinator, ""
		v.EveryoneHref = withQuery(base, everyone.Values())
	}
	for _, p := range list.Patients {
		v.Rows = append(v.Rows, patientListRow(r, p, today))
	}
	return v
}

func patientListRow(r *http.Request, p patients.Listed, today time.Time) web.PatientListRow {
	row := web.PatientListRow{
		Name: p.FamilyName + ", " + p.GivenName, Href: patientPath(r, p.ID),
		DateOfBirth: p.DateOfBirth.Format(calendar.Day), Age: patients.Age(p.DateOfBirth, today),
		Status: p.Status, Risk: p.RiskTier, Coordinator: orText(p.CoordinatorName, "Unassigned"), Phone: p.Phone,
	}
	if p.PreferredName != p.GivenName {
		row.PreferredName = p.PreferredName
	}
	return row
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
