package tasks

import (
	"net/url"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/forms"
)

// ActionForm is what a task action posts: the version read, and the fields
// of whichever action it is (complete, reschedule, hand over).
type ActionForm struct {
	Version int
	// Note is the completion note.
	Note     string
	Due      string
	Reason   string
	Assignee string
	// HandOverNote is the word to the colleague taking the task over.
	HandOverNote string
}

// ParseActionForm reads a posted task action.
func ParseActionForm(v url.Values) ActionForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return ActionForm{Version: forms.Version(v.Get("version")), Note: g("note"), Due: g("due"), Reason: g("reason"),
		Assignee: g("assignee"), HandOverNote: g("handover_note")}
}

// ValidateComplete checks a completion of t. A safety alert can't be closed
// without saying what was done about it.
func (f ActionForm) ValidateComplete(t Task, errs forms.Errors) {
	if t.Source == SafetyAlert && f.Note == "" {
		errs.Add("note", "Say what was done about the safety alert: who spoke with the patient and what was agreed.")
	}
	errs.MaxLen("note", f.Note, 2000)
}

// ValidateReschedule checks a new due date, with its reason, against now
// on loc's calendar, and returns the new due time.
func (f ActionForm) ValidateReschedule(now time.Time, loc *time.Location, errs forms.Errors) time.Time {
	due, _ := DueDate(errs, "due", f.Due, now, loc)
	if f.Reason == "" {
		errs.Add("reason", "Say why the task moves, for the person who picks it up.")
	}
	errs.MaxLen("reason", f.Reason, 500)
	return due
}

// ValidateHandOver checks a hand-over of t to one of assignees.
func (f ActionForm) ValidateHandOver(t Task, assignees map[string]bool, errs forms.Errors) {
	switch {
	case !assignees[f.Assignee]:
		errs.Add("assignee", "Choose a colleague to hand the task to.")
	case f.Assignee == t.AssigneeID:
		errs.Add("assignee", "The task is already theirs. Choose someone else.")
	}
	errs.MaxLen("handover_note", f.HandOverNote, 2000)
}

// DueDate reads a due date typed into a form: today (now's day on loc's
// calendar) or later, within two years, and due by the end of that day.
func DueDate(errs forms.Errors, field, v string, now time.Time, loc *time.Location) (time.Time, bool) {
	if v == "" {
		errs.Add(field, "Enter the date it is due.")
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(calendar.DateLayout, v, loc)
	if err != nil {
		errs.Add(field, "Enter a real date, for example 2026-03-02.")
		return time.Time{}, false
	}
	if calendar.DateOf(d).Before(calendar.DateOf(now.In(loc))) {
		errs.Add(field, "The due date is in the past. Choose today or a later day.")
		return time.Time{}, false
	}
	if d.After(now.AddDate(2, 0, 0)) {
		errs.Add(field, "That is more than two years away. Check the year.")
		return time.Time{}, false
	}
	return calendar.EndOfDay(d), true
}
