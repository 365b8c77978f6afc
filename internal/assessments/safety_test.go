package assessments_test

import (
	"context"
	"testing"

	"carecoord/internal/assessments"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
)

// Hand-worked cases of the safety rule (issue 15): PHQ-9 item 9 answered
// above "Not at all" (Kroenke, Spitzer & Williams 2001, J Gen Intern Med
// 16:606–613: any positive item 9 warrants follow-up) and the AHC-HRSN
// interpersonal-safety questions 7–10 adding up to 11 or more (CMS, "The
// Accountable Health Communities Health-Related Social Needs Screening
// Tool", 2017; Billioux et al., NAM Perspectives 2017) raise the alert the
// moment the answer is saved.

// safetyTasks are the statuses of the patient's safety tasks, oldest first.
func (f storeFixture) safetyTasks() []string {
	f.t.Helper()
	var statuses []string
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		rows, _ := tx.Query(context.Background(), `select status from tasks
			 where patient_id = $1 and source = 'safety_alert' and priority = 'urgent' order by created_at, id`, f.patient)
		statuses, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return statuses
}

func (f storeFixture) save(id string, answers assessments.Answers) string {
	f.t.Helper()
	task, err := f.svc.SaveAnswers(context.Background(), f.actor(), f.patient, id, form(f.get(id).RowVersion, answers))
	if err != nil {
		f.t.Fatal(err)
	}
	return task
}

func (f storeFixture) wantTasks(step string, want ...string) {
	f.t.Helper()
	if diff := cmp.Diff(want, f.safetyTasks(), cmpopts.EquateEmpty()); diff != "" {
		f.t.Errorf("%s: safety tasks (-want +got):\n%s", step, diff)
	}
}

// itemNine is a PHQ-9 saved part way, with only item 9 answered.
func itemNine(option string) assessments.Answers { return assessments.Answers{"q9": {option}} }

