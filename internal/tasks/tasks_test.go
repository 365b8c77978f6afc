package tasks_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is two tenants, each with one patient and one started PHQ-9, and
// two users who can be assigned tasks.
type fixture struct {
	t                           *testing.T
	d                           dbtest.DB
	tenant, other               string
	patient, otherPatient       string
	assessment, otherAssessment string
	coord, colleague            string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{t: t, d: dbtest.New(t, "")}
	f.tenant, f.patient, f.assessment = f.tenantWithPatient("north")
	f.other, f.otherPatient, f.otherAssessment = f.tenantWithPatient("river")
	f.coord = f.user("coord@example.org", "Cora Coordinator")
	f.colleague = f.user("col@example.org", "Colin Colleague")
	return f
}

func (f fixture) user(email, name string) string {
	f.t.Helper()
	var id string
	err := f.d.Pool.QueryRow(context.Background(),
		"insert into users (email, name, password_hash) values ($1, $2, 'x') returning id", email, name).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f fixture) tenantWithPatient(slug string) (tenant, patient, assessment string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&tenant); err != nil {
		f.t.Fatal(err)
	}
	v := url.Values{"given_name": {"Ada"}, "family_name": {"Quist"}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		f.t.Fatalf("test patient: %v", errs)
	}
	f.in(tenant, func(tx pgx.Tx) (err error) {
		if patient, err = patients.Create(ctx, tx, tenant, "", np); err != nil {
			return err
		}
		assessment, err = assessments.Start(ctx, tx, tenant, patient, "", "PHQ-9", "phone")
		return err
	})
	return tenant, patient, assessment
}

func (f fixture) in(tenant string, fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}

// safetyTask is the task a PHQ-9's safety alert raises.
func safetyTask(patient, assessment, assignee string) tasks.NewTask {
	return tasks.NewTask{PatientID: patient, Title: "Safety follow-up after PHQ-9", DueAt: calendar.EndOfDay(time.Now()),
		AssigneeID: assignee, Priority: tasks.Urgent, Source: tasks.SafetyAlert, SourceID: assessment}
}

func (f fixture) createSafety(assessment, assignee string) (string, bool) {
	f.t.Helper()
	var id string
	var created bool
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		id, created, err = tasks.Create(context.Background(), tx, f.tenant, safetyTask(f.patient, assessment, assignee))
		return err
	})
	return id, created
}

func TestTasks_SafetyTaskIsUrgentOpenAndDueByEndOfToday(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, created := f.createSafety(f.assessment, f.coord)
	if !created || id == "" {
		t.Fatalf("created %v id %q", created, id)
	}
	var list []tasks.Task
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		list, err = tasks.OpenForAssignee(context.Background(), tx, f.tenant, f.coord, time.Now().Add(48*time.Hour))
		return err
	})
	if len(list) != 1 {
		t.Fatalf("open tasks of the coordinator: %d, want 1", len(list))
	}
	got := list[0]
	want := calendar.EndOfDay(time.Now())
	if got.ID != id || got.Status != tasks.Open || got.Priority != tasks.Urgent || got.Source != tasks.SafetyAlert ||
		got.SourceAssessmentID != f.assessment || got.PatientName != "Ada Quist" || got.AssigneeName != "Cora Coordinator" ||
		got.Title != "Safety follow-up after PHQ-9" || !got.DueAt.Equal(want) || got.Version != 1 {
		t.Fatalf("task: %+v (due want %v)", got, want)
	}
}

func TestTasks_SecondSafetyTaskForTheSameAssessmentReturnsTheFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first, _ := f.createSafety(f.assessment, f.coord)
	again, created := f.createSafety(f.assessment, f.colleague)
	if created || again != first {
		t.Fatalf("second create: created %v id %q, want the first %q", created, again, first)
	}
	var n int
	f.in(f.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select count(*) from tasks where tenant_id = $1", f.tenant).Scan(&n)
	})
	if n != 1 {
		t.Fatalf("tasks stored: %d, want 1", n)
	}
}

func TestTasks_ListsSplitByAssigneePatientAndDueDate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.createSafety(f.assessment, f.coord)
	var second string
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		second, err = assessments.Start(ctx, tx, f.tenant, f.patient, "", "PHQ-9", "phone")
		return err
	})
	f.createSafety(second, f.colleague)
	f.in(f.tenant, func(tx pgx.Tx) error {
		mine, err := tasks.OpenForAssignee(ctx, tx, f.tenant, f.coord, time.Now().Add(48*time.Hour))
		if err != nil || len(mine) != 1 || mine[0].SourceAssessmentID != f.assessment {
			t.Errorf("coordinator's tasks: %v %+v", err, mine)
		}
		// An urgent task stays on the worklist whenever it is due.
		early, err := tasks.OpenForAssignee(ctx, tx, f.tenant, f.coord, time.Now().Add(-48*time.Hour))
		if err != nil || len(early) != 1 {
			t.Errorf("urgent tasks with a worklist ending two days ago: %v %+v", err, early)
		}
		chart, err := tasks.OpenSafetyAlerts(ctx, tx, f.tenant, f.patient)
		if err != nil || len(chart) != 2 {
			t.Errorf("patient's safety alerts: %v %d, want 2", err, len(chart))
		}
		team, err := tasks.TeamSafetyAlerts(ctx, tx, f.tenant)
		if err != nil || len(team) != 2 || team[0].AssigneeName != "Cora Coordinator" || team[1].AssigneeName != "Colin Colleague" {
			t.Errorf("team safety alerts: %v %+v", err, team)
		}
		return nil
	})
	// A task that is done leaves every list.
	f.in(f.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update tasks set status = 'done', completed_at = now() where source_assessment_id = $1", second)
		return err
	})
	f.in(f.tenant, func(tx pgx.Tx) error {
		team, err := tasks.TeamSafetyAlerts(ctx, tx, f.tenant)
		if err != nil || len(team) != 1 {
			t.Errorf("team safety alerts after one is done: %v %d, want 1", err, len(team))
		}
		return nil
	})
}

