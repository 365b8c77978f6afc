package careplans_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// planFixture is a patient with two accepted needs (food, housing), a
// coordinator and two supervisors, and a draft plan addressing both needs,
// with the care plans' use cases.
type planFixture struct {
	fixture
	plans                *careplans.Service
	coord, super, super2 string
	food, housing        string
	ref                  careplans.Ref
}

func newPlanFixture(t *testing.T) planFixture {
	t.Helper()
	f := planFixture{fixture: newFixture(t)}
	f.plans = careplans.NewService(f.d.Pool)
	f.coord, f.super, f.super2 = f.user("coord@x.test", auth.Coordinator), f.user("super@x.test", auth.Supervisor), f.user("super2@x.test", auth.Supervisor)
	var err error
	f.food, err = f.decide(careplans.Decision{Accept: true, Domain: assessments.NeedFood, Description: "Runs out of food", Priority: careplans.High})
	if err != nil {
		t.Fatal(err)
	}
	f.housing, err = f.decide(careplans.Decision{Accept: true, Domain: assessments.NeedHousing, Description: "Behind on rent", Priority: careplans.Medium})
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.plans.Start(context.Background(), f.as(f.coord), f.patient, careplans.StartForm{Title: "Ada's plan", NeedIDs: []string{f.food, f.housing}})
	if err != nil {
		t.Fatal(err)
	}
	f.ref = careplans.Ref{TenantID: f.tenant, PatientID: f.patient, PlanID: id}
	return f
}

