package server

import (
	"context"
	"net/http"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"
	"carecoord/internal/worklist"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Task actions (issue 7): a task's page shows it with its history; while
// it is open it can be completed, rescheduled or handed over
// (worklist.Service), each from the version it was read at.

// showTask shows a task with its history and, while open, its actions.
func (s *Server) showTask(w http.ResponseWriter, r *http.Request) error {
	c, id := patientOf(r), urlID(r, "taskID")
	v, err := s.taskPage(r, c, id)
	if err != nil {
		return err
	}
	v.Return = fromWorklist(r)
	return render(w, r, http.StatusOK, web.TaskPage(v))
}

// taskAction is one of the three things done to an open task: its name
// (the form it unfolds), the flash's first word, and its use case.
type taskAction struct {
	name, done string
	run        func(s *worklist.Service, ctx context.Context, a tenants.Actor, patientID, taskID string, f tasks.ActionForm) (tasks.Task, error)
}

var (
	completeTask   = taskAction{"complete", "Done", (*worklist.Service).CompleteTask}
	rescheduleTask = taskAction{"reschedule", "Rescheduled", (*worklist.Service).RescheduleTask}
	handOverTask   = taskAction{"hand-over", "Handed over", (*worklist.Service).HandOverTask}
)

// taskHandler runs one task action and goes back where the person came
// from; a form with problems, or one read before someone else's change,
// shows the task again with what was typed.
func (s *Server) taskHandler(act taskAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, id := patientOf(r), urlID(r, "taskID")
		f := tasks.ParseActionForm(r.PostForm)
		t, err := act.run(s.work, r.Context(), s.actor(r), c.patientID, id, f)
		if err != nil {
			return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
				v, err := s.taskPage(r, c, id)
				v.Form, v.Errors, v.Problem, v.Opened, v.Return = f, e.Fields, e.Message, act.name, fromWorklist(r)
				return web.TaskPage(v), err
			})
		}
		to := c.base
		if fromWorklist(r) != "" {
			to = tenantPath(r, "/worklist")
		}
		return s.redirectWith(w, r, to, act.done+": "+t.Title+".")
	}
}

// fromWorklist is "worklist" when the page was opened from the worklist,
// so that what is done there goes back there.
func fromWorklist(r *http.Request) string {
	if r.FormValue("return") == "worklist" {
		return "worklist"
	}
	return ""
}

// taskPage is the task's page: the task, its history and the colleagues
// it can go to.
func (s *Server) taskPage(r *http.Request, c chartReq, id string) (web.TaskPageView, error) {
	a := s.actor(r)
	p, err := s.work.TaskPage(r.Context(), a, c.patientID, id)
	if err != nil {
		return web.TaskPageView{}, err
	}
	t := p.Task
	return web.TaskPageView{Shell: s.shell(r), Base: c.base, Action: c.base + "/tasks/" + id, ContactHref: c.base + "/contacts/new",
		Errors: map[string]string{}, PatientName: t.PatientName, Version: t.Version, NoteRequired: t.Source == tasks.SafetyAlert,
		Task: taskDetail(t, a.At), Assignees: peopleOptions(p.People),
		History: append([]web.TaskHistoryLine{{When: t.CreatedAt.In(zone(r)).Format(calendar.DayTime), Who: "CareCoord",
			What: "Created, due " + dueLabel(t.DueAt, t.CreatedAt.In(a.At.Location())) + " for " + orText(t.AssigneeName, "nobody")}}, historyLines(p.History, a.At.Location())...),
	}, nil
}

var taskStatus = map[tasks.Status]web.ChartBadge{
	tasks.Open: {Label: "Open", Tone: "info"}, tasks.Done: {Label: "Done", Tone: "ok"}, tasks.Cancelled: {Label: "Cancelled", Tone: "muted"},
}

func taskDetail(t tasks.Task, now time.Time) web.TaskDetail {
	d := web.TaskDetail{
		Title: t.Title, Due: dueLabel(t.DueAt, now), Late: t.Status == tasks.Open && t.DueAt.Before(now),
		Assignee: orText(t.AssigneeName, "Nobody"), Source: orText(sourceLabel[t.Source], "added by hand"),
		Urgent: t.Priority == tasks.Urgent, Created: t.CreatedAt.In(now.Location()).Format(calendar.DayTime),
		Open: t.Status == tasks.Open, Note: t.CompletionNote, Status: taskStatus[t.Status],
	}
	if t.CompletedAt != nil {
		d.Completed = t.CompletedAt.In(now.Location()).Format(calendar.DayTime) + " by " + orText(t.CompletedByName, "CareCoord")
	}
	return d
}

func historyLines(events []tasks.Event, loc *time.Location) []web.TaskHistoryLine {
	out := make([]web.TaskHistoryLine, len(events))
	for i, e := range events {
		l := web.TaskHistoryLine{When: e.At.In(loc).Format(calendar.DayTime), Who: orText(e.ActorName, "CareCoord"), Note: e.Note}
		switch e.Kind {
		case "completed":
			l.What = "Marked done"
		case "rescheduled":
			l.What = "Rescheduled"
			if e.FromDue != nil && e.ToDue != nil {
				l.What += " from " + longDate(e.FromDue.In(loc)) + " to " + longDate(e.ToDue.In(loc))
			}
		case "cancelled":
			l.What = "Withdrawn"
		case "reopened":
			l.What = "Reopened"
		case "handed_over":
			l.What = "Handed over from " + orText(e.FromAssignee, "nobody") + " to " + e.ToAssignee
		}
		out[i] = l
	}
	return out
}
