package caseload_test

import (
	"context"
	"testing"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/caseload"
	"carecoord/internal/db"
	"carecoord/internal/db/dbtest"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { dbtest.Main(m, dbtest.Seed{Name: "scale", Owner: loadScaleShape}) }

// world is a small organisation built row by row, so that every number a
// test expects can be counted by hand: Ann and Ben coordinate, Sue
// supervises, Xavier has left (his membership is inactive).
type world struct {
	t                  *testing.T
	d                  dbtest.DB
	tenant             string
	ann, ben, sue, xav string
	now                time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, d: dbtest.New(t, ""), now: time.Now()}
	ctx := context.Background()
	if err := w.d.Pool.QueryRow(ctx, "insert into tenants (slug, name) values ('north', 'North') returning id").Scan(&w.tenant); err != nil {
		t.Fatal(err)
	}
	w.ann, w.ben = w.member("ann@x.test", "Ann", "coordinator", true), w.member("ben@x.test", "Ben", "coordinator", true)
	w.sue, w.xav = w.member("sue@x.test", "Sue", "supervisor", true), w.member("xav@x.test", "Xavier", "coordinator", false)
	return w
}

func (w *world) member(email, name, role string, active bool) string {
	w.t.Helper()
	var id string
	ctx := context.Background()
	if err := w.d.Pool.QueryRow(ctx, "insert into users (email, name, password_hash) values ($1, $2, 'x') returning id", email, name).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.d.Pool.Exec(ctx, "insert into memberships (tenant_id, user_id, role, active) values ($1, $2, $3, $4)", w.tenant, id, role, active); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	}); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

func (w *world) ago(days float64) time.Time {
	return w.now.Add(-time.Duration(days * 24 * float64(time.Hour)))
}

func (w *world) dateAgo(days int) time.Time {
	y, m, d := w.now.Date()
	return time.Date(y, m, d-days, 0, 0, 0, 0, time.UTC)
}

// pt is a patient to insert; nil times are NULL.
type pt struct {
	name        string
	coord       string
	status      string
	tier        string
	referred    *time.Time
	lastReached *time.Time
	attempts    int
}

func (w *world) patient(p pt) string {
	w.t.Helper()
	var id string
	var coord any
	if p.coord != "" {
		coord = p.coord
	}
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `
			insert into patients (tenant_id, given_name, family_name, date_of_birth, status, risk_tier, assigned_coordinator_id,
				referral_date, last_reached_at, unreached_attempts, created_at)
			values ($1, 'Pat', $2, '1950-01-01', $3, $4, $5, $6, $7, $8, $9) returning id`,
			w.tenant, p.name, p.status, p.tier, coord, p.referred, p.lastReached, p.attempts, w.ago(200)).Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) contact(patient string, daysAgo float64, outcome string) {
	w.exec(`insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, outcome, author_id)
		values ($1, $2, $3, 'phone', 'outbound', 'patient', $4, $5)`, w.tenant, patient, w.ago(daysAgo), outcome, w.ann)
}

func (w *world) task(patient, assignee, source string, dueInDays float64, status string) {
	var completed any
	if status == "done" {
		completed = w.now
	}
	w.exec(`insert into tasks (tenant_id, patient_id, title, due_at, assignee_id, source, status, completed_at)
		values ($1, $2, 'Do it', $3, $4, $5, $6, $7)`, w.tenant, patient, w.ago(-dueInDays), assignee, source, status, completed)
}

func (w *world) discharge(patient string, daysAgo int) {
	w.exec(`insert into care_transitions (tenant_id, patient_id, kind, facility, occurred_on, recorded_by)
		values ($1, $2, 'discharge', 'Mercy', $3, $4)`, w.tenant, patient, w.dateAgo(daysAgo), w.ann)
}

// plan inserts a plan with an approval revision approvedAgo days ago (if
// >= 0) and a completion closedAgo days ago (if >= 0).
func (w *world) plan(patient, status, stage string, approvedAgo, closedAgo float64) {
	var id string
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		var approvedAt any
		if approvedAgo >= 0 {
			approvedAt = w.ago(approvedAgo)
		}
		return tx.QueryRow(context.Background(), `
			insert into care_plans (tenant_id, patient_id, title, status, stage, approved_at)
			values ($1, $2, 'Plan', $3, $4, $5) returning id`, w.tenant, patient, status, stage, approvedAt).Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	n := 1
	for kind, ago := range map[string]float64{"approved": approvedAgo, "completed": closedAgo} {
		if ago >= 0 {
			w.exec(`insert into care_plan_revisions (tenant_id, plan_id, number, kind, summary, snapshot, created_at)
				values ($1, $2, $3, $4, 'x', '{}', $5)`, w.tenant, id, n, kind, w.ago(ago))
			n++
		}
	}
}

