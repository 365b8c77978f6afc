package web

import (
	"path"
	"strings"

	"carecoord/internal/patients"
)

// ChartView is a patient's chart: who they are, what happened, and the
// people, coverage and consents around them.
type ChartView struct {
	Shell Shell
	// Base is the chart's address; every form of the chart posts under it.
	Base    string
	Header  ChartHeader
	Version int
	Status  ChartStatus
	// RiskProposal is a risk tier the evidence proposes, waiting for a
	// decision; nil when none waits.
	RiskProposal *ChartRiskProposal
	// Timeline is newest first; TimelineCut says older entries exist.
	Timeline    []ChartEvent
	TimelineCut bool
	Contact     []ChartFact
	Referral    []ChartFact
	CareTeam    []ChartMemberRow
	Coverage    []ChartCoverageRow
	Consents    []ChartConsentRow
	Assessments []ChartAssessmentRow
	// Needs are the open needs, ready for the care plan.
	Needs []ChartNeedRow
	// Plan is the patient's open care plan, if any.
	Plan ChartPlan
	// Referrals are the patient's referrals, open ones first;
	// Appointments their appointments, scheduled ones first. HasUpcoming
	// offers the calendar download.
	Referrals    []ChartReferralRow
	Appointments []ChartAppointmentRow
	HasUpcoming  bool
	// Trends draw each scored instrument's results over time.
	Trends []TrendView
	Due    ChartAssessmentsDue
	// Contact work: whether the patient can be reached, the latest
	// contacts, the open tasks and the transitions of care.
	Reach       ChartReach
	Contacts    []ChartContactRow
	Tasks       []ChartTaskRow
	Transitions []ChartTransitionRow
}

// ChartHeader is the band at the top of the chart.
type ChartHeader struct {
	Name        string
	Age         string
	DateOfBirth string
	Pronouns    string
	Language    string
	Interpreter bool
	Risk        ChartBadge
	Status      ChartBadge
	Coordinator string
	ExternalID  string
	// PrimaryCoverage is empty when no coverage is marked primary.
	PrimaryCoverage string
	ConsentStates   []ChartConsentState
	// SafetyAlerts are the patient's open safety alert tasks; while there
	// is one the chart carries a banner.
	SafetyAlerts []TaskAlert
}

// ChartBadge is a short label with its tone: ok, warn, danger, info, muted.
type ChartBadge struct {
	Label string
	Tone  string
}

// ChartConsentState is one kind of consent and where it stands.
type ChartConsentState struct {
	Kind  string
	State ChartBadge
	Note  string
}

// ChartStatus is the status actions the patient's status allows, with the
// coordinator's attempt kept when it could not be saved.
type ChartStatus struct {
	Actions []ChartStatusAction
	Problem string
}

// ChartStatusAction is one status change offered on the chart.
type ChartStatusAction struct {
	Action      string
	Label       string
	NeedsReason bool
	// Open shows the reason form unfolded (after an error).
	Open   bool
	Reason string
	Error  string
}

// ChartEvent is one line of the timeline.
type ChartEvent struct {
	When    string
	Who     string
	Kind    string
	Summary string
}

// ChartFact is a label with its value.
type ChartFact struct {
	Label string
	Value string
}

// ChartMemberRow is one person on the care team.
type ChartMemberRow struct {
	Name           string
	Kind           string
	Relationship   string
	Organisation   string
	Phone          string
	Email          string
	Emergency      bool
	ConsentToShare bool
	EditHref       string
	RemoveAction   string
}

// ChartCoverageRow is one insurance coverage.
type ChartCoverageRow struct {
	Payer        string
	Plan         string
	MemberID     string
	Group        string
	Dates        string
	Primary      bool
	EditHref     string
	RemoveAction string
}

// ChartConsentRow is one recorded consent.
type ChartConsentRow struct {
	Kind    string
	GivenOn string
	GivenBy string
	Expires string
	State   ChartBadge
	// RevokeAction is empty once the consent is revoked.
	RevokeAction string
}

// PatientEditView is the form for a patient's own details.
type PatientEditView struct {
	Shell        Shell
	Base         string
	Name         string
	Version      int
	Form         patients.DetailsForm
	Errors       map[string]string
	Problem      string
	Coordinators []SelectOption
}

// ChartSubformView is a small form reached from the chart (a care-team
// member, a coverage, a consent): where it posts and what it says.
type ChartSubformView struct {
	Shell       Shell
	Base        string
	PatientName string
	Title       string
	Action      string
	Submit      string
	Errors      map[string]string
	Problem     string
}

// ChartMemberFormView adds or edits a care-team member.
type ChartMemberFormView struct {
	ChartSubformView
	Form patients.MemberForm
}

// ChartCoverageFormView adds or edits a coverage.
type ChartCoverageFormView struct {
	ChartSubformView
	Form patients.CoverageForm
}

// ChartConsentFormView records a consent.
type ChartConsentFormView struct {
	ChartSubformView
	Form patients.ConsentForm
}

// chartPatientsHref is the patient list the chart at base belongs to.
func chartPatientsHref(base string) string {
	return path.Dir(base)
}

// chartOr is s, or fallback when s is empty.
func chartOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// chartJoin joins the parts that are not empty.
func chartJoin(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// chartLabelled is "label value", or "" without a value.
func chartLabelled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " " + value
}

// ChartRiskProposal is a risk tier the evidence proposes: the rules that
// fired, and the two decisions (accept it, or keep the tier with a reason).
type ChartRiskProposal struct {
	// Action is the proposal's address; /accept and /override follow it.
	Action   string
	Version  int
	From, To ChartBadge
	Reasons  []string
	Since    string
	// After a refused decision: the override form open with what was
	// typed, the message beside the reason, or one above both.
	Open    bool
	Reason  string
	Error   string
	Problem string
}