// user is a member of the fixture's tenant with role.
func (f planFixture) user(email string, role auth.Role) string {
	f.t.Helper()
	ctx := context.Background()
	var id string
	if err := f.d.Pool.QueryRow(ctx,
		"insert into users (email, name, password_hash) values ($1, $1, 'x') returning id", email).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	if err := tenants.AddMember(ctx, f.d.Pool, f.tenant, id, role); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// as is the user acting in the fixture's tenant now, in the role the
// fixture gave them.
func (f planFixture) as(user string) tenants.Actor {
	role := auth.Coordinator
	if user == f.super || user == f.super2 {
		role = auth.Supervisor
	}
	return tenants.Actor{TenantID: f.tenant, UserID: user, Role: role, At: time.Now()}
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

// must fails the test on a use case's error.
func (f planFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

var inAMonth = time.Now().AddDate(0, 1, 0).Format("2006-01-02")

func goalForm(words string, version int) careplans.GoalForm {
	return careplans.GoalForm{PatientWords: words, Target: "Measurable", TargetDate: inAMonth, Priority: "high", Version: version}
}

// addGoal adds a goal to the plan's need as user.
func (f planFixture) addGoal(user, planNeedID string, g careplans.GoalForm) error {
	_, err := f.plans.AddGoal(context.Background(), f.as(user), f.patient, f.ref.PlanID, planNeedID, g, nil)
	return err
}

// complete fills the draft so that it may be submitted: a goal with an
// intervention for the coordinator under each need, and a review date.
func (f planFixture) complete() careplans.Plan {
	f.t.Helper()
	ctx := context.Background()
	p := f.load()
	for _, n := range p.Needs {
		f.must(f.addGoal(f.coord, n.ID, goalForm("Goal for "+string(n.Domain), p.Version)))
		p = f.load()
	}
	for _, n := range p.Needs {
		i := careplans.InterventionForm{Action: "Call about " + string(n.Domain), Responsible: "coordinator:" + f.coord,
			DueDate: inAMonth, Version: p.Version}
		f.must(f.plans.AddIntervention(ctx, f.as(f.coord), f.patient, f.ref.PlanID, n.Goals[0].ID, i))
		p = f.load()
	}
	d := careplans.DetailsFormOf(p)
	d.ReviewDue, d.PatientAgreed, d.Participants = inAMonth, "yes", "Ada; her daughter"
	f.must(f.plans.UpdateDetails(ctx, f.as(f.coord), f.patient, f.ref.PlanID, d))
	return f.load()
}

func (f planFixture) submitAndApprove() {
	f.t.Helper()
	ctx := context.Background()
	p := f.load()
	f.must(f.plans.Submit(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Version))
	f.must(f.plans.Approve(ctx, f.as(f.super), f.patient, f.ref.PlanID, p.Version+1))
}

// interventionTasks are the patient's tasks raised by plan interventions,
// in any status.
func (f planFixture) interventionTasks() []tasks.Task {
	f.t.Helper()
	var out []tasks.Task
	f.in(f.tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(context.Background(), `select id from tasks where patient_id = $1 and source = 'intervention' order by due_at, id`, f.patient)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, id := range ids {
			t, err := tasks.Get(context.Background(), tx, f.tenant, f.patient, id)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return err
	})
	return out
}

func TestPlan_CreatedFromNeedsMarksThemAddressed(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	if p.Status != careplans.PlanDraft || p.Stage != careplans.Editing || len(p.Needs) != 2 {
		t.Fatalf("new plan: status %s stage %s needs %d", p.Status, p.Stage, len(p.Needs))
	}
	var statuses []string
	for _, n := range f.needs(f.tenant, f.patient) {
		statuses = append(statuses, string(n.Status))
	}
	if diff := cmp.Diff([]string{"addressing", "addressing"}, statuses); diff != "" {
		t.Errorf("need statuses (-want +got):\n%s", diff)
	}
	_, err := f.plans.Start(context.Background(), f.as(f.coord), f.patient, careplans.StartForm{Title: "Second"})
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
	err := f.plans.Submit(context.Background(), f.as(f.coord), f.patient, f.ref.PlanID, f.load().Version)
	if e, ok := fail.As(err); !errors.Is(err, careplans.ErrIncomplete) || !ok || e.Kind != fail.KindInvalid ||
		e.Message != "The plan can't be submitted yet: see what is missing below." {
		t.Errorf("submitting an empty plan: %v, want ErrIncomplete", err)
	}
	if got := careplans.SubmitProblems(f.complete()); len(got) != 0 {
		t.Errorf("problems of a complete plan: %q", got)
	}
}

func TestPlan_LifecycleRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFixture(t)
	p := f.complete()

	// A draft can't be approved, returned or revised before it is submitted.
	for name, step := range map[string]func() error{
		"approve": func() error { return f.plans.Approve(ctx, f.as(f.super), f.patient, f.ref.PlanID, p.Version) },
		"return": func() error {
			return f.plans.Return(ctx, f.as(f.super), f.patient, f.ref.PlanID, careplans.ReasonForm{Text: "x", Version: p.Version})
		},
		"revise":   func() error { return f.plans.Revise(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Version) },
		"complete": func() error { return closePlan(f, true, p.Version) },
	} {
		if err := step(); !errors.Is(err, careplans.ErrWrongState) {
			t.Errorf("%s a draft: got %v, want ErrWrongState", name, err)
		}
	}

	f.must(f.plans.Submit(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Version))
	p = f.load()
	// Submitted: the working copy is locked, and its submitter can't approve it.
	if err := f.addGoal(f.coord, p.Needs[0].ID, goalForm("Late goal", p.Version)); !errors.Is(err, careplans.ErrNotEditable) {
		t.Errorf("edit a submitted plan: got %v, want ErrNotEditable", err)
	}
	submitter := f.as(f.coord)
	submitter.Role = auth.Supervisor // a supervisor who wrote the plan
	if err := f.plans.Approve(ctx, submitter, f.patient, f.ref.PlanID, p.Version); !errors.Is(err, careplans.ErrOwnSubmission) {
		t.Errorf("approve own submission: got %v, want ErrOwnSubmission", err)
	}

	// Returned with a comment, fixed, resubmitted and approved.
	f.must(f.plans.Return(ctx, f.as(f.super), f.patient, f.ref.PlanID, careplans.ReasonForm{Text: "Add the daughter's number", Version: p.Version}))
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
	f.must(f.plans.Revise(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Version))
	p = f.load()
	if err := f.plans.RemoveGoal(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Needs[0].Goals[0].ID, p.Version); !errors.Is(err, careplans.ErrInForce) {
		t.Errorf("remove an approved goal: got %v, want ErrInForce", err)
	}

	// Completing keeps the plan readable and frees the patient for a new one.
	f.must(closePlan(f, true, p.Version))
	if p = f.load(); p.Status != careplans.PlanCompleted || p.Needs[0].Goals[0].Status != careplans.GoalCancelled {
		t.Errorf("completed plan: status %s, first goal %s", p.Status, p.Needs[0].Goals[0].Status)
	}
	_, err := f.plans.Start(ctx, f.as(f.coord), f.patient, careplans.StartForm{Title: "Next plan"})
	f.must(err)
}

func closePlan(f planFixture, completed bool, version int) error {
	ctx, r := context.Background(), careplans.ReasonForm{Text: "Discharged", Version: version}
	if completed {
		return f.plans.Complete(ctx, f.as(f.coord), f.patient, f.ref.PlanID, r)
	}
	return f.plans.Cancel(ctx, f.as(f.coord), f.patient, f.ref.PlanID, r)
}

func TestPlan_StaleVersionConflicts(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	n := p.Needs[0].ID
	f.must(f.addGoal(f.coord, n, goalForm("First editor", p.Version)))
	err := f.addGoal(f.super, n, goalForm("Second editor", p.Version))
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("second save with the same version: got %v, want db.ErrConflict", err)
	}
	if e, _ := fail.As(err); !strings.HasPrefix(e.Message, "Someone else saved a change to this plan while you were working on it.") {
		t.Errorf("conflict message: %q", e.Message)
	}
	if goals := f.load().Needs[0].Goals; len(goals) != 1 || goals[0].PatientWords != "First editor" {
		t.Errorf("goals after the conflict: %+v", goals)
	}
}

func TestPlan_EveryChangeIsARevisionAndTheDiffReadsRight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFixture(t)
	f.complete()
	f.submitAndApprove()
	p := f.load()
	f.must(f.plans.Revise(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Version))
	p = f.load()
	g := careplans.GoalFormOf(p.Needs[0].Goals[0], p.Version)
	g.Target = "Food every day for six weeks"
	f.must(f.plans.UpdateGoal(ctx, f.as(f.coord), f.patient, f.ref.PlanID, p.Needs[0].Goals[0].ID, g))
	p = f.load()
	f.must(f.addGoal(f.coord, p.Needs[1].ID, goalForm("Keep my flat", p.Version)))

	page, err := f.plans.HistoryPage(ctx, f.as(f.coord), f.patient, f.ref.PlanID, "approved", "current")
	f.must(err)
	var kinds []string
	for _, r := range page.Revisions {
		kinds = append(kinds, r.Kind)
	}
	want := []string{"edited", "edited", "revision_started", "approved", "submitted",
		"edited", "edited", "edited", "edited", "edited", "created"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("revision kinds, newest first (-want +got):\n%s", diff)
	}

	got := page.Compare.Changes
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
	if page.Compare.From.Name != "approved" || page.Compare.From.Number != 8 || page.Compare.To.Name != "current" {
		t.Errorf("compared versions: %+v", page.Compare)
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

func TestPlan_ApprovalRaisesTasksOfCoordinatorInterventions(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.complete()
	f.submitAndApprove()
	due := f.interventionTasks()
	if len(due) != 2 {
		t.Fatalf("tasks of the approved interventions: %+v", due)
	}
	for _, d := range due {
		if d.AssigneeID != f.coord || d.Status != tasks.Open || d.PatientID != f.patient || d.DueAt.Local().Format("2006-01-02") != inAMonth {
			t.Errorf("task of a due intervention %+v", d)
		}
	}
	// Completing the plan cancels them.
	f.must(closePlan(f, true, f.load().Version))
	for _, d := range f.interventionTasks() {
		if d.Status != tasks.Cancelled {
			t.Errorf("task after the plan was completed: %s", d.Status)
		}
	}
}

func TestPlan_StepsGoOnTheTimelineAndIntoTheAuditLog(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	f.complete()
	f.submitAndApprove()
	var timeline, audited []string
	f.in(f.tenant, func(tx pgx.Tx) error {
		ctx := context.Background()
		rows, _ := tx.Query(ctx, "select summary from patient_events where patient_id = $1 and kind = 'care_plan' order by at, id", f.patient)
		var err error
		if timeline, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, "select action from audit_events where patient_id = $1 and action like 'care_plan.%' order by at, id", f.patient)
		audited, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	want := []string{"Care plan started: Ada's plan", "Care plan submitted for approval: Ada's plan", "Care plan approved"}
	if diff := cmp.Diff(want, timeline); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	want = []string{"care_plan.created", "care_plan.goal_added", "care_plan.goal_added", "care_plan.intervention_added",
		"care_plan.intervention_added", "care_plan.details_changed", "care_plan.submitted", "care_plan.approved"}
	if diff := cmp.Diff(want, audited); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
}

func TestPlan_ReturnNeedsAReviewerAndAComment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFixture(t)
	f.complete()
	f.must(f.plans.Submit(ctx, f.as(f.coord), f.patient, f.ref.PlanID, f.load().Version))
	v := f.load().Version
	err := f.plans.Return(ctx, f.as(f.super), f.patient, f.ref.PlanID, careplans.ReasonForm{Text: "", Version: v})
	if fail.Fields(err)["text"] != "Say what should change, so the coordinator knows." {
		t.Errorf("return without a comment: %v", err)
	}
	err = f.plans.Return(ctx, f.as(f.coord), f.patient, f.ref.PlanID, careplans.ReasonForm{Text: "Looks odd", Version: v})
	if !errors.Is(err, careplans.ErrNotReviewer) {
		t.Errorf("a coordinator returns a plan: %v, want ErrNotReviewer", err)
	}
	if p := f.load(); p.Stage != careplans.Submitted || p.Version != v {
		t.Errorf("refused returns changed the plan: %s, version %d", p.Stage, p.Version)
	}
}

func TestPlan_FailuresSayWhatThePageShows(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  *fail.Error
		kind fail.Kind
		msg  string
	}{
		{careplans.ErrNotEditable, fail.KindPrecondition, "This plan can't be changed now: it was submitted for approval or closed meanwhile. Nothing was saved."},
		{careplans.ErrInForce, fail.KindPrecondition, "That is part of the plan's record (approved, or with progress notes), so it can't be removed. Change its status instead."},
		{careplans.ErrWrongState, fail.KindPrecondition, "That step doesn't apply to the plan as it is now; it was changed meanwhile. Nothing was saved."},
		{careplans.ErrOwnSubmission, fail.KindPrecondition, "You submitted this plan, so another supervisor must approve it."},
		{careplans.ErrOpenPlanExists, fail.KindPrecondition, "This patient already has an open care plan, so no new one was started."},
	} {
		if tt.err.Kind != tt.kind || tt.err.Message != tt.msg {
			t.Errorf("%v, want %v %q", tt.err, tt.kind, tt.msg)
		}
	}
}

func TestPlan_RemovingADraftNeedFreesIt(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	p := f.load()
	f.must(f.addGoal(f.coord, p.Needs[1].ID, goalForm("Keep my flat", p.Version)))
	p = f.load()
	f.must(f.plans.RemoveNeed(context.Background(), f.as(f.coord), f.patient, f.ref.PlanID, p.Needs[1].ID, p.Version))
	if p = f.load(); len(p.Needs) != 1 {
		t.Fatalf("needs after removal: %d", len(p.Needs))
	}
	var status string
	f.in(f.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select status from needs where id = $1", f.housing).Scan(&status)
	})
	if status != "identified" {
		t.Errorf("removed need's status: %s, want identified", status)
	}
}

