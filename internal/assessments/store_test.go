package assessments_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// storeFixture is two tenants, each with one patient, in a private
// database, and the assessments' use cases over it.
type storeFixture struct {
	t                     *testing.T
	d                     dbtest.DB
	svc                   *assessments.Service
	tenant, other         string
	patient, otherPatient string
}

func newStoreFixture(t *testing.T) storeFixture {
	t.Helper()
	f := storeFixture{t: t, d: dbtest.New(t, "")}
	f.svc = assessments.NewService(f.d.Pool)
	f.tenant, f.patient = f.tenantWithPatient("north")
	f.other, f.otherPatient = f.tenantWithPatient("river")
	return f
}

// actor is CareCoord acting in the fixture's first tenant now.
func (f storeFixture) actor() tenants.Actor {
	return tenants.Actor{TenantID: f.tenant, At: time.Now()}
}

// form is an assessment's posted form at version.
func form(version int, answers assessments.Answers) assessments.AnswersForm {
	return assessments.AnswersForm{Version: fmt.Sprint(version), Answers: answers}
}

func (f storeFixture) tenantWithPatient(slug string) (string, string) {
	f.t.Helper()
	var tenant, patient string
	if err := f.d.Pool.QueryRow(context.Background(), "insert into tenants (slug, name) values ($1, $1) returning id", slug).Scan(&tenant); err != nil {
		f.t.Fatal(err)
	}
	v := url.Values{"given_name": {"Ada"}, "family_name": {"Quist"}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		f.t.Fatalf("test patient: %v", errs)
	}
	f.in(tenant, func(tx pgx.Tx) (err error) {
		patient, err = patients.Create(context.Background(), tx, tenant, "", np)
		return err
	})
	return tenant, patient
}

func (f storeFixture) in(tenant string, fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f storeFixture) get(id string) assessments.Assessment {
	f.t.Helper()
	var a assessments.Assessment
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		a, err = assessments.Get(context.Background(), tx, f.tenant, f.patient, id)
		return err
	})
	return a
}

func (f storeFixture) start(code string) string {
	f.t.Helper()
	id, err := f.svc.Start(context.Background(), f.actor(), f.patient, assessments.StartForm{Instrument: code, Method: "phone"})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// phq9 answers q1…q9 with the given points and leaves out the optional
// difficulty question.
func phq9(points ...int) assessments.Answers {
	ids := []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}
	a := assessments.Answers{}
	for i, p := range points {
		a[fmt.Sprintf("q%d", i+1)] = []string{ids[p]}
	}
	return a
}

func (f storeFixture) complete(id string, answers assessments.Answers) {
	f.t.Helper()
	if _, err := f.svc.Complete(context.Background(), f.actor(), f.patient, id, form(f.get(id).RowVersion, answers)); err != nil {
		f.t.Fatal(err)
	}
}

func TestStore_CompletedAssessmentKeepsItsScoreAndCannotBeSavedAgain(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	ctx := context.Background()
	id := f.start("PHQ-9")
	if _, err := f.svc.SaveAnswers(ctx, f.actor(), f.patient, id, form(1, phq9(2, 2))); err != nil {
		t.Fatal(err)
	}
	if got := f.get(id); got.Status != assessments.InProgress || len(got.Answers) != 2 || got.Version != "1" {
		t.Fatalf("after save: %+v", got)
	}
	f.complete(id, phq9(2, 2, 2, 2, 2, 2, 1, 1, 0))
	got := f.get(id)
	if got.Status != assessments.Completed || got.Total == nil || *got.Total != 14 || got.Band != "Moderate" || got.CompletedAt == nil {
		t.Fatalf("completed: status %s total %v band %q", got.Status, got.Total, got.Band)
	}
	_, err := f.svc.SaveAnswers(ctx, f.actor(), f.patient, id, form(got.RowVersion, phq9(0)))
	if !errors.Is(err, assessments.ErrNotInProgress) {
		t.Fatalf("saving a completed assessment: %v, want ErrNotInProgress", err)
	}
	if after := f.get(id); *after.Total != 14 || len(after.Answers) != 9 {
		t.Fatalf("completed assessment changed: %+v", after)
	}
}

