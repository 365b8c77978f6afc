package caseload_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/db"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// latestFromHistory is what assessments.LatestForCoordinator answers, computed from
// every assessment of the coordinator's patients: the definition, written
// out as a query (it was the worklist's own query before the summary).
func latestFromHistory(t *testing.T, w *world, coordinator string) []string {
	t.Helper()
	out := []string{}
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		rows, _ := tx.Query(context.Background(), `
		select p.id::text || ' ' || a.instrument_code || ' ' || a.completed_at::text || ' ' ||
		       -- A screen falls due by its date alone: its severity is not kept.
		       case when a.instrument_code = 'AHC-HRSN' then '0' else coalesce(a.severity, 0)::text end
		  from patients p
		  cross join lateral (
		        select distinct on (a.instrument_code) a.instrument_code, a.completed_at, a.severity
		          from assessments a
		         where a.tenant_id = p.tenant_id and a.patient_id = p.id and a.status = 'completed'
		           and a.instrument_code in ('PHQ-9', 'GAD-7', 'AHC-HRSN')
		           and not exists (select 1 from assessments m
		                            where m.tenant_id = a.tenant_id and m.amends_id = a.id and m.status = 'completed')
		         order by a.instrument_code, a.completed_at desc) a
		 where p.tenant_id = $1 and p.assigned_coordinator_id = $2 and p.status in ('referred', 'active')`, w.tenant, coordinator)
		var err error
		out, err = pgx.AppendRows(out, rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// latestFromSummary is assessments.LatestForCoordinator's answer in the
// same form.
func latestFromSummary(t *testing.T, w *world, coordinator string) []string {
	t.Helper()
	var rs []assessments.CaseloadResult
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		rs, err = assessments.LatestForCoordinator(context.Background(), tx, w.tenant, coordinator)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	err = db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		for _, r := range rs {
			// The timestamp as PostgreSQL prints it, to compare like for like.
			var at string
			if err := tx.QueryRow(context.Background(), "select $1::timestamptz::text", r.CompletedAt).Scan(&at); err != nil {
				return err
			}
			out = append(out, strings.Join([]string{r.PatientID, r.Code, at, strconv.Itoa(int(r.Severity))}, " "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// reviewsFromHistory is what careplans.DueForReview answers, from the care
// plans themselves (it was the worklist's own query before the summary).
func reviewsFromHistory(t *testing.T, w *world, coordinator string, until time.Time) []string {
	t.Helper()
	out := []string{}
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
		rows, _ := tx.Query(context.Background(), `
		select c.id::text || ' ' || c.patient_id::text || ' ' || c.review_due::text
		  from care_plans c
		  join patients p on p.tenant_id = c.tenant_id and p.id = c.patient_id
		 where c.tenant_id = $1 and p.assigned_coordinator_id = $2 and c.status = 'active' and c.review_due <= $3
		 order by c.review_due, c.id`, w.tenant, coordinator, until)
		var err error
		out, err = pgx.AppendRows(out, rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reviewsFromSummary is careplans.DueForReview's answer in the same form,
// in its order.
func reviewsFromSummary(t *testing.T, w *world, coordinator string, until time.Time) []string {
	t.Helper()
	var rs []careplans.PlanReview
	err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		rs, err = careplans.DueForReview(context.Background(), tx, w.tenant, coordinator, until, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, r := range rs {
		out = append(out, r.PlanID+" "+r.PatientID+" "+r.ReviewDue.Format(time.DateOnly))
		if r.Due != len(rs) {
			t.Fatalf("each review says %d are due; %d were read", r.Due, len(rs))
		}
	}
	// The first two, as the worklist reads its first few, still count all.
	var first []careplans.PlanReview
	err = db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) (err error) {
		first, err = careplans.DueForReview(context.Background(), tx, w.tenant, coordinator, until, 2)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != min(2, len(rs)) || (len(first) > 0 && (first[0].PlanID != rs[0].PlanID || first[0].Due != len(rs))) {
		t.Fatalf("the first 2 of %d reviews: %+v", len(rs), first)
	}
	return out
}

// The worklist's latest results and plan reviews, kept in patient_flags by
// the triggers, equal those computed from every assessment and plan after
// each step of a random sequence of what moves them: results completed
// (any instrument and severity), amended and entered in error; plans
// started, ended, moved to another patient and given new review dates;
// patients moving between statuses and coordinators.
func TestLatestResults_MatchHistoryThroughRandomChanges(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(31, 7))
	statuses := []string{"referred", "active", "active", "on_hold", "discharged"}
	coordinators := []string{w.ann, w.ben}
	codes := []string{"PHQ-9", "GAD-7", "AHC-HRSN", "LACE"}
	var patients, completed, plans []string
	pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
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
			insert into patients (tenant_id, given_name, family_name, date_of_birth, status, assigned_coordinator_id)
			values ($1, 'Pat', 'R', '1950-01-01', $2, $3) returning id`, w.tenant, pick(statuses), pick(coordinators)))
	}
	for range 5 {
		newPatient()
	}
	steps := []func(){
		newPatient,
		func() { w.exec(`update patients set status = $2 where id = $1`, pick(patients), pick(statuses)) },
		func() {
			w.exec(`update patients set assigned_coordinator_id = $2 where id = $1`, pick(patients), pick(coordinators))
		},
		func() {
			completed = append(completed, returning(`insert into assessments (tenant_id, patient_id, instrument_code, instrument_version,
					status, severity, method, started_at, completed_at)
				values ($1, $2, $3, '1', 'completed', $4, 'phone', $5, $5) returning id`,
				w.tenant, pick(patients), pick(codes), rng.IntN(5), w.ago(rng.Float64()*400)))
		},
		func() {
			if len(completed) > 0 {
				// An amendment: the same patient and instrument, a new severity.
				completed = append(completed, returning(`insert into assessments (tenant_id, patient_id, instrument_code, instrument_version,
						status, severity, method, started_at, completed_at, amends_id, amend_reason)
					select tenant_id, patient_id, instrument_code, instrument_version, 'completed', $2, method, completed_at, completed_at, id, 'misheard'
					  from assessments where id = $1 returning id`, pick(completed), rng.IntN(5)))
			}
		},
		func() {
			if len(completed) > 0 {
				w.exec(`update assessments set status = 'entered_in_error', error_reason = 'wrong patient' where id = $1`, pick(completed))
			}
		},
	}
	planStatuses := []string{"draft", "active", "active", "completed", "cancelled"}
	steps = append(steps,
		func() {
			// At most one open plan a patient: a new one only where none is.
			p := pick(patients)
			var open bool
			if err := db.InTenant(context.Background(), w.d.Pool, w.tenant, func(tx pgx.Tx) error {
				return tx.QueryRow(context.Background(), `select exists (select 1 from care_plans where patient_id = $1 and status in ('draft', 'active'))`, p).Scan(&open)
			}); err != nil {
				t.Fatal(err)
			}
			if !open {
				plans = append(plans, returning(`insert into care_plans (tenant_id, patient_id, title, status, review_due, approved_at)
					values ($1, $2, 'Plan', $3, $4, now()) returning id`, w.tenant, p, pick(planStatuses[:2]), w.dateAgo(rng.IntN(60)-30)))
			}
		},
		func() {
			if len(plans) > 0 {
				w.exec(`update care_plans set status = $2 where id = $1 and ($2 not in ('draft', 'active') or not exists (
					select 1 from care_plans o where o.patient_id = care_plans.patient_id and o.id <> care_plans.id and o.status in ('draft', 'active')))`,
					pick(plans), pick(planStatuses))
			}
		},
		func() {
			if len(plans) > 0 {
				w.exec(`update care_plans set review_due = $2 where id = $1`, pick(plans), w.dateAgo(rng.IntN(60)-30))
			}
		},
		func() {
			if len(plans) > 0 {
				w.exec(`update care_plans set patient_id = $2 where id = $1 and not exists (
					select 1 from care_plans o where o.patient_id = $2 and o.status in ('draft', 'active'))`, pick(plans), pick(patients))
			}
		},
	)
	today := w.dateAgo(0)
	for step := range 200 {
		steps[rng.IntN(len(steps))]()
		if step%10 != 9 {
			continue
		}
		for _, c := range coordinators {
			if diff := cmp.Diff(latestFromHistory(t, w, c), latestFromSummary(t, w, c)); diff != "" {
				t.Fatalf("results after step %d (-history +summary):\n%s", step, diff)
			}
			if diff := cmp.Diff(reviewsFromHistory(t, w, c, today), reviewsFromSummary(t, w, c, today)); diff != "" {
				t.Fatalf("plan reviews after step %d (-history +summary):\n%s", step, diff)
			}
		}
	}
}
