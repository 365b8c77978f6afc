package risk_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/contacts"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/risk"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a tenant with one low-risk patient and a coordinator, the
// services wired as the server wires them, and a second tenant.
type fixture struct {
	t             *testing.T
	d             dbtest.DB
	assess        *assessments.Service
	contacts      *contacts.Service
	risk          *risk.Service
	tenant, other string
	patient       string
	coord         string
	settings      tenants.Settings
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{t: t, d: dbtest.New(t, ""), settings: tenants.DefaultSettings()}
	f.assess = assessments.NewService(f.d.Pool).ReportingEvidence(risk.Reevaluate)
	f.contacts = contacts.NewService(f.d.Pool).ReportingEvidence(risk.Reevaluate)
	f.risk = risk.NewService(f.d.Pool)
	f.tenant, f.patient = f.tenantWithPatient("north")
	f.other, _ = f.tenantWithPatient("river")
	f.exec("insert into users (email, name, password_hash) values ('coord@example.org', 'Cora Coordinator', 'x')")
	f.d.Pool.QueryRow(context.Background(), "select id from users").Scan(&f.coord)
	f.exec("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'coordinator')", f.tenant, f.coord)
	return f
}

func (f fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.d.Pool.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatal(err)
	}
}

func (f fixture) tenantWithPatient(slug string) (tenant, patient string) {
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
	err := db.InTenant(ctx, f.d.Pool, tenant, func(tx pgx.Tx) (err error) {
		if patient, err = patients.Create(ctx, tx, tenant, "", np); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "update patients set risk_tier = 'low', status = 'active' where id = $1", patient)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return tenant, patient
}

func (f fixture) actor() tenants.Actor {
	return tenants.Actor{TenantID: f.tenant, UserID: f.coord, Role: auth.Coordinator, Settings: f.settings, At: time.Now()}
}

// complete gives and completes an instrument with the answers given.
func (f fixture) complete(code string, answers map[string]string) string {
	f.t.Helper()
	ctx, a := context.Background(), f.actor()
	id, err := f.assess.Start(ctx, a, f.patient, assessments.StartForm{Instrument: code, Method: "phone"})
	if err != nil {
		f.t.Fatal(err)
	}
	form := assessments.AnswersForm{Action: "complete", Version: "1", Answers: assessments.Answers{}}
	for q, o := range answers {
		form.Answers[q] = []string{o}
	}
	if _, err := f.assess.Complete(ctx, a, f.patient, id, form); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// lace19 is the highest LACE index: 14+ days (7), acute (3), Charlson 4+
// (5), 4+ ED visits (4).
var lace19 = map[string]string{"length_of_stay": "14plus", "acuity": "emergent", "comorbidity": "4plus", "ed_visits": "4plus"}

// lace12 is 4–6 days (4), acute (3), Charlson 3 (3), 2 visits (2).
var lace12 = map[string]string{"length_of_stay": "4to6", "acuity": "emergent", "comorbidity": "3", "ed_visits": "2"}

func phq9(total int, item9 string) map[string]string {
	scale := []string{"not_at_all", "several_days", "more_than_half", "nearly_every_day"}
	out := map[string]string{"q9": item9}
	rest := total - map[string]int{"not_at_all": 0, "several_days": 1}[item9]
	for i := 1; i <= 8; i++ {
		n := min(rest, 3)
		out["q"+string(rune('0'+i))] = scale[n]
		rest -= n
	}
	return out
}

func (f fixture) open() *risk.Stored {
	f.t.Helper()
	var p *risk.Stored
	err := db.InTenant(context.Background(), f.d.Pool, f.tenant, func(tx pgx.Tx) (err error) {
		p, err = risk.OpenFor(context.Background(), tx, f.tenant, f.patient)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// in runs fn in the fixture's tenant (row-level security hides the rest).
func (f fixture) in(fn func(tx pgx.Tx) error) {
	f.t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, f.tenant, fn); err != nil {
		f.t.Fatal(err)
	}
}

func (f fixture) tier() patients.RiskTier {
	f.t.Helper()
	var t patients.RiskTier
	f.in(func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), "select risk_tier from patients where id = $1", f.patient).Scan(&t)
	})
	return t
}

func (f fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	f.in(func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

func (f fixture) logContact(outcome string, at time.Time) {
	f.t.Helper()
	form := contacts.ContactForm{OccurredAt: at.Format(calendar.DateTimeLocal), Method: "phone", Direction: "outbound",
		With: "patient", Outcome: outcome, Summary: "Called.", Minutes: "5"}
	if _, err := f.contacts.LogContact(context.Background(), f.actor(), f.patient, form); err != nil {
		f.t.Fatal(err)
	}
}

// nextDue is when the patient must next be reached, by their tier now.
func (f fixture) nextDue() time.Time {
	f.t.Helper()
	var reach contacts.Reach
	f.in(func(tx pgx.Tx) (err error) {
		reach, err = contacts.ReachOf(context.Background(), tx, f.tenant, f.patient)
		return err
	})
	due, _ := contacts.CadenceOf(tenants.DefaultSettings()).NextDue(contacts.ContactState{Tier: f.tier(), LastReached: reach.LastReached}, time.Local)
	return due
}

func TestLACE19_ProposesHighWithItsReasonAndAcceptingMovesTheNextContact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	reached := time.Now().Add(-time.Hour)
	f.logContact("reached", reached)
	if p := f.open(); p != nil {
		t.Fatalf("a contact with no evidence proposed %+v", p)
	}
	before := f.nextDue()
	f.complete("LACE", lace19)
	p := f.open()
	if p == nil || p.Tier != patients.High || p.FromTier != patients.Low || len(p.Reasons) != 1 {
		t.Fatalf("proposal %+v", p)
	}
	want := "LACE 19 on " + time.Now().Format(calendar.ShortDay) + ": ≥ 10 → High"
	if p.Reasons[0].Evidence != want || p.Reasons[0].Rule != "lace" {
		t.Errorf("reason %+v, want %q", p.Reasons[0], want)
	}
	if f.tier() != patients.Low {
		t.Errorf("proposing changed the tier to %s", f.tier())
	}
	if _, err := f.risk.Accept(context.Background(), f.actor(), f.patient, p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	if f.tier() != patients.High || f.open() != nil {
		t.Errorf("after accepting: tier %s, open %+v", f.tier(), f.open())
	}
	// A due date on a weekend or holiday moves to the next open day.
	day, open := calendar.DateOf(reached), calendar.NewCalendar(nil).NextOpen
	if !before.Equal(open(day.AddDate(0, 0, 30))) || !f.nextDue().Equal(open(day.AddDate(0, 0, 7))) {
		t.Errorf("next contact due %s before (want +30 days), %s after (want +7)", before, f.nextDue())
	}
	for _, action := range []string{"risk.proposed", "risk.accepted"} {
		if n := f.count("select count(*) from audit_events where action = $1 and patient_id = $2", action, f.patient); n != 1 {
			t.Errorf("%d %s events", n, action)
		}
	}
	if n := f.count("select count(*) from patient_events where kind = 'risk' and summary like 'Risk tier changed from Low risk to High risk%'"); n != 1 {
		t.Errorf("%d timeline lines of the change", n)
	}
}

func TestOverride_KeepsTheTierWithItsReasonAndTheSameEvidenceDoesNotProposeAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.complete("LACE", lace19)
	p := f.open()
	_, err := f.risk.Override(ctx, f.actor(), f.patient, p.ID, p.Version, "  ")
	if fail.KindOf(err) != fail.KindInvalid || fail.Fields(err)["reason"] == "" {
		t.Fatalf("override without a reason: %v", err)
	}
	got, err := f.risk.Override(ctx, f.actor(), f.patient, p.ID, p.Version, "Stable at home with family support")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != risk.Overridden || got.Reason != "Stable at home with family support" || got.DecidedByName != "Cora Coordinator" || f.tier() != patients.Low {
		t.Errorf("overridden %+v, tier %s", got, f.tier())
	}
	// Evidence that fires no rule, and a contact, leave the decided
	// evidence as it was.
	f.complete("PHQ-9", phq9(3, "not_at_all"))
	f.logContact("reached", time.Now().Add(-time.Minute))
	if o := f.open(); o != nil {
		t.Fatalf("the same evidence proposed again: %+v", o)
	}
	// A new piece of evidence may.
	f.complete("LACE", lace12)
	o := f.open()
	if o == nil || o.Tier != patients.High || !strings.HasPrefix(o.Reasons[0].Evidence, "LACE 12 on") {
		t.Fatalf("after a new LACE: %+v", o)
	}
	if n := f.count("select count(*) from audit_events where action = 'risk.overridden' and patient_id = $1", f.patient); n != 1 {
		t.Errorf("%d override events", n)
	}
}

func TestDecide_AStaleVersionIsAConflictAndAnotherTenantsProposalIsNotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.complete("PHQ-9", phq9(16, "not_at_all"))
	p := f.open()
	if p == nil || p.Tier != patients.High {
		t.Fatalf("PHQ-9 16: %+v", p)
	}
	outsider := f.actor()
	outsider.TenantID = f.other
	if _, err := f.risk.Accept(ctx, outsider, f.patient, p.ID, p.Version); fail.KindOf(err) != fail.KindNotFound {
		t.Errorf("another tenant accepting: %v", err)
	}
	if _, err := f.risk.Override(ctx, outsider, f.patient, p.ID, p.Version, ""); fail.KindOf(err) != fail.KindNotFound {
		t.Errorf("another tenant overriding with no reason: %v", err)
	}
	if _, err := f.risk.Accept(ctx, f.actor(), f.patient, p.ID, p.Version+1); fail.KindOf(err) != fail.KindConflict {
		t.Errorf("a stale version: %v", err)
	}
	if _, err := f.risk.Accept(ctx, f.actor(), f.patient, p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.risk.Override(ctx, f.actor(), f.patient, p.ID, p.Version, "Changed my mind"); fail.KindOf(err) != fail.KindConflict {
		t.Errorf("overriding an accepted proposal: %v", err)
	}
}

func TestReevaluate_NewEvidenceReplacesAWaitingProposalAndWithdrawnEvidenceWithdrawsIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.complete("PHQ-9", phq9(12, "not_at_all"))
	first := f.open()
	if first == nil || first.Tier != patients.Moderate {
		t.Fatalf("PHQ-9 12: %+v", first)
	}
	f.in(func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "update patients set risk_tier = 'moderate' where id = $1", f.patient)
		return err
	})
	f.complete("PHQ-9", phq9(3, "several_days"))
	second := f.open()
	if second == nil || second.ID == first.ID || second.Tier != patients.High || second.Reasons[0].Rule != "phq9_item9" {
		t.Fatalf("PHQ-9 3 with item 9 positive: %+v", second)
	}
	var newest string
	f.in(func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "select id from assessments order by completed_at desc limit 1").Scan(&newest)
	})
	if _, err := f.assess.MarkEnteredInError(ctx, f.actor(), f.patient, newest, "Wrong patient"); err != nil {
		t.Fatal(err)
	}
	// The PHQ-9 of 12 stands again: moderate, which the patient now is.
	if o := f.open(); o != nil {
		t.Errorf("still waiting after its evidence was marked in error: %+v", o)
	}
	if n := f.count("select count(*) from risk_proposals where status = 'superseded'"); n != 2 {
		t.Errorf("%d superseded proposals, want 2", n)
	}
}