func (w *world) assessment(patient, code string, severity int, daysAgo float64) {
	w.exec(`insert into assessments (tenant_id, patient_id, instrument_code, instrument_version, status, severity, method,
			started_at, completed_at)
		values ($1, $2, $3, '1', 'completed', $4, 'phone', $5, $5)`, w.tenant, patient, code, severity, w.ago(daysAgo))
}

func (w *world) referral(patient, status string, sentDaysAgo float64) {
	var closed any
	if status == "completed" {
		closed = w.now
	}
	w.exec(`insert into referrals (tenant_id, patient_id, to_name, reason, status, sent_at, consent_checked_at, closed_at, outcome)
		values ($1, $2, 'Food bank', 'Food', $3, $4, $4, $5, case when $3 = 'completed' then 'met' end)`,
		w.tenant, patient, status, w.ago(sentDaysAgo), closed)
}

func (w *world) rules() caseload.Rules {
	return caseload.RulesAt(tenants.DefaultSettings(), calendar.Calendar{}, w.now)
}

func ptr(t time.Time) *time.Time { return &t }

// The dashboard data set: every count below is checked by hand in the
// comments of TestDashboard_CountsMatchAHandCount.
type dashboardWorld struct {
	*world
	p1, p2, p3, p4, p5, p6, p7, p8, p9 string
}

func newDashboardWorld(t *testing.T) dashboardWorld {
	w := dashboardWorld{world: newWorld(t)}
	long := ptr(w.dateAgo(200))
	w.p1 = w.patient(pt{name: "One", coord: w.ann, status: "active", tier: "high", referred: long, lastReached: ptr(w.ago(3))})
	w.p2 = w.patient(pt{name: "Two", coord: w.ann, status: "active", tier: "high", referred: long, lastReached: ptr(w.ago(10))})
	w.p3 = w.patient(pt{name: "Three", coord: w.ann, status: "active", tier: "moderate", referred: long, lastReached: ptr(w.ago(20))})
	w.p4 = w.patient(pt{name: "Four", coord: w.ann, status: "active", tier: "low", referred: ptr(w.dateAgo(60)), attempts: 3})
	w.p5 = w.patient(pt{name: "Five", coord: w.ann, status: "referred", tier: "moderate", referred: ptr(w.dateAgo(0))})
	w.p6 = w.patient(pt{name: "Six", coord: w.ben, status: "active", tier: "low", referred: long, lastReached: ptr(w.ago(5))})
	w.p7 = w.patient(pt{name: "Seven", coord: w.ben, status: "on_hold", tier: "high", referred: long})
	w.p8 = w.patient(pt{name: "Eight", coord: w.xav, status: "active", tier: "moderate", referred: long, lastReached: ptr(w.ago(2))})
	w.p9 = w.patient(pt{name: "Nine", status: "referred", tier: "moderate", referred: ptr(w.dateAgo(10))})
	w.patient(pt{name: "Ten", coord: w.ann, status: "discharged", tier: "high", referred: long})

	w.task(w.p1, w.ann, "manual", -1, "open")     // overdue
	w.task(w.p1, w.ann, "manual", 1, "open")      // not yet due
	w.task(w.p3, w.ann, "manual", -3, "done")     // done: not overdue
	w.task(w.p6, w.ben, "transition", -2, "open") // overdue, and a discharge without follow-up
	w.plan(w.p2, "draft", "submitted", -1, -1)    // awaiting approval
	w.assessment(w.p3, "PHQ-9", 2, 100)           // moderate, 100 days: overdue (90)
	w.assessment(w.p1, "PHQ-9", 0, 100)           // minimal: on no schedule
	w.assessment(w.p6, "AHC-HRSN", 0, 400)        // screen 13 months old: overdue
	w.assessment(w.p8, "AHC-HRSN", 0, 30)         // recent
	w.referral(w.p1, "sent", 6)                   // open, 6 days old
	w.referral(w.p2, "completed", 20)             // closed: not counted
	return w
}

