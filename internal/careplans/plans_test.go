package careplans_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/db"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// planFixture is a patient with two accepted needs (food, housing), a
// coordinator and two supervisors, and a draft plan addressing both needs.
type planFixture struct {
	fixture
	coord, super, super2 string
	food, housing        string
	ref                  careplans.Ref
}

func newPlanFixture(t *testing.T) planFixture {
	t.Helper()
	f := planFixture{fixture: newFixture(t)}
	f.coord, f.super, f.super2 = f.user("coord@x.test"), f.user("super@x.test"), f.user("super2@x.test")
	var err error
	f.food, err = f.decide(careplans.Decision{Accept: true, Domain: assessments.NeedFood, Description: "Runs out of food", Priority: careplans.High})
	if err != nil {
		t.Fatal(err)
	}
	f.housing, err = f.decide(careplans.Decision{Accept: true, Domain: assessments.NeedHousing, Description: "Behind on rent", Priority: careplans.Medium})
	if err != nil {
		t.Fatal(err)
	}
	f.in(f.tenant, func(tx pgx.Tx) error {
		id, err := careplans.Create(context.Background(), tx, f.tenant, f.patient, f.coord, "Ada's plan", []string{f.food, f.housing})
		f.ref = careplans.Ref{TenantID: f.tenant, PatientID: f.patient, PlanID: id}
		return err
	})
	return f
}

func (f planFixture) user(email string) string {
	f.t.Helper()
	var id string
	if err := f.d.Pool.QueryRow(context.Background(),
		"insert into users (email, name, password_hash) values ($1, $1, 'x') returning id", email).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f planFixture) load() careplans.Plan {
	f.t.Helper()
	var p careplans.Plan
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		p, err = careplans.Load(context.Background(), tx, f.ref)
		return err
	})
	return p
}

// do runs fn in the tenant and returns its error rather than failing, for
// tests of refusals.
func (f planFixture) do(fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.InTenant(context.Background(), f.d.Pool, f.tenant, func(tx pgx.Tx) error { return fn(context.Background(), tx) })
}

func (f planFixture) must(fn func(ctx context.Context, tx pgx.Tx) error) {
	f.t.Helper()
	if err := f.do(fn); err != nil {
		f.t.Fatal(err)
	}
}

var inAMonth = time.Now().AddDate(0, 1, 0).Format("2006-01-02")

func goalForm(words string, version int) careplans.GoalForm {
	g := careplans.GoalForm{PatientWords: words, Target: "Measurable", TargetDate: inAMonth, Priority: "high", Version: version}
	if !g.Validate(time.Now(), careplans.Goal{}) {
		panic(g.Errors)
	}
	return g
}

// complete fills the draft so that it may be submitted: a goal with an
// intervention for the coordinator under each need, and a review date.
func (f planFixture) complete() careplans.Plan {
	f.t.Helper()
	p := f.load()
	for _, n := range p.Needs {
		f.must(func(ctx context.Context, tx pgx.Tx) error {
			_, err := careplans.AddGoal(ctx, tx, f.ref, f.coord, n.ID, goalForm("Goal for "+string(n.Domain), p.Version), nil)
			return err
		})
		p = f.load()
	}
	for _, n := range p.Needs {
		i := careplans.InterventionForm{Action: "Call about " + string(n.Domain), Responsible: "coordinator:" + f.coord,
			DueDate: inAMonth, Version: p.Version}
		if !i.Validate(time.Now(), careplans.Intervention{}, map[string]bool{"coordinator:" + f.coord: true}) {
			f.t.Fatal(i.Errors)
		}
		f.must(func(ctx context.Context, tx pgx.Tx) error {
			return careplans.AddIntervention(ctx, tx, f.ref, f.coord, n.Goals[0].ID, i)
		})
		p = f.load()
	}
	d := careplans.DetailsFormOf(p)
	d.ReviewDue, d.PatientAgreed, d.Participants = inAMonth, "yes", "Ada; her daughter"
	f.must(func(ctx context.Context, tx pgx.Tx) error { return careplans.UpdateDetails(ctx, tx, f.ref, f.coord, d) })
	return f.load()
}

