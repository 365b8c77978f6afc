package caseload_test

import (
	"context"
	"errors"
	"testing"

	"carecoord/internal/auth"
	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// supervisor is Sue acting now.
func (w *world) supervisor() tenants.Actor {
	return tenants.Actor{TenantID: w.tenant, UserID: w.sue, UserName: "Sue", Role: auth.Supervisor,
		Settings: tenants.DefaultSettings(), At: w.now}
}

// reassign moves m's patients through the use case, as Sue from the list
// of m.From's patients.
func (w *world) reassign(m caseload.Move) (caseload.Moved, error) {
	from := m.From
	return caseload.NewService(w.d.Pool).Reassign(context.Background(), w.supervisor(),
		caseload.ReassignForm{Filter: caseload.Filter{Coordinator: &from}, To: m.To, Reason: m.Reason, PatientIDs: m.PatientIDs})
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
	moved, err := w.reassign(caseload.Move{From: w.ann, To: w.ben, PatientIDs: []string{w.p1, w.p2}, Reason: "Ann on leave"})
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
	moved, err := w.reassign(caseload.Move{From: w.ann, To: w.ben, PatientIDs: []string{w.p1, w.p2}, Reason: "Rebalance"})
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

func TestReassign_IsAuditedPerPatientAndMarksTheDashboardStale(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	if _, err := w.reassign(caseload.Move{From: w.ann, To: w.ben, PatientIDs: []string{w.p1, w.p2}, Reason: "Rebalance"}); err != nil {
		t.Fatal(err)
	}
	if n := w.count("select count(*) from audit_events where action = 'patient.reassigned' and actor_id = $1 and patient_id = any($2)",
		w.sue, []string{w.p1, w.p2}); n != 2 {
		t.Errorf("%d audit events for 2 moves", n)
	}
	if n := w.count("select count(*) from caseload_snapshots where changes > seen"); n != 1 {
		t.Error("the move left the stored dashboard current")
	}
}

func TestReassign_RefusedFormMovesNobodyAndSaysWhyPerField(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	_, err := w.reassign(caseload.Move{From: w.ann, To: w.xav, PatientIDs: []string{w.p1}, Reason: " "})
	fields := fail.Fields(err)
	if fail.KindOf(err) != fail.KindInvalid || fields["to"] == "" || fields["reason"] == "" {
		t.Fatalf("moving to a former colleague without a reason: %v", err)
	}
	if e, _ := fail.As(err); e.Message != "Nobody was moved. Check the form below." {
		t.Errorf("message above the form: %q", e.Message)
	}
	if n := w.count("select count(*) from patients where id = $1 and assigned_coordinator_id = $2", w.p1, w.ann); n != 1 {
		t.Error("a refused move moved the patient")
	}
}

func TestReassign_AllMatchingMovesEveryPatientTheFiltersMatchNow(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	ann := w.ann
	moved, err := caseload.NewService(w.d.Pool).Reassign(context.Background(), w.supervisor(), caseload.ReassignForm{
		Filter: caseload.Filter{Coordinator: &ann, Flag: caseload.FlagPastCadence}, To: w.ben, Reason: "Catch up", All: true})
	if err != nil {
		t.Fatal(err)
	}
	// Ann's patients past cadence: Two, Three and Four (see the dashboard test).
	if len(moved.PatientIDs) != 3 || moved.ToName != "Ben" {
		t.Errorf("moved %+v, want Ann's 3 patients past cadence, to Ben", moved)
	}
}

func TestReassign_OnlySupervisorsMovePatients(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	a := w.supervisor()
	a.UserID, a.Role = w.ben, auth.Coordinator
	ann := w.ann
	_, err := caseload.NewService(w.d.Pool).Reassign(context.Background(), a,
		caseload.ReassignForm{Filter: caseload.Filter{Coordinator: &ann}, To: w.ben, Reason: "Mine now", PatientIDs: []string{w.p1}})
	if !errors.Is(err, caseload.ErrNotSupervisor) {
		t.Fatalf("a coordinator moving patients: %v", err)
	}
}
