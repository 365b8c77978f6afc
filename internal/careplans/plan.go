package careplans

import (
	"errors"
	"time"

	"carecoord/internal/assessments"
)

// PlanStatus is where a plan stands in its life.
type PlanStatus string

// Plan statuses. A draft has never been approved; an active plan has an
// approved version in force, even while a revision is being written.
const (
	PlanDraft     PlanStatus = "draft"
	PlanActive    PlanStatus = "active"
	PlanCompleted PlanStatus = "completed"
	PlanCancelled PlanStatus = "cancelled"
)

// Open reports whether the plan is still being worked on.
func (s PlanStatus) Open() bool { return s == PlanDraft || s == PlanActive }

// Stage is where the working copy of a plan stands.
type Stage string

// Stages: the working copy is edited, then submitted to a supervisor, who
// approves it (it is then what is in force) or returns it for editing.
const (
	Editing   Stage = "editing"
	Submitted Stage = "submitted"
	Approved  Stage = "approved"
)

// Agreement records whether the patient agreed to the plan.
type Agreement string

// Agreements.
const (
	AgreedYes    Agreement = "yes"
	AgreedNo     Agreement = "no"
	AgreedNotYet Agreement = "not_yet"
)

// Agreements lists the answers in the order a form offers them.
var Agreements = []struct {
	Value Agreement
	Label string
}{{AgreedNotYet, "Not asked yet"}, {AgreedYes, "Yes, the patient agreed"}, {AgreedNo, "No, the patient did not agree"}}

// Label is the agreement in plain words.
func (a Agreement) Label() string {
	for _, o := range Agreements {
		if o.Value == a {
			return o.Label
		}
	}
	return string(a)
}

// GoalStatus is how a goal is going.
type GoalStatus string

// Goal statuses.
const (
	GoalProposed    GoalStatus = "proposed"
	GoalInProgress  GoalStatus = "in_progress"
	GoalAchieved    GoalStatus = "achieved"
	GoalNotAchieved GoalStatus = "not_achieved"
	GoalCancelled   GoalStatus = "cancelled"
)

// GoalStatuses lists goal statuses in the order a form offers them.
var GoalStatuses = []struct {
	Value GoalStatus
	Label string
}{{GoalProposed, "Proposed"}, {GoalInProgress, "In progress"}, {GoalAchieved, "Achieved"},
	{GoalNotAchieved, "Not achieved"}, {GoalCancelled, "Cancelled"}}

// Label is the status in plain words.
func (s GoalStatus) Label() string {
	for _, o := range GoalStatuses {
		if o.Value == s {
			return o.Label
		}
	}
	return string(s)
}

// InterventionStatus is how an intervention is going.
type InterventionStatus string

// Intervention statuses.
const (
	InterventionPlanned    InterventionStatus = "planned"
	InterventionInProgress InterventionStatus = "in_progress"
	InterventionDone       InterventionStatus = "done"
	InterventionCancelled  InterventionStatus = "cancelled"
)

// InterventionStatuses lists them in the order a form offers them.
var InterventionStatuses = []struct {
	Value InterventionStatus
	Label string
}{{InterventionPlanned, "Planned"}, {InterventionInProgress, "In progress"}, {InterventionDone, "Done"},
	{InterventionCancelled, "Cancelled"}}

// Label is the status in plain words.
func (s InterventionStatus) Label() string {
	for _, o := range InterventionStatuses {
		if o.Value == s {
			return o.Label
		}
	}
	return string(s)
}

// ResponsibleKind says who carries out an intervention.
type ResponsibleKind string

// Who may be responsible for an intervention.
const (
	ByCoordinator ResponsibleKind = "coordinator"
	ByCareTeam    ResponsibleKind = "care_team"
	ByPatient     ResponsibleKind = "patient"
	ByCaregiver   ResponsibleKind = "caregiver"
)

// Plan is a care plan's working copy with everything in it.
type Plan struct {
	ID, PatientID   string
	Title           string
	Status          PlanStatus
	Stage           Stage
	ReviewDue       *time.Time
	Participants    string
	PatientAgreed   Agreement
	ReturnedComment string
	SubmittedByID   string
	SubmittedBy     string
	SubmittedAt     *time.Time
	ApprovedBy      string
	ApprovedAt      *time.Time
	ClosedReason    string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
	Needs           []PlanNeed
}

// Editable reports whether the working copy may be changed now.
func (p Plan) Editable() bool { return p.Status.Open() && p.Stage == Editing }

// Revising reports whether an active plan has a working copy that differs
// from, or is waiting to replace, the approved one.
func (p Plan) Revising() bool { return p.Status == PlanActive && p.Stage != Approved }

// PlanNeed is a need the plan addresses, with its goals.
type PlanNeed struct {
	ID          string // the plan's link to the need
	NeedID      string
	Domain      assessments.Need
	Description string
	Priority    Priority
	InForce     bool
	Goals       []Goal
}

// Label names the need for people: its domain and description.
func (n PlanNeed) Label() string { return DomainLabel(n.Domain) + ": " + n.Description }

// Goal is what the patient wants, with a measurable target.
type Goal struct {
	ID            string
	PatientWords  string
	Target        string
	TargetDate    time.Time
	Priority      Priority
	Status        GoalStatus
	InForce       bool
	Interventions []Intervention
	Notes         []ProgressNote
}

// Intervention is one action towards a goal, with who does it by when.
type Intervention struct {
	ID                  string
	Action              string
	ResponsibleKind     ResponsibleKind
	ResponsibleUserID   string
	ResponsibleMemberID string
	// Responsible is who does it, in words: a person's name, "The patient"
	// or "Caregiver".
	Responsible string
	DueDate     *time.Time
	Status      InterventionStatus
	InForce     bool
}

// Errors a caller can tell the person about.
var (
	// ErrNotEditable means the plan's working copy is submitted, approved
	// or closed, so it can't be changed now.
	ErrNotEditable = errors.New("careplans: the plan can't be changed in its current state")
	// ErrWrongState means the lifecycle step doesn't apply to the plan now.
	ErrWrongState = errors.New("careplans: that step doesn't apply to the plan now")
	// ErrOwnSubmission means a supervisor tried to approve a plan they
	// submitted themselves: approval needs a second person.
	ErrOwnSubmission = errors.New("careplans: a plan must be approved by someone other than who submitted it")
	// ErrOpenPlanExists means the patient already has a draft or active plan.
	ErrOpenPlanExists = errors.New("careplans: the patient already has an open care plan")
	// ErrInForce means the item was part of an approved plan, or has
	// progress notes, so it can be closed by status but never removed.
	ErrInForce = errors.New("careplans: the item is part of the plan's record")
)
