package patients_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// chartFixture is one tenant with two patients in a private database.
type chartFixture struct {
	t      *testing.T
	d      dbtest.DB
	tenant string
	a, b   string
}

func newChartFixture(t *testing.T) chartFixture {
	t.Helper()
	d := dbtest.New(t, "")
	f := chartFixture{t: t, d: d}
	if err := d.Pool.QueryRow(context.Background(), "insert into tenants (slug, name) values ('chart', 'Chart') returning id").Scan(&f.tenant); err != nil {
		t.Fatal(err)
	}
	f.a = f.patient("Ada", "Quist")
	f.b = f.patient("Bo", "Reyes")
	return f
}

func (f chartFixture) patient(given, family string) string {
	f.t.Helper()
	v := url.Values{"given_name": {given}, "family_name": {family}, "date_of_birth": {"1950-05-06"}, "phone": {"555-010-2000"}}
	np, errs := patients.ParseIntake(v).Validate(time.Now(), nil)
	if len(errs) > 0 {
		f.t.Fatalf("test patient: %v", errs)
	}
	var id string
	f.tx(func(tx pgx.Tx) (err error) {
		id, err = patients.Create(context.Background(), tx, f.tenant, "", np)
		return err
	})
	return id
}

// tx runs fn in the fixture's tenant and fails the test on error.
func (f chartFixture) tx(fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := f.try(fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f chartFixture) try(fn func(tx pgx.Tx) error) error {
	return db.InTenant(context.Background(), f.d.Pool, f.tenant, fn)
}

// changeStatus changes patient a's status through the use case, as a
// coordinator of the fixture's tenant.
func (f chartFixture) changeStatus(action patients.StatusAction, reason string, version int) error {
	a := tenants.Actor{TenantID: f.tenant, At: time.Now()}
	_, err := patients.NewService(f.d.Pool).ChangeStatus(context.Background(), a, f.a,
		patients.StatusForm{Action: string(action), Reason: reason, Version: strconv.Itoa(version)})
	return err
}

func (f chartFixture) scalar(sql string, args ...any) any {
	f.t.Helper()
	var v any
	f.tx(func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&v) })
	return v
}

func TestChangeStatus_OnlyTheAllowedTransitionsHappen(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	tests := []struct {
		from   patients.Status
		action patients.StatusAction
		want   patients.Status // "" when not allowed
	}{
		{patients.Referred, patients.Enrol, patients.Active},
		{patients.Referred, patients.Hold, ""},
		{patients.Referred, patients.Discharge, patients.Discharged},
		{patients.Referred, patients.Reopen, ""},
		{patients.Active, patients.Enrol, ""},
		{patients.Active, patients.Hold, patients.OnHold},
		{patients.Active, patients.Discharge, patients.Discharged},
		{patients.OnHold, patients.Reopen, patients.Active},
		{patients.OnHold, patients.Discharge, patients.Discharged},
		{patients.OnHold, patients.Hold, ""},
		{patients.Discharged, patients.Reopen, patients.Active},
		{patients.Discharged, patients.Hold, ""},
		{patients.Discharged, patients.Discharge, ""},
	}
	for _, tt := range tests {
		f.tx(func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "update patients set status = $2, version = 5 where id = $1", f.a, tt.from)
			return err
		})
		err := f.changeStatus(tt.action, "Moved away", 5)
		got := patients.Status(f.scalar("select status from patients where id = $1", f.a).(string))
		switch {
		case tt.want == "" && (!errors.Is(err, patients.ErrTransitionNotAllowed) || got != tt.from):
			t.Errorf("%s from %s: err %v, status %s; want ErrTransitionNotAllowed and %s unchanged", tt.action, tt.from, err, got, tt.from)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%s from %s: err %v, status %s; want %s", tt.action, tt.from, err, got, tt.want)
		}
	}
}

func TestChangeStatus_WritesTheTimelineAndBumpsTheVersion(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	if err := f.changeStatus(patients.Discharge, "Moved out of state", 1); err != nil {
		t.Fatal(err)
	}
	var events []patients.Event
	f.tx(func(tx pgx.Tx) (err error) {
		events, err = patients.Timeline(ctx, tx, f.tenant, f.a, 10)
		return err
	})
	if len(events) == 0 || events[0].Summary != "Discharged: Moved out of state" || events[0].Kind != "status" {
		t.Errorf("newest timeline entry = %+v, want the discharge with its reason", events)
	}
	if v := f.scalar("select version from patients where id = $1", f.a); v != int32(2) {
		t.Errorf("version = %v, want 2", v)
	}
	if n := f.scalar("select count(*) from audit_events where patient_id = $1 and action = 'patient.status_changed'", f.a); n != int64(1) {
		t.Errorf("%v audit events, want 1", n)
	}
}