func TestTasks_AnotherTenantSeesNoneAndCannotCreateForForeignPatient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.createSafety(f.assessment, f.coord)
	f.in(f.other, func(tx pgx.Tx) error {
		team, err := tasks.TeamSafetyAlerts(ctx, tx, f.other)
		if err != nil || len(team) != 0 {
			t.Errorf("other tenant's team alerts: %v %+v", err, team)
		}
		// Even naming the first tenant, RLS hides its rows.
		leaked, err := tasks.TeamSafetyAlerts(ctx, tx, f.tenant)
		if err != nil || len(leaked) != 0 {
			t.Errorf("first tenant's alerts read from the other tenant: %v %+v", err, leaked)
		}
		mine, err := tasks.OpenForAssignee(ctx, tx, f.other, f.coord, time.Now().Add(48*time.Hour))
		if err != nil || len(mine) != 0 {
			t.Errorf("coordinator's tasks in the other tenant: %v %+v", err, mine)
		}
		return nil
	})
	// The other tenant cannot hang a task on the first tenant's patient.
	err := db.InTenant(ctx, f.d.Pool, f.other, func(tx pgx.Tx) error {
		_, _, err := tasks.Create(ctx, tx, f.other, safetyTask(f.patient, f.assessment, f.coord))
		return err
	})
	if err == nil {
		t.Fatal("a task for another tenant's patient was created")
	}
}

func TestTasks_CompleteRescheduleAndHandOverKeepAHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.createSafety(f.assessment, f.coord)
	tomorrow := calendar.EndOfDay(time.Now().AddDate(0, 0, 1))
	f.in(f.tenant, func(tx pgx.Tx) error {
		if _, err := tasks.Reschedule(ctx, tx, f.tenant, f.patient, id, f.coord, 1, tomorrow, "Patient asked to talk tomorrow"); err != nil {
			return err
		}
		_, err := tasks.HandOver(ctx, tx, f.tenant, f.patient, id, f.coord, 2, f.colleague, "You know her best")
		return err
	})
	// Acting from a version read before those changes changes nothing.
	err := db.InTenant(ctx, f.d.Pool, f.tenant, func(tx pgx.Tx) error {
		_, err := tasks.Complete(ctx, tx, f.tenant, f.patient, id, f.colleague, 1, "Spoke with her", time.Now())
		return err
	})
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale completion: %v, want ErrConflict", err)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		_, err := tasks.Complete(ctx, tx, f.tenant, f.patient, id, f.colleague, 3, "Spoke with her; safe plan agreed", time.Now())
		return err
	})
	err = db.InTenant(ctx, f.d.Pool, f.tenant, func(tx pgx.Tx) error {
		_, err := tasks.HandOver(ctx, tx, f.tenant, f.patient, id, f.colleague, 4, f.coord, "")
		return err
	})
	if !errors.Is(err, tasks.ErrClosed) {
		t.Fatalf("handing over a done task: %v, want ErrTaskClosed", err)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		task, err := tasks.Get(ctx, tx, f.tenant, f.patient, id)
		if err != nil || task.Status != tasks.Done || task.AssigneeName != "Colin Colleague" || !task.DueAt.Equal(tomorrow) ||
			task.CompletionNote != "Spoke with her; safe plan agreed" || task.CompletedByName != "Colin Colleague" || task.Version != 4 {
			t.Errorf("task: %v %+v", err, task)
		}
		h, err := tasks.History(ctx, tx, f.tenant, id)
		var kinds []string
		for _, e := range h {
			kinds = append(kinds, e.Kind+": "+e.Note)
		}
		want := "rescheduled: Patient asked to talk tomorrow|handed_over: You know her best|completed: Spoke with her; safe plan agreed"
		if err != nil || strings.Join(kinds, "|") != want || h[1].FromAssignee != "Cora Coordinator" || h[1].ToAssignee != "Colin Colleague" {
			t.Errorf("history: %v %+v", err, h)
		}
		return nil
	})
}

func TestTasks_SafetyAlertNeedsANoteToComplete(t *testing.T) {
	t.Parallel()
	errs := patients.Errors{}
	tasks.ActionForm{}.ValidateComplete(tasks.Task{Source: tasks.SafetyAlert}, errs)
	if !strings.Contains(errs["note"], "safety alert") {
		t.Errorf("errors %v, want a note asked for", errs)
	}
	errs = patients.Errors{}
	tasks.ActionForm{}.ValidateComplete(tasks.Task{Source: tasks.FromContact}, errs)
	if len(errs) > 0 {
		t.Errorf("a follow-up without a note: %v", errs)
	}
}