func TestDashboard_CountsMatchAHandCount(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	var rows []caseload.Row
	var total caseload.Row
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		rows, total, err = caseload.Dashboard(context.Background(), tx, w.tenant, w.rules())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		Name                          string
		Active                        bool
		High, Moderate, Low, Referred int
		Counts                        map[caseload.Flag]int
	}
	got := make([]line, len(rows))
	for i, r := range rows {
		for f, n := range r.Counts {
			if n == 0 {
				delete(r.Counts, f)
			}
		}
		got[i] = line{r.Name, r.Active, r.High, r.Moderate, r.Low, r.Referred, r.Counts}
	}
	want := []line{
		// Ann: active 1, 2 (high), 3 (moderate), 4 (low); 5 referred. Past
		// cadence: 2 (10 days, high), 3 (20 days, moderate), 4 (never reached,
		// referred 60 days ago). High risk without contact in 7 days: 2.
		// Unreachable: 4. Overdue task: one of 1's. Awaiting: 2's plan.
		// Re-assessment: 3's moderate PHQ-9 of 100 days ago.
		{"Ann", true, 2, 1, 1, 1, map[caseload.Flag]int{
			caseload.FlagPastCadence: 3, caseload.FlagHighRiskNoContact: 1, caseload.FlagUnreachable: 1,
			caseload.FlagOverdueTasks: 1, caseload.FlagAwaitingApproval: 1, caseload.FlagReassessOverdue: 1,
			caseload.FlagOpenReferral: 1}},
		// Ben: 6 (low, reached 5 days ago); 7 is on hold and counts nowhere.
		// 6's discharge follow-up is overdue; 6's screen is 13 months old.
		{"Ben", true, 0, 0, 1, 0, map[caseload.Flag]int{
			caseload.FlagOverdueTasks: 1, caseload.FlagDischargeNoFollow: 1, caseload.FlagReassessOverdue: 1}},
		// Xavier has left but still has 8: his row stays until 8 moves.
		{"Xavier", false, 0, 1, 0, 0, map[caseload.Flag]int{}},
		// Sue carries nobody: no row. 9 is nobody's and overdue for a first contact.
		{"Not assigned", true, 0, 0, 0, 1, map[caseload.Flag]int{caseload.FlagPastCadence: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dashboard rows (-want +got):\n%s", diff)
	}
	if rows[0].OldestReferralDays != 6 || rows[1].OldestReferralDays != -1 {
		t.Errorf("oldest open referral: Ann %d days, Ben %d, want 6 and none", rows[0].OldestReferralDays, rows[1].OldestReferralDays)
	}
	if total.High != 2 || total.Moderate != 2 || total.Low != 2 || total.Referred != 2 ||
		total.Counts[caseload.FlagPastCadence] != 4 || total.Counts[caseload.FlagOverdueTasks] != 2 {
		t.Errorf("team total: %+v", total)
	}
}

func TestPatients_EachFlagListsThePatientsTheDashboardCounts(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	ann := w.ann
	want := map[caseload.Flag][]string{
		caseload.FlagPastCadence:       {w.p4, w.p3, w.p2}, // by name: Four, Three, Two
		caseload.FlagHighRiskNoContact: {w.p2},
		caseload.FlagUnreachable:       {w.p4},
		caseload.FlagOverdueTasks:      {w.p1},
		caseload.FlagAwaitingApproval:  {w.p2},
		caseload.FlagReassessOverdue:   {w.p3},
		caseload.FlagOpenReferral:      {w.p1},
	}
	for flag, ids := range want {
		got := w.list(caseload.Filter{Coordinator: &ann, Flag: flag})
		if diff := cmp.Diff(ids, idsOf(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", flag, diff)
		}
		for _, p := range got {
			if !p.Has(flag) {
				t.Errorf("%s listed without the flag", p.Name)
			}
		}
	}
	none := ""
	if got := w.list(caseload.Filter{Coordinator: &none}); len(got) != 1 || got[0].ID != w.p9 {
		t.Errorf("unassigned: %+v", got)
	}
}

func (w *world) list(f caseload.Filter) []caseload.PatientRow {
	w.t.Helper()
	var out []caseload.PatientRow
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		page, err := caseload.Patients(context.Background(), tx, w.tenant, w.rules(), f)
		out = page.Rows
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func idsOf(rows []caseload.PatientRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestPatients_KeysetPagesCoverEveryPatientOnceInEachOrder(t *testing.T) {
	t.Parallel()
	w := newDashboardWorld(t)
	ann := w.ann
	for _, sort := range []caseload.Sort{caseload.ByName, caseload.ByRisk, caseload.ByContact} {
		all := idsOf(w.list(caseload.Filter{Coordinator: &ann, Sort: sort}))
		var paged []string
		after := ""
		for range 10 {
			var page caseload.Page
			err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
				page, err = caseload.Patients(context.Background(), tx, w.tenant, w.rules(),
					caseload.Filter{Coordinator: &ann, Sort: sort, After: after, Limit: 2})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if page.Matching != 5 {
				t.Errorf("%s: %d matching, want 5 on every page", sort, page.Matching)
			}
			paged, after = append(paged, idsOf(page.Rows)...), page.Next
			if after == "" {
				break
			}
		}
		if len(all) != 5 {
			t.Fatalf("%s: %d of Ann's open patients, want 5", sort, len(all))
		}
		if diff := cmp.Diff(all, paged); diff != "" {
			t.Errorf("%s: pages differ from the whole list (-whole +pages):\n%s", sort, diff)
		}
	}
	risk := w.list(caseload.Filter{Coordinator: &ann, Sort: caseload.ByRisk})
	if risk[0].Tier != "high" || risk[len(risk)-1].Tier != "low" {
		t.Errorf("by risk: %v first, %v last", risk[0].Tier, risk[len(risk)-1].Tier)
	}
	if contact := w.list(caseload.Filter{Coordinator: &ann, Sort: caseload.ByContact}); contact[0].LastReached != nil {
		t.Errorf("longest without contact should start with the never reached: %+v", contact[0])
	}
}
