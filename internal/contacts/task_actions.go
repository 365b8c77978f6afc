package contacts

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// ErrTaskClosed means the task is done or cancelled already.
var ErrTaskClosed = errors.New("the task is no longer open")

// NewTask is a task to create.
type NewTask struct {
	PatientID          string
	Title              string
	DueAt              time.Time
	AssigneeID         string
	Priority           Priority
	Source             Source
	SourceContactID    string
	SourceTransitionID string
}

// CreateTask stores an open task.
func CreateTask(ctx context.Context, q db.DBTX, tenantID string, t NewTask) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, priority, source,
			source_contact_id, source_transition_id)
		values ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, nullif($8, '')::uuid, nullif($9, '')::uuid)
		returning id`,
		tenantID, t.PatientID, t.Title, t.DueAt, t.AssigneeID, t.Priority, t.Source,
		t.SourceContactID, t.SourceTransitionID).Scan(&id)
	return id, err
}

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
	return TaskForm{Version: patients.ParseVersion(v.Get("version")), Note: g("note"), Due: g("due"), Reason: g("reason"), Assignee: g("assignee"), HandOverNote: g("handover_note")}
}

// ValidateComplete checks a completion of t. A safety alert can't be closed
// without saying what was done about it.
func (f TaskForm) ValidateComplete(t Task, errs patients.Errors) {
	if t.Source == SafetyAlert && f.Note == "" {
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
func (f TaskForm) ValidateHandOver(t Task, assignees map[string]bool, errs patients.Errors) {
	switch {
	case !assignees[f.Assignee]:
		addErr(errs, "assignee", "Choose a colleague to hand the task to.")
	case f.Assignee == t.AssigneeID:
		addErr(errs, "assignee", "The task is already theirs. Choose someone else.")
	}
	tooLong(errs, "handover_note", f.HandOverNote, 2000)
}

// changeTask applies set to an open task at version, records the change as
// a task event and returns the task as it was.
func changeTask(ctx context.Context, q db.DBTX, tenantID, patientID, id string, version int, set string, args []any, ev taskEvent) (Task, error) {
	before, err := GetTask(ctx, q, tenantID, patientID, id)
	if err != nil {
		return before, err
	}
	if before.Status != Open {
		return before, ErrTaskClosed
	}
	all := append([]any{tenantID, patientID, id, version}, args...)
	tag, err := q.Exec(ctx, `update tasks set `+set+`, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4 and status = 'open'`, all...)
	if err != nil {
		return before, err
	}
	if tag.RowsAffected() == 0 {
		return before, db.ErrConflict
	}
	ev.taskID = id
	return before, addTaskEvent(ctx, q, tenantID, ev)
}

// Complete marks an open task done by actor, with an optional note. A task
// raised by a care-plan intervention marks the intervention done too.
func Complete(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, note string) (Task, error) {
	t, err := changeTask(ctx, q, tenantID, patientID, id, version,
		`status = 'done', completed_at = now(), completed_by = $5, completion_note = $6`, []any{actorID, note},
		taskEvent{kind: "completed", note: note, actorID: actorID})
	if err != nil || t.SourceInterventionID == "" {
		return t, err
	}
	return t, careplans.InterventionTaskDone(ctx, q, tenantID, t.SourceInterventionID)
}

// Reschedule moves an open task's due date, for a reason.
func Reschedule(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, due time.Time, reason string) (Task, error) {
	t, err := GetTask(ctx, q, tenantID, patientID, id)
	if err != nil {
		return t, err
	}
	return changeTask(ctx, q, tenantID, patientID, id, version, `due_at = $5`, []any{due},
		taskEvent{kind: "rescheduled", note: reason, actorID: actorID, fromDue: &t.DueAt, toDue: &due})
}

// HandOver gives an open task to another person of the tenant.
func HandOver(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, assigneeID, note string) (Task, error) {
	t, err := GetTask(ctx, q, tenantID, patientID, id)
	if err != nil {
		return t, err
	}
	return changeTask(ctx, q, tenantID, patientID, id, version, `assignee_id = $5`, []any{assigneeID},
		taskEvent{kind: "handed_over", note: note, actorID: actorID, fromAssignee: t.AssigneeID, toAssignee: assigneeID})
}

// meetDischargeFollowUps completes the patient's open discharge follow-up
// tasks whose discharge was on or before the day of a successful contact
// with the patient at at.
func meetDischargeFollowUps(ctx context.Context, q db.DBTX, tenantID, patientID, actorID string, at time.Time) ([]Task, error) {
	note := "Met by a successful contact with the patient on " + at.Format("2 Jan 2006") + "."
	rows, _ := q.Query(ctx, `
		update tasks t set status = 'done', completed_at = now(), completed_by = $3, completion_note = $5,
		       version = t.version + 1
		  from care_transitions tr
		 where t.tenant_id = $1 and t.patient_id = $2 and t.source = 'transition' and t.status = 'open'
		   and tr.tenant_id = t.tenant_id and tr.id = t.source_transition_id and tr.kind = 'discharge'
		   and tr.occurred_on <= $4::date
		returning t.id`, tenantID, patientID, actorID, at.Format(dateLayout), note)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var met []Task
	for _, id := range ids {
		if err := addTaskEvent(ctx, q, tenantID, taskEvent{taskID: id, kind: "completed", note: note, actorID: actorID}); err != nil {
			return nil, err
		}
		t, err := GetTask(ctx, q, tenantID, patientID, id)
		if err != nil {
			return nil, err
		}
		met = append(met, t)
	}
	return met, nil
}

type taskEvent struct {
	taskID, kind, note, actorID string
	fromDue, toDue              *time.Time
	fromAssignee, toAssignee    string
}

func addTaskEvent(ctx context.Context, q db.DBTX, tenantID string, e taskEvent) error {
	_, err := q.Exec(ctx, `
		insert into task_events (tenant_id, task_id, kind, note, from_due_at, to_due_at, from_assignee, to_assignee, actor_id)
		values ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid, nullif($8, '')::uuid, nullif($9, '')::uuid)`,
		tenantID, e.taskID, e.kind, e.note, e.fromDue, e.toDue, e.fromAssignee, e.toAssignee, e.actorID)
	return err
}

// TaskEvent is one thing that happened to a task, as its history shows it.
type TaskEvent struct {
	Kind         string
	Note         string
	FromDue      *time.Time
	ToDue        *time.Time
	FromAssignee string
	ToAssignee   string
	ActorName    string
	At           time.Time
}

// TaskHistory lists what happened to a task, oldest first.
func TaskHistory(ctx context.Context, q db.DBTX, tenantID, taskID string) ([]TaskEvent, error) {
	rows, _ := q.Query(ctx, `
		select e.kind, e.note, e.from_due_at, e.to_due_at, coalesce(fa.name, ''), coalesce(ta.name, ''),
		       coalesce(a.name, ''), e.at
		  from task_events e
		  left join users fa on fa.id = e.from_assignee
		  left join users ta on ta.id = e.to_assignee
		  left join users a on a.id = e.actor_id
		 where e.tenant_id = $1 and e.task_id = $2
		 order by e.at, e.id`, tenantID, taskID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[TaskEvent])
}