func TestReevaluate_UnsuccessfulAttemptsAndEmergencyVisits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for i := 3; i >= 2; i-- {
		f.logContact("no_answer", time.Now().Add(-time.Duration(i)*time.Hour))
	}
	if o := f.open(); o != nil {
		t.Fatalf("two attempts proposed %+v", o)
	}
	f.logContact("left_message", time.Now().Add(-time.Hour))
	o := f.open()
	if o == nil || o.Tier != patients.Moderate || o.Reasons[0].Rule != "unreachable" {
		t.Fatalf("three attempts: %+v", o)
	}
	visit := func(daysAgo int) {
		t.Helper()
		form := contacts.TransitionForm{Kind: "emergency_visit", Facility: "St Mary's ED", OccurredOn: time.Now().AddDate(0, 0, -daysAgo).Format(calendar.DateLayout)}
		if _, err := f.contacts.RecordTransition(ctx, f.actor(), f.patient, form); err != nil {
			t.Fatal(err)
		}
	}
	visit(200) // more than six months ago: not counted
	visit(10)
	if o := f.open(); o.Tier != patients.Moderate {
		t.Fatalf("one visit in six months: %+v", o)
	}
	visit(3)
	o = f.open()
	if o == nil || o.Tier != patients.High || len(o.Reasons) != 2 || o.Reasons[0].Rule != "emergency_visits" {
		t.Fatalf("two visits in six months: %+v", o)
	}
}

func TestReevaluate_FollowsTheTenantsThreshold(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.settings.RiskLACEHigh = 14
	f.complete("LACE", lace12)
	if o := f.open(); o != nil {
		t.Fatalf("LACE 12 under a threshold of 14 proposed %+v", o)
	}
	f.complete("LACE", lace19)
	if o := f.open(); o == nil || !strings.HasSuffix(o.Reasons[0].Evidence, ": ≥ 14 → High") {
		t.Fatalf("LACE 19 over 14: %+v", o)
	}
}
