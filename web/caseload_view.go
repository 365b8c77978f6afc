package web

// CaseloadView is the supervisor's dashboard: a row per coordinator with
// the counts that need attention, each linking to the patients behind it.
type CaseloadView struct {
	Shell Shell
	Today string
	// AsOf is when the counts were taken (they are at most a minute old).
	AsOf    string
	Columns []CaseloadColumn
	Rows    []CaseloadRow
	Total   CaseloadRow
	CSVHref string
	// MeasuresHref leads to the team's measures.
	MeasuresHref string
	// DuplicatesHref leads to the possible duplicate records.
	DuplicatesHref string
	// Reassign is set when a former colleague still has patients.
	NeedsReassigning []string
	ByCoordinator    StackedBarChart
	Contacts         ColumnChart
}

// CaseloadColumn is one flag column: its heading and what it counts.
type CaseloadColumn struct {
	Key        string
	Label      string
	Short      string
	Definition string
}

// CaseloadRow is one coordinator's line.
type CaseloadRow struct {
	Name     string
	Note     string // e.g. "No longer active: reassign"
	Inactive bool
	// Href lists all the coordinator's patients.
	Href                          string
	High, Moderate, Low, Referred CaseloadCell
	Caseload                      int
	// Cells follow Columns.
	Cells []CaseloadCell
}

// CaseloadCell is a number and the list behind it.
type CaseloadCell struct {
	N    int
	Href string
	// Sub qualifies the number in small print, e.g. the oldest referral's age.
	Sub string
}

// CaseloadPatientsView is the patient list behind the dashboard: one
// coordinator's (or the team's) open patients, filtered, sorted, paged,
// with a form to move the chosen ones to someone else.
type CaseloadPatientsView struct {
	Shell Shell
	Title string
	// Back is the dashboard.
	Back string
	// Filters as chosen, and their choices.
	Coordinator  string
	Flag         string
	Tier         string
	Sort         string
	Coordinators []SelectOption
	Flags        []SelectOption
	Tiers        []SelectOption
	Sorts        []SelectOption
	FilterAction string
	// FlagDefinition explains the chosen flag.
	FlagDefinition string
	Rows           []CaseloadPatientRow
	NextHref       string
	FirstHref      string
	CSVHref        string
	Reassign       ReassignForm
	// ShowCoordinator adds a column naming each patient's coordinator (the
	// whole team's list).
	ShowCoordinator bool
}

// CaseloadPatientRow is one patient with their flags.
type CaseloadPatientRow struct {
	ID          string
	Name        string
	Href        string
	Coordinator string
	Status      ChartBadge
	Tier        ChartBadge
	LastReached string
	Flags       []ChartBadge
	Checked     bool
}

// ReassignForm moves the chosen patients, or every patient matching the
// filters, to another coordinator.
type ReassignForm struct {
	Action string
	// Hidden carries the filters, so "all matching" means what the page
	// shows.
	Hidden  map[string]string
	To      string
	Reason  string
	All     bool
	Options []SelectOption
	// Matching is how many patients match the filters in all; with
	// MatchingMore, at least that many.
	Matching     int
	MatchingMore bool
	Errors       FieldErrors
	Problem      string
}

// MeasuresView shows the team's measures for a period with their
// definitions and how they moved over the last months.
type MeasuresView struct {
	Shell    Shell
	From     string
	To       string
	Errors   FieldErrors
	Action   string
	Back     string
	Measures []MeasureView
}

// MeasureView is one measure.
type MeasureView struct {
	Key        string
	Label      string
	Value      string
	Basis      string
	Definition string
	// Trend is the measure at the end of each of the last months.
	Trend LineChartView
}