func TestPlan_MoveSwapsWithNeighbour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFixture(t)
	p := f.load()
	f.must(f.plans.Move(ctx, f.as(f.coord), f.patient, f.ref.PlanID, careplans.MoveForm{Kind: "need", ID: p.Needs[1].ID, Direction: "up", Version: p.Version}))
	p = f.load()
	if p.Needs[0].Domain != assessments.NeedHousing {
		t.Errorf("first need after moving housing up: %s", p.Needs[0].Domain)
	}
	err := f.plans.Move(ctx, f.as(f.coord), f.patient, f.ref.PlanID,
		careplans.MoveForm{Kind: "need", ID: "00000000-0000-0000-0000-000000000000", Direction: "up", Version: p.Version})
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
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		choices, err = careplans.OpenGoals(context.Background(), tx, f.tenant, f.patient)
		return err
	})
	if len(choices) != 2 || choices[0].ID != goal.ID {
		t.Errorf("open goals: %+v", choices)
	}
	f.must(f.plans.NoteProgress(context.Background(), f.as(f.coord), f.patient, f.ref.PlanID, goal.ID, "  Went to the pantry  "))
	err := db.InTenant(context.Background(), f.d.Pool, f.tenant, func(tx pgx.Tx) error {
		_, err := careplans.AddProgressNote(context.Background(), tx, f.tenant, f.otherPatient, goal.ID, f.coord, "wrong patient")
		return err
	})
	if !errors.Is(err, db.ErrNotFound) {
		t.Errorf("note through another patient: %v", err)
	}
	if notes := f.load().Needs[0].Goals[0].Notes; len(notes) != 1 || notes[0].Note != "Went to the pantry" {
		t.Errorf("notes: %+v", notes)
	}

	f.submitAndApprove()
	var due []careplans.PlanReview
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		ctx := context.Background()
		if _, err := tx.Exec(ctx, "update patients set assigned_coordinator_id = $1 where id = $2", f.coord, f.patient); err != nil {
			return err
		}
		due, err = careplans.DueForReview(ctx, tx, f.tenant, f.coord, time.Now().AddDate(0, 2, 0), 100)
		return err
	})
	if len(due) != 1 || due[0].PlanID != f.ref.PlanID {
		t.Errorf("plans due for review within two months: %+v", due)
	}

	in := f.load().Needs[0].Goals[0].Interventions[0]
	f.in(f.tenant, func(tx pgx.Tx) error {
		return careplans.InterventionTaskDone(context.Background(), tx, f.tenant, in.ID)
	})
	if got := f.load().Needs[0].Goals[0].Interventions[0].Status; got != careplans.InterventionDone {
		t.Errorf("intervention after its task was done: %s", got)
	}
}