func (f planFixture) submitAndApprove() []careplans.DueIntervention {
	f.t.Helper()
	p := f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Submit(ctx, tx, f.ref, f.coord, p.Version)
	})
	var due []careplans.DueIntervention
	f.must(func(ctx context.Context, tx pgx.Tx) (err error) {
		due, err = careplans.Approve(ctx, tx, f.ref, f.super, p.Version+1)
		return err
	})
	return due
}

func TestPlan_CreatedFromNeedsMarksThemAddressed(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	if p.Status != careplans.PlanDraft || p.Stage != careplans.Editing || len(p.Needs) != 2 {
		t.Fatalf("new plan: status %s stage %s needs %d", p.Status, p.Stage, len(p.Needs))
	}
	var statuses []string
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		ns, err := careplans.ListForPatient(ctx, tx, f.tenant, f.patient)
		for _, n := range ns {
			statuses = append(statuses, string(n.Status))
		}
		return err
	})
	if diff := cmp.Diff([]string{"addressing", "addressing"}, statuses); diff != "" {
		t.Errorf("need statuses (-want +got):\n%s", diff)
	}
	err := f.do(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.Create(ctx, tx, f.tenant, f.patient, f.coord, "Second", nil)
		return err
	})
	if !errors.Is(err, careplans.ErrOpenPlanExists) {
		t.Errorf("second open plan: got %v, want ErrOpenPlanExists", err)
	}
}

func TestPlan_SubmitNeedsGoalsInterventionsAndReviewDate(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	if got := careplans.SubmitProblems(f.load()); len(got) != 3 {
		t.Errorf("problems of an empty plan: %q, want 2 needs without goals and no review date", got)
	}
	if got := careplans.SubmitProblems(f.complete()); len(got) != 0 {
		t.Errorf("problems of a complete plan: %q", got)
	}
}

func TestPlan_LifecycleRules(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.complete()

	// A draft can't be approved, returned or revised before it is submitted.
	for name, step := range map[string]func(ctx context.Context, tx pgx.Tx) error{
		"approve": func(ctx context.Context, tx pgx.Tx) error {
			_, err := careplans.Approve(ctx, tx, f.ref, f.super, p.Version)
			return err
		},
		"return": func(ctx context.Context, tx pgx.Tx) error {
			return careplans.Return(ctx, tx, f.ref, f.super, careplans.ReasonForm{Text: "x", Version: p.Version})
		},
		"revise": func(ctx context.Context, tx pgx.Tx) error {
			return careplans.Revise(ctx, tx, f.ref, f.coord, p.Version)
		},
		"complete": func(ctx context.Context, tx pgx.Tx) error { return closePlan(ctx, tx, f, true, p.Version) },
	} {
		if err := f.do(step); !errors.Is(err, careplans.ErrWrongState) {
			t.Errorf("%s a draft: got %v, want ErrWrongState", name, err)
		}
	}

	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Submit(ctx, tx, f.ref, f.coord, p.Version)
	})
	p = f.load()
	// Submitted: the working copy is locked, and its submitter can't approve it.
	err := f.do(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddGoal(ctx, tx, f.ref, f.coord, p.Needs[0].ID, goalForm("Late goal", p.Version), nil)
		return err
	})
	if !errors.Is(err, careplans.ErrNotEditable) {
		t.Errorf("edit a submitted plan: got %v, want ErrNotEditable", err)
	}
	err = f.do(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.Approve(ctx, tx, f.ref, f.coord, p.Version)
		return err
	})
	if !errors.Is(err, careplans.ErrOwnSubmission) {
		t.Errorf("approve own submission: got %v, want ErrOwnSubmission", err)
	}

	// Returned with a comment, fixed, resubmitted and approved.
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Return(ctx, tx, f.ref, f.super, careplans.ReasonForm{Text: "Add the daughter's number", Version: p.Version})
	})
	p = f.load()
	if p.Stage != careplans.Editing || p.ReturnedComment != "Add the daughter's number" {
		t.Fatalf("returned plan: stage %s comment %q", p.Stage, p.ReturnedComment)
	}
	f.submitAndApprove()
	p = f.load()
	if p.Status != careplans.PlanActive || p.Stage != careplans.Approved || p.ReturnedComment != "" || !p.Needs[0].Goals[0].InForce {
		t.Fatalf("approved plan: status %s stage %s comment %q", p.Status, p.Stage, p.ReturnedComment)
	}

	// In force: items can't be removed, even in a revision.
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Revise(ctx, tx, f.ref, f.coord, p.Version)
	})
	p = f.load()
	err = f.do(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.RemoveGoal(ctx, tx, f.ref, f.coord, p.Needs[0].Goals[0].ID, p.Version)
	})
	if !errors.Is(err, careplans.ErrInForce) {
		t.Errorf("remove an approved goal: got %v, want ErrInForce", err)
	}

	// Completing keeps the plan readable and frees the patient for a new one.
	f.must(func(ctx context.Context, tx pgx.Tx) error { return closePlan(ctx, tx, f, true, p.Version) })
	if p = f.load(); p.Status != careplans.PlanCompleted || p.Needs[0].Goals[0].Status != careplans.GoalCancelled {
		t.Errorf("completed plan: status %s, first goal %s", p.Status, p.Needs[0].Goals[0].Status)
	}
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.Create(ctx, tx, f.tenant, f.patient, f.coord, "Next plan", nil)
		return err
	})
}

