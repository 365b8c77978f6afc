// Package contacts holds the work a coordinator does with and for a
// patient over time: the contact log, whether the patient can be reached,
// the contact cadence, transitions of care, and tasks with their actions.
package contacts

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// Status is where a task stands.
type Status string

// Task statuses. Only open tasks appear on worklists.
const (
	Open      Status = "open"
	Done      Status = "done"
	Cancelled Status = "cancelled"
)

// Priority orders tasks; urgent ones are marked wherever they are shown.
type Priority string

// Task priorities.
const (
	Urgent Priority = "urgent"
	Normal Priority = "normal"
)

// Source is what raised a task.
type Source string

// Task sources. Cadence is not raised as tasks: patients due for contact
// are worked out from the cadence rules whenever a worklist is shown (see
// Cadence), so a new setting or a contact changes them at once and no
// background job has to keep stored tasks in step.
const (
	SafetyAlert      Source = "safety_alert"
	FromContact      Source = "contact"
	FromIntervention Source = "intervention"
	FromCadence      Source = "cadence"
	FromTransition   Source = "transition"
	Manual           Source = "manual"
)

// Task is a task with the names a list shows next to it.
type Task struct {
	ID                 string
	PatientID          string
	PatientName        string
	Title              string
	DueAt              time.Time
	AssigneeID         string
	AssigneeName       string
	Status             Status
	Priority           Priority
	Source             Source
	SourceAssessmentID string
	// SourceInterventionID, SourceContactID and SourceTransitionID name
	// the care-plan intervention, contact or transition that raised it.
	SourceInterventionID string
	SourceContactID      string
	SourceTransitionID   string
	// CompletionNote, CompletedAt and CompletedByName say how a done task
	// ended.
	CompletionNote  string
	CompletedAt     *time.Time
	CompletedByName string
	CreatedAt       time.Time
	Version         int
}

// EndOfDay is the last second of t's day in t's location: the due time of
// a task that must be done "today".
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, t.Location())
}

// CreateSafetyTask opens an urgent task, due by the end of today, to follow
// up an assessment's safety alert. It is idempotent per assessment: created
// is false, and id the existing task, when the assessment already has one.
func CreateSafetyTask(ctx context.Context, q db.DBTX, tenantID, patientID, assessmentID, assigneeID, title string) (id string, created bool, err error) {
	err = q.QueryRow(ctx, `
		insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, priority, source, source_assessment_id)
		values ($1, $2, $3, $4, nullif($5, '')::uuid, 'urgent', 'safety_alert', $6)
		on conflict (tenant_id, source_assessment_id) where source = 'safety_alert' do nothing
		returning id`,
		tenantID, patientID, title, EndOfDay(time.Now()), assigneeID, assessmentID).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", false, err
	}
	err = q.QueryRow(ctx, `
		select id from tasks
		 where tenant_id = $1 and source_assessment_id = $2 and source = 'safety_alert'`,
		tenantID, assessmentID).Scan(&id)
	return id, false, db.NotFound(err)
}

// taskFrom reads a Task; every list adds its own conditions after it.
const taskFrom = `
	select t.id, t.patient_id, p.given_name, p.family_name, p.preferred_name, t.title, t.due_at,
	       coalesce(t.assignee_id::text, ''), coalesce(u.name, ''), t.status, t.priority, t.source,
	       coalesce(t.source_assessment_id::text, ''), coalesce(t.source_intervention_id::text, ''),
	       coalesce(t.source_contact_id::text, ''), coalesce(t.source_transition_id::text, ''),
	       t.completion_note, t.completed_at, coalesce(cu.name, ''), t.created_at, t.version
	  from tasks t
	  join patients p on p.tenant_id = t.tenant_id and p.id = t.patient_id
	  left join users u on u.id = t.assignee_id
	  left join users cu on cu.id = t.completed_by
	 where t.tenant_id = $1 `

// taskSelect reads open tasks.
const taskSelect = taskFrom + `and t.status = 'open' `

// OpenForAssignee lists the open tasks of one person due before until,
// and their urgent ones whenever due, urgent first, then soonest: a
// worklist splits them into overdue and due today.
func OpenForAssignee(ctx context.Context, q db.DBTX, tenantID, assigneeID string, until time.Time) ([]Task, error) {
	return listTasks(ctx, q, taskSelect+`and t.assignee_id = $2 and (t.due_at < $3 or t.priority = 'urgent')
		order by t.priority = 'urgent' desc, t.due_at, t.created_at, t.id`, tenantID, assigneeID, until)
}

// OpenForPatient lists a patient's open tasks, urgent first, then soonest.
func OpenForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Task, error) {
	return listTasks(ctx, q, taskSelect+`and t.patient_id = $2
		order by t.priority = 'urgent' desc, t.due_at, t.created_at, t.id`, tenantID, patientID)
}

// GetTask reads one task of the patient, whatever its status.
func GetTask(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Task, error) {
	list, err := listTasks(ctx, q, taskFrom+`and t.patient_id = $2 and t.id = $3`, tenantID, patientID, id)
	if err != nil {
		return Task{}, err
	}
	if len(list) == 0 {
		return Task{}, db.ErrNotFound
	}
	return list[0], nil
}

// OpenSafetyAlerts lists a patient's open safety alert tasks, newest first,
// for the chart's banner.
func OpenSafetyAlerts(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Task, error) {
	return listTasks(ctx, q, taskSelect+`and t.patient_id = $2 and t.source = 'safety_alert'
		order by t.created_at desc, t.id`, tenantID, patientID)
}

// TeamSafetyAlerts lists every open urgent safety alert task of the tenant,
// oldest first, so that a supervisor sees the longest-waiting one on top.
func TeamSafetyAlerts(ctx context.Context, q db.DBTX, tenantID string) ([]Task, error) {
	return listTasks(ctx, q, taskSelect+`and t.source = 'safety_alert' and t.priority = 'urgent'
		order by t.created_at, t.id`, tenantID)
}

func listTasks(ctx context.Context, q db.DBTX, sql string, args ...any) ([]Task, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Task, error) {
		var t Task
		var p patients.Patient
		err := row.Scan(&t.ID, &t.PatientID, &p.GivenName, &p.FamilyName, &p.PreferredName, &t.Title, &t.DueAt,
			&t.AssigneeID, &t.AssigneeName, &t.Status, &t.Priority, &t.Source,
			&t.SourceAssessmentID, &t.SourceInterventionID, &t.SourceContactID, &t.SourceTransitionID,
			&t.CompletionNote, &t.CompletedAt, &t.CompletedByName, &t.CreatedAt, &t.Version)
		t.PatientName = p.DisplayName()
		return t, err
	})
}
