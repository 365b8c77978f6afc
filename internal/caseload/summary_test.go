package caseload_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"carecoord/internal/caseload"
	"carecoord/internal/db"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// fromHistory computes the measures kept in summaries the way they were
// computed before the summaries existed: from every contact, plan revision
// and assessment, for the period ending at end (a midnight). It is the
// measures' definition, written out as a query.
func fromHistory(t *testing.T, w *world, from, to time.Time, cadence map[string]int) map[string]string {
	t.Helper()
	end := to.AddDate(0, 0, 1)
	var inCare, plans, within, screened, reached, referred int
	var median *float64
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		err := tx.QueryRow(context.Background(), `
		select count(*),
		       count(*) filter (where exists (
		           select 1 from care_plans c
		            where c.tenant_id = p.tenant_id and c.patient_id = p.id
		              and exists (select 1 from care_plan_revisions a where a.tenant_id = c.tenant_id and a.plan_id = c.id
		                             and a.kind = 'approved' and a.created_at < $2)
		              and not exists (select 1 from care_plan_revisions e where e.tenant_id = c.tenant_id and e.plan_id = c.id
		                                 and e.kind in ('completed', 'cancelled') and e.created_at < $2))),
		       count(*) filter (where (select max(c.occurred_at) from contacts c
		            where c.tenant_id = p.tenant_id and c.patient_id = p.id and c.party = 'patient'
		              and c.outcome in ('reached', 'declined') and c.occurred_at < $2)
		           >= $2::timestamptz - make_interval(days => case p.risk_tier when 'high' then $3::int when 'low' then $5::int else $4::int end)),
		       count(*) filter (where exists (
		           select 1 from assessments a
		            where a.tenant_id = p.tenant_id and a.patient_id = p.id and a.instrument_code = 'AHC-HRSN'
		              and a.status = 'completed' and a.completed_at < $2 and a.completed_at >= $2::timestamptz - interval '12 months'))
		  from patients p
		 where p.tenant_id = $1 and p.status = 'active' and p.created_at < $2`,
			w.tenant, end, cadence["high"], cadence["moderate"], cadence["low"]).Scan(&inCare, &plans, &within, &screened)
		if err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), `
		select percentile_cont(0.5) within group (order by days) filter (where days is not null), count(days), count(*)
		  from (
		    select (select min(c.occurred_at)::date from contacts c
		             where c.tenant_id = p.tenant_id and c.patient_id = p.id and c.party = 'patient'
		               and c.outcome in ('reached', 'declined')
		               and c.occurred_at >= coalesce(p.referral_date, p.created_at::date))
		           - coalesce(p.referral_date, p.created_at::date) as days
		      from patients p
		     where p.tenant_id = $1 and coalesce(p.referral_date, p.created_at::date) between $2 and $3) r`,
			w.tenant, from, to).Scan(&median, &reached, &referred)
	})
	if err != nil {
		t.Fatal(err)
	}
	med := "-"
	if median != nil {
		med = fmt.Sprint(*median)
	}
	return map[string]string{
		caseload.MeasurePlans:    fmt.Sprintf("%d/%d", plans, inCare),
		caseload.MeasureCadence:  fmt.Sprintf("%d/%d", within, inCare),
		caseload.MeasureScreened: fmt.Sprintf("%d/%d", screened, inCare),
		caseload.MeasureFirst:    fmt.Sprintf("%s %d/%d", med, reached, referred),
	}
}

// fromSummaries is the same through caseload.Measures.
func fromSummaries(t *testing.T, w *world, from, to time.Time, cadence map[string]int) map[string]string {
	t.Helper()
	var ms []caseload.Measure
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		ms, err = caseload.Measures(context.Background(), tx, w.tenant, caseload.Period{From: from, To: to}, cadence)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range ms {
		switch m.Key {
		case caseload.MeasureDischarge:
		case caseload.MeasureFirst:
			med := "-"
			if m.Known {
				med = fmt.Sprint(m.Value)
			}
			out[m.Key] = fmt.Sprintf("%s %d/%d", med, m.Numerator, m.Denominator)
		default:
			out[m.Key] = fmt.Sprintf("%d/%d", m.Numerator, m.Denominator)
		}
	}
	return out
}

