package careplans

import (
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
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

// PlanStatuses names every plan status.
var PlanStatuses = forms.Choices[PlanStatus]{
	{Value: PlanDraft, Label: "Draft"}, {Value: PlanActive, Label: "Active"},
	{Value: PlanCompleted, Label: "Completed"}, {Value: PlanCancelled, Label: "Cancelled"},
}

// Label is the status in plain words.
func (s PlanStatus) Label() string { return PlanStatuses.Label(s) }

// Agreement records whether the patient agreed to the plan.
type Agreement string

// Agreements.
const (
	AgreedYes    Agreement = "yes"
	AgreedNo     Agreement = "no"
	AgreedNotYet Agreement = "not_yet"
)

// Agreements lists the answers in the order a form offers them.
var Agreements = forms.Choices[Agreement]{
	{Value: AgreedNotYet, Label: "Not asked yet"},
	{Value: AgreedYes, Label: "Yes, the patient agreed"},
	{Value: AgreedNo, Label: "No, the patient did not agree"},
}

// Label is the agreement in plain words.
func (a Agreement) Label() string { return Agreements.Label(a) }

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
var GoalStatuses = forms.Choices[GoalStatus]{
	{Value: GoalProposed, Label: "Proposed"}, {Value: GoalInProgress, Label: "In progress"},
	{Value: GoalAchieved, Label: "Achieved"}, {Value: GoalNotAchieved, Label: "Not achieved"},
	{Value: GoalCancelled, Label: "Cancelled"},
}

// Label is the status in plain words.
func (s GoalStatus) Label() string { return GoalStatuses.Label(s) }

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
var InterventionStatuses = forms.Choices[InterventionStatus]{
	{Value: InterventionPlanned, Label: "Planned"}, {Value: InterventionInProgress, Label: "In progress"},
	{Value: InterventionDone, Label: "Done"}, {Value: InterventionCancelled, Label: "Cancelled"},
}

// Label is the status in plain words.
func (s InterventionStatus) Label() string { return InterventionStatuses.Label(s) }

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

// Need finds a need on the plan by its link id (PlanNeed.ID).
func (p Plan) Need(id string) (PlanNeed, bool) {
	for _, n := range p.Needs {
		if n.ID == id {
			return n, true
		}
	}
	return PlanNeed{}, false
}

// Goal finds a goal of the plan.
func (p Plan) Goal(id string) (Goal, bool) {
	for _, n := range p.Needs {
		for _, g := range n.Goals {
			if g.ID == id {
				return g, true
			}
		}
	}
	return Goal{}, false
}

// Intervention finds an intervention of the plan.
func (p Plan) Intervention(id string) (Intervention, bool) {
	for _, n := range p.Needs {
		for _, g := range n.Goals {
			for _, i := range g.Interventions {
				if i.ID == id {
					return i, true
				}
			}
		}
	}
	return Intervention{}, false
}

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

// Failures a person is told about, in the words the plan page shows.
var (
	// ErrNotEditable means the plan's working copy is submitted, approved
	// or closed, so it can't be changed now.
	ErrNotEditable = fail.Precondition("This plan can't be changed now: it was submitted for approval or closed meanwhile. Nothing was saved.")
	// ErrWrongState means the lifecycle step doesn't apply to the plan now.
	ErrWrongState = fail.Precondition("That step doesn't apply to the plan as it is now; it was changed meanwhile. Nothing was saved.")
	// ErrOwnSubmission means a supervisor tried to approve a plan they
	// submitted themselves: approval needs a second person.
	ErrOwnSubmission = fail.Precondition("You submitted this plan, so another supervisor must approve it.")
	// ErrOpenPlanExists means the patient already has a draft or active plan.
	ErrOpenPlanExists = fail.Precondition("This patient already has an open care plan, so no new one was started.")
	// ErrInForce means the item was part of an approved plan, or has
	// progress notes, so it can be closed by status but never removed.
	ErrInForce = fail.Precondition("That is part of the plan's record (approved, or with progress notes), so it can't be removed. Change its status instead.")
	// ErrIncomplete means the plan lacks what a supervisor needs to see;
	// the plan page lists what is missing (SubmitProblems).
	ErrIncomplete = fail.Invalid(nil, "The plan can't be submitted yet: see what is missing below.")
	// ErrPlanChanged means someone saved a change to the plan since the
	// person read it: the second of two editors never overwrites the first.
	ErrPlanChanged = db.ErrConflict.Because("Someone else saved a change to this plan while you were working on it. " +
		"Their change is shown below and what you typed is kept in the form: check it, then save again.")
	// ErrNotReviewer means someone who does not review caseloads tried to
	// approve or return a plan.
	ErrNotReviewer = fail.Forbidden("Only a supervisor can approve a care plan or return it for changes.")
)

// notSaved is the summary above a plan form that needs another look.
const notSaved = "Nothing was saved. Check the form marked below."