func TestChangeStatus_StaleVersionChangesNothing(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	err := f.changeStatus(patients.Enrol, "", 7)
	if !errors.Is(err, db.ErrConflict) {
		t.Errorf("err = %v, want db.ErrConflict", err)
	}
	if st := f.scalar("select status from patients where id = $1", f.a); st != "referred" {
		t.Errorf("status = %v, want referred", st)
	}
	if n := f.scalar("select count(*) from patient_events where patient_id = $1 and kind = 'status'", f.a); n != int64(0) {
		t.Errorf("%v status events, want 0", n)
	}
}

func TestStatusForm_HoldAndDischargeNeedAReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action, reason, wantField string
	}{
		{"enrol", "", ""},
		{"reopen", "", ""},
		{"hold", "", "reason"},
		{"discharge", "  ", "reason"},
		{"discharge", "Moved away", ""},
		{"discharge", strings.Repeat("x", 401), "reason"},
		{"archive", "x", "action"},
	}
	for _, tt := range tests {
		errs := patients.Errors{}
		patients.ParseStatusForm(url.Values{"action": {tt.action}, "reason": {tt.reason}, "version": {"3"}}).Validate(errs)
		if _, got := errs[tt.wantField]; tt.wantField != "" && !got || tt.wantField == "" && len(errs) > 0 {
			t.Errorf("%s with reason %q: errors %v, want one on %q", tt.action, tt.reason, errs, tt.wantField)
		}
	}
}

// actor is a coordinator of the fixture's tenant acting now.
func (f chartFixture) actor() tenants.Actor {
	return tenants.Actor{TenantID: f.tenant, At: time.Now()}
}