func TestStore_SaveFromAStaleVersionIsAConflict(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("GAD-7")
	if _, err := f.svc.SaveAnswers(context.Background(), f.actor(), f.patient, id, form(1, phq9(1))); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.SaveAnswers(context.Background(), f.actor(), f.patient, id, form(1, phq9(3)))
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("stale save: %v, want db.ErrConflict", err)
	}
	if got := f.get(id); got.Answers["q1"][0] != "several_days" {
		t.Fatalf("stale save changed the answers: %v", got.Answers)
	}
}

func TestStore_CompletingWithUnansweredQuestionsNamesThemAndStoresNothing(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	_, err := f.svc.Complete(context.Background(), f.actor(), f.patient, id, form(1, phq9(1, 1, 1, 1, 1, 1, 1, 1)))
	if missing := slices.Collect(maps.Keys(fail.Fields(err))); fail.KindOf(err) != fail.KindInvalid || !slices.Equal(missing, []string{"q9"}) {
		t.Fatalf("complete without q9: %v", err)
	}
	if got := f.get(id); got.Status != assessments.InProgress || got.Total != nil {
		t.Fatalf("incomplete answers were stored: %+v", got)
	}
}

func TestStore_AmendmentCopiesTheAnswersAndLeavesTheOriginalAlone(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	ctx := context.Background()
	id := f.start("PHQ-9")
	f.complete(id, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))
	_, err := f.svc.Amend(ctx, f.actor(), f.patient, id, "  ")
	if !errors.Is(err, assessments.ErrReasonRequired) {
		t.Fatalf("amend without reason: %v", err)
	}
	amendID, err := f.svc.Amend(ctx, f.actor(), f.patient, id, "Patient misheard question 3")
	if err != nil {
		t.Fatal(err)
	}
	amend, orig := f.get(amendID), f.get(id)
	if amend.Status != assessments.InProgress || amend.AmendsID != id || amend.AmendReason != "Patient misheard question 3" || len(amend.Answers) != 9 {
		t.Fatalf("amendment: %+v", amend)
	}
	if orig.Status != assessments.Completed || *orig.Total != 8 || orig.AmendedByID != amendID {
		t.Fatalf("original after amendment: %+v", orig)
	}
}

func TestStore_EnteredInErrorIsKeptWithItsReason(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	id := f.start("PHQ-9")
	f.complete(id, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
	if _, err := f.svc.MarkEnteredInError(context.Background(), f.actor(), f.patient, id, "Wrong patient"); err != nil {
		t.Fatal(err)
	}
	got := f.get(id)
	if got.Status != assessments.EnteredInError || got.ErrorReason != "Wrong patient" || *got.Total != 0 {
		t.Fatalf("entered in error: %+v", got)
	}
	_, err := f.svc.MarkEnteredInError(context.Background(), f.actor(), f.patient, id, "Again")
	if !errors.Is(err, assessments.ErrNotCompleted) {
		t.Fatalf("marking twice: %v", err)
	}
}

func TestStore_AnotherTenantCannotSeeOrChangeAnAssessment(t *testing.T) {
	t.Parallel()
	f := newStoreFixture(t)
	ctx := context.Background()
	id := f.start("PHQ-9")
	// Even naming the right tenant and patient in the query, row-level
	// security bound to the other tenant hides the row.
	err := db.InTenant(ctx, f.d.Pool, f.other, func(tx pgx.Tx) error {
		if _, err := assessments.Get(ctx, tx, f.tenant, f.patient, id); !errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("get: %v, want ErrNotFound", err)
		}
		if list, err := assessments.ListForPatient(ctx, tx, f.tenant, f.patient); err != nil || len(list) != 0 {
			return fmt.Errorf("list: %v %v", list, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	other := tenants.Actor{TenantID: f.other, At: time.Now()}
	if _, err := f.svc.SaveAnswers(ctx, other, f.otherPatient, id, form(1, phq9(3))); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("save: %v, want ErrNotFound", err)
	}
	if got := f.get(id); len(got.Answers) != 0 || got.RowVersion != 1 {
		t.Fatalf("other tenant changed the assessment: %+v", got)
	}
}
