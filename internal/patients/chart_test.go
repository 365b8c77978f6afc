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

func TestChartEdits_AnotherPatientsRowsAreNotFound(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	var member, coverage, consent string
	f.tx(func(tx pgx.Tx) (err error) {
		if member, err = patients.AddMember(ctx, tx, f.tenant, f.b, patients.MemberForm{Kind: "caregiver", Name: "Cleo Reyes"}); err != nil {
			return err
		}
		if coverage, err = patients.AddCoverage(ctx, tx, f.tenant, f.b, patients.Coverage{Payer: "Medicaid", Primary: true}); err != nil {
			return err
		}
		consent, err = patients.AddConsent(ctx, tx, f.tenant, f.b, patients.Consent{Kind: "treatment", GivenOn: time.Now(), GivenBy: "Bo"})
		return err
	})
	// Each reached through patient A's URL, with patient B's row.
	attempts := map[string]func(tx pgx.Tx) error{
		"update member": func(tx pgx.Tx) error {
			return patients.UpdateMember(ctx, tx, f.tenant, f.a, member, patients.MemberForm{Kind: "other", Name: "Changed"})
		},
		"remove member": func(tx pgx.Tx) error { _, err := patients.RemoveMember(ctx, tx, f.tenant, f.a, member); return err },
		"get member":    func(tx pgx.Tx) error { _, err := patients.GetMember(ctx, tx, f.tenant, f.a, member); return err },
		"update coverage": func(tx pgx.Tx) error {
			return patients.UpdateCoverage(ctx, tx, f.tenant, f.a, coverage, patients.Coverage{Payer: "Changed", Primary: true})
		},
		"remove coverage": func(tx pgx.Tx) error { _, err := patients.RemoveCoverage(ctx, tx, f.tenant, f.a, coverage); return err },
		"revoke consent": func(pgx.Tx) error {
			return patients.NewService(f.d.Pool).RevokeConsent(ctx, tenants.Actor{TenantID: f.tenant, At: time.Now()}, f.a, consent)
		},
	}
	for name, fn := range attempts {
		if err := f.try(fn); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("%s: err = %v, want db.ErrNotFound", name, err)
		}
	}
	got := f.scalar(`select (select name from care_team_members where id = $1) || '/' ||
		(select payer || is_primary from coverages where id = $2) || '/' ||
		(select (revoked_on is null)::text from consents where id = $3)`, member, coverage, consent)
	if got != "Cleo Reyes/Medicaidtrue/true" {
		t.Errorf("patient B's rows = %v, want them unchanged", got)
	}
}

func TestUpdateCoverage_MarkingPrimaryTakesTheMarkFromTheOther(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	var first, second string
	f.tx(func(tx pgx.Tx) (err error) {
		if first, err = patients.AddCoverage(ctx, tx, f.tenant, f.a, patients.Coverage{Payer: "Medicare", Primary: true}); err != nil {
			return err
		}
		second, err = patients.AddCoverage(ctx, tx, f.tenant, f.a, patients.Coverage{Payer: "Medigap"})
		return err
	})
	f.tx(func(tx pgx.Tx) error {
		return patients.UpdateCoverage(ctx, tx, f.tenant, f.a, second, patients.Coverage{Payer: "Medigap Plan G", Primary: true})
	})
	var covs []patients.Coverage
	f.tx(func(tx pgx.Tx) (err error) {
		covs, err = patients.Coverages(ctx, tx, f.tenant, f.a)
		return err
	})
	if len(covs) != 2 || covs[0].ID != second || !covs[0].Primary || covs[0].Payer != "Medigap Plan G" || covs[1].ID != first || covs[1].Primary {
		t.Errorf("coverages = %+v, want Medigap Plan G primary, Medicare not", covs)
	}
}

func TestRevokeConsent_RevokesOnceOnTheGivenDay(t *testing.T) {
	t.Parallel()
	f := newChartFixture(t)
	ctx := context.Background()
	var id string
	f.tx(func(tx pgx.Tx) (err error) {
		id, err = patients.AddConsent(ctx, tx, f.tenant, f.a, patients.Consent{Kind: "text_messages", GivenOn: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), GivenBy: "Ada"})
		return err
	})
	day := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	svc := patients.NewService(f.d.Pool)
	if err := svc.RevokeConsent(ctx, tenants.Actor{TenantID: f.tenant, At: day}, f.a, id); err != nil {
		t.Fatal(err)
	}
	err := svc.RevokeConsent(ctx, tenants.Actor{TenantID: f.tenant, At: day.AddDate(0, 0, 5)}, f.a, id)
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