func closePlan(ctx context.Context, tx pgx.Tx, f planFixture, completed bool, version int) error {
	_, err := careplans.Close(ctx, tx, f.ref, f.coord, completed, careplans.ReasonForm{Text: "Discharged", Version: version})
	return err
}

func TestPlan_StaleVersionConflicts(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	n := p.Needs[0].ID
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddGoal(ctx, tx, f.ref, f.coord, n, goalForm("First editor", p.Version), nil)
		return err
	})
	err := f.do(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddGoal(ctx, tx, f.ref, f.super, n, goalForm("Second editor", p.Version), nil)
		return err
	})
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("second save with the same version: got %v, want db.ErrConflict", err)
	}
	if goals := f.load().Needs[0].Goals; len(goals) != 1 || goals[0].PatientWords != "First editor" {
		t.Errorf("goals after the conflict: %+v", goals)
	}
}

func TestPlan_EveryChangeIsARevisionAndTheDiffReadsRight(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.complete()
	f.submitAndApprove()
	p := f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Revise(ctx, tx, f.ref, f.coord, p.Version)
	})
	p = f.load()
	g := careplans.GoalFormOf(p.Needs[0].Goals[0], p.Version)
	g.Target = "Food every day for six weeks"
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.UpdateGoal(ctx, tx, f.ref, f.coord, p.Needs[0].Goals[0].ID, g)
	})
	p = f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddGoal(ctx, tx, f.ref, f.coord, p.Needs[1].ID, goalForm("Keep my flat", p.Version), nil)
		return err
	})

	var history []careplans.Revision
	var approved careplans.Revision
	f.must(func(ctx context.Context, tx pgx.Tx) (err error) {
		if history, err = careplans.History(ctx, tx, f.ref); err != nil {
			return err
		}
		approved, err = careplans.LastApproved(ctx, tx, f.ref)
		return err
	})
	var kinds []string
	for _, r := range history {
		kinds = append(kinds, r.Kind)
	}
	want := []string{"edited", "edited", "revision_started", "approved", "submitted",
		"edited", "edited", "edited", "edited", "edited", "created"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("revision kinds, newest first (-want +got):\n%s", diff)
	}

	got := careplans.Diff(approved.Snapshot, careplans.SnapshotOf(f.load()))
	wantChanges := []careplans.Change{
		{Kind: careplans.Changed, Item: "Goal", Label: "Goal for food", Under: "Food insecurity: Runs out of food",
			Fields: []careplans.FieldChange{{Name: "Target", From: "Measurable", To: "Food every day for six weeks"}}},
		{Kind: careplans.Added, Item: "Goal", Label: "Keep my flat", Under: "Housing: Behind on rent",
			Fields: []careplans.FieldChange{{Name: "In the patient's words", To: "Keep my flat"}, {Name: "Target", To: "Measurable"},
				{Name: "Target date", To: inAMonth}, {Name: "Priority", To: "High"}, {Name: "Status", To: "Proposed"}}},
	}
	if diff := cmp.Diff(wantChanges, got); diff != "" {
		t.Errorf("diff from the approved version (-want +got):\n%s", diff)
	}
}

