package worklist

import (
	"context"
	"errors"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Task actions (issue 7): whoever works with patients may complete a task
// (a safety alert only with a note of what was done), reschedule it with a
// reason, or hand it over to a colleague of the same organisation. Each
// action carries the version it was read at, so two people acting on one
// task never both succeed unknowingly.

// ErrTaskChanged means the task changed since the person read it.
var ErrTaskChanged = db.ErrConflict.Because("Someone changed this task while you were looking at it, so nothing was changed. " +
	"It is shown as it is now: check it, then try again.")

// ErrTaskClosed means the task was done or cancelled before the action.
var ErrTaskClosed = db.ErrConflict.Because("This task is already closed, so nothing was changed.")

// TaskPage is a task with its history and the colleagues it can go to.
type TaskPage struct {
	Task    tasks.Task
	History []tasks.Event
	People  []tenants.Person
}

// TaskPage reads one task of the patient for its page.
func (s *Service) TaskPage(ctx context.Context, a tenants.Actor, patientID, taskID string) (TaskPage, error) {
	var p TaskPage
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if p.Task, err = tasks.Get(ctx, tx, a.TenantID, patientID, taskID); err != nil {
			return err
		}
		if p.People, err = tenants.Coordinators(ctx, tx, a.TenantID); err != nil {
			return err
		}
		p.History, err = tasks.History(ctx, tx, a.TenantID, taskID)
		return err
	})
	return p, err
}

// CompleteTask marks an open task done, with a note (which a safety alert
// needs); a task raised by a care-plan intervention marks the
// intervention done too.
func (s *Service) CompleteTask(ctx context.Context, a tenants.Actor, patientID, taskID string, f tasks.ActionForm) (tasks.Task, error) {
	return s.act(ctx, a, patientID, taskID, func(tx pgx.Tx, t tasks.Task, _ map[string]bool, errs forms.Errors) (done, error) {
		if f.ValidateComplete(t, errs); len(errs) > 0 {
			return done{}, nil
		}
		t, err := tasks.Complete(ctx, tx, a.TenantID, patientID, taskID, a.UserID, f.Version, f.Note, a.At)
		if err == nil && t.SourceInterventionID != "" {
			err = careplans.InterventionTaskDone(ctx, tx, a.TenantID, t.SourceInterventionID)
		}
		line := "Done: " + t.Title
		if f.Note != "" {
			line += " — " + f.Note
		}
		return done{t, line, audit.Event{Action: "task.completed", Detail: map[string]any{"source": string(t.Source)}}}, err
	})
}

// RescheduleTask moves an open task's due date, for a reason.
func (s *Service) RescheduleTask(ctx context.Context, a tenants.Actor, patientID, taskID string, f tasks.ActionForm) (tasks.Task, error) {
	return s.act(ctx, a, patientID, taskID, func(tx pgx.Tx, _ tasks.Task, _ map[string]bool, errs forms.Errors) (done, error) {
		due := f.ValidateReschedule(a.At, a.At.Location(), errs)
		if len(errs) > 0 {
			return done{}, nil
		}
		t, err := tasks.Reschedule(ctx, tx, a.TenantID, patientID, taskID, a.UserID, f.Version, due, f.Reason)
		return done{t, "Rescheduled: " + t.Title + " to " + due.Format(calendar.Day) + " — " + f.Reason,
			audit.Event{Action: "task.rescheduled"}}, err
	})
}

// HandOverTask gives an open task to another coordinator or supervisor of
// the tenant, with a word for them.
func (s *Service) HandOverTask(ctx context.Context, a tenants.Actor, patientID, taskID string, f tasks.ActionForm) (tasks.Task, error) {
	return s.act(ctx, a, patientID, taskID, func(tx pgx.Tx, t tasks.Task, people map[string]bool, errs forms.Errors) (done, error) {
		if f.ValidateHandOver(t, people, errs); len(errs) > 0 {
			return done{}, nil
		}
		t, err := tasks.HandOver(ctx, tx, a.TenantID, patientID, taskID, a.UserID, f.Version, f.Assignee, f.HandOverNote)
		return done{t, "Handed over: " + t.Title, audit.Event{Action: "task.handed_over", Detail: map[string]any{"to": f.Assignee}}}, err
	})
}

// done is what an action did: the task as it was, the timeline line and
// the audit event.
type done struct {
	task  tasks.Task
	line  string
	event audit.Event
}

// act runs one task action in the tenant's transaction: it reads the task
// and the colleagues it may go to, lets apply check the form (filling
// errs) and make the change, and records the change on the timeline and
// in the audit log.
func (s *Service) act(ctx context.Context, a tenants.Actor, patientID, taskID string,
	apply func(tx pgx.Tx, t tasks.Task, people map[string]bool, errs forms.Errors) (done, error)) (tasks.Task, error) {
	var d done
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		t, err := tasks.Get(ctx, tx, a.TenantID, patientID, taskID)
		if err != nil {
			return err
		}
		people, err := tenants.Coordinators(ctx, tx, a.TenantID)
		if err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, p := range people {
			ids[p.ID] = true
		}
		errs := forms.Errors{}
		d, err = apply(tx, t, ids, errs)
		switch {
		case len(errs) > 0:
			return fail.Invalid(errs, "Some answers need another look. Nothing was changed yet.")
		case errors.Is(err, tasks.ErrClosed):
			return ErrTaskClosed
		case errors.Is(err, db.ErrConflict):
			return ErrTaskChanged
		case err != nil:
			return err
		}
		d.event.EntityType, d.event.EntityID = "task", taskID
		return patients.Record(ctx, tx, a, patientID, "task", d.line, d.event)
	})
	return d.task, err
}