func TestChartEdits_AnotherPatientsRowsAreNotFound(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	svc := patients.NewService(f.d.Pool)
	member, err := svc.AddMember(ctx, f.actor(), f.b, patients.MemberForm{Kind: "caregiver", Name: "Cleo Reyes"})
	if err != nil {
		t.Fatal(err)
	}
	coverage, err := svc.AddCoverage(ctx, f.actor(), f.b, patients.CoverageForm{Payer: "Medicaid", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	consent, err := svc.AddConsent(ctx, f.actor(), f.b, patients.ConsentForm{Kind: "treatment", GivenOn: "2025-01-02", GivenBy: "Bo"})
	if err != nil {
		t.Fatal(err)
	}
	// Each reached through patient A's URL, with patient B's row.
	attempts := map[string]func() error{
		"update member": func() error {
			_, err := svc.UpdateMember(ctx, f.actor(), f.a, member.ID, patients.MemberForm{Kind: "other", Name: "Changed"})
			return err
		},
		"remove member": func() error { _, err := svc.RemoveMember(ctx, f.actor(), f.a, member.ID); return err },
		"get member":    func() error { _, err := svc.Member(ctx, f.actor(), f.a, member.ID); return err },
		"update coverage": func() error {
			_, err := svc.UpdateCoverage(ctx, f.actor(), f.a, coverage.ID, patients.CoverageForm{Payer: "Changed", Primary: true})
			return err
		},
		"remove coverage": func() error { _, err := svc.RemoveCoverage(ctx, f.actor(), f.a, coverage.ID); return err },
		"get coverage":    func() error { _, err := svc.Coverage(ctx, f.actor(), f.a, coverage.ID); return err },
		"revoke consent":  func() error { return svc.RevokeConsent(ctx, f.actor(), f.a, consent.ID) },
	}
	for name, fn := range attempts {
		if err := fn(); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s: err = %v, want db.ErrNotFound", name, err)
		}
	}
	got := f.scalar(`select (select name from care_team_members where id = $1) || '/' ||
		(select payer || is_primary from coverages where id = $2) || '/' ||
		(select (revoked_on is null)::text from consents where id = $3)`, member.ID, coverage.ID, consent.ID)
	if got != "Cleo Reyes/Medicaidtrue/true" {
		t.Errorf("patient B's rows = %v, want them unchanged", got)
	}
}

func TestChartEdits_APatientOfAnotherTenantIsNotFound(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	var foreign string
	if err := f.d.Pool.QueryRow(context.Background(), "insert into tenants (slug, name) values ('other', 'Other') returning id").Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	svc := patients.NewService(f.d.Pool)
	a := tenants.Actor{TenantID: foreign, At: time.Now()}
	ctx := context.Background()
	if _, err := svc.AddMember(ctx, a, f.a, patients.MemberForm{Kind: "caregiver", Name: "Intruder"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("add member: err = %v, want db.ErrNotFound", err)
	}
	if _, err := svc.AddCoverage(ctx, a, f.a, patients.CoverageForm{Payer: "Intruder Health"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("add coverage: err = %v, want db.ErrNotFound", err)
	}
	if _, err := svc.AddConsent(ctx, a, f.a, patients.ConsentForm{Kind: "treatment", GivenOn: "2025-01-02", GivenBy: "Intruder"}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("add consent: err = %v, want db.ErrNotFound", err)
	}
	if n := f.scalar("select count(*) from care_team_members"); n != int64(0) {
		t.Errorf("%v care-team members stored", n)
	}
}

func TestChartEdits_WriteTheirTimelineLineAndAuditEvent(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	svc := patients.NewService(f.d.Pool)
	m, err := svc.AddMember(ctx, f.actor(), f.a, patients.MemberForm{Kind: "caregiver", Name: "Ana Quist"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateMember(ctx, f.actor(), f.a, m.ID, patients.MemberForm{Kind: "caregiver", Name: "Ana Quist-Lee"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RemoveMember(ctx, f.actor(), f.a, m.ID); err != nil {
		t.Fatal(err)
	}
	c, err := svc.AddCoverage(ctx, f.actor(), f.a, patients.CoverageForm{Payer: "Medicare", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateCoverage(ctx, f.actor(), f.a, c.ID, patients.CoverageForm{Payer: "Medicare A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RemoveCoverage(ctx, f.actor(), f.a, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddConsent(ctx, f.actor(), f.a, patients.ConsentForm{Kind: "text_messages", GivenOn: "2025-01-02", GivenBy: "Ada Quist"}); err != nil {
		t.Fatal(err)
	}
	var events []patients.Event
	f.tx(func(tx pgx.Tx) (err error) {
		events, err = patients.Timeline(ctx, tx, f.tenant, f.a, 10)
		return err
	})
	var got []string
	for _, e := range events {
		got = append(got, e.Summary)
	}
	want := []string{"Consent recorded: Text messages, given 2 Jan 2025 by Ada Quist", "Removed coverage: Medicare A",
		"Updated coverage: Medicare A", "Added coverage: Medicare (primary)", "Removed Ana Quist-Lee (Family or caregiver) from the care team",
		"Updated Ana Quist-Lee on the care team", "Added Ana Quist (Family or caregiver) to the care team", "Taken in by intake"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline = %q, want %q", got, want)
	}
	actions := f.scalar("select string_agg(action, ',' order by at, id) from audit_events where patient_id = $1", f.a)
	if actions != "care_team.added,care_team.updated,care_team.removed,coverage.added,coverage.updated,coverage.removed,consent.added" {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestChartEdits_InvalidFormsSayWhyBesideTheFieldAndStoreNothing(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	svc := patients.NewService(f.d.Pool)
	_, errMember := svc.AddMember(ctx, f.actor(), f.a, patients.MemberForm{Kind: "caregiver", Phone: "call me"})
	_, errCoverage := svc.AddCoverage(ctx, f.actor(), f.a, patients.CoverageForm{Payer: "Medicare", EffectiveFrom: "2026-05-01", EffectiveTo: "2026-01-01"})
	_, errConsent := svc.AddConsent(ctx, f.actor(), f.a, patients.ConsentForm{Kind: "text_messages", GivenOn: "2099-01-01", GivenBy: "Ada"})
	for name, tt := range map[string]struct {
		err    error
		fields []string
	}{
		"member":   {errMember, []string{"name", "phone"}},
		"coverage": {errCoverage, []string{"effective_to"}},
		"consent":  {errConsent, []string{"given_on"}},
	} {
		got := fail.Fields(tt.err)
		if fail.KindOf(tt.err) != fail.KindInvalid || len(got) != len(tt.fields) {
			t.Errorf("%s: err %v, want invalid on %v", name, tt.err, tt.fields)
		}
		for _, field := range tt.fields {
			if got[field] == "" {
				t.Errorf("%s: no message beside %s: %v", name, field, got)
			}
		}
	}
	if n := f.scalar("select count(*) from patient_events where patient_id = $1", f.a); n != int64(1) {
		t.Errorf("%v timeline lines, want only the intake's", n)
	}
}

func TestUpdateCoverage_MarkingPrimaryTakesTheMarkFromTheOther(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	svc := patients.NewService(f.d.Pool)
	first, err := svc.AddCoverage(ctx, f.actor(), f.a, patients.CoverageForm{Payer: "Medicare", Primary: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.AddCoverage(ctx, f.actor(), f.a, patients.CoverageForm{Payer: "Medigap"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateCoverage(ctx, f.actor(), f.a, second.ID, patients.CoverageForm{Payer: "Medigap Plan G", Primary: true}); err != nil {
		t.Fatal(err)
	}
	var covs []patients.Coverage
	f.tx(func(tx pgx.Tx) (err error) {
		covs, err = patients.Coverages(ctx, tx, f.tenant, f.a)
		return err
	})
	if len(covs) != 2 || covs[0].ID != second.ID || !covs[0].Primary || covs[0].Payer != "Medigap Plan G" || covs[1].ID != first.ID || covs[1].Primary {
		t.Errorf("coverages = %+v, want Medigap Plan G primary, Medicare not", covs)
	}
}

func TestRevokeConsent_RevokesOnceOnTheGivenDay(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	svc := patients.NewService(f.d.Pool)
	c, err := svc.AddConsent(ctx, f.actor(), f.a, patients.ConsentForm{Kind: "text_messages", GivenOn: "2025-01-02", GivenBy: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID
	day := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	if err := svc.RevokeConsent(ctx, tenants.Actor{TenantID: f.tenant, At: day}, f.a, id); err != nil {
		t.Fatal(err)
	}
	err = svc.RevokeConsent(ctx, tenants.Actor{TenantID: f.tenant, At: day.AddDate(0, 0, 5)}, f.a, id)
	if !errors.Is(err, patients.ErrAlreadyRevoked) {
		t.Errorf("second revoke: err = %v, want ErrAlreadyRevoked", err)
	}
	if got := f.scalar("select revoked_on::text from consents where id = $1", id); got != "2026-03-04" {
		t.Errorf("revoked_on = %v, want 2026-03-04", got)
	}
}

func TestConsentStates_SaysForEachKindWhetherConsentIsInForce(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	d := func(s string) *time.Time { t, _ := time.Parse(time.DateOnly, s); return &t }
	consents := []patients.Consent{
		// Treatment: an old revoked consent, then a new one in force.
		{Kind: "treatment", GivenOn: *d("2024-01-01"), RevokedOn: d("2024-06-01")},
		{Kind: "treatment", GivenOn: *d("2025-01-01"), ExpiresOn: d("2026-06-01")},
		// Information sharing: expired yesterday.
		{Kind: "information_sharing", GivenOn: *d("2025-01-01"), ExpiresOn: d("2026-05-31")},
		// Text messages: none.
	}
	got := patients.ConsentStates(consents, day)
	var states []patients.ConsentState
	for _, ks := range got {
		states = append(states, ks.State)
	}
	want := []patients.ConsentState{patients.ConsentGiven, patients.ConsentExpired, patients.ConsentNotRecorded}
	if !slices.Equal(states, want) {
		t.Errorf("states = %v, want %v", states, want)
	}
	revoked := patients.ConsentStates(consents[:1], day)[0].State
	if revoked != patients.ConsentRevoked {
		t.Errorf("only a revoked treatment consent: state %s, want revoked", revoked)
	}
}

func TestChangedDetails_NamesOnlyTheFieldsThatChanged(t *testing.T) {
	t.Parallel()
	before := patients.DetailsForm{GivenName: "Ada", Phone: "555-010-2000", City: "Springfield"}
	after := before
	after.Phone, after.InterpreterNeeded = "555-010-9999", true
	if got, want := patients.ChangedDetails(before, after), []string{"phone", "interpreter needed"}; !slices.Equal(got, want) {
		t.Errorf("ChangedDetails = %v, want %v", got, want)
	}
}
