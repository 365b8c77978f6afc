package web

import "strings"

// CarePlanView is the care plan editor: the working copy of one plan with
// the lifecycle actions its state allows and at most one open form.
type CarePlanView struct {
	Shell       Shell
	PatientName string
	// ChartHref is the patient's chart; Href is this plan's page, under
	// which every form of the plan posts.
	ChartHref string
	Href      string
	Title     string
	Status    ChartBadge
	// StageNote explains in a sentence where the plan stands and what
	// happens next.
	StageNote string
	Version   int
	Facts     []ChartFact
	// ReturnedComment is the supervisor's comment on a returned plan.
	ReturnedComment string
	ReturnedBy      string
	Editable        bool
	// CanProgress: statuses may be updated without a revision (the plan is
	// open but not being edited).
	CanProgress bool
	Needs       []PlanNeedView
	// Open is the one form unfolded on the page, if any.
	Open PlanForm
	// Problem is about the whole page: a conflict, or why a step failed.
	Problem string
	// Lifecycle steps the plan's state and the person's role allow.
	CanSubmit      bool
	SubmitProblems []string
	CanRevise      bool
	CanComplete    bool
	CanCancel      bool
	// Review is set when a supervisor may approve or return the plan.
	Review *PlanReviewView
	// AwaitingReview is set when the plan waits for someone else's review.
	AwaitingReview bool
	// OtherNeeds are the patient's open needs not on the plan yet.
	OtherNeeds []SelectOption
	Choices    PlanChoices
	// ChangesHref compares the working copy with what is in force, for
	// a revision; "" otherwise.
	ChangesHref string
	HistoryHref string
	PrintHref   string
	// Older lists the patient's other plans, readable but closed.
	Older []PlanSummaryRow
}

// showLifecycle reports whether the plan offers any step or says why not.
func (v CarePlanView) showLifecycle() bool {
	return v.CanSubmit || v.CanRevise || v.CanComplete || v.CanCancel || v.AwaitingReview ||
		(v.Editable && len(v.SubmitProblems) > 0)
}

// PlanChoices are the option lists of the plan's forms.
type PlanChoices struct {
	Domains              []SelectOption
	Priorities           []SelectOption
	Agreements           []SelectOption
	GoalStatuses         []SelectOption
	InterventionStatuses []SelectOption
	Responsible          []SelectOption
}

// PlanNeedView is one need on the plan with its goals.
type PlanNeedView struct {
	// Position counts from 1 in plan order.
	Position  int
	ID        string
	Label     string
	Priority  ChartBadge
	Removable bool
	First     bool
	Last      bool
	Goals     []PlanGoalView
	// Suggestions are goals that often fit this kind of need.
	Suggestions []PlanSuggestionView
}

// PlanSuggestionView is a suggested goal the coordinator can start from.
type PlanSuggestionView struct {
	PatientWords  string
	Interventions []string
	Href          string
}

// PlanGoalView is one goal with its interventions and notes.
type PlanGoalView struct {
	ID            string
	PatientWords  string
	Target        string
	TargetDate    string
	Priority      ChartBadge
	Status        ChartBadge
	Removable     bool
	First         bool
	Last          bool
	Interventions []PlanInterventionView
	Notes         []PlanNoteView
	// CanNote: progress notes may be added (the plan is open).
	CanNote bool
	// Referrals made for the goal, and ReferHref to make one (while the
	// plan is open).
	Referrals []ChartReferralRow
	ReferHref string
}

// PlanInterventionView is one intervention.
type PlanInterventionView struct {
	ID          string
	Action      string
	Responsible string
	Due         string
	Overdue     bool
	Status      ChartBadge
	Removable   bool
	First       bool
	Last        bool
}

// PlanNoteView is one progress note.
type PlanNoteView struct {
	When   string
	Author string
	Note   string
}

// PlanForm is the form open on the plan page: which one, for which item,
// and what it holds. Kind is "" when no form is open.
type PlanForm struct {
	// Kind is one of details, need, goal, intervention, note, return,
	// complete, cancel.
	Kind string
	// Target is the item the form belongs to: the need a goal is added
	// to, the goal being edited, and so on.
	Target string
	// Editing is set when the form changes an existing item.
	Editing bool
	Action  string
	Values  map[string]string
	// Starters are suggested interventions offered with a suggested goal;
	// the ticked ones are in Values as starter_N = "yes".
	Starters []string
	Errors   FieldErrors
	// Problem is a message about the form as a whole.
	Problem string
}

