package server

import (
	"net/http"
	"strconv"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/tasks"
	"carecoord/web"
)

// Tasks raised by safety alerts (issue 5): a PHQ-9 item 9 answer or a
// positive AHC-HRSN safety domain must reach a person today, so completing
// such an assessment opens an urgent task for the patient's coordinator,
// the chart carries a banner while it is open, and supervisors see every
// one of their team's on the worklist. Completing, rescheduling and handing
// tasks over are in task_actions.go.

// chartSafetyAlerts is the chart banner's open safety tasks.
func chartSafetyAlerts(open []tasks.Task, now time.Time) []web.TaskAlert {
	out := make([]web.TaskAlert, len(open))
	for i, t := range open {
		out[i] = web.TaskAlert{Title: t.Title, Due: dueInSentence(t.DueAt, now), Assignee: orText(t.AssigneeName, "nobody")}
	}
	return out
}

// taskRows are tasks as the worklist lists them, as of now.
func taskRows(r *http.Request, list []tasks.Task, now time.Time) []web.TaskRow {
	out := make([]web.TaskRow, len(list))
	for i, t := range list {
		base := patientPath(r, t.PatientID)
		out[i] = web.TaskRow{
			PatientName: t.PatientName, PatientHref: base, Title: t.Title,
			Due: dueLabel(t.DueAt, now), Urgent: t.Priority == tasks.Urgent,
			Assignee: orText(t.AssigneeName, "Nobody"), Age: ageLabel(now.Sub(t.CreatedAt)),
			TaskHref: base + "/tasks/" + t.ID + "?return=worklist", ContactHref: base + "/contacts/new?return=worklist",
			Source: sourceLabel[t.Source],
		}
	}
	return out
}

// sourceLabel says what raised a task.
var sourceLabel = map[tasks.Source]string{
	tasks.SafetyAlert: "safety alert", tasks.FromContact: "from a contact",
	tasks.FromIntervention: "care plan", tasks.FromCadence: "contact schedule",
	tasks.FromTransition: "after a transition", tasks.Manual: "",
}

// dueLabel says when a task is due the way a coordinator plans a day: a
// task due by the end of a day shows the day, "Today" for today. now is
// on the tenant's clock (an actor's At), and so is the answer.
func dueLabel(due, now time.Time) string {
	due = due.In(now.Location())
	switch {
	case !due.Equal(calendar.EndOfDay(due)):
		return due.Format(calendar.DayTime)
	case due.Equal(calendar.EndOfDay(now)):
		return "Today"
	}
	return longDate(due)
}

// dueInSentence is dueLabel inside a sentence: "Due today", "Due 3 Mar 2026".
func dueInSentence(due, now time.Time) string {
	if l := dueLabel(due, now); l != "Today" {
		return l
	}
	return "today"
}

// ageLabel is how long a task has been waiting.
func ageLabel(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "Under an hour"
	case d < 2*time.Hour:
		return "1 hour"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d < 48*time.Hour:
		return "1 day"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}
