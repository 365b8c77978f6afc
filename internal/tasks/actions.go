package tasks

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

// change applies set to an open task at version, records the change as a
// task event and returns the task as it was.
func change(ctx context.Context, q db.DBTX, tenantID, patientID, id string, version int, set string, args []any, ev event) (Task, error) {
	before, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return before, err
	}
	if before.Status != Open {
		return before, ErrClosed
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
	return before, addEvent(ctx, q, tenantID, ev)
}

// Complete marks an open task done by actorID at at, with an optional note.
// It returns the task as it was before.
func Complete(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, note string, at time.Time) (Task, error) {
	return change(ctx, q, tenantID, patientID, id, version,
		`status = 'done', completed_at = $7, completed_by = $5, completion_note = $6`, []any{actorID, note, at},
		event{kind: "completed", note: note, actorID: actorID})
}

// Reschedule moves an open task's due time, for a reason.
func Reschedule(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, due time.Time, reason string) (Task, error) {
	t, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return t, err
	}
	return change(ctx, q, tenantID, patientID, id, version, `due_at = $5`, []any{due},
		event{kind: "rescheduled", note: reason, actorID: actorID, fromDue: &t.DueAt, toDue: &due})
}

// HandOver gives an open task to another person of the tenant.
func HandOver(ctx context.Context, q db.DBTX, tenantID, patientID, id, actorID string, version int, assigneeID, note string) (Task, error) {
	t, err := Get(ctx, q, tenantID, patientID, id)
	if err != nil {
		return t, err
	}
	return change(ctx, q, tenantID, patientID, id, version, `assignee_id = $5`, []any{assigneeID},
		event{kind: "handed_over", note: note, actorID: actorID, fromAssignee: t.AssigneeID, toAssignee: assigneeID})
}

// CompleteRaisedBy completes the patient's open tasks that source raised
// for any of sourceIDs, as actorID at at with note, and returns them as
// they are now: a discharge follow-up met by a successful contact.
func CompleteRaisedBy(ctx context.Context, q db.DBTX, tenantID, patientID string, source Source, sourceIDs []string, actorID, note string, at time.Time) ([]Task, error) {
	rows, _ := q.Query(ctx, `
		update tasks set status = 'done', completed_at = $7, completed_by = nullif($5, '')::uuid, completion_note = $6,
		       version = version + 1
		 where tenant_id = $1 and patient_id = $2 and source = $3 and `+sourceColumn[source]+` = any($4::uuid[])
		   and status = 'open'
		returning id`, tenantID, patientID, source, sourceIDs, actorID, note, at)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	var done []Task
	for _, id := range ids {
		if err := addEvent(ctx, q, tenantID, event{taskID: id, kind: "completed", note: note, actorID: actorID}); err != nil {
			return nil, err
		}
		t, err := Get(ctx, q, tenantID, patientID, id)
		if err != nil {
			return nil, err
		}
		done = append(done, t)
	}
	return done, nil
}

// CancelRaisedBy cancels the open tasks that source raised for any of
// sourceIDs: the plan closed, the referral took a step.
func CancelRaisedBy(ctx context.Context, q db.DBTX, tenantID string, source Source, sourceIDs []string) error {
	_, err := q.Exec(ctx, `
		update tasks set status = 'cancelled', version = version + 1
		 where tenant_id = $1 and source = $2 and `+sourceColumn[source]+` = any($3::uuid[]) and status = 'open'`,
		tenantID, source, sourceIDs)
	return err
}

