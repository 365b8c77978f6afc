package referrals_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/auth"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/fail"
	"carecoord/internal/referrals"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// fixture is a demo tenant with one of its patients, an open need of
// theirs, a resource and a coordinator.
type fixture struct {
	d                                                dbtest.DB
	svc                                              *referrals.Service
	tenantID, patientID, needID, resourceID, actorID string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	d := dbtest.New(t, "demo")
	f := fixture{d: d, svc: referrals.NewService(d.Pool)}
	err := d.Pool.QueryRow(context.Background(), `select id from tenants where slug = 'northside'`).Scan(&f.tenantID)
	if err != nil {
		t.Fatal(err)
	}
	f.inTenant(t, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `
			select n.patient_id, n.id, p.assigned_coordinator_id,
			       (select id from resources where tenant_id = n.tenant_id and n.domain = any(domains) order by name limit 1)
			  from needs n join patients p on p.tenant_id = n.tenant_id and p.id = n.patient_id
			 where n.tenant_id = $1 and n.status in ('identified', 'addressing') and p.assigned_coordinator_id is not null
			   and not exists (select 1 from referrals r where r.tenant_id = n.tenant_id and r.patient_id = n.patient_id)
			 order by p.family_name limit 1`, f.tenantID).Scan(&f.patientID, &f.needID, &f.actorID, &f.resourceID)
	})
	return f
}

// actor is the patient's coordinator acting at at.
func (f fixture) actor(at time.Time) tenants.Actor {
	return tenants.Actor{TenantID: f.tenantID, UserID: f.actorID, Role: auth.Coordinator, Settings: tenants.DefaultSettings(), At: at}
}