func TestDiff_RemovedAndReordered(t *testing.T) {
	t.Parallel()
	i1 := careplans.SnapshotIntervention{ID: "i1", Action: "Call", Status: "planned"}
	i2 := careplans.SnapshotIntervention{ID: "i2", Action: "Visit", Status: "planned"}
	old := careplans.Snapshot{Title: "P", Needs: []careplans.SnapshotNeed{
		{ID: "n1", Label: "Food", Goals: []careplans.SnapshotGoal{{ID: "g1", PatientWords: "Eat", Interventions: []careplans.SnapshotIntervention{i1, i2}}}},
		{ID: "n2", Label: "Housing"},
	}}
	new := careplans.Snapshot{Title: "P", Needs: []careplans.SnapshotNeed{
		{ID: "n1", Label: "Food", Goals: []careplans.SnapshotGoal{{ID: "g1", PatientWords: "Eat", Interventions: []careplans.SnapshotIntervention{i2}}}},
	}}
	got := careplans.Diff(old, new)
	want := []careplans.Change{
		{Kind: careplans.Removed, Item: "Intervention", Label: "Call", Under: "Eat"},
		{Kind: careplans.Removed, Item: "Need", Label: "Housing"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	new.Needs[0].Goals[0].Interventions = []careplans.SnapshotIntervention{i2, i1}
	got = careplans.Diff(old, new)
	if len(got) != 2 || got[0].Fields[0].Name != "Order of interventions" {
		t.Errorf("reordered interventions: %+v", got)
	}
}

func TestPlan_ApprovalListsCoordinatorInterventions(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.complete()
	due := f.submitAndApprove()
	if len(due) != 2 {
		t.Fatalf("due interventions: %+v", due)
	}
	for _, d := range due {
		if d.AssigneeID != f.coord || !d.Open || d.PatientID != f.patient || d.DueDate.Format("2006-01-02") != inAMonth {
			t.Errorf("due intervention %+v", d)
		}
	}
}

func TestPlan_RemovingADraftNeedFreesIt(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddGoal(ctx, tx, f.ref, f.coord, p.Needs[1].ID, goalForm("Keep my flat", p.Version), nil)
		return err
	})
	p = f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.RemoveNeed(ctx, tx, f.ref, f.coord, p.Needs[1].ID, p.Version)
	})
	if p = f.load(); len(p.Needs) != 1 {
		t.Fatalf("needs after removal: %d", len(p.Needs))
	}
	var status string
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select status from needs where id = $1", f.housing).Scan(&status)
	})
	if status != "identified" {
		t.Errorf("removed need's status: %s, want identified", status)
	}
}

func TestPlan_MoveSwapsWithNeighbour(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Move(ctx, tx, f.ref, f.coord, "need", p.Needs[1].ID, true, p.Version)
	})
	p = f.load()
	if p.Needs[0].Domain != assessments.NeedHousing {
		t.Errorf("first need after moving housing up: %s", p.Needs[0].Domain)
	}
	err := f.do(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.Move(ctx, tx, f.ref, f.coord, "need", "00000000-0000-0000-0000-000000000000", true, p.Version)
	})
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("move an unknown item: %v", err)
	}
}

