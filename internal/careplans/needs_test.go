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
	"carecoord/internal/db/dbtest"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is two tenants in a private database; the first has a patient
// with a completed AHC screen positive for food and housing.
type fixture struct {
	t                     *testing.T
	d                     dbtest.DB
	tenant, other         string
	patient, otherPatient string
	screen                assessments.Assessment
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{t: t, d: dbtest.New(t, "")}
	f.tenant, f.patient = f.tenantWithPatient("north")
	f.other, f.otherPatient = f.tenantWithPatient("river")
	answers := assessments.Answers{"q1": {"worried"}, "q2": {"none"}, "q3": {"often"}, "q4": {"never"},
		"q5": {"no"}, "q6": {"no"}, "q7": {"never"}, "q8": {"never"}, "q9": {"never"}, "q10": {"never"}}
	ctx, screens := context.Background(), assessments.NewService(f.d.Pool)
	a := tenants.Actor{TenantID: f.tenant, At: time.Now()}
	id, err := screens.Start(ctx, a, f.patient, assessments.StartForm{Instrument: "AHC-HRSN", Method: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := screens.Complete(ctx, a, f.patient, id, assessments.AnswersForm{Version: "1", Answers: answers}); err != nil {
		t.Fatal(err)
	}
	f.in(f.tenant, func(tx pgx.Tx) (err error) {
		f.screen, err = assessments.Get(ctx, tx, f.tenant, f.patient, id)
		return err
	})
	return f
}

func (f fixture) tenantWithPatient(slug string) (string, string) {
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

func (f fixture) in(tenant string, fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f fixture) decide(d careplans.Decision) (string, error) {
	var id string
	err := db.InTenant(context.Background(), f.d.Pool, f.tenant, func(tx pgx.Tx) (err error) {
		id, err = careplans.Decide(context.Background(), tx, f.tenant, "", f.screen, d)
		return err
	})
	return id, err
}

func (f fixture) proposals() []assessments.Need {
	f.t.Helper()
	var out []assessments.Need
	f.in(f.tenant, func(tx pgx.Tx) error {
		ps, err := careplans.ProposalsFor(context.Background(), tx, f.tenant, f.screen)
		for _, p := range ps {
			out = append(out, p.Need)
		}
		return err
	})
	return out
}

func (f fixture) needs(tenant, patient string) []careplans.Need {
	f.t.Helper()
	var out []careplans.Need
	f.in(tenant, func(tx pgx.Tx) (err error) {
		out, err = careplans.ListForPatient(context.Background(), tx, tenant, patient)
		return err
	})
	return out
}

func accept(n assessments.Need, description string) careplans.Decision {
	return careplans.Decision{Accept: true, Domain: n, Description: description, Priority: careplans.High}
}

func TestDecide_AcceptedProposalBecomesAnIdentifiedNeedAndIsNoLongerProposed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if got := f.proposals(); len(got) != 2 || got[0] != assessments.NeedHousing || got[1] != assessments.NeedFood {
		t.Fatalf("proposals before = %v, want housing and food", got)
	}
	if _, err := f.decide(accept(assessments.NeedFood, "Runs out of food at month end")); err != nil {
		t.Fatal(err)
	}
	if got := f.proposals(); len(got) != 1 || got[0] != assessments.NeedHousing {
		t.Errorf("proposals after = %v, want housing only", got)
	}
	ns := f.needs(f.tenant, f.patient)
	if len(ns) != 1 {
		t.Fatalf("needs = %+v, want one", ns)
	}
	n := ns[0]
	if n.Domain != assessments.NeedFood || n.Status != careplans.Identified || n.Priority != careplans.High ||
		n.Description != "Runs out of food at month end" || n.SourceCode != "AHC-HRSN" || n.SourceAssessmentID != f.screen.ID {
		t.Errorf("need = %+v", n)
	}
}

func TestDecide_SameProposalCannotBeAcceptedTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.decide(accept(assessments.NeedFood, "Food")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.decide(accept(assessments.NeedFood, "Food again")); !errors.Is(err, careplans.ErrAlreadyDecided) {
		t.Errorf("second accept: err = %v, want ErrAlreadyDecided", err)
	}
	if got := len(f.needs(f.tenant, f.patient)); got != 1 {
		t.Errorf("%d needs stored, want 1", got)
	}
}

func TestDecide_TableRefusesADuplicateDecisionEvenWithoutTheCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.decide(accept(assessments.NeedFood, "Food")); err != nil {
		t.Fatal(err)
	}
	err := db.InTenant(context.Background(), f.d.Pool, f.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `insert into needs (tenant_id, patient_id, domain, source_assessment_id)
			values ($1, $2, 'food', $3)`, f.tenant, f.patient, f.screen.ID)
		return err
	})
	if !db.IsUniqueViolation(err, "needs_source_domain_key") {
		t.Errorf("direct duplicate insert: err = %v, want unique violation", err)
	}
}

