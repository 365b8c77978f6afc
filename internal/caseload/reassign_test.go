package caseload_test

import (
	"context"
	"testing"

	"carecoord/internal/caseload"
	"carecoord/internal/db"

	"github.com/jackc/pgx/v5"
)

func (w *world) reassign(m caseload.Move) (caseload.Moved, error) {
	var out caseload.Moved
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		out, err = caseload.Reassign(context.Background(), tx, w.tenant, w.sue, m)
		return err
	})
	return out, err
}

func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), sql, args...).Scan(&n)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestReassign_MovesPatientsTheirOpenTasksAndWritesTheTimeline(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	w.task(w.p1, w.sue, "manual", 2, "open") // Sue's own task stays hers
	moved, err := w.reassign(caseload.Move{From: w.ann, To: w.ben, PatientIDs: []string{w.p1, w.p2}, Reason: "Ann on leave",
		FromName: "Ann", ToName: "Ben"})
	if err != nil {
		t.Fatal(err)
	}
	if len(moved.PatientIDs) != 2 || moved.Skipped != 0 || moved.Tasks != 2 {
		t.Errorf("moved %+v, want 2 patients and Ann's 2 open tasks", moved)
	}
	if n := w.count("select count(*) from patients where assigned_coordinator_id = $1 and id = any($2)", w.ben, []string{w.p1, w.p2}); n != 2 {
		t.Errorf("%d patients now Ben's, want 2", n)
	}
	if n := w.count("select count(*) from tasks where patient_id = $1 and status = 'open' and assignee_id = $2", w.p1, w.ben); n != 2 {
		t.Errorf("Ben holds %d of p1's open tasks, want 2", n)
	}
	if n := w.count("select count(*) from tasks where patient_id = $1 and status = 'open' and assignee_id = $2", w.p1, w.sue); n != 1 {
		t.Errorf("Sue's task moved too")
	}
	if n := w.count("select count(*) from patient_events where patient_id = $1 and summary = 'Reassigned from Ann to Ben: Ann on leave'", w.p1); n != 1 {
		t.Error("no timeline line for the move")
	}
	if n := w.count("select count(*) from task_events where kind = 'handed_over'"); n != 2 {
		t.Errorf("%d task hand-overs recorded, want 2", n)
	}
	if n := w.count("select version from patients where id = $1", w.p1); n != 2 {
		t.Errorf("p1's version is %d after the move, want 2 (so a chart edit begun before it conflicts)", n)
	}
}

func TestReassign_PatientMovedMeanwhileIsSkipped(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	// Someone else gave p1 to Xavier after the supervisor's page was drawn.
	w.exec("update patients set assigned_coordinator_id = $1 where id = $2", w.xav, w.p1)
	moved, err := w.reassign(caseload.Move{From: w.ann, To: w.ben, PatientIDs: []string{w.p1, w.p2}, Reason: "Rebalance", ToName: "Ben"})
	if err != nil {
		t.Fatal(err)
	}
	if len(moved.PatientIDs) != 1 || moved.PatientIDs[0] != w.p2 || moved.Skipped != 1 {
		t.Errorf("moved %+v, want only p2 and one skipped", moved)
	}
	if n := w.count("select count(*) from patients where id = $1 and assigned_coordinator_id = $2", w.p1, w.xav); n != 1 {
		t.Error("the other change to p1 was overwritten")
	}
}

func TestValidateMove_NamesEachProblem(t *testing.T) {
	t.Parallel()
	errs := caseload.ValidateMove(caseload.Move{From: "a", To: "a", Reason: " "}, map[string]bool{"a": true})
	for _, f := range []string{"to", "reason", "patients"} {
		if errs[f] == "" {
			t.Errorf("no message for %s: %v", f, errs)
		}
	}
	if errs := caseload.ValidateMove(caseload.Move{From: "a", To: "b", Reason: "x", PatientIDs: []string{"p"}}, map[string]bool{"b": true}); len(errs) != 0 {
		t.Errorf("a good move: %v", errs)
	}
}
