package server

import (
	"errors"
	"net/http"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// Task actions (issue 7): whoever works with patients may complete a task
// (a safety alert only with a note of what was done), reschedule it with a
// reason, or hand it over to a colleague of the same organisation. Each
// action carries the version it was read at, so two people acting on one
// task never both succeed unknowingly.

// taskAction is one of the three things done to an open task.
type taskAction struct {
	name string
	// validate checks the form against the task, filling errs.
	validate func(f contacts.TaskForm, t tasks.Task, assignees map[string]bool, errs patients.Errors) any
	// apply performs the action with what validate returned.
	apply func(r *http.Request, tx pgx.Tx, c chartReq, id string, f contacts.TaskForm, valid any) (tasks.Task, string, audited, error)
}

// showTask shows a task with its history and, while open, its actions.
func (s *Server) showTask(w http.ResponseWriter, r *http.Request) error {
	c, id, err := chartRowRequest(r, "taskID")
	if err != nil {
		return err
	}
	v, err := s.taskPage(r, c, id)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("return") == "worklist" {
		v.Return = "worklist"
	}
	return render(w, r, http.StatusOK, web.TaskPage(v))
}

// taskPage reads the task, its history and the colleagues it can go to.
func (s *Server) taskPage(r *http.Request, c chartReq, id string) (web.TaskPageView, error) {
	v := web.TaskPageView{Shell: s.shell(r), Base: c.base, Action: c.base + "/tasks/" + id, ContactHref: c.base + "/contacts/new",
		Errors: map[string]string{}}
	now := time.Now()
	err := s.inTenant(r, func(tx pgx.Tx) error {
		t, err := tasks.Get(r.Context(), tx, c.tenantID, c.patientID, id)
		if err != nil {
			return err
		}
		v.PatientName, v.Version, v.NoteRequired = t.PatientName, t.Version, t.Source == tasks.SafetyAlert
		v.Task = taskDetail(t, now)
		if v.Assignees, err = s.coordinatorOptions(r, tx); err != nil {
			return err
		}
		history, err := tasks.History(r.Context(), tx, c.tenantID, id)
		v.History = append([]web.TaskHistoryLine{{When: t.CreatedAt.Local().Format("2 Jan 2006, 15:04"), Who: "CareCoord",
			What: "Created, due " + dueLabel(t.DueAt, t.CreatedAt) + " for " + orText(t.AssigneeName, "nobody")}}, historyLines(history)...)
		return err
	})
	return v, err
}

func taskDetail(t tasks.Task, now time.Time) web.TaskDetail {
	d := web.TaskDetail{
		Title: t.Title, Due: dueLabel(t.DueAt, now), Late: t.Status == tasks.Open && t.DueAt.Before(now),
		Assignee: orText(t.AssigneeName, "Nobody"), Source: orText(sourceLabel[t.Source], "added by hand"),
		Urgent: t.Priority == tasks.Urgent, Created: t.CreatedAt.Local().Format("2 Jan 2006, 15:04"),
		Open: t.Status == tasks.Open, Note: t.CompletionNote,
	}
	switch t.Status {
	case tasks.Open:
		d.Status = web.ChartBadge{Label: "Open", Tone: "info"}
	case tasks.Done:
		d.Status = web.ChartBadge{Label: "Done", Tone: "ok"}
	default:
		d.Status = web.ChartBadge{Label: "Cancelled", Tone: "muted"}
	}
	if t.CompletedAt != nil {
		d.Completed = t.CompletedAt.Local().Format("2 Jan 2006, 15:04") + " by " + orText(t.CompletedByName, "CareCoord")
	}
	return d
}

func historyLines(events []tasks.Event) []web.TaskHistoryLine {
	out := make([]web.TaskHistoryLine, len(events))
	for i, e := range events {
		l := web.TaskHistoryLine{When: e.At.Local().Format("2 Jan 2006, 15:04"), Who: orText(e.ActorName, "CareCoord"), Note: e.Note}
		switch e.Kind {
		case "completed":
			l.What = "Marked done"
		case "rescheduled":
			l.What = "Rescheduled"
			if e.FromDue != nil && e.ToDue != nil {
				l.What += " from " + longDate(e.FromDue.Local()) + " to " + longDate(e.ToDue.Local())
			}
		case "handed_over":
			l.What = "Handed over from " + orText(e.FromAssignee, "nobody") + " to " + e.ToAssignee
		}
		out[i] = l
	}
	return out
}

var (
	completeTask = taskAction{name: "complete",
		validate: func(f contacts.TaskForm, t tasks.Task, _ map[string]bool, errs patients.Errors) any {
			f.ValidateComplete(t, errs)
			return nil
		},
		apply: func(r *http.Request, tx pgx.Tx, c chartReq, id string, f contacts.TaskForm, _ any) (tasks.Task, string, audited, error) {
			t, err := tasks.Complete(r.Context(), tx, c.tenantID, c.patientID, id, c.actorID, f.Version, f.Note, time.Now())
			if err == nil && t.SourceInterventionID != "" {
				err = careplans.InterventionTaskDone(r.Context(), tx, c.tenantID, t.SourceInterventionID)
			}
			line := "Done: " + t.Title
			if f.Note != "" {
				line += " — " + f.Note
			}
			return t, line, audited{action: "task.completed", detail: map[string]any{"source": string(t.Source)}}, err
		}}
	rescheduleTask = taskAction{name: "reschedule",
		validate: func(f contacts.TaskForm, _ tasks.Task, _ map[string]bool, errs patients.Errors) any {
			return f.ValidateReschedule(time.Now(), time.Local, errs)
		},
		apply: func(r *http.Request, tx pgx.Tx, c chartReq, id string, f contacts.TaskForm, due any) (tasks.Task, string, audited, error) {
			t, err := tasks.Reschedule(r.Context(), tx, c.tenantID, c.patientID, id, c.actorID, f.Version, due.(time.Time), f.Reason)
			return t, "Rescheduled: " + t.Title + " to " + longDate(due.(time.Time)) + " — " + f.Reason,
				audited{action: "task.rescheduled"}, err
		}}
	handOverTask = taskAction{name: "hand-over",
		validate: func(f contacts.TaskForm, t tasks.Task, assignees map[string]bool, errs patients.Errors) any {
			f.ValidateHandOver(t, assignees, errs)
			return nil
		},
		apply: func(r *http.Request, tx pgx.Tx, c chartReq, id string, f contacts.TaskForm, _ any) (tasks.Task, string, audited, error) {
			t, err := tasks.HandOver(r.Context(), tx, c.tenantID, c.patientID, id, c.actorID, f.Version, f.Assignee, f.HandOverNote)
			return t, "Handed over: " + t.Title, audited{action: "task.handed_over", detail: map[string]any{"to": f.Assignee}}, err
		}}
)

// taskHandler runs one task action: validate, apply at the version read,
// record it, and go back where the person came from.
func (s *Server) taskHandler(a taskAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, id, err := postedChartRowRequest(r, "taskID")
		if err != nil {
			return err
		}
		f := contacts.ParseTaskForm(r.PostForm)
		errs := patients.Errors{}
		var done tasks.Task
		err = s.inTenant(r, func(tx pgx.Tx) error {
			t, err := tasks.Get(r.Context(), tx, c.tenantID, c.patientID, id)
			if err != nil {
				return err
			}
			people, err := s.coordinatorOptions(r, tx)
			if err != nil {
				return err
			}
			valid := a.validate(f, t, idsOf(people), errs)
			if len(errs) > 0 {
				return errChartRedisplay
			}
			var line string
			var au audited
			if done, line, au, err = a.apply(r, tx, c, id, f, valid); err != nil {
				return err
			}
			au.entityType, au.entityID = "task", id
			return s.record(r, tx, c, "task", line, au)
		})
		status, problem := http.StatusUnprocessableEntity, "Some answers need another look. Nothing was changed yet."
		switch {
		case errors.Is(err, db.ErrConflict):
			status, problem = http.StatusConflict, "Someone changed this task while you were looking at it, so nothing was changed. It is shown as it is now: check it, then try again."
		case errors.Is(err, tasks.ErrClosed):
			status, problem = http.StatusConflict, "This task is already closed, so nothing was changed."
		case errors.Is(err, errChartRedisplay):
		case err != nil:
			return err
		default:
			s.flash(r, taskFlash(a.name, done))
			if r.PostForm.Get("return") == "worklist" {
				return redirect(w, r, tenantPath(r, "/worklist"))
			}
			return redirect(w, r, c.base)
		}
		v, err := s.taskPage(r, c, id)
		if err != nil {
			return err
		}
		v.Form, v.Errors, v.Problem, v.Opened = f, errs, problem, a.name
		if r.PostForm.Get("return") == "worklist" {
			v.Return = "worklist"
		}
		return render(w, r, status, web.TaskPage(v))
	}
}

func taskFlash(action string, t tasks.Task) string {
	switch action {
	case "complete":
		return "Done: " + t.Title + "."
	case "reschedule":
		return "Rescheduled: " + t.Title + "."
	}
	return "Handed over: " + t.Title + "."
}
