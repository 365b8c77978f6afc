package web

import "carecoord/internal/patients"

// PatientListView is the patient list: the filter bar as applied, one page
// of patients and the links to move on.
type PatientListView struct {
	Shell Shell
	// Action is the list's own path; the filter bar submits to it (GET).
	Action string
	// Q is the search box as typed, kept even when it could not be used.
	Q           string
	Coordinator string
	Status      string
	Risk        string
	// Coordinators are the coordinator filter's choices, "My caseload" and
	// "Everyone" first.
	Coordinators []SelectOption
	// Errors holds a message per filter that could not be used; "after" is
	// a page link that no longer works.
	Errors map[string]string
	// Scope says whose patients are listed, e.g. "Your caseload".
	Scope string
	// Ranked: a name search, so the best matches come first.
	Ranked bool
	// Searching: anything beyond the default list was asked for.
	Searching bool
	Rows      []PatientListRow
	// NextHref is the following page with the same filters, "" on the last.
	NextHref string
	// FirstHref goes back to the first page, "" when already on it.
	FirstHref string
	// EveryoneHref repeats an empty search over every coordinator's
	// patients, "" when that is what was searched.
	EveryoneHref   string
	NewPatientHref string
}

// PatientListRow is one patient on the list.
type PatientListRow struct {
	Name string
	// PreferredName is shown beside the legal name when it differs.
	PreferredName string
	Href          string
	DateOfBirth   string
	Age           int
	Status        patients.Status
	Risk          patients.RiskTier
	Coordinator   string
	Phone         string
}

// patientListStatuses are the status filter's choices.
func patientListStatuses() []SelectOption { return OptionsOf(patients.Statuses) }

// patientListRisks are the risk filter's choices.
func patientListRisks() []SelectOption { return OptionsOf(patients.RiskTiers) }

// patientStatusBadge is the badge colour of a status: active is the good
// state, on hold needs attention, discharged is over.
func patientStatusBadge(s patients.Status) string {
	switch s {
	case patients.Active:
		return "badge badge-ok"
	case patients.OnHold:
		return "badge badge-warn"
	case patients.Discharged:
		return "badge badge-muted"
	}
	return "badge badge-info"
}

// patientRiskBadge is the badge colour of a risk tier.
func patientRiskBadge(t patients.RiskTier) string {
	switch t {
	case patients.High:
		return "badge badge-danger"
	case patients.Moderate:
		return "badge badge-warn"
	}
	return "badge badge-muted"
}
