package tasks

import (
	"context"
	"errors"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// ErrClosed means the task is done or cancelled already.
var ErrClosed = fail.Precondition("This task was already completed or cancelled, so nothing was changed.")

// Create stores an open task. For a source that raises one task per record,
// creating it again changes nothing: created is false and id is the first
// task's.
func Create(ctx context.Context, q db.DBTX, tenantID string, t NewTask) (id string, created bool, err error) {
	if t.Priority == "" {
		t.Priority = Normal
	}
	column, conflict := "source_contact_id", ""
	if c, ok := sourceColumn[t.Source]; ok {
		column = c
	}
	if onlyOne[t.Source] {
		conflict = ` on conflict (tenant_id, ` + column + `) where source = '` + string(t.Source) + `' do nothing`
	}
	assignee := `nullif($5, '')::uuid`
	if t.ToCoordinator {
		assignee = `coalesce((select p.assigned_coordinator_id from patients p where p.tenant_id = $1 and p.id = $2), nullif($5, '')::uuid)`
	}
	err = q.QueryRow(ctx, `
		insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, priority, source, `+column+`, created_at)
		values ($1, $2, $3, $4, `+assignee+`, $6, $7, nullif($8, '')::uuid, coalesce($9, now()))`+conflict+`
		returning id`,
		tenantID, t.PatientID, Title(t.Title), t.DueAt, t.AssigneeID, t.Priority, t.Source, t.SourceID, createdAt(t.CreatedAt)).Scan(&id)
	if err == nil || !onlyOne[t.Source] || !errors.Is(err, pgx.ErrNoRows) {
		return id, err == nil, err
	}
	err = q.QueryRow(ctx, `select id from tasks where tenant_id = $1 and source = $2 and `+column+` = $3`,
		tenantID, t.Source, t.SourceID).Scan(&id)
	return id, false, db.NotFound(err)
}

// createdAt is when a task is created: at, or the transaction's time when
// at is zero.
func createdAt(at time.Time) *time.Time {
	if at.IsZero() {
		return nil
	}
	return &at
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

// openFrom reads open tasks.
const openFrom = taskFrom + `and t.status = 'open' `

// OpenForAssignee lists the open tasks of one person due before until,
// and their urgent ones whenever due, urgent first, then soonest: a
// worklist splits them into overdue and due today.
func OpenForAssignee(ctx context.Context, q db.DBTX, tenantID, assigneeID string, until time.Time) ([]Task, error) {
	return OpenForAssigneeQuery(tenantID, assigneeID, until).All(ctx, q)
}

// OpenForAssigneeQuery is OpenForAssignee's statement, for a batch.
func OpenForAssigneeQuery(tenantID, assigneeID string, until time.Time) db.Query[Task] {
	return query(openFrom+`and t.assignee_id = $2 and (t.due_at < $3 or t.priority = 'urgent')
		order by t.priority = 'urgent' desc, t.due_at, t.created_at, t.id`, tenantID, assigneeID, until)
}

// OpenForPatient lists a patient's open tasks, urgent first, then soonest.
func OpenForPatient(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Task, error) {
	return OpenForPatientQuery(tenantID, patientID).All(ctx, q)
}

// OpenForPatientQuery reads a patient's open tasks, for a batch.
func OpenForPatientQuery(tenantID, patientID string) db.Query[Task] {
	return query(openFrom+`and t.patient_id = $2
		order by t.priority = 'urgent' desc, t.due_at, t.created_at, t.id`, tenantID, patientID)
}

// Get reads one task of the patient, whatever its status.
func Get(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Task, error) {
	l, err := list(ctx, q, taskFrom+`and t.patient_id = $2 and t.id = $3`, tenantID, patientID, id)
	if err != nil {
		return Task{}, err
	}
	if len(l) == 0 {
		return Task{}, db.ErrNotFound
	}
	return l[0], nil
}

// OpenSafetyAlerts lists a patient's open safety alert tasks, newest first,
// for the chart's banner.
func OpenSafetyAlerts(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]Task, error) {
	return SafetyAlertsQuery(tenantID, patientID).All(ctx, q)
}

// SafetyAlertsQuery reads a patient's open safety alert tasks, for a batch.
func SafetyAlertsQuery(tenantID, patientID string) db.Query[Task] {
	return query(openFrom+`and t.patient_id = $2 and t.source = 'safety_alert'
		order by t.created_at desc, t.id`, tenantID, patientID)
}

// TeamSafetyAlerts lists every open urgent safety alert task of the tenant,
// oldest first, so that a supervisor sees the longest-waiting one on top.
func TeamSafetyAlerts(ctx context.Context, q db.DBTX, tenantID string) ([]Task, error) {
	return TeamSafetyAlertsQuery(tenantID).All(ctx, q)
}

// TeamSafetyAlertsQuery is TeamSafetyAlerts' statement, for a batch.
func TeamSafetyAlertsQuery(tenantID string) db.Query[Task] {
	return query(openFrom+`and t.source = 'safety_alert' and t.priority = 'urgent'
		order by t.created_at, t.id`, tenantID)
}

func list(ctx context.Context, q db.DBTX, sql string, args ...any) ([]Task, error) {
	return query(sql, args...).All(ctx, q)
}

// query is a statement reading tasks with taskFrom's columns.
func query(sql string, args ...any) db.Query[Task] {
	return db.Query[Task]{SQL: sql, Args: args, Scan: func(row pgx.CollectableRow) (Task, error) {
		var t Task
		var p patients.Patient
		err := row.Scan(&t.ID, &t.PatientID, &p.GivenName, &p.FamilyName, &p.PreferredName, &t.Title, &t.DueAt,
			&t.AssigneeID, &t.AssigneeName, &t.Status, &t.Priority, &t.Source,
			&t.SourceAssessmentID, &t.SourceInterventionID, &t.SourceContactID, &t.SourceTransitionID,
			&t.CompletionNote, &t.CompletedAt, &t.CompletedByName, &t.CreatedAt, &t.Version)
		t.PatientName = p.DisplayName()
		return t, err
	}}
}

// OpenRaisedBy is the open task that source raised for sourceID (a source
// that raises one task per record), or "".
func OpenRaisedBy(ctx context.Context, q db.DBTX, tenantID string, source Source, sourceID string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `select coalesce(max(id::text), '') from tasks
		 where tenant_id = $1 and source = $2 and `+sourceColumn[source]+` = $3 and status = 'open'`,
		tenantID, source, sourceID).Scan(&id)
	return id, err
}
