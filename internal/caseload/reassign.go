package caseload

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"carecoord/internal/db"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

// Move is a validated reassignment: patients from one coordinator ("" for
// unassigned patients) to another, with the supervisor's reason.
type Move struct {
	From, To   string
	PatientIDs []string
	Reason     string
	// ToName and FromName word the timeline line.
	ToName, FromName string
}

// Errors a supervisor can be told about.
var (
	// ErrSameCoordinator means the patients would move to whom they have.
	ErrSameCoordinator = errors.New("caseload: patients already belong to that coordinator")
	// ErrNothingChosen means no patient was selected.
	ErrNothingChosen = errors.New("caseload: no patients chosen")
)

// reasonMax is the longest reason kept.
const reasonMax = 500

// ValidateMove returns per-field messages for a reassignment form; to is
// checked against the people patients may be assigned to.
func ValidateMove(m Move, assignable map[string]bool) map[string]string {
	errs := map[string]string{}
	m.Reason = strings.TrimSpace(m.Reason)
	switch {
	case !assignable[m.To]:
		errs["to"] = "Choose the coordinator who takes the patients over."
	case m.To == m.From:
		errs["to"] = "The patients already belong to this coordinator: choose someone else."
	}
	switch {
	case m.Reason == "":
		errs["reason"] = "Say why the patients move, for their charts."
	case utf8.RuneCountInString(m.Reason) > reasonMax:
		errs["reason"] = "Keep the reason to 500 characters or fewer."
	}
	if len(m.PatientIDs) == 0 {
		errs["patients"] = "Choose at least one patient."
	}
	return errs
}

// Moved is what a reassignment did.
type Moved struct {
	// PatientIDs are the patients moved. A patient chosen on the page but
	// reassigned by someone else meanwhile is left where they are.
	PatientIDs []string
	Skipped    int
	Tasks      int
}

// Reassign moves the patients still assigned to m.From over to m.To, and
// their open tasks that m.From held with them. Only the assignment column
// and the version change on each patient, under the row lock of the update:
// an edit of the chart that raced with it either committed first (and is
// kept, since nothing else is written) or finds the version moved and is
// refused with the person's input kept. Each move goes on the patient's
// timeline and each handed-over task into its history.
func Reassign(ctx context.Context, q db.DBTX, tenantID, actorID string, m Move) (Moved, error) {
	if m.From == m.To {
		return Moved{}, ErrSameCoordinator
	}
	if len(m.PatientIDs) == 0 {
		return Moved{}, ErrNothingChosen
	}
	var out Moved
	rows, _ := q.Query(ctx, `
		update patients set assigned_coordinator_id = $3::uuid, version = version + 1, updated_at = now()
		 where tenant_id = $1 and id = any($2::uuid[])
		   and assigned_coordinator_id is not distinct from nullif($4, '')::uuid
		   and status in ('referred', 'active', 'on_hold')
		returning id::text`, tenantID, m.PatientIDs, m.To, m.From)
	var id string
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { out.PatientIDs = append(out.PatientIDs, id); return nil }); err != nil {
		return out, err
	}
	out.Skipped = len(m.PatientIDs) - len(out.PatientIDs)
	if len(out.PatientIDs) == 0 {
		return out, nil
	}
	summary := "Reassigned to " + m.ToName
	if m.FromName != "" {
		summary = "Reassigned from " + m.FromName + " to " + m.ToName
	}
	summary += ": " + m.Reason
	if utf8.RuneCountInString(summary) > 500 {
		summary = string([]rune(summary)[:499]) + "…"
	}
	_, err := q.Exec(ctx, `
		insert into patient_events (tenant_id, patient_id, actor_id, kind, summary)
		select $1, p, $3, 'assignment', $4 from unnest($2::uuid[]) as p`, tenantID, out.PatientIDs, actorID, summary)
	if err != nil {
		return out, err
	}
	out.Tasks, err = handOverTasks(ctx, q, tenantID, actorID, m, out.PatientIDs)
	return out, err
}

// handOverTasks gives the new coordinator the moved patients' open tasks
// that the old one held; tasks others hold stay with them.
func handOverTasks(ctx context.Context, q db.DBTX, tenantID, actorID string, m Move, moved []string) (int, error) {
	if m.From == "" {
		return 0, nil
	}
	return tasks.MoveOpen(ctx, q, tenantID, actorID, moved, m.From, m.To, "Patient reassigned: "+m.Reason)
}