func TestSafety_ItemNineOnADraftRaisesOneTaskAndCompletingKeepsIt(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	task := f.save(id, itemNine("nearly_every_day"))
	if task == "" {
		t.Fatal("saving item 9 = nearly every day opened no task")
	}
	f.wantTasks("after the save", "open")
	if a := f.get(id); !a.SafetyConcern() || a.Status != assessments.InProgress {
		t.Errorf("draft: safety concern %v, status %s; want true, in progress", a.SafetyConcern(), a.Status)
	}
	if again := f.save(id, itemNine("several_days")); again != task {
		t.Errorf("second save: task %q, want the first %q", again, task)
	}
	done, err := f.svc.Complete(context.Background(), f.actor(), f.patient, id, form(f.get(id).RowVersion, phq9(1, 1, 1, 1, 0, 0, 0, 0, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if done.SafetyTaskID != task {
		t.Errorf("completion: task %q, want the draft's %q", done.SafetyTaskID, task)
	}
	f.wantTasks("after completing", "open")
	if n := f.count("select count(*) from audit_events where action = 'task.created'"); n != 1 {
		t.Errorf("%d task.created events, want 1", n)
	}
}

func TestSafety_ItemNineNotAtAllRaisesNothing(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	if task := f.save(id, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)); task != "" {
		t.Errorf("item 9 = not at all opened task %q", task)
	}
	f.complete(id, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0))
	f.wantTasks("a total of 24 without item 9")
}

func TestSafety_AmendingItemNineToZeroWithdrawsTheTaskWithItsReason(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	ctx := context.Background()
	id := f.start("PHQ-9")
	f.complete(id, phq9(0, 0, 0, 0, 0, 0, 0, 0, 2))
	f.wantTasks("completed with item 9 = 2", "open")
	amendment, err := f.svc.Amend(ctx, f.actor(), f.patient, id, "Item 9 was recorded on the wrong line")
	if err != nil {
		t.Fatal(err)
	}
	f.wantTasks("amendment started", "open")
	f.save(amendment, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
	f.wantTasks("amendment saved, not completed: a draft never lowers an alert", "open")
	f.complete(amendment, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
	f.wantTasks("amendment completed with item 9 = 0", "cancelled")
	if n := f.count(`select count(*) from task_events where kind = 'cancelled' and note like 'The completed answers no longer show a safety concern%'`); n != 1 {
		t.Errorf("%d withdrawals with their reason in the task's history, want 1", n)
	}
	if n := f.count("select count(*) from patient_events where patient_id = $1 and summary like 'Urgent task withdrawn:%'", f.patient); n != 1 {
		t.Errorf("%d timeline lines of the withdrawal, want 1", n)
	}
	if n := f.count("select count(*) from audit_events where action = 'task.cancelled'"); n != 1 {
		t.Errorf("%d task.cancelled events, want 1", n)
	}
	// The correction itself found in error: the first answer stands again.
	if _, err := f.svc.MarkEnteredInError(ctx, f.actor(), f.patient, amendment, "Amended the wrong assessment"); err != nil {
		t.Fatal(err)
	}
	f.wantTasks("amendment entered in error", "open")
}

func TestSafety_EnteredInErrorWithdrawsTheTask(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	f.complete(id, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
	if _, err := f.svc.MarkEnteredInError(context.Background(), f.actor(), f.patient, id, "Given to the wrong patient"); err != nil {
		t.Fatal(err)
	}
	f.wantTasks("entered in error", "cancelled")
	if n := f.count(`select count(*) from task_events where kind = 'cancelled'
		and note = 'The assessment was marked entered in error: Given to the wrong patient.'`); n != 1 {
		t.Errorf("%d withdrawals naming the error, want 1", n)
	}
	if a := f.get(id); a.SafetyConcern() {
		t.Error("an assessment entered in error still reports a safety concern")
	}
}

func TestSafety_ADraftChangedBackLowersTheAlertOnlyWhenCompleted(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	f.save(id, itemNine("several_days"))
	f.save(id, itemNine("not_at_all"))
	f.wantTasks("saved again without item 9", "open")
	f.complete(id, phq9(1, 0, 0, 0, 0, 0, 0, 0, 0))
	f.wantTasks("completed without item 9", "cancelled")
}

func TestSafety_AHCSafetyTotalOfElevenOnADraftRaisesTheAlertAndTenDoesNot(t *testing.T) {
	t.Parallel()
	// Points: never 1, rarely 2, sometimes 3, fairly often 4, frequently 5.
	tests := []struct {
		name    string
		answers assessments.Answers
		want    []string
	}{
		{"10: sometimes, sometimes, rarely, rarely", assessments.Answers{"q7": {"sometimes"}, "q8": {"sometimes"}, "q9": {"rarely"}, "q10": {"rarely"}}, nil},
		{"11: sometimes, sometimes, sometimes, rarely", assessments.Answers{"q7": {"sometimes"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"rarely"}}, []string{"open"}},
		{"15: frequently to q7 and q8, q9 and q10 not yet asked", assessments.Answers{"q7": {"frequently"}, "q8": {"frequently"}, "q9": {"frequently"}}, []string{"open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newStoreFixture(t)
			f.save(f.start("AHC-HRSN"), tt.answers)
			f.wantTasks(tt.name, tt.want...)
		})
	}
}

func TestStoredAHC_CountsLivingSituationOnceAndKeepsItsSafetyTotal(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("AHC-HRSN")
	f.complete(id, assessments.Answers{"q1": {"worried"}, "q2": {"mold", "heat"}, "q3": {"never"}, "q4": {"sometimes"}, "q5": {"no"}, "q6": {"no"},
		"q7": {"never"}, "q8": {"sometimes"}, "q9": {"sometimes"}, "q10": {"sometimes"}, "q11": {"very_hard"}})
	a := f.get(id)
	want := []string{"Living situation", "Food insecurity", "Financial strain"}
	if diff := cmp.Diff(want, a.CountedDomains()); diff != "" || len(a.PositiveDomains) != 4 {
		t.Errorf("%d positive screens, counted (-want +got):\n%s", len(a.PositiveDomains), diff)
	}
	if total, threshold, ok := a.SafetyTotal(); total != 10 || threshold != 10 || !ok || a.SafetyConcern() {
		t.Errorf("safety total %d above %d (%v), concern %v; want 10, not positive", total, threshold, ok, a.SafetyConcern())
	}
	f.wantTasks("safety total 10")
}