// Value returns the form's value for a field.
func (f PlanForm) Value(name string) string { return f.Values[name] }

// Is reports whether the open form is kind for target.
func (f PlanForm) Is(kind, target string) bool { return f.Kind == kind && f.Target == target }

// PlanReviewView is what a supervisor sees to approve or return a plan.
type PlanReviewView struct {
	// Since names the version the changes are measured from.
	Since   string
	Changes []PlanChangeView
	// Own is set when the supervisor submitted the plan: someone else must
	// approve it.
	Own bool
}

// PlanChangeView is one difference between two versions.
type PlanChangeView struct {
	Kind   string // added, removed, changed
	Item   string
	Label  string
	Under  string
	Fields []PlanFieldChange
}

// PlanFieldChange is one changed field.
type PlanFieldChange struct {
	Name, From, To string
}

// PlanSummaryRow is one plan in a list of a patient's plans.
type PlanSummaryRow struct {
	Title  string
	Status ChartBadge
	When   string
	Href   string
}

// PlanStartView offers to start a plan from the patient's open needs.
type PlanStartView struct {
	Shell       Shell
	PatientName string
	ChartHref   string
	Action      string
	Title       string
	Needs       []PlanStartNeed
	Errors      FieldErrors
	Older       []PlanSummaryRow
}

// PlanStartNeed is one open need that can go on a new plan.
type PlanStartNeed struct {
	ID       string
	Label    string
	Priority ChartBadge
	Checked  bool
}

// PlanHistoryView lists a plan's revisions and compares two of them.
type PlanHistoryView struct {
	Shell       Shell
	PatientName string
	ChartHref   string
	PlanHref    string
	Title       string
	Revisions   []PlanRevisionRow
	// Compare is set when two versions are compared.
	Compare *PlanCompareView
	From    string
	To      string
	Numbers []SelectOption
}

// PlanRevisionRow is one saved change.
type PlanRevisionRow struct {
	Number      string
	When        string
	Who         string
	Kind        string
	Summary     string
	Comment     string
	Approval    bool
	CompareHref string
}

// PlanCompareView is the difference between two versions.
type PlanCompareView struct {
	From, To string
	Changes  []PlanChangeView
}

// PlanPrintView is the patient-friendly printable plan.
type PlanPrintView struct {
	PatientName  string
	Title        string
	ApprovedOn   string
	ReviewDue    string
	Coordinator  string
	Organisation string
	Needs        []PlanPrintNeed
	Team         []ChartMemberRow
	PrintedOn    string
	PlanHref     string
	// Draft is set when no version has been approved yet: the page then
	// says so in large letters.
	Draft bool
}

// PlanPrintNeed is a need with its goals on the printout.
type PlanPrintNeed struct {
	Label string
	Goals []PlanPrintGoal
}

// PlanPrintGoal is one goal in the patient's words with who does what.
type PlanPrintGoal struct {
	PatientWords string
	Target       string
	TargetDate   string
	Steps        []PlanPrintStep
}

// PlanPrintStep is one intervention on the printout.
type PlanPrintStep struct {
	Action string
	Who    string
	When   string
}

// ApprovalQueueView lists the plans waiting for a supervisor.
type ApprovalQueueView struct {
	Shell Shell
	Rows  []ApprovalRow
}

// ApprovalRow is one plan awaiting approval.
type ApprovalRow struct {
	Patient     string
	Title       string
	SubmittedBy string
	Submitted   string
	Revision    bool
	Href        string
	// Version is the plan's, for the approve and return forms.
	Version int
	Review  PlanReviewView
}

func joinWith(parts []string, sep string) string { return strings.Join(parts, sep) }

func changeLabel(kind string) string {
	switch kind {
	case "added":
		return "Added"
	case "removed":
		return "Removed"
	}
	return "Changed"
}

func changeTone(kind string) string {
	switch kind {
	case "added":
		return "badge-ok"
	case "removed":
		return "badge-danger"
	}
	return "badge-info"
}

// ChartPlan is the care plan's card on the chart: the plan in force (or
// the draft) at a glance.
type ChartPlan struct {
	// Href opens the open plan, or offers to start one.
	Href   string
	Exists bool
	Title  string
	Status ChartBadge
	Note   string
	// Warning asks for the plan to be closed, e.g. after a discharge.
	Warning string
	Goals   []ChartPlanGoal
}

// ChartPlanGoal is one goal on the chart's plan card.
type ChartPlanGoal struct {
	Words  string
	By     string
	Status ChartBadge
}