func (f fixture) inTenant(t *testing.T, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTenant(context.Background(), f.d.Pool, f.tenantID, fn); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	f.inTenant(t, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

func (f fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	f.inTenant(t, func(tx pgx.Tx) error { return tx.QueryRow(context.Background(), sql, args...).Scan(&n) })
	return n
}

// consent records the patient's consent to share their information.
func (f fixture) consent(t *testing.T) {
	t.Helper()
	f.exec(t, `insert into consents (tenant_id, patient_id, kind, given_on, given_by)
		values ($1, $2, 'information_sharing', '2020-01-01', 'The patient')`, f.tenantID, f.patientID)
}

// draft writes a referral of the need to the resource at at.
func (f fixture) draft(t *testing.T, at time.Time) string {
	t.Helper()
	id, err := f.svc.CreateDraft(context.Background(), f.actor(at), f.patientID,
		referrals.DraftForm{NeedID: f.needID, ResourceID: f.resourceID, Reason: "Weekly groceries"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// sentReferral writes a referral and sends it at sent, on the patient's
// consent, so that it is followed up on the tenant's business days later.
func (f fixture) sentReferral(t *testing.T, sent time.Time) referrals.Referral {
	t.Helper()
	f.consent(t)
	id := f.draft(t, sent.Add(-time.Hour))
	r, err := f.svc.Send(context.Background(), f.actor(sent), f.patientID, id, referrals.Sending{PartyAgreed: true, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f fixture) raise(t *testing.T, day time.Time, warn int) int {
	t.Helper()
	var n int
	f.inTenant(t, func(tx pgx.Tx) (err error) {
		n, err = referrals.RaiseDue(context.Background(), tx, f.tenantID, day, time.UTC, warn)
		return err
	})
	return n
}

func TestSend_WithoutConsentChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, now := context.Background(), time.Now()
	id := f.draft(t, now)
	f.exec(t, `update consents set revoked_on = current_date - 1 where patient_id = $1 and kind = 'information_sharing'`, f.patientID)
	_, err := f.svc.Send(ctx, f.actor(now), f.patientID, id, referrals.Sending{PartyAgreed: true, Version: 1})
	if !errors.Is(err, referrals.ErrNoConsent) || fail.KindOf(err) != fail.KindPrecondition {
		t.Errorf("without consent: %v, want ErrNoConsent, a precondition", err)
	}
	if e, _ := fail.As(err); e == nil || !strings.HasPrefix(e.Message, "Not sent: ") || !strings.Contains(e.Message, "consent to share information") {
		t.Errorf("the refusal says %v, want why nothing was sent", err)
	}
	f.consent(t)
	_, err = f.svc.Send(ctx, f.actor(now), f.patientID, id, referrals.Sending{Version: 1})
	if !errors.Is(err, referrals.ErrNoConsent) || fail.Fields(err)["party_agreed"] == "" {
		t.Errorf("without the patient's agreement to this resource: %v, want ErrNoConsent beside the agreement", err)
	}
	if n := f.count(t, `select count(*) from referrals where patient_id = $1 and status = 'draft' and sent_at is null`, f.patientID); n != 1 {
		t.Errorf("%d unsent drafts, want the one", n)
	}
	if n := f.count(t, `select count(*) from audit_events where patient_id = $1 and action = 'referral.sent'`, f.patientID); n != 0 {
		t.Errorf("%d sent events for a refused referral", n)
	}

	// With the agreement it goes, with its timeline line and audit event.
	r, err := f.svc.Send(ctx, f.actor(now), f.patientID, id, referrals.Sending{Fields: []string{"need", "contact"}, PartyAgreed: true, Version: 1})
	if err != nil || r.Status != referrals.Sent || r.FollowUpDue == nil {
		t.Fatalf("send with consent: %+v, %v", r, err)
	}
	if n := f.count(t, `select count(*) from referrals where id = $1 and shared_fields = '{contact,need}' and version = 2`, id); n != 1 {
		t.Error("the sent referral does not record what was shared, in the form's order")
	}
	if n := f.count(t, `select count(*) from audit_events where patient_id = $1 and action = 'referral.sent' and entity_id = $2`, f.patientID, id); n != 1 {
		t.Errorf("%d audit events for the sending, want 1", n)
	}
	if n := f.count(t, `select count(*) from patient_events where patient_id = $1 and kind = 'referral' and summary like '%sent; follow-up on%'`, f.patientID); n != 1 {
		t.Errorf("%d timeline lines for the sending, want 1", n)
	}
}

func TestMove_StaleVersionIsAConflictAndEndsTheFollowUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	day := time.Now()
	r := f.sentReferral(t, day.AddDate(0, 0, -10))
	f.raise(t, day, 14)
	if n := f.count(t, `select count(*) from tasks where source_referral_id = $1 and status = 'open'`, r.ID); n != 1 {
		t.Fatalf("%d follow-up tasks, want the no-response follow-up", n)
	}
	err := f.svc.TakeStep(ctx, f.actor(day), f.patientID, r.ID, referrals.Step{To: referrals.Accepted, Version: r.Version - 1})
	if !errors.Is(err, db.ErrConflict) {
		t.Errorf("stale version: %v, want db.ErrConflict", err)
	}
	err = f.svc.TakeStep(ctx, f.actor(day), f.patientID, r.ID, referrals.Step{To: referrals.Declined, Version: r.Version})
	if fail.Fields(err)["note"] == "" {
		t.Errorf("declined without a reason: %v, want the reason asked for", err)
	}
	if err := f.svc.TakeStep(ctx, f.actor(day), f.patientID, r.ID, referrals.Step{To: referrals.Accepted, Version: r.Version}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `select count(*) from tasks where source_referral_id = $1 and status = 'cancelled'`, r.ID); n != 1 {
		t.Error("the answer did not close the open follow-up task")
	}
	if n := f.count(t, `select count(*) from referral_events where referral_id = $1`, r.ID); n != 3 {
		t.Errorf("%d steps recorded, want written, sent, accepted", n)
	}
	if n := f.count(t, `select count(*) from audit_events where entity_id = $1 and action = 'referral.status_changed'`, r.ID); n != 1 {
		t.Errorf("%d audit events for the step, want 1", n)
	}
	err = f.svc.TakeStep(ctx, f.actor(day), f.patientID, r.ID, referrals.Step{To: referrals.Accepted, Version: r.Version + 1})
	if fail.KindOf(err) != fail.KindInvalid {
		t.Errorf("accepted twice: %v, want the step refused as not offered", err)
	}
}

func TestRaiseDue_NoResponseTaskOnceAfterTheFollowUpDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	day := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	// Sent on Monday 2 March: followed up five business days later, on 9 March.
	sent := time.Date(2026, 3, 2, 15, 0, 0, 0, time.Local)
	r := f.sentReferral(t, sent)
	tasks := func() int {
		return f.count(t, `select count(*) from tasks where source = 'referral' and source_referral_id = $1`, r.ID)
	}
	f.raise(t, day.AddDate(0, 0, -1), 14)
	if n := tasks(); n != 0 {
		t.Errorf("%d tasks the day before the follow-up day", n)
	}
	f.raise(t, day, 14)
	if n := tasks(); n != 1 {
		t.Errorf("%d tasks on the follow-up day, want 1", n)
	}
	f.raise(t, day.AddDate(0, 0, 3), 14)
	if n := tasks(); n != 1 {
		t.Errorf("%d tasks after raising again later, want still 1", n)
	}
	if n := f.count(t, `select count(*) from tasks where source = 'referral' and source_referral_id = $1 and status = 'open'
		and assignee_id = $2 and due_at::date = '2026-03-09'`, r.ID, f.actorID); n != 1 {
		t.Errorf("%d open follow-ups for the coordinator due on the follow-up day, want 1", n)
	}
}

func TestRaiseDue_ConcurrentRaisesMakeOneTask(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.sentReferral(t, time.Now().AddDate(0, 0, -10))
	done := make(chan error, 4)
	for range 4 {
		go func() {
			done <- db.InTenant(context.Background(), f.d.Pool, f.tenantID, func(tx pgx.Tx) error {
				_, err := referrals.RaiseDue(context.Background(), tx, f.tenantID, time.Now(), time.UTC, 14)
				return err
			})
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(t, `select count(*) from tasks t join referrals r on r.id = t.source_referral_id
		where r.patient_id = $1 and t.source = 'referral'`, f.patientID); n != 1 {
		t.Errorf("%d follow-up tasks, want 1", n)
	}
}

func TestRaiseDue_AuthorisationEndingSoonOncePerEndDate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	r := f.sentReferral(t, time.Now())
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	save := func(validTo time.Time, version int) string {
		var id string
		f.inTenant(t, func(tx pgx.Tx) (err error) {
			a := referrals.Authorization{Status: referrals.AuthApproved, Number: "PA-1", Unit: "visits", ValidTo: &validTo}
			id, err = referrals.RecordAuthorization(ctx, tx, f.actor(time.Now()), r, version, a)
			return err
		})
		return id
	}
	authID := save(day.AddDate(0, 0, 20), 0)
	tasks := func() int {
		return f.count(t, `select count(*) from tasks where source = 'authorization' and source_authorization_id = $1`, authID)
	}
	steps := []struct {
		name string
		day  time.Time
		want int
	}{
		{"20 days before the end, with a 14-day warning", day, 0},
		{"14 days before the end", day.AddDate(0, 0, 6), 1},
		{"again the next day", day.AddDate(0, 0, 7), 1},
	}
	for _, s := range steps {
		f.raise(t, s.day, 14)
		if n := tasks(); n != s.want {
			t.Errorf("%s: %d tasks, want %d", s.name, n, s.want)
		}
	}
	// Renewed to a new end date: a new warning when that one nears.
	save(day.AddDate(0, 2, 0), 1)
	f.raise(t, day.AddDate(0, 2, -10), 14)
	if n := tasks(); n != 2 {
		t.Errorf("%d authorisation tasks after the renewal's warning, want one per end date", n)
	}
}

func TestSearch_TypoTolerantAndFilteredUnderRowLevelSecurity(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	names := func(fl referrals.Filter) []string {
		var out []string
		f.inTenant(t, func(tx pgx.Tx) error {
			list, _, err := referrals.Search(ctx, tx, f.tenantID, fl)
			for _, r := range list {
				out = append(out, r.Name)
			}
			return err
		})
		return out
	}
	text := func(s string) *string { return &s }
	food := assessments.NeedFood
	tests := []struct {
		name   string
		filter referrals.Filter
		want   string
	}{
		{"letter missing", referrals.Filter{Text: text("fod bank")}, "Alder Falls Community Food Bank"},
		{"letters swapped", referrals.Filter{Text: text("food bnak")}, "Alder Falls Community Food Bank"},
		{"typo late in the word", referrals.Filter{Text: text("pantri")}, "Mesa Abierta Food Pantry"},
		{"a service, not the name", referrals.Filter{Text: text("eviction")}, "Tenant Rights Project"},
		{"domain and language", referrals.Filter{Domain: &food, Language: text("somali")}, "Hooyo Community Kitchen"},
	}
	for _, tt := range tests {
		got := names(tt.filter)
		if len(got) == 0 || got[0] != tt.want {
			t.Errorf("%s: got %v, want %q first", tt.name, got, tt.want)
		}
	}
	if got := names(referrals.Filter{Text: text("zzzqqq")}); len(got) != 0 {
		t.Errorf("nonsense matched %v", got)
	}
	// The other tenant's directory (in Riverton Falls) is not searched.
	if got := names(referrals.Filter{Text: text("Riverton")}); len(got) != 0 {
		t.Errorf("northside's search found riverside's %v", got)
	}
}

// BenchmarkSearch measures a typo-tolerant search of a directory of 3,000
// resources, as the app role under row-level security.
func BenchmarkSearch(b *testing.B) {
	d := dbtest.New(b, "demo")
	ctx := context.Background()
	var tenantID string
	if err := d.Pool.QueryRow(ctx, `select id from tenants where slug = 'northside'`).Scan(&tenantID); err != nil {
		b.Fatal(err)
	}
	words := []string{"food", "housing", "legal", "clinic", "counseling", "rides", "meals", "pantry", "shelter", "energy", "senior", "youth"}
	err := db.InTenant(ctx, d.Pool, tenantID, func(tx pgx.Tx) error {
		for i := range 3000 {
			w1, w2 := words[i%len(words)], words[(i/len(words))%len(words)]
			r := referrals.Resource{
				Name:     fmt.Sprintf("%s %s Center %d", w1, w2, i),
				Services: "Help with " + w1 + " and " + w2 + ", case management, applications and follow-up " + strconv.Itoa(i),
				Domains:  []assessments.Need{assessments.NeedFood}, Phone: "(612) 555-0100", Cost: "free",
				Languages: []string{"English", "Spanish"},
			}
			if _, err := referrals.InsertResource(ctx, tx, tenantID, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Statistics as autovacuum would gather them; only the owner may.
	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, "analyze resources; analyze resource_search_keys"); err != nil {
		b.Fatal(err)
	}
	// Each word is in a sixth of the directory; a name is unique.
	for _, q := range []string{"pantri", "conseling shelter", "meals Center 1234", ""} {
		b.Run(strconv.Quote(q), func(b *testing.B) {
			f := referrals.Filter{}
			if q != "" {
				f.Text = &q
			}
			for b.Loop() {
				err := db.InTenant(ctx, d.Pool, tenantID, func(tx pgx.Tx) error {
					_, _, err := referrals.Search(ctx, tx, tenantID, f)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A referral sent on Wednesday 25 November 2026, late in the day in Los
// Angeles (02:00 UTC on the 26th), with one business day to answer, is
// not due on Thanksgiving (26 Nov) but on Friday 27; with the
// organisation also closed that Friday it is due on Monday 30 November.
func TestSend_FollowUpSkipsThanksgivingAndTheTenantsClosures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	la, _ := calendar.Zone("America/Los_Angeles")
	sent := time.Date(2026, 11, 25, 18, 0, 0, 0, la)
	send := func() referrals.Referral {
		t.Helper()
		a := f.actor(sent)
		a.Settings.ReferralFollowUpBusinessDays = 1
		id := f.draft(t, sent.Add(-time.Hour))
		r, err := f.svc.Send(context.Background(), a, f.patientID, id, referrals.Sending{PartyAgreed: true, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.consent(t)
	if got := send().FollowUpDue.Format(calendar.DateLayout); got != "2026-11-27" {
		t.Errorf("follow-up on %s, want Friday 2026-11-27", got)
	}
	f.exec(t, `insert into closure_days (tenant_id, day, name) values ($1, '2026-11-27', 'Day after Thanksgiving')`, f.tenantID)
	if got := send().FollowUpDue.Format(calendar.DateLayout); got != "2026-11-30" {
		t.Errorf("with the Friday closed, follow-up on %s, want Monday 2026-11-30", got)
	}
}