// The kept measures equal the measures computed from history after every
// step of a random sequence of the changes that move them: patients taken
// in, moving between statuses and tiers, contacts logged and corrected,
// screens completed and entered in error, plans approved, completed and
// cancelled, for periods ending today and up to fourteen months ago.
func TestMeasureSummaries_MatchHistoryThroughRandomChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(22, 6))
	cadence := map[string]int{"high": 7, "moderate": 14, "low": 30}
	statuses := []string{"referred", "active", "active", "active", "on_hold", "discharged"}
	tiers := []string{"high", "moderate", "low"}
	outcomes := []string{"reached", "reached", "declined", "no_answer", "left_message", "sent"}
	var patients, contacts, assessments, plans []string
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
	// when is a moment in the last 14 months, often a recent one, so that
	// cadences and periods both meet and miss it.
	when := func() time.Time { return w.ago(rng.Float64() * []float64{40, 120, 420}[rng.IntN(3)]) }
	returning := func(sql string, args ...any) string {
		var id string
		if err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), sql, args...).Scan(&id)
		}); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	newPatient := func() {
		patients = append(patients, returning(`
			insert into patients (tenant_id, given_name, family_name, date_of_birth, status, risk_tier, referral_date, created_at)
			values ($1, 'Pat', 'R', '1950-01-01', $2, $3, $4, $5) returning id`,
			w.tenant, pick(statuses), pick(tiers), w.dateAgo(rng.IntN(420)), w.ago(float64(rng.IntN(420)))))
	}
	for range 6 {
		newPatient()
	}
	steps := []func(){
		newPatient,
		func() { w.exec(`update patients set status = $2 where id = $1`, pick(patients), pick(statuses)) },
		func() { w.exec(`update patients set risk_tier = $2 where id = $1`, pick(patients), pick(tiers)) },
		func() {
			contacts = append(contacts, returning(`insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, outcome, author_id)
				values ($1, $2, $3, 'phone', 'outbound', 'patient', $4, $5) returning id`,
				w.tenant, pick(patients), when(), pick(outcomes), w.ann))
		},
		func() {
			if len(contacts) > 0 {
				w.exec(`update contacts set outcome = $2, occurred_at = $3 where id = $1`, pick(contacts), pick(outcomes), when())
			}
		},
		func() {
			assessments = append(assessments, returning(`insert into assessments (tenant_id, patient_id, instrument_code, instrument_version,
					status, severity, method, started_at, completed_at)
				values ($1, $2, 'AHC-HRSN', '1', 'completed', 0, 'phone', $3, $3) returning id`, w.tenant, pick(patients), w.ago(rng.Float64()*500)))
		},
		func() {
			if len(assessments) > 0 {
				w.exec(`update assessments set status = 'entered_in_error', error_reason = 'wrong patient' where id = $1`, pick(assessments))
			}
		},
		func() {
			plans = append(plans, returning(`insert into care_plans (tenant_id, patient_id, title, status) values ($1, $2, 'Plan', 'completed') returning id`,
				w.tenant, pick(patients)))
		},
		func() {
			if len(plans) > 0 {
				kind := []string{"approved", "approved", "completed", "cancelled"}[rng.IntN(4)]
				w.exec(`insert into care_plan_revisions (tenant_id, plan_id, number, kind, summary, snapshot, created_at)
					select $1, $2, coalesce(max(number), 0) + 1, $3, 'x', '{}', $4 from care_plan_revisions where plan_id = $2`,
					w.tenant, pick(plans), kind, when())
			}
		},
	}
	ends := []int{0, 1, 29, 45, 90, 200, 400}
	for step := range 300 {
		steps[rng.IntN(len(steps))]()
		if step%20 != 19 {
			continue
		}
		for _, ago := range ends {
			to := w.dateAgo(ago)
			from := to.AddDate(0, 0, -29)
			want, got := fromHistory(t, w, from, to, cadence), fromSummaries(t, w, from, to, cadence)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("after step %d, period ending %d days ago (-history +summaries):\n%s", step, ago, diff)
			}
		}
	}
}

// After the organisation changes its cadence the kept cadence counts are
// of the old setting: the measure is then counted from the contacts, and
// stays right.
func TestMeasureSummaries_AnotherCadenceIsCountedFromContacts(t *testing.T) {
	t.Parallel()
	w := measuresWorld(t)
	other := map[string]int{"high": 2, "moderate": 21, "low": 60}
	today := w.dateAgo(0)
	from := today.AddDate(0, 0, -29)
	want, got := fromHistory(t, w, from, today, other), fromSummaries(t, w, from, today, other)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-history +summaries):\n%s", diff)
	}
}