// CancelRaisedByBecause cancels, as CancelRaisedBy does, the open tasks
// that source raised for any of sourceIDs, keeping why as the note of how
// each ended, and returns the ids it cancelled: a discharge left out of the
// follow-up measure, its task no longer to do.
func CancelRaisedByBecause(ctx context.Context, q db.DBTX, tenantID string, source Source, sourceIDs []string, why string) ([]string, error) {
	rows, _ := q.Query(ctx, `
		update tasks set status = 'cancelled', completion_note = $4, version = version + 1
		 where tenant_id = $1 and source = $2 and `+sourceColumn[source]+` = any($3::uuid[]) and status = 'open'
		returning id`, tenantID, source, sourceIDs, why)
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// MoveOpen gives to the open tasks of patientIDs that from held, for
// reason, as actorID: the tasks follow patients reassigned to another
// coordinator, and tasks others hold stay with them. It returns how many
// moved.
func MoveOpen(ctx context.Context, q db.DBTX, tenantID, actorID string, patientIDs []string, from, to, reason string) (int, error) {
	tag, err := q.Exec(ctx, `
		with handed as (
		    update tasks set assignee_id = $3::uuid, version = version + 1
		     where tenant_id = $1 and patient_id = any($2::uuid[]) and status = 'open' and assignee_id = $4::uuid
		    returning id)
		insert into task_events (tenant_id, task_id, kind, note, from_assignee, to_assignee, actor_id)
		select $1, id, 'handed_over', $5, $4::uuid, $3::uuid, nullif($6, '')::uuid from handed`,
		tenantID, patientIDs, to, from, reason, actorID)
	return int(tag.RowsAffected()), err
}

type event struct {
	taskID, kind, note, actorID string
	fromDue, toDue              *time.Time
	fromAssignee, toAssignee    string
}

func addEvent(ctx context.Context, q db.DBTX, tenantID string, e event) error {
	_, err := q.Exec(ctx, `
		insert into task_events (tenant_id, task_id, kind, note, from_due_at, to_due_at, from_assignee, to_assignee, actor_id)
		values ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid, nullif($8, '')::uuid, nullif($9, '')::uuid)`,
		tenantID, e.taskID, e.kind, e.note, e.fromDue, e.toDue, e.fromAssignee, e.toAssignee, e.actorID)
	return err
}

// Event is one thing that happened to a task, as its history shows it.
type Event struct {
	Kind         string
	Note         string
	FromDue      *time.Time `db:"from_due_at"`
	ToDue        *time.Time `db:"to_due_at"`
	FromAssignee string
	ToAssignee   string
	ActorName    string
	At           time.Time
}

// History lists what happened to a task, oldest first.
func History(ctx context.Context, q db.DBTX, tenantID, taskID string) ([]Event, error) {
	rows, _ := q.Query(ctx, `
		select e.kind, e.note, e.from_due_at, e.to_due_at, coalesce(fa.name, '') as from_assignee,
		       coalesce(ta.name, '') as to_assignee, coalesce(a.name, '') as actor_name, e.at
		  from task_events e
		  left join users fa on fa.id = e.from_assignee
		  left join users ta on ta.id = e.to_assignee
		  left join users a on a.id = e.actor_id
		 where e.tenant_id = $1 and e.task_id = $2
		 order by e.at, e.id`, tenantID, taskID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Event])
}

// Withdraw cancels the open task that source raised for sourceID (a source
// that raises one task per record), for reason, as actorID, with the
// reason in its history: a safety alert whose answers were corrected. It
// returns the task's id, or "" when none was open.
func Withdraw(ctx context.Context, q db.DBTX, tenantID string, source Source, sourceID, actorID, reason string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		update tasks set status = 'cancelled', version = version + 1
		 where tenant_id = $1 and source = $2 and `+sourceColumn[source]+` = $3 and status = 'open'
		returning id`, tenantID, source, sourceID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return id, addEvent(ctx, q, tenantID, event{taskID: id, kind: "cancelled", note: reason, actorID: actorID})
}

// Reopen opens again, due at due, the task that source raised for
// sourceID if it was cancelled, for reason, as actorID: a safety answer
// made positive again after its alert was withdrawn. A task done stays
// done (someone acted on it). It returns the task's id, or "" when no
// cancelled task was there.
func Reopen(ctx context.Context, q db.DBTX, tenantID string, source Source, sourceID, actorID string, due time.Time, reason string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		update tasks set status = 'open', due_at = $4, version = version + 1
		 where tenant_id = $1 and source = $2 and `+sourceColumn[source]+` = $3 and status = 'cancelled'
		returning id`, tenantID, source, sourceID, due).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return id, addEvent(ctx, q, tenantID, event{taskID: id, kind: "reopened", note: reason, actorID: actorID, toDue: &due})
}