func TestForPatient_LeavesClosedItemsAndClinicalWordingOff(t *testing.T) {
	t.Parallel()
	open := careplans.SnapshotIntervention{ID: "i1", Action: "Call", Status: careplans.InterventionPlanned}
	dropped := careplans.SnapshotIntervention{ID: "i2", Action: "Visit", Status: careplans.InterventionCancelled}
	plan := careplans.Snapshot{Title: "P", Needs: []careplans.SnapshotNeed{
		{ID: "n1", Label: "Mental health: PHQ-9 score 14", Goals: []careplans.SnapshotGoal{
			{ID: "g1", PatientWords: "Feel better", Status: careplans.GoalInProgress, Interventions: []careplans.SnapshotIntervention{open, dropped}},
			{ID: "g2", PatientWords: "Gone", Status: careplans.GoalCancelled},
		}},
		{ID: "n2", Label: "Housing: Behind on rent", Goals: []careplans.SnapshotGoal{{ID: "g3", Status: careplans.GoalCancelled}}},
	}}
	want := careplans.Snapshot{Title: "P", Needs: []careplans.SnapshotNeed{
		{ID: "n1", Label: "Mental health", Goals: []careplans.SnapshotGoal{
			{ID: "g1", PatientWords: "Feel better", Status: careplans.GoalInProgress, Interventions: []careplans.SnapshotIntervention{open}},
		}},
	}}
	if diff := cmp.Diff(want, careplans.ForPatient(plan)); diff != "" {
		t.Errorf("patient's copy (-want +got):\n%s", diff)
	}
	if len(plan.Needs) != 2 || len(plan.Needs[0].Goals[0].Interventions) != 2 {
		t.Error("the patient's copy changed the plan it was made from")
	}
}

