package careplans

import (
	"context"
	"strings"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/patients"

	"github.com/jackc/pgx/v5"
)

// noteMax is the longest progress note the table accepts.
const noteMax = 2000

// GoalChoice is a goal of a patient's open plan, as a contact form offers it.
type GoalChoice struct {
	ID    string
	Label string
}

// OpenGoals lists the goals still being worked on in the patient's open
// plan (draft or active), in plan order, for forms that record progress.
func OpenGoals(ctx context.Context, q db.DBTX, tenantID, patientID string) ([]GoalChoice, error) {
	rows, _ := q.Query(ctx, `
		select g.id, g.patient_words as label
		  from goals g
		  join care_plans p on p.tenant_id = g.tenant_id and p.id = g.plan_id
		  join care_plan_needs pn on pn.tenant_id = g.tenant_id and pn.id = g.plan_need_id
		 where g.tenant_id = $1 and p.patient_id = $2 and p.status in ('draft', 'active')
		   and g.status in ('proposed', 'in_progress')
		 order by pn.position, g.position`, tenantID, patientID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[GoalChoice])
}

// ProgressNote is a dated note on how a goal is going.
type ProgressNote struct {
	ID         string
	GoalID     string
	Note       string
	AuthorName string
	CreatedAt  time.Time
}

// ValidateNote returns a message for the person when note can't be stored,
// or "" when it can.
func ValidateNote(note string) string {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return "Write how the goal is going."
	case len([]rune(note)) > noteMax:
		return "Keep the note to 2000 characters or fewer."
	}
	return ""
}

// AddProgressNote records a validated note on a goal of the patient's plan.
// A goal of another patient, or of a completed or cancelled plan, is not
// found: notes go only where work is still going on.
func AddProgressNote(ctx context.Context, q db.DBTX, tenantID, patientID, goalID, authorID, note string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into goal_progress_notes (tenant_id, goal_id, note, author_id)
		select g.tenant_id, g.id, $4, $5
		  from goals g
		  join care_plans p on p.tenant_id = g.tenant_id and p.id = g.plan_id
		 where g.tenant_id = $1 and g.id = $3 and p.patient_id = $2 and p.status in ('draft', 'active')
		returning id`, tenantID, patientID, goalID, strings.TrimSpace(note), authorID).Scan(&id)
	return id, db.NotFound(err)
}

// PlanReview is an active plan whose review date has come.
type PlanReview struct {
	PlanID      string
	PatientID   string
	PatientName string
	ReviewDue   time.Time
	// Due is how many of the coordinator's plans are due for review in
	// all, when only the first few were read (DueForReviewQuery's limit).
	Due int
}

// DueForReview lists the active plans of the coordinator's patients whose
// review date is on or before until, earliest first, at most limit of
// them (each saying how many are due in all).
func DueForReview(ctx context.Context, q db.DBTX, tenantID, coordinatorID string, until time.Time, limit int) ([]PlanReview, error) {
	return DueForReviewQuery(tenantID, coordinatorID, until, limit).All(ctx, q)
}

// DueForReviewQuery is DueForReview's statement, for a batch.
//
// The review dates come from patient_flags (migration 00031), which the
// triggers on care plans and patients keep in the transaction of each
// change, indexed by coordinator and date: the reviews due are the start
// of one index range, where the tenant's active plans past their review
// date (45,000 on the scale tenant) were read and hashed against the
// caseload on every worklist (issue 22). Only the first limit are named,
// each patient read by key: the scale tenant's coordinators have 2,000
// reviews due each, and the worklist shows 25 and counts the rest.
func DueForReviewQuery(tenantID, coordinatorID string, until time.Time, limit int) db.Query[PlanReview] {
	return db.Query[PlanReview]{SQL: `
		select f.review_plan_id, f.patient_id, p.given_name, p.family_name, p.preferred_name, f.review_due, f.due
		  from (select f.tenant_id, f.review_plan_id, f.patient_id, f.review_due, count(*) over () as due
		          from patient_flags f
		         where f.tenant_id = $1 and f.coordinator_id = $2 and f.review_due <= $3
		         order by f.review_due, f.review_plan_id
		         limit $4) f
		 cross join lateral (select p.given_name, p.family_name, p.preferred_name from patients p
		                      where p.tenant_id = f.tenant_id and p.id = f.patient_id offset 0) p
		 order by f.review_due, f.review_plan_id`, Args: []any{tenantID, coordinatorID, until, limit}, Scan: func(row pgx.CollectableRow) (PlanReview, error) {
		var r PlanReview
		var p patients.Patient
		err := row.Scan(&r.PlanID, &r.PatientID, &p.GivenName, &p.FamilyName, &p.PreferredName, &r.ReviewDue, &r.Due)
		r.PatientName = p.DisplayName()
		return r, err
	}}
}

// Awaiting is a plan waiting for a supervisor's approval.
type Awaiting struct {
	PlanID      string
	PatientID   string
	PatientName string
	Title       string
	SubmittedBy string
	SubmittedAt time.Time
	// Revision is set for a revision of a plan already in force.
	Revision bool
}

// AwaitingApproval lists the tenant's submitted plans, longest waiting
// first.
func AwaitingApproval(ctx context.Context, q db.DBTX, tenantID string) ([]Awaiting, error) {
	rows, _ := q.Query(ctx, `
		select c.id, c.patient_id, p.given_name, p.family_name, p.preferred_name, c.title, coalesce(u.name, ''),
		       c.submitted_at, c.status = 'active'
		  from care_plans c
		  join patients p on p.tenant_id = c.tenant_id and p.id = c.patient_id
		  left join users u on u.id = c.submitted_by
		 where c.tenant_id = $1 and c.stage = 'submitted'
		 order by c.submitted_at, c.id`, tenantID)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Awaiting, error) {
		var a Awaiting
		var p patients.Patient
		err := row.Scan(&a.PlanID, &a.PatientID, &p.GivenName, &p.FamilyName, &p.PreferredName, &a.Title, &a.SubmittedBy,
			&a.SubmittedAt, &a.Revision)
		a.PatientName = p.DisplayName()
		return a, err
	})
}