func TestPlan_OtherPatientOrTenantFindsNothing(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	wrong := []careplans.Ref{
		{TenantID: f.tenant, PatientID: f.otherPatient, PlanID: f.ref.PlanID},
		{TenantID: f.other, PatientID: f.patient, PlanID: f.ref.PlanID},
	}
	for _, ref := range wrong {
		err := db.InTenant(context.Background(), f.d.Pool, ref.TenantID, func(tx pgx.Tx) error {
			_, err := careplans.Load(context.Background(), tx, ref)
			return err
		})
		if !errors.Is(err, db.ErrNotFound) {
			t.Errorf("load through %+v: %v, want not found", ref, err)
		}
	}
}

func TestForms_ValidationMessages(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	g := careplans.ParseGoal(url.Values{"target_date": {"2026-11-01"}, "priority": {"urgent"}})
	if g.Validate(today, careplans.Goal{}) {
		t.Fatal("empty goal validated")
	}
	for _, field := range []string{"patient_words", "target", "target_date", "priority"} {
		if g.Errors[field] == "" {
			t.Errorf("goal: no message for %s", field)
		}
	}
	old := careplans.Goal{ID: "g", TargetDate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	g = careplans.ParseGoal(url.Values{"patient_words": {"x"}, "target": {"y"}, "target_date": {"2026-11-01"}, "priority": {"low"}})
	if !g.Validate(today, old) {
		t.Errorf("an unchanged past target date should be kept: %v", g.Errors)
	}
	i := careplans.ParseIntervention(url.Values{"action": {"Call"}, "responsible": {"coordinator:u1"}})
	if i.Validate(today, careplans.Intervention{}, map[string]bool{"coordinator:u1": true}) || i.Errors["due_date"] == "" {
		t.Errorf("a coordinator's intervention needs a due date: %v", i.Errors)
	}
	i = careplans.ParseIntervention(url.Values{"action": {"Call"}, "responsible": {"coordinator:someone-else"}})
	if i.Validate(today, careplans.Intervention{}, map[string]bool{"coordinator:u1": true}) || i.Errors["responsible"] == "" {
		t.Errorf("an unknown responsible person must be refused: %v", i.Errors)
	}
}

func TestProgress_OpenGoalsNotesReviewsAndInterventionTasks(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.complete()
	p := f.load()
	goal := p.Needs[0].Goals[0]
	var choices []careplans.GoalChoice
	f.must(func(ctx context.Context, tx pgx.Tx) (err error) {
		choices, err = careplans.OpenGoals(ctx, tx, f.tenant, f.patient)
		return err
	})
	if len(choices) != 2 || choices[0].ID != goal.ID {
		t.Errorf("open goals: %+v", choices)
	}
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddProgressNote(ctx, tx, f.tenant, f.patient, goal.ID, f.coord, "  Went to the pantry  ")
		return err
	})
	err := f.do(func(ctx context.Context, tx pgx.Tx) error {
		_, err := careplans.AddProgressNote(ctx, tx, f.tenant, f.otherPatient, goal.ID, f.coord, "wrong patient")
		return err
	})
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("note through another patient: %v", err)
	}
	if notes := f.load().Needs[0].Goals[0].Notes; len(notes) != 1 || notes[0].Note != "Went to the pantry" {
		t.Errorf("notes: %+v", notes)
	}

	f.submitAndApprove()
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update patients set assigned_coordinator_id = $1 where id = $2", f.coord, f.patient)
		return err
	})
	var due []careplans.PlanReview
	f.must(func(ctx context.Context, tx pgx.Tx) (err error) {
		due, err = careplans.DueForReview(ctx, tx, f.tenant, f.coord, time.Now().AddDate(0, 2, 0))
		return err
	})
	if len(due) != 1 || due[0].PlanID != f.ref.PlanID {
		t.Errorf("plans due for review within two months: %+v", due)
	}

	in := f.load().Needs[0].Goals[0].Interventions[0]
	f.must(func(ctx context.Context, tx pgx.Tx) error {
		return careplans.InterventionTaskDone(ctx, tx, f.tenant, in.ID)
	})
	if got := f.load().Needs[0].Goals[0].Interventions[0].Status; got != careplans.InterventionDone {
		t.Errorf("intervention after its task was done: %s", got)
	}
}
