package contacts

import (
	"net/url"
	"strings"
	"time"

	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
)

// TaskForm is what a task action posts: the version read, and the fields of
// whichever action it is.
type TaskForm struct {
	Version int
	// Note is the completion note.
	Note     string
	Due      string
	Reason   string
	Assignee string
	// HandOverNote is the word to the colleague taking the task over.
	HandOverNote string
}

// ParseTaskForm reads a posted task action.
func ParseTaskForm(v url.Values) TaskForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return TaskForm{Version: forms.Version(v.Get("version")), Note: g("note"), Due: g("due"), Reason: g("reason"), Assignee: g("assignee"), HandOverNote: g("handover_note")}
}

// ValidateComplete checks a completion of t. A safety alert can't be closed
// without saying what was done about it.
func (f TaskForm) ValidateComplete(t tasks.Task, errs patients.Errors) {
	if t.Source == tasks.SafetyAlert && f.Note == "" {
		addErr(errs, "note", "Say what was done about the safety alert: who spoke with the patient and what was agreed.")
	}
	tooLong(errs, "note", f.Note, 2000)
}

// ValidateReschedule checks a new due date, with its reason, on loc's
// calendar.
func (f TaskForm) ValidateReschedule(now time.Time, loc *time.Location, errs patients.Errors) time.Time {
	due, _ := futureDate(errs, "due", f.Due, now, loc)
	if f.Reason == "" {
		addErr(errs, "reason", "Say why the task moves, for the person who picks it up.")
	}
	tooLong(errs, "reason", f.Reason, 500)
	return due
}

// ValidateHandOver checks a hand-over of t to one of assignees.
func (f TaskForm) ValidateHandOver(t tasks.Task, assignees map[string]bool, errs patients.Errors) {
	switch {
	case !assignees[f.Assignee]:
		addErr(errs, "assignee", "Choose a colleague to hand the task to.")
	case f.Assignee == t.AssigneeID:
		addErr(errs, "assignee", "The task is already theirs. Choose someone else.")
	}
	tooLong(errs, "handover_note", f.HandOverNote, 2000)
}
