package careplans_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// count is a count(*) query's answer in the fixture's first tenant.
func (f fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.in(f.tenant, func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

func TestDecideNeed_WritesTheTimelineLineAndAuditEventOfEachDecision(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc, ctx := careplans.NewService(f.d.Pool), context.Background()
	a := tenants.Actor{TenantID: f.tenant, At: time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)}
	food, err := svc.DecideNeed(ctx, a, f.patient, f.screen.ID, accept(assessments.NeedFood, "Runs out of food"))
	if err != nil {
		t.Fatal(err)
	}
	housing, err := svc.DecideNeed(ctx, a, f.patient, f.screen.ID, careplans.Decision{Domain: assessments.NeedHousing, Reason: "Housed by family"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, action, line string }{
		{food, "need.accepted", "Need identified: Food insecurity (from AHC-HRSN)"},
		{housing, "need.declined", "Proposed need declined: Housing (from AHC-HRSN)"},
	} {
		if n := f.count("select count(*) from audit_events where action = $1 and entity_id = $2 and patient_id = $3", c.action, c.id, f.patient); n != 1 {
			t.Errorf("%d %s audit events, want 1", n, c.action)
		}
		if n := f.count("select count(*) from patient_events where summary = $1 and at = $2", c.line, a.At); n != 1 {
			t.Errorf("%d timeline lines %q at the decision's moment, want 1", n, c.line)
		}
	}
	if n := f.count("select count(*) from needs where created_at = $1", a.At); n != 2 {
		t.Errorf("%d needs stored at the decision's moment, want 2", n)
	}
}

func TestDecideNeed_RefusalsSayWhyAndChangeNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc, ctx := careplans.NewService(f.d.Pool), context.Background()
	a := tenants.Actor{TenantID: f.tenant, At: time.Now()}
	_, err := svc.DecideNeed(ctx, a, f.patient, f.screen.ID, careplans.Decision{Accept: true, Domain: assessments.NeedFood})
	if fail.KindOf(err) != fail.KindInvalid || fail.Fields(err)["description"] != "Describe the need in a few words." {
		t.Errorf("accept without a description: %v", err)
	}
	if _, err := svc.DecideNeed(ctx, a, f.patient, f.screen.ID, accept(assessments.NeedFood, "Food")); err != nil {
		t.Fatal(err)
	}
	_, err = svc.DecideNeed(ctx, a, f.patient, f.screen.ID, accept(assessments.NeedFood, "Food again"))
	if e, _ := fail.As(err); !errors.Is(err, careplans.ErrAlreadyDecided) ||
		e.Message != "Food insecurity was already accepted or declined from this result, so nothing changed." {
		t.Errorf("second accept: %v", err)
	}
	if _, err := svc.DecideNeed(ctx, a, f.otherPatient, f.screen.ID, accept(assessments.NeedHousing, "Rent")); fail.KindOf(err) != fail.KindNotFound {
		t.Errorf("through another patient: %v, want not found", err)
	}
	if n := f.count("select count(*) from needs"); n != 1 {
		t.Errorf("%d needs, want 1", n)
	}
}

func TestAssessmentPage_ShowsOpenProposalsAndAuditsTheViewOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc, ctx := careplans.NewService(f.d.Pool), context.Background()
	a := tenants.Actor{TenantID: f.tenant, At: time.Now()}
	if _, err := f.decide(accept(assessments.NeedFood, "Food")); err != nil {
		t.Fatal(err)
	}
	p, err := svc.AssessmentPage(ctx, a, f.patient, f.screen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Proposals) != 1 || p.Proposals[0].Need != assessments.NeedHousing || p.PatientName != "Ada Quist" || p.Instrument.Code != "AHC-HRSN" {
		t.Errorf("page: proposals %v, patient %q, instrument %q", p.Proposals, p.PatientName, p.Instrument.Code)
	}
	if _, err := svc.AssessmentPageAgain(ctx, a, f.patient, f.screen.ID); err != nil {
		t.Fatal(err)
	}
	if n := f.count("select count(*) from audit_events where action = 'assessment.viewed' and entity_id = $1", f.screen.ID); n != 1 {
		t.Errorf("%d assessment.viewed audit events, want 1", n)
	}
}
