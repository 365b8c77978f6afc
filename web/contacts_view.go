package web

import (
	"carecoord/internal/contacts"
	"carecoord/internal/tasks"
)

// ContactFormView logs a contact, or corrects one (Correcting).
type ContactFormView struct {
	ChartSubformView
	Form       contacts.ContactForm
	With       []SelectOption
	Methods    []SelectOption
	Directions []SelectOption
	Outcomes   []SelectOption
	// Goals are the patient's open goals the contact may touch.
	Goals     []ContactGoalOption
	Assignees []SelectOption
	// Correcting shows the reason for the correction instead of goals and
	// a follow-up, and carries the version read.
	Correcting bool
	Version    int
	// CorrectUntil says until when the correction is possible.
	CorrectUntil string
}

// ContactGoalOption is one goal on the contact form.
type ContactGoalOption struct {
	ID      string
	Label   string
	Checked bool
	Note    string
}

// ContactPageView is one logged contact with its history.
type ContactPageView struct {
	Shell       Shell
	Base        string
	PatientName string
	Contact     ContactSummary
	Goals       []ContactGoalLine
	// Revisions are the earlier wordings, oldest first.
	Revisions []ContactRevisionLine
	Addenda   []ContactAddendumLine
	// CorrectHref is set while the viewer may still correct the contact;
	// CorrectUntil says until when.
	CorrectHref    string
	CorrectUntil   string
	AddendumAction string
	AddendumNote   string
	AddendumError  string
	Problem        string
}

// ContactSummary is a contact as a page describes it.
type ContactSummary struct {
	When      string
	Method    string
	Direction string
	With      string
	Outcome   ChartBadge
	Minutes   string
	Summary   string
	Author    string
	Logged    string
	Corrected string
}

// ContactGoalLine is a goal the contact touched.
type ContactGoalLine struct {
	Label string
	Note  string
}

// ContactRevisionLine is a contact as it read before a correction.
type ContactRevisionLine struct {
	Number    int
	Contact   ContactSummary
	Corrected string
	Reason    string
}

// ContactAddendumLine is one addendum.
type ContactAddendumLine struct {
	Note   string
	Author string
	When   string
}

// TransitionFormView records a transition of care.
type TransitionFormView struct {
	ChartSubformView
	Form  contacts.TransitionForm
	Kinds []SelectOption
}

// ExclusionFormView records why a discharge leaves the 7-day follow-up
// measure.
type ExclusionFormView struct {
	ChartSubformView
	Form    contacts.ExclusionForm
	Reasons []SelectOption
	// Discharge names the discharge; FollowUp says where its follow-up
	// stands.
	Discharge, FollowUp string
}

// TaskPageView is one task: what it is, its history, and what can be done
// with it while it is open.
type TaskPageView struct {
	Shell       Shell
	Base        string
	PatientName string
	Action      string
	Task        TaskDetail
	History     []TaskHistoryLine
	Version     int
	Form        tasks.ActionForm
	Errors      map[string]string
	Problem     string
	// Opened is the action whose form shows unfolded: complete,
	// reschedule or hand-over.
	Opened       string
	NoteRequired bool
	Assignees    []SelectOption
	ContactHref  string
	// Return is "worklist" when the page was opened from the worklist.
	Return string
}

// TaskDetail is a task as its page shows it.
type TaskDetail struct {
	Title    string
	Due      string
	Late     bool
	Assignee string
	Status   ChartBadge
	Source   string
	Urgent   bool
	Created  string
	Open     bool
	// Completed says who finished it, when, and with what note.
	Completed string
	Note      string
}

// TaskHistoryLine is one thing that happened to a task.
type TaskHistoryLine struct {
	When string
	Who  string
	What string
	Note string
}

// ChartContactRow is one recent contact on the chart.
type ChartContactRow struct {
	When    string
	Line    string
	Outcome ChartBadge
	Summary string
	Href    string
}

// ChartTaskRow is one open task on the chart.
type ChartTaskRow struct {
	Title    string
	Due      string
	Late     bool
	Urgent   bool
	Assignee string
	Href     string
}

// ChartTransitionRow is one transition of care on the chart.
type ChartTransitionRow struct {
	Kind     string
	Facility string
	Dates    string
	Notes    string
	// Excluded says why a discharge is left out of the 7-day follow-up,
	// if it is; ExclusionHref, for a discharge, is where to record or
	// change that.
	Excluded      string
	ExclusionHref string
}

// ChartReach is whether the patient can be reached and when they are due.
type ChartReach struct {
	Unreachable bool
	Attempts    int
	LastReached string
	NextDue     string
	Late        bool
}

// taskNoteLabel labels the completion note, which a safety alert needs.
func taskNoteLabel(required bool) string {
	if required {
		return "What was done (needed for a safety alert)"
	}
	return "Note (optional)"
}

// taskValue is what was typed into field of action's form, which only the
// form that was posted keeps.
func taskValue(v TaskPageView, action, typed string) string {
	if v.Opened != action {
		return ""
	}
	return typed
}

// taskError is the message for field of action's form.
func taskError(v TaskPageView, action, field string) string {
	if v.Opened != action {
		return ""
	}
	return v.Errors[field]
}
