package assessments_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/calendar"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// count is a count(*) query's answer in the fixture's first tenant.
func (f storeFixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.in(f.tenant, func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

func TestComplete_WritesTheTimelineLineAndAuditEventAtTheActorsMoment(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	at := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	a := tenants.Actor{TenantID: f.tenant, At: at}
	id, err := f.svc.Start(context.Background(), a, f.patient, assessments.StartForm{Instrument: "PHQ-9", Method: "in_person"})
	if err != nil {
		t.Fatal(err)
	}
	a.At = at.Add(12 * time.Minute)
	done, err := f.svc.Complete(context.Background(), a, f.patient, id, form(1, phq9(2, 2, 2, 2, 2, 2, 1, 1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if done.Total != 14 || done.SafetyTaskID != "" {
		t.Errorf("completion = total %d, safety task %q; want 14 and none", done.Total, done.SafetyTaskID)
	}
	got := f.get(id)
	if !got.StartedAt.Equal(at) || got.CompletedAt == nil || !got.CompletedAt.Equal(a.At) {
		t.Errorf("started %v, completed %v; want %v and %v", got.StartedAt, got.CompletedAt, at, a.At)
	}
	if n := f.count("select count(*) from patient_events where patient_id = $1 and summary = 'PHQ-9 completed: 14, moderate' and at = $2", f.patient, a.At); n != 1 {
		t.Errorf("%d timeline lines of the result at the completion's moment, want 1", n)
	}
	for _, action := range []string{"assessment.started", "assessment.completed"} {
		if n := f.count("select count(*) from audit_events where patient_id = $1 and action = $2 and entity_id = $3", f.patient, action, id); n != 1 {
			t.Errorf("%d %s audit events, want 1", n, action)
		}
	}
	if n := f.count("select count(*) from tasks where patient_id = $1", f.patient); n != 0 {
		t.Errorf("%d tasks without a safety alert", n)
	}
}

func TestComplete_SafetyAlertOpensOneUrgentTaskDueTheSameDay(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	a := f.actor()
	done, err := f.svc.Complete(context.Background(), a, f.patient, id, form(1, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if done.SafetyTaskID == "" {
		t.Fatal("no safety task opened")
	}
	var title, priority, source, asm string
	var due time.Time
	f.in(f.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `select title, priority, source, source_assessment_id::text, due_at from tasks where id = $1`,
			done.SafetyTaskID).Scan(&title, &priority, &source, &asm, &due)
	})
	if title != "Safety follow-up after PHQ-9" || priority != "urgent" || source != "safety_alert" || asm != id || !due.Equal(calendar.EndOfDay(a.At)) {
		t.Errorf("task %q %s %s for %s due %v", title, priority, source, asm, due)
	}
	if n := f.count("select count(*) from audit_events where action = 'task.created' and entity_id = $1", done.SafetyTaskID); n != 1 {
		t.Errorf("%d task.created audit events, want 1", n)
	}
	if n := f.count("select count(*) from patient_events where patient_id = $1 and summary = 'Urgent task: safety follow-up after PHQ-9'", f.patient); n != 1 {
		t.Errorf("%d timeline lines of the task, want 1", n)
	}
}

func TestStart_NamesTheMissingChoicesAndStoresNothing(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	_, err := f.svc.Start(context.Background(), f.actor(), f.patient, assessments.StartForm{Instrument: "PHQ-2", Method: ""})
	want := map[string]string{"instrument": "Choose the assessment to give.", "method": "Choose how the assessment is given."}
	if diff := cmp.Diff(want, fail.Fields(err)); fail.KindOf(err) != fail.KindInvalid || diff != "" {
		t.Errorf("start: %v (-want +got):\n%s", err, diff)
	}
	if n := f.count("select count(*) from assessments"); n != 0 {
		t.Errorf("%d assessments stored", n)
	}
}

func TestCorrections_NeedAReasonBesideTheirOwnFieldAndACompletedAssessment(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	ctx := context.Background()
	open := f.start("GAD-7")
	_, err := f.svc.Amend(ctx, f.actor(), f.patient, open, "")
	if msg := fail.Fields(err)["amend_reason"]; !errors.Is(err, assessments.ErrReasonRequired) || msg != "Say why, so that everyone reading the chart understands the change." {
		t.Errorf("amend without reason: %v, message %q", err, msg)
	}
	long := strings.Repeat("x", 2001)
	_, err = f.svc.MarkEnteredInError(ctx, f.actor(), f.patient, open, long)
	if msg := fail.Fields(err)["error_reason"]; !errors.Is(err, assessments.ErrReasonTooLong) || msg != "Keep the reason under 2,000 characters." {
		t.Errorf("mark with a long reason: %v, message %q", err, msg)
	}
	if _, err := f.svc.Amend(ctx, f.actor(), f.patient, open, "Wrong answers"); !errors.Is(err, assessments.ErrNotCompleted) || fail.KindOf(err) != fail.KindConflict {
		t.Errorf("amending one in progress: %v, want ErrNotCompleted, a conflict", err)
	}
	if n := f.count("select count(*) from patient_events where kind = 'assessment'"); n != 0 {
		t.Errorf("%d timeline lines after refused corrections", n)
	}
}