func TestDecide_DeclinedProposalIsKeptWithItsReasonAndNotProposedAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := careplans.Decision{Domain: assessments.NeedHousing, Reason: "Already housed by family since the screen"}
	if _, err := f.decide(d); err != nil {
		t.Fatal(err)
	}
	if got := f.proposals(); len(got) != 1 || got[0] != assessments.NeedFood {
		t.Errorf("proposals after decline = %v, want food only", got)
	}
	ns := f.needs(f.tenant, f.patient)
	if len(ns) != 1 || ns[0].Status != careplans.Declined || ns[0].DeclineReason != d.Reason || ns[0].Description == "" {
		t.Errorf("needs = %+v, want one declined with the reason and the proposal's description", ns)
	}
}

func TestDecide_NeedTheResultDoesNotProposeIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.decide(accept(assessments.NeedTransportation, "Bus fare")); !errors.Is(err, careplans.ErrNotProposed) {
		t.Errorf("err = %v, want ErrNotProposed", err)
	}
	if got := len(f.needs(f.tenant, f.patient)); got != 0 {
		t.Errorf("%d needs stored, want none", got)
	}
}

func TestNeeds_AnotherTenantSeesNoneEvenByPatientID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.decide(accept(assessments.NeedFood, "Food")); err != nil {
		t.Fatal(err)
	}
	// The other tenant names this tenant's patient: row-level security
	// hides the row even though the query asks for it.
	var n int
	f.in(f.other, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select count(*) from needs where patient_id = $1", f.patient).Scan(&n)
	})
	if n != 0 {
		t.Errorf("other tenant sees %d needs, want 0", n)
	}
	if got := f.needs(f.other, f.patient); len(got) != 0 {
		t.Errorf("ListForPatient from the other tenant = %+v, want none", got)
	}
	err := db.InTenant(context.Background(), f.d.Pool, f.other, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `insert into needs (tenant_id, patient_id, domain) values ($1, $2, 'food')`,
			f.tenant, f.patient)
		return err
	})
	if err == nil {
		t.Error("the other tenant wrote a need into this tenant")
	}
}

func TestDecision_ValidateNamesEachProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		form   url.Values
		fields []string
	}{
		{"accept without description or priority", url.Values{"decision": {"accept"}, "domain": {"food"}}, []string{"description", "priority"}},
		{"decline without reason", url.Values{"decision": {"decline"}, "domain": {"food"}, "reason": {"  "}}, []string{"reason"}},
		{"accept complete", url.Values{"decision": {"accept"}, "domain": {"food"}, "description": {"x"}, "priority": {"low"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, _ := careplans.ParseDecision(tt.form)
			errs := d.Validate()
			if ok := len(errs) == 0; ok != (len(tt.fields) == 0) || len(errs) != len(tt.fields) {
				t.Fatalf("Validate = %v, errors %v; want errors on %v", ok, errs, tt.fields)
			}
			for _, f := range tt.fields {
				if errs[f] == "" {
					t.Errorf("no message for %s", f)
				}
			}
		})
	}
}