func TestPlanPage_IsAViewForTheAuditAndShowsSupervisorsTheReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFixture(t)
	f.complete()
	f.must(f.plans.Submit(ctx, f.as(f.coord), f.patient, f.ref.PlanID, f.load().Version))
	views := func() int {
		var n int
		f.in(f.tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "select count(*) from audit_events where action = 'care_plan.viewed' and entity_id = $1", f.ref.PlanID).Scan(&n)
		})
		return n
	}
	coord, err := f.plans.PlanPage(ctx, f.as(f.coord), f.patient, f.ref.PlanID)
	f.must(err)
	if coord.Review != nil || coord.Patient.GivenName != "Ada" || len(coord.Plans) != 1 || len(coord.Responsible) != 5 {
		t.Errorf("coordinator's page: review %v, patient %q, %d plans, %d responsible", coord.Review, coord.Patient.GivenName, len(coord.Plans), len(coord.Responsible))
	}
	super, err := f.plans.PlanPage(ctx, f.as(f.super), f.patient, f.ref.PlanID)
	f.must(err)
	if super.Review == nil || super.Review.Since != nil || super.Review.Own || len(super.Review.Changes) == 0 {
		t.Errorf("supervisor's review of a first approval: %+v", super.Review)
	}
	if _, err := f.plans.PlanAgain(ctx, f.as(f.coord), f.patient, f.ref.PlanID); err != nil || views() != 2 {
		t.Errorf("views audited: %d (%v), want 2: showing a form again is not a new view", views(), err)
	}
	if _, err := f.plans.PlanPage(ctx, f.as(f.coord), f.otherPatient, f.ref.PlanID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("the plan through another patient: %v, want not found", err)
	}
}
